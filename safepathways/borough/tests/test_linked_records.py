"""The records the services link together, generated too: discharge plans, young people's plans, meetings and
workshops; and running the generator again changes neither them nor the demo staff's passwords."""

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from safepathways.accounts.models import User
from safepathways.audit.models import AuditEvent
from safepathways.audit.services import verify_chain
from safepathways.borough import discharges_data, young_people_data
from safepathways.borough.generator import BoroughGenerator
from safepathways.discharges.models import OPEN_STATUSES, PATHWAYS_WITH_SUPPORT, Referral
from safepathways.people.models import ChronologyEntry
from safepathways.providers.models import Service
from safepathways.transitions.models import (
    ArrangementTemplate,
    Gap,
    ItemStatus,
    Plan,
    PlanKind,
    PlanStatus,
    PostMoveCheck,
)
from safepathways.transitions.services import sweep_gaps
from safepathways.young_people import selectors
from safepathways.young_people.models import (
    Attendance,
    PlanningMeeting,
    Workshop,
    YoungPeopleSettings,
    YoungPerson,
)

pytestmark = pytest.mark.django_db
SAM = "sam.social-worker@camden.example"


def test_a_second_run_keeps_demo_passwords_and_writes_no_password_events() -> None:
    call_command("generate_borough", "--people", "50", "--seed", "7", "--quiet-users")
    assert AuditEvent.objects.filter(action="user.password_set").count() == 0
    sam = User.objects.get(email=SAM)
    sam.set_password("a-changed-demo-password-2026")
    sam.save(update_fields=["password"])
    events = AuditEvent.objects.count()

    call_command("generate_borough", "--people", "50", "--seed", "7", "--quiet-users")

    assert AuditEvent.objects.filter(action="user.password_set").count() == 0
    assert AuditEvent.objects.count() == events
    assert User.objects.get(email=SAM).check_password("a-changed-demo-password-2026")
    assert verify_chain().is_intact


def _counts() -> dict[str, int]:
    return {
        "plans": Plan.objects.count(),
        "meetings": PlanningMeeting.objects.count(),
        "workshops": Workshop.objects.count(),
        "referrals": Referral.objects.count(),
        "young people": YoungPerson.objects.count(),
        "checks": PostMoveCheck.objects.count(),
        "services": Service.objects.count(),
    }


@pytest.fixture
def borough(monkeypatch: pytest.MonkeyPatch) -> BoroughGenerator:
    """A small borough with many open referrals and young people, so every kind of link is made."""
    monkeypatch.setattr(discharges_data, "PEOPLE_PER_OPEN_REFERRAL", 5)
    monkeypatch.setattr(young_people_data, "PEOPLE_PER_YOUNG_PERSON", 4)
    generator = BoroughGenerator(seed=7, password="x" * 12, log=lambda _: None)
    generator.generate(people=300)
    return generator


def test_every_open_referral_with_pathway_1_to_3_agreed_has_its_plan(borough: BoroughGenerator) -> None:
    today = timezone.localdate()
    open_referrals = Referral.objects.filter(status__in=OPEN_STATUSES).select_related("plan", "work_item")
    agreed = [r for r in open_referrals if r.agreed_pathway in PATHWAYS_WITH_SUPPORT]
    assert len(agreed) >= 3
    checklist = ArrangementTemplate.objects.filter(kind=PlanKind.HOSPITAL_DISCHARGE, is_active=True).count()
    for referral in agreed:
        plan = referral.plan
        assert plan is not None, referral.reference
        assert plan.kind == PlanKind.HOSPITAL_DISCHARGE
        assert plan.person_id == referral.person_id
        assert plan.planned_on == referral.planned_discharge_on
        assert plan.planned_on >= today
        assert plan.team_id == referral.work_item.team_id
        assert plan.status in (PlanStatus.PLANNING, PlanStatus.READY)
        assert referral.reference in plan.source_label
        assert list(plan.shared_with.all()) == [referral.hospital]
        assert plan.arrangements.count() == checklist
        assert plan.steps.exists()
        assert plan.status_changes.filter(status=PlanStatus.PLANNING).exists()
        if plan.status == PlanStatus.READY:  # ready only with every essential arrangement in place
            assert not plan.arrangements.filter(is_essential=True, status=ItemStatus.OPEN).exists()
        assert ChronologyEntry.objects.filter(
            person_id=plan.person_id, category="transition", link=reverse("transitions:plan", args=[plan.pk])
        ).exists()
    # Pathway 0 (home with no new support) and referrals not yet agreed have no plan, as in discharges.services.
    assert all(r.plan is None for r in open_referrals if r.agreed_pathway not in PATHWAYS_WITH_SUPPORT)

    hana = Client()
    hana.force_login(User.objects.get(email="hana.hospital@camden.example"))
    shown = next(r.plan for r in agreed if r.hospital.ods_code == "RAL" and r.plan)
    assert hana.get(reverse("transitions:plan", args=[shown.pk])).status_code == 200


def test_some_young_people_have_plans_meetings_and_workshops(borough: BoroughGenerator) -> None:
    today = timezone.localdate()
    young_people = YoungPerson.objects.select_related("person")
    person_ids = {yp.person_id: yp for yp in young_people}
    adult_plans = Plan.objects.filter(kind=PlanKind.CHILD_TO_ADULT)
    assert adult_plans.filter(status__in=[PlanStatus.PLANNING, PlanStatus.READY]).exists()
    assert all(plan.person_id in person_ids for plan in adult_plans)
    for plan in adult_plans.filter(status__in=[PlanStatus.PLANNING, PlanStatus.READY]):
        assert plan.planned_on >= today  # the 18th birthday, still to come
        assert plan.arrangements.exists()
        assert plan.team.slug == "transitions"
    for plan in adult_plans.filter(status=PlanStatus.CHECKED):  # moved on the 18th birthday and checked
        assert PostMoveCheck.objects.filter(plan=plan).exists()
        assert Service.objects.filter(person_id=plan.person_id, start_on=plan.moved_on).exists()
    care_leaver_plans = Plan.objects.filter(kind=PlanKind.CARE_LEAVER)
    assert care_leaver_plans.exists()
    assert all(person_ids[plan.person_id].is_care_leaver for plan in care_leaver_plans)
    # The two demonstration young people (the first two references) have no plan yet.
    demo = list(young_people.order_by("childrens_reference")[:2])
    assert not Plan.objects.filter(person_id__in=[yp.person_id for yp in demo]).exists()

    assert PlanningMeeting.objects.exists()
    assert not PlanningMeeting.objects.filter(held_on__gt=today).exists()
    assert Workshop.objects.filter(attendance=Attendance.NOT_YET).exists()  # offered, still to come
    assert Workshop.objects.exclude(attendance=Attendance.NOT_YET).exists()  # held: attended or not
    assert not Workshop.objects.filter(offered_on__gt=today).exists()

    tom = Client()
    tom.force_login(User.objects.get(email="tom.transitions@camden.example"))
    shown = PlanningMeeting.objects.select_related("young_person").first()
    assert shown is not None
    page = tom.get(reverse("young_people:detail", args=[shown.young_person_id])).content.decode()
    assert "No meetings recorded." not in page
    board = selectors.tracker(today, selectors.TrackerFilters(), YoungPeopleSettings.current())
    assert board.rows


def test_the_continuity_sweep_runs_on_the_linked_records(borough: BoroughGenerator) -> None:
    result = sweep_gaps()
    assert result.opened > 0
    linked = Plan.objects.filter(kind__in=[PlanKind.CHILD_TO_ADULT, PlanKind.CARE_LEAVER]).values_list("pk", flat=True)
    discharge_plans = Referral.objects.filter(plan__isnull=False).values_list("plan_id", flat=True)
    keys = {f"plan:{pk}" for pk in [*linked, *discharge_plans]} | {f"check:{pk}" for pk in linked}
    # None of them is past its date or has an overdue check: they are as the services leave them.
    assert not Gap.objects.filter(subject_key__in=keys).exists()
    assert sweep_gaps().opened == 0


def test_running_again_duplicates_nothing(borough: BoroughGenerator) -> None:
    before = _counts()
    assert before["plans"] and before["meetings"] and before["workshops"]
    borough.generate(people=300)
    assert _counts() == before
