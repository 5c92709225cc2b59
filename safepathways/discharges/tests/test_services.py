"""The rules of hospital discharge: ward referrals, dates in order, owners named, statuses, readmissions,
unsafe discharge reports and their review, support starts, and the continuity gap rule."""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from safepathways.accounts.models import Organisation, Team
from safepathways.audit.models import AuditEvent
from safepathways.conftest import Persona
from safepathways.core.errors import ApplicationError
from safepathways.discharges import gaps, selectors, services
from safepathways.discharges.models import (
    ALLOWED_TRANSITIONS,
    DelayReason,
    DischargeSettings,
    Referral,
    ReferralStatusName,
)
from safepathways.discharges.tests.conftest import FRONT_DOOR_STORY, complete_essentials
from safepathways.discharges.tests.factories import EDITH_NHS_NUMBER, days_ago, ward_referral
from safepathways.notifications.models import Notification
from safepathways.people.models import Person, Share
from safepathways.people.tests.factories import PersonFactory
from safepathways.transitions import services as transitions
from safepathways.transitions.gaps import PLAN_PAST_DATE
from safepathways.transitions.models import Gap, PlanKind, PlanStatus
from safepathways.transitions.services import sweep_gaps
from safepathways.work import services as work_services
from safepathways.work.models import WorkItem

MakeReferral = Callable[..., Referral]
MakeWork = Callable[..., WorkItem]
TODAY = timezone.localdate


def _refused(field: str, message_part: str, call: Callable[[], object]) -> None:
    with pytest.raises(ApplicationError) as raised:
        call()
    assert raised.value.field == field, raised.value.message
    assert message_part in raised.value.message


class TestReferring:
    def test_a_ward_referral_adds_the_person_and_opens_work_for_the_hospital_team_without_sharing_the_record(
        self, make_referral: MakeReferral, hospital: Organisation, hospital_team: Team, partner: Persona
    ) -> None:
        referral = make_referral()
        person = referral.person
        assert person.nhs_number == EDITH_NHS_NUMBER
        assert person.nhs_number_status == "02"
        assert referral.status == ReferralStatusName.RECEIVED
        assert referral.work_item.team == hospital_team
        assert referral.work_item.kind == "discharge"
        # The trust follows the referral, not the person's whole record (issue 5).
        assert not Share.objects.filter(person=person).exists()
        assert referral.statuses.get().created_by == partner.user
        assert AuditEvent.objects.filter(action="discharge.referred", person_id=person.pk).exists()
        assert person.chronology.filter(category="discharge").exists()

    def test_the_nhs_number_finds_the_existing_record(self, make_referral: MakeReferral) -> None:
        known: Person = PersonFactory.create(nhs_number=EDITH_NHS_NUMBER, date_of_birth=date(1938, 4, 2))
        referral = make_referral()
        assert referral.person == known
        assert Person.objects.count() == 1

    def test_a_record_with_another_date_of_birth_is_refused_not_guessed(self, make_referral: MakeReferral) -> None:
        PersonFactory.create(nhs_number=EDITH_NHS_NUMBER, date_of_birth=date(1950, 1, 1))
        _refused("date_of_birth", "different date of birth", make_referral)
        assert not Referral.objects.exists()

    def test_an_invalid_nhs_number_is_refused(self, make_referral: MakeReferral) -> None:
        _refused("nhs_number", "valid NHS number", lambda: make_referral(nhs_number="1234567890"))

    def test_a_partner_refers_only_from_its_own_trust(
        self, make_referral: MakeReferral, other_trust: Organisation
    ) -> None:
        _refused("hospital", "your own trust", lambda: make_referral(hospital=other_trust))

    def test_a_second_open_referral_from_the_same_trust_is_refused(self, make_referral: MakeReferral) -> None:
        make_referral()
        _refused("nhs_number", "already has an open", make_referral)

    def test_without_a_hospital_team_the_referral_is_refused(self, hospital: Organisation, partner: Persona) -> None:
        _refused(
            "hospital",
            "no hospital social work team",
            lambda: services.create_referral(details=ward_referral(hospital), by=partner.user),
        )


class TestTakingOverFrontDoorWork:
    """Issue 3: the story is held once. The hospital team's referral takes over the discharge work the front door
    opened (its person, team and story) instead of opening a second piece of work."""

    def _take_over(self, work: WorkItem, hospital: Organisation, by: Persona, **overrides: object) -> Referral:
        details = ward_referral(hospital, nhs_number="", given_name="", family_name="", date_of_birth=None)
        for name, value in {"needs": work.story, **overrides}.items():
            setattr(details, name, value)
        return services.create_referral(details=details, by=by.user, work_item=work)

    def test_the_referral_reuses_the_work_with_its_person_team_and_story(
        self, make_front_door_work: MakeWork, hospital: Organisation, hospital_team: Team, hospital_worker: Persona
    ) -> None:
        work = make_front_door_work()
        referral = self._take_over(work, hospital, hospital_worker, discharge_ready_on=days_ago(1))
        assert WorkItem.objects.count() == 1
        assert referral.work_item == work
        assert referral.person == work.person
        assert referral.needs == FRONT_DOOR_STORY
        work.refresh_from_db()
        assert (work.team, work.story, work.due_on, work.closed_at) == (
            hospital_team,
            FRONT_DOOR_STORY,
            days_ago(1),
            None,
        )
        assert not Share.objects.filter(person=work.person).exists()
        event = AuditEvent.objects.get(action="discharge.referred")
        assert event.snapshot["from_front_door"] is True
        assert selectors.waiting_discharge_work() == ([], False)

    def test_work_the_front_door_opened_by_triage_becomes_the_referral(
        self,
        make_persona: Callable[..., Persona],
        council: Organisation,
        hospital: Organisation,
        hospital_team: Team,
        hospital_worker: Persona,
    ) -> None:
        from safepathways.accounts.models import Role, TeamKind
        from safepathways.referrals import services as front_door

        desk = Team.objects.create(organisation=council, name="Front door", slug="front-door", kind=TeamKind.FRONT_DOOR)
        officer = make_persona(desk, Role.FRONT_DOOR_OFFICER, name="Farah Khan")
        person = PersonFactory.create()
        contact = front_door.take_contact(
            by=officer.user,
            person=person,
            details=front_door.ContactDetails(
                referrer_type="gp",
                referrer_name="Dr Asha Rao",
                referrer_organisation="Kentish Town Health Centre",
                channel="phone",
                reason="In the Royal Free after a fall; the ward says she will need help at home.",
                urgency="soon",
                consent="yes",
                persons_wishes="I want to go home to my cat.",
            ),
        )
        front_door.triage_contact(
            contact=contact, by=officer.user, route="hospital_discharge", reason="Inpatient", likelihood=3, impact=3
        )
        (work,), _ = selectors.waiting_discharge_work()
        assert (work.person, work.team) == (person, hospital_team)
        assert "help at home" in work.story
        referral = self._take_over(work, hospital, hospital_worker)
        assert referral.work_item == work
        assert "I want to go home to my cat." in referral.needs
        assert WorkItem.objects.count() == 1

    def test_work_already_taken_over_is_refused(
        self,
        make_front_door_work: MakeWork,
        hospital: Organisation,
        hospital_worker: Persona,
        other_trust: Organisation,
    ) -> None:
        work = make_front_door_work()
        first = self._take_over(work, hospital, hospital_worker)
        _refused(
            "work_item",
            f"{first.reference} has already taken over this work",
            lambda: self._take_over(work, other_trust, hospital_worker),
        )
        assert Referral.objects.count() == 1

    def test_work_that_is_not_open_discharge_work_is_refused(
        self,
        make_front_door_work: MakeWork,
        hospital: Organisation,
        hospital_worker: Persona,
        social_worker: Persona,
    ) -> None:
        assessment = make_front_door_work(kind="assessment")
        closed = make_front_door_work()
        work_services.close_work(work_item=closed, by=hospital_worker.user, outcome="Went home without support")
        review = _report(PersonFactory.create(), social_worker).work_item
        for work in (assessment, closed, review):
            _refused(
                "work_item",
                "Only open hospital discharge work",
                lambda work=work: self._take_over(work, hospital, hospital_worker),
            )
        assert not Referral.objects.exists()
        assert WorkItem.objects.count() == 3

    def test_only_the_hospital_team_takes_over_work_and_only_for_its_person(
        self, make_front_door_work: MakeWork, hospital: Organisation, hospital_worker: Persona, partner: Persona
    ) -> None:
        work = make_front_door_work()
        _refused("work_item", "Only the hospital social work team", lambda: self._take_over(work, hospital, partner))
        _refused(
            "work_item",
            "for someone else",
            lambda: self._take_over(work, hospital, hospital_worker, person=PersonFactory.create()),
        )
        assert not Referral.objects.exists()
        assert selectors.waiting_discharge_work() == ([work], False)


class TestDatesInOrder:
    def test_admission_in_the_future_is_refused(self, make_referral: MakeReferral) -> None:
        _refused("admitted_on", "today or in the past", lambda: make_referral(admitted_on=TODAY() + timedelta(days=1)))

    def test_discharge_ready_before_admission_is_refused(self, make_referral: MakeReferral) -> None:
        _refused(
            "discharge_ready_on",
            "before the admission date",
            lambda: make_referral(admitted_on=days_ago(5), discharge_ready_on=days_ago(6)),
        )

    def test_discharge_ready_in_the_future_is_refused(
        self, make_referral: MakeReferral, hospital_worker: Persona
    ) -> None:
        referral = make_referral()
        _refused(
            "discharge_ready_on",
            "stopped meeting the criteria to reside",
            lambda: services.set_discharge_ready_date(
                referral=referral, discharge_ready_on=TODAY() + timedelta(days=1), by=hospital_worker.user
            ),
        )

    def test_discharge_before_admission_or_before_ready_or_in_the_future_is_refused(
        self, make_referral: MakeReferral, hospital_worker: Persona
    ) -> None:
        referral = make_referral(admitted_on=days_ago(10), discharge_ready_on=days_ago(4))

        def discharge(on: date) -> Callable[[], object]:
            return lambda: services.record_discharge(
                referral=referral, discharged_on=on, discharged_to="usual_residence", by=hospital_worker.user
            )

        _refused("discharged_on", "before the admission date", discharge(days_ago(11)))
        _refused("discharged_on", "before the discharge-ready date", discharge(days_ago(5)))
        _refused("discharged_on", "today or in the past", discharge(TODAY() + timedelta(days=1)))
        referral.refresh_from_db()
        assert referral.status == ReferralStatusName.RECEIVED

    def test_readmission_before_discharge_is_refused(
        self, make_referral: MakeReferral, hospital_worker: Persona
    ) -> None:
        referral = make_referral(discharge_ready_on=days_ago(5), proposed_pathway=0)
        services.record_discharge(
            referral=referral, discharged_on=days_ago(3), discharged_to="usual_residence", by=hospital_worker.user
        )
        _refused(
            "readmitted_on",
            "before the discharge date",
            lambda: services.record_readmission(referral=referral, readmitted_on=days_ago(4), by=hospital_worker.user),
        )

    def test_admission_before_the_date_of_birth_the_ward_gives_is_refused(self, make_referral: MakeReferral) -> None:
        _refused(
            "admitted_on",
            "before the person's date of birth",
            lambda: make_referral(date_of_birth=days_ago(5), admitted_on=days_ago(10)),
        )
        assert not Referral.objects.exists()
        assert not Person.objects.exists()

    def test_admission_before_the_date_of_birth_on_the_councils_record_is_refused(
        self,
        make_referral: MakeReferral,
        make_front_door_work: MakeWork,
        hospital: Organisation,
        hospital_worker: Persona,
    ) -> None:
        # The ward gives no date of birth: the record found by NHS number knows it.
        PersonFactory.create(nhs_number=EDITH_NHS_NUMBER, date_of_birth=days_ago(5))
        _refused("admitted_on", "date of birth", lambda: make_referral(date_of_birth=None, admitted_on=days_ago(10)))
        # The front door's work names the person: their record's date of birth is checked too.
        work = make_front_door_work(person=PersonFactory.create(date_of_birth=days_ago(3)))
        details = ward_referral(
            hospital, nhs_number="", date_of_birth=None, admitted_on=days_ago(4), needs=work.story, person=work.person
        )
        _refused(
            "admitted_on",
            "date of birth",
            lambda: services.create_referral(details=details, by=hospital_worker.user, work_item=work),
        )
        assert not Referral.objects.exists()

    def test_admission_on_the_day_of_birth_is_accepted(self, make_referral: MakeReferral) -> None:
        referral = make_referral(date_of_birth=days_ago(10), admitted_on=days_ago(10))
        assert referral.admitted_on == referral.person.date_of_birth

    def test_support_started_before_the_discharge_is_refused(
        self, make_referral: MakeReferral, hospital_worker: Persona, ooh_worker: Persona
    ) -> None:
        referral = make_referral(admitted_on=days_ago(10), discharge_ready_on=days_ago(5))
        by = hospital_worker.user
        services.plan_support_start(referral=referral, kind="reablement", provider="Camden", start_on=TODAY(), by=by)
        services.record_discharge(referral=referral, discharged_on=days_ago(2), discharged_to="usual_residence", by=by)
        Referral.objects.filter(pk=referral.pk).update(support_start_on=days_ago(2))

        def started(at: datetime) -> Callable[[], object]:
            return lambda: services.record_support_started(
                referral=referral, started_at=at, confirmed_with="Carer", by=ooh_worker.user
            )

        eve = timezone.make_aware(datetime.combine(days_ago(3), time(21, 0)))
        _refused("started_at", "before the discharge", started(eve))
        referral.refresh_from_db()
        assert referral.support_started_at is None
        # The discharge day itself is fine: support often starts the evening the person gets home.
        started(timezone.make_aware(datetime.combine(days_ago(2), time(18, 0))))()
        referral.refresh_from_db()
        assert referral.support_started_at is not None

    def test_a_discharge_after_the_support_started_is_refused(
        self, make_referral: MakeReferral, hospital_worker: Persona, ooh_worker: Persona
    ) -> None:
        referral = make_referral(admitted_on=days_ago(10), discharge_ready_on=days_ago(5))
        by = hospital_worker.user
        Referral.objects.filter(pk=referral.pk).update(
            agreed_pathway=1, support_kind="reablement", support_provider="Camden", support_start_on=days_ago(3)
        )
        services.record_support_started(
            referral=referral,
            started_at=timezone.make_aware(datetime.combine(days_ago(3), time(10, 0))),
            confirmed_with="Carer",
            by=ooh_worker.user,
        )
        _refused(
            "discharged_on",
            "after the support started",
            lambda: services.record_discharge(
                referral=referral, discharged_on=days_ago(2), discharged_to="usual_residence", by=by
            ),
        )
        services.record_discharge(referral=referral, discharged_on=days_ago(3), discharged_to="usual_residence", by=by)

    def test_a_planned_discharge_in_the_past_is_refused(
        self, make_referral: MakeReferral, hospital_worker: Persona
    ) -> None:
        referral = make_referral()
        _refused(
            "planned_discharge_on",
            "today or in the future",
            lambda: services.agree_pathway(
                referral=referral, pathway=1, planned_discharge_on=days_ago(1), by=hospital_worker.user
            ),
        )


class TestNextAction:
    def test_a_next_action_without_an_owner_is_refused(
        self, make_referral: MakeReferral, hospital_worker: Persona
    ) -> None:
        referral = make_referral()
        before = AuditEvent.objects.count()
        _refused(
            "next_action_owner_name",
            "who owns the next action",
            lambda: services.set_next_action(
                referral=referral, action="Book OT home visit", owner_name=" ", due_on=TODAY(), by=hospital_worker.user
            ),
        )
        assert AuditEvent.objects.count() == before

    def test_a_next_action_needs_a_due_date_not_past(
        self, make_referral: MakeReferral, hospital_worker: Persona
    ) -> None:
        referral = make_referral()

        def set_due(due: date | None) -> Callable[[], object]:
            return lambda: services.set_next_action(
                referral=referral, action="Call daughter", owner_name="Hana Ito", due_on=due, by=hospital_worker.user
            )

        _refused("next_action_due", "Enter when", set_due(None))
        _refused("next_action_due", "today or later", set_due(days_ago(1)))
        set_due(TODAY())()
        referral.refresh_from_db()
        assert referral.next_action_owner_name == "Hana Ito"
        assert referral.status == ReferralStatusName.ASSESSING

    def test_the_delay_reason_needs_the_discharge_ready_date(
        self, make_referral: MakeReferral, partner: Persona
    ) -> None:
        referral = make_referral()
        reason = DelayReason.objects.get(code="p1_care_at_home")
        _refused(
            "delay_reason",
            "discharge-ready date first",
            lambda: services.set_delay_reason(referral=referral, delay_reason=reason, by=partner.user),
        )
        services.set_discharge_ready_date(referral=referral, discharge_ready_on=days_ago(2), by=partner.user)
        services.set_delay_reason(referral=referral, delay_reason=reason, by=partner.user)
        referral.refresh_from_db()
        assert referral.delay_reason == reason
        # The ward adding facts does not move the council's status.
        assert referral.status == ReferralStatusName.RECEIVED


class TestStatuses:
    def test_pathway_ready_date_and_support_make_it_ready_then_discharge_closes_it(
        self, make_referral: MakeReferral, hospital_worker: Persona, hospital: Organisation
    ) -> None:
        referral = make_referral(discharge_ready_on=days_ago(1))
        by = hospital_worker.user
        services.agree_pathway(referral=referral, pathway=1, planned_discharge_on=TODAY(), by=by)
        referral.refresh_from_db()
        assert referral.status == ReferralStatusName.ASSESSING
        assert referral.plan is not None
        complete_essentials(referral.plan, hospital_worker)
        services.plan_support_start(
            referral=referral, kind="reablement", provider="Camden reablement", start_on=TODAY(), by=by
        )
        referral.refresh_from_db()
        assert referral.status == ReferralStatusName.READY
        services.record_discharge(referral=referral, discharged_on=TODAY(), discharged_to="usual_residence", by=by)
        referral.refresh_from_db()
        assert [s.name for s in referral.statuses.all()] == ["received", "assessing", "ready", "discharged"]
        # The work stays open until the support has started.
        assert referral.work_item.closed_at is None
        services.record_support_started(
            referral=referral, started_at=timezone.now(), confirmed_with="Carer on the first visit", by=by
        )
        referral.work_item.refresh_from_db()
        assert referral.work_item.closed_at is not None

    def test_support_cannot_start_before_the_planned_discharge(
        self, make_referral: MakeReferral, hospital_worker: Persona
    ) -> None:
        referral = make_referral(discharge_ready_on=days_ago(1))
        by = hospital_worker.user
        planned = TODAY() + timedelta(days=3)
        services.agree_pathway(referral=referral, pathway=1, planned_discharge_on=planned, by=by)
        with pytest.raises(ApplicationError, match="before the planned discharge") as error:
            services.plan_support_start(
                referral=referral, kind="reablement", provider="Camden reablement", start_on=TODAY(), by=by
            )
        assert error.value.field == "support_start_on"
        services.plan_support_start(
            referral=referral, kind="reablement", provider="Camden reablement", start_on=planned, by=by
        )
        referral.refresh_from_db()
        assert referral.support_start_on == planned

    def test_the_plan_is_created_for_pathways_1_to_3_and_shared_with_the_trust(
        self, make_referral: MakeReferral, hospital_worker: Persona, hospital: Organisation
    ) -> None:
        referral = make_referral(discharge_ready_on=days_ago(1))
        services.agree_pathway(
            referral=referral, pathway=1, planned_discharge_on=TODAY() + timedelta(days=2), by=hospital_worker.user
        )
        referral.refresh_from_db()
        plan = referral.plan
        assert plan is not None
        assert plan.kind == PlanKind.HOSPITAL_DISCHARGE
        assert plan.planned_on == TODAY() + timedelta(days=2)
        assert list(plan.shared_with.all()) == [hospital]
        assert plan.arrangements.filter(code="care_start").exists()
        services.agree_pathway(
            referral=referral, pathway=1, planned_discharge_on=TODAY() + timedelta(days=3), by=hospital_worker.user
        )
        plan.refresh_from_db()
        assert plan.planned_on == TODAY() + timedelta(days=3)

    def test_pathway_0_needs_no_plan_and_is_ready_at_once(
        self, make_referral: MakeReferral, hospital_worker: Persona
    ) -> None:
        referral = make_referral(discharge_ready_on=days_ago(1), proposed_pathway=0)
        services.agree_pathway(referral=referral, pathway=0, planned_discharge_on=TODAY(), by=hospital_worker.user)
        referral.refresh_from_db()
        assert referral.plan is None
        assert referral.status == ReferralStatusName.READY

    def test_a_partner_cannot_agree_the_pathway(self, make_referral: MakeReferral, partner: Persona) -> None:
        referral = make_referral()
        with pytest.raises(ApplicationError):
            services.agree_pathway(referral=referral, pathway=1, by=partner.user)

    def test_a_closed_referral_cannot_change(self, make_referral: MakeReferral, hospital_worker: Persona) -> None:
        referral = make_referral()
        services.close_referral(
            referral=referral, status="withdrawn", reason="Went home with family", by=hospital_worker.user
        )
        referral.refresh_from_db()
        assert referral.status == ReferralStatusName.WITHDRAWN
        assert referral.work_item.closed_at is not None
        with pytest.raises(ApplicationError, match="closed"):
            services.set_discharge_ready_date(
                referral=referral, discharge_ready_on=days_ago(1), by=hospital_worker.user
            )

    def test_recording_the_discharge_records_the_move_on_the_plan(
        self, make_referral: MakeReferral, hospital_worker: Persona
    ) -> None:
        referral = make_referral(discharge_ready_on=days_ago(1))
        by = hospital_worker.user
        services.agree_pathway(referral=referral, pathway=1, planned_discharge_on=TODAY(), by=by)
        referral.refresh_from_db()
        plan = referral.plan
        assert plan is not None and plan.status == PlanStatus.PLANNING  # never marked ready; arrangements open
        before = timezone.now()
        services.record_discharge(
            referral=referral,
            discharged_on=TODAY(),
            discharged_to="usual_residence",
            no_support_reason="Daughter took her home before reablement was booked",
            open_essentials_reason="Daughter took her home before anything was arranged",
            by=by,
        )
        plan.refresh_from_db()
        assert plan.status == PlanStatus.MOVED
        assert plan.moved_on == TODAY()
        assert plan.check_due_at is not None
        assert before + timedelta(hours=72) <= plan.check_due_at <= timezone.now() + timedelta(hours=72)
        ready, moved = plan.status_changes.all()[1:]
        assert ready.status == PlanStatus.READY and ready.by is None
        assert moved.status == PlanStatus.MOVED and moved.by == by
        assert f"Hospital discharge {referral.reference} recorded" in ready.reason
        # The continuity sweep no longer finds the plan past its date once that date has gone.
        sweep_gaps(today=TODAY() + timedelta(days=2))
        assert not Gap.objects.filter(rule=PLAN_PAST_DATE).exists()

    def test_a_ready_plan_moves_on_the_discharge_date_even_when_recorded_late(
        self, make_referral: MakeReferral, hospital_worker: Persona, partner: Persona
    ) -> None:
        referral = make_referral(discharge_ready_on=days_ago(2))
        services.agree_pathway(referral=referral, pathway=1, planned_discharge_on=TODAY(), by=hospital_worker.user)
        referral.refresh_from_db()
        plan = referral.plan
        assert plan is not None
        for arrangement in plan.arrangements.filter(is_essential=True):
            transitions.update_item(
                plan=plan,
                by=hospital_worker.user,
                kind="arrangement",
                item_id=arrangement.pk,
                owner=transitions.Owner("Ward 8 nurse"),
                due_on=None,
                status="done",
            )
        transitions.mark_ready(plan=plan, by=hospital_worker.user)
        # The ward records, today, that the person went home yesterday: before the plan was started.
        services.record_discharge(
            referral=referral,
            discharged_on=days_ago(1),
            discharged_to="usual_residence",
            no_support_reason="Discharged herself against advice",
            by=partner.user,
        )
        plan.refresh_from_db()
        assert plan.status == PlanStatus.MOVED
        assert plan.moved_on == days_ago(1)
        assert [c.status for c in plan.status_changes.all()] == ["planning", "ready", "moved"]

    @pytest.mark.parametrize("ending", ["withdrawn", "died"])
    def test_withdrawal_or_death_cancels_the_plan_with_the_reason(
        self, make_referral: MakeReferral, hospital_worker: Persona, ending: str
    ) -> None:
        referral = make_referral(discharge_ready_on=days_ago(1))
        services.agree_pathway(
            referral=referral, pathway=3, planned_discharge_on=TODAY() + timedelta(days=2), by=hospital_worker.user
        )
        services.close_referral(referral=referral, status=ending, reason="Family's decision", by=hospital_worker.user)
        referral.refresh_from_db()
        plan = referral.plan
        assert plan is not None
        assert plan.status == PlanStatus.CANCELLED
        cancelled = plan.status_changes.last()
        assert cancelled is not None
        assert referral.reference in cancelled.reason and "Family's decision" in cancelled.reason

    def test_endings_are_final_in_the_transition_table(self) -> None:
        for ending in ("discharged", "withdrawn", "died"):
            assert ALLOWED_TRANSITIONS[ending] == frozenset()
        assert "received" not in ALLOWED_TRANSITIONS["assessing"]


class TestDischargeWithoutSupport:
    """Pathways 1-3 need support after discharge. The discharge is a fact, so it is recorded even when the person
    leaves before any support start is arranged, but only with the reason, and the hospital team hears at once."""

    @pytest.mark.parametrize("pathway", [1, 2, 3])
    def test_a_pathway_1_to_3_discharge_with_no_support_start_needs_a_reason(
        self, make_referral: MakeReferral, partner: Persona, pathway: int
    ) -> None:
        referral = make_referral(discharge_ready_on=days_ago(3), proposed_pathway=pathway)
        for blank in ("", "   "):
            _refused(
                "no_support_reason",
                "say why the person is leaving hospital without it",
                lambda blank=blank: services.record_discharge(
                    referral=referral,
                    discharged_on=days_ago(1),
                    discharged_to="usual_residence",
                    no_support_reason=blank,
                    by=partner.user,
                ),
            )
        referral.refresh_from_db()
        assert referral.status == ReferralStatusName.RECEIVED
        assert not AuditEvent.objects.filter(action="discharge.discharged").exists()

    def test_with_the_reason_it_is_recorded_the_team_told_and_the_work_kept_open(
        self, make_referral: MakeReferral, partner: Persona, hospital_worker: Persona, hospital_manager: Persona
    ) -> None:
        referral = make_referral(discharge_ready_on=days_ago(3))
        services.record_discharge(
            referral=referral,
            discharged_on=days_ago(1),
            discharged_to="usual_residence",
            no_support_reason="  Discharged herself against advice  ",
            by=partner.user,
        )
        referral.refresh_from_db()
        assert referral.status == ReferralStatusName.DISCHARGED
        assert referral.no_support_reason == "Discharged herself against advice"
        assert referral.work_item.closed_at is None
        notes = Notification.objects.filter(dedupe_key=f"discharge-no-support:{referral.pk}")
        assert {n.recipient_id for n in notes} == {hospital_worker.user.pk, hospital_manager.user.pk}
        assert "Discharged herself against advice" in notes[0].message
        event = AuditEvent.objects.get(action="discharge.discharged")
        assert event.snapshot["without_support"] is True
        story = referral.person.chronology.filter(summary__contains="discharged on").get()
        assert "No support start arranged: Discharged herself against advice" in story.detail

    def test_pathway_0_and_an_arranged_support_start_need_no_reason(
        self, make_referral: MakeReferral, hospital_worker: Persona
    ) -> None:
        by = hospital_worker.user
        home = make_referral(discharge_ready_on=days_ago(3), proposed_pathway=0, nhs_number="9996543226")
        services.record_discharge(referral=home, discharged_on=days_ago(1), discharged_to="usual_residence", by=by)
        arranged = make_referral(discharge_ready_on=days_ago(3), nhs_number="9996543234")
        services.plan_support_start(referral=arranged, kind="reablement", provider="Camden", start_on=TODAY(), by=by)
        services.record_discharge(
            referral=arranged,
            discharged_on=TODAY(),
            discharged_to="usual_residence",
            no_support_reason="ignored: a support start is arranged",
            by=by,
        )
        for referral in (home, arranged):
            referral.refresh_from_db()
            assert referral.status == ReferralStatusName.DISCHARGED
            assert referral.no_support_reason == ""
        assert not Notification.objects.filter(dedupe_key__startswith="discharge-no-support:").exists()


class TestRevokingOldRecordShares:
    def test_only_the_whole_record_shares_referrals_made_are_revoked_and_audited(
        self,
        make_referral: MakeReferral,
        hospital: Organisation,
        other_trust: Organisation,
        hospital_worker: Persona,
        partner: Persona,
    ) -> None:
        from safepathways.people import services as people_services

        referral = make_referral()
        person = referral.person
        made_by_referral = Share.objects.create(
            person=person, organisation=hospital, purpose=selectors.REFERRAL_SHARE_PURPOSE, shared_by=partner.user
        )
        # Shared for another purpose, or with a trust that never referred the person: not the referral's doing.
        other_purpose = people_services.share_with_organisation(
            person=PersonFactory.create(), by=hospital_worker.user, organisation=hospital, purpose="Joint review"
        )
        unrelated = Share.objects.create(
            person=person, organisation=other_trust, purpose=selectors.REFERRAL_SHARE_PURPOSE, shared_by=partner.user
        )
        assert list(selectors.referral_record_shares()) == [made_by_referral]
        with pytest.raises(ApplicationError):
            services.revoke_referral_record_shares(by=partner.user)
        assert services.revoke_referral_record_shares(by=hospital_worker.user) == 1
        made_by_referral.refresh_from_db()
        assert made_by_referral.revoked_at is not None
        other_purpose.refresh_from_db()
        unrelated.refresh_from_db()
        assert other_purpose.revoked_at is None and unrelated.revoked_at is None
        assert AuditEvent.objects.filter(action="person.share_revoked", person_id=person.pk).count() == 1
        assert services.revoke_referral_record_shares(by=hospital_worker.user) == 0

    def test_the_command_counts_then_revokes(
        self, make_referral: MakeReferral, hospital: Organisation, hospital_worker: Persona, partner: Persona
    ) -> None:
        from io import StringIO

        from django.core.management import CommandError, call_command

        referral = make_referral()
        share = Share.objects.create(
            person=referral.person,
            organisation=hospital,
            purpose=selectors.REFERRAL_SHARE_PURPOSE,
            shared_by=partner.user,
        )
        out = StringIO()
        call_command("revoke_discharge_record_shares", by=hospital_worker.user.email, stdout=out)
        assert out.getvalue().startswith("1 whole-record share")
        share.refresh_from_db()
        assert share.revoked_at is None
        call_command("revoke_discharge_record_shares", by=hospital_worker.user.email, apply=True, stdout=out)
        share.refresh_from_db()
        assert share.revoked_at is not None
        with pytest.raises(CommandError):
            call_command("revoke_discharge_record_shares", by="nobody@example.org", apply=True, stdout=out)


class TestReadmission:
    def _discharged(self, make_referral: MakeReferral, by: Persona, on: date) -> Referral:
        referral = make_referral(
            admitted_on=on - timedelta(days=20), discharge_ready_on=on - timedelta(days=2), proposed_pathway=0
        )
        return services.record_discharge(
            referral=referral, discharged_on=on, discharged_to="usual_residence", by=by.user
        )

    def test_within_30_days_is_an_early_readmission(
        self, make_referral: MakeReferral, hospital_worker: Persona
    ) -> None:
        referral = self._discharged(make_referral, hospital_worker, days_ago(40))
        services.record_readmission(referral=referral, readmitted_on=days_ago(10), by=hospital_worker.user, note="Fall")
        referral.refresh_from_db()
        assert referral.is_early_readmission is True

    def test_after_30_days_it_is_not_early(self, make_referral: MakeReferral, hospital_worker: Persona) -> None:
        referral = self._discharged(make_referral, hospital_worker, days_ago(40))
        services.record_readmission(referral=referral, readmitted_on=days_ago(9), by=hospital_worker.user)
        referral.refresh_from_db()
        assert referral.is_early_readmission is False

    def test_the_window_is_a_local_setting(self, make_referral: MakeReferral, hospital_worker: Persona) -> None:
        DischargeSettings.objects.filter(pk=1).update(readmission_window_days=7)
        referral = self._discharged(make_referral, hospital_worker, days_ago(20))
        services.record_readmission(referral=referral, readmitted_on=days_ago(10), by=hospital_worker.user)
        referral.refresh_from_db()
        assert referral.is_early_readmission is False

    def test_a_new_referral_within_the_window_records_the_readmission(
        self, make_referral: MakeReferral, hospital_worker: Persona, other_trust: Organisation
    ) -> None:
        earlier = self._discharged(make_referral, hospital_worker, days_ago(12))
        # Readmitted to another trust: the council's hospital team refers for them, as the API and web form do.
        again = make_referral(hospital=other_trust, admitted_on=days_ago(2), by=hospital_worker)
        assert again.person_id == earlier.person_id
        earlier.refresh_from_db()
        assert earlier.readmitted_on == days_ago(2)
        assert earlier.is_early_readmission is True
        assert again.reference in earlier.readmission_note
        event = AuditEvent.objects.get(action="discharge.readmitted")
        assert event.actor is None and event.actor_label == "system"

    def test_a_new_referral_outside_the_window_records_nothing(
        self, make_referral: MakeReferral, hospital_worker: Persona
    ) -> None:
        earlier = self._discharged(make_referral, hospital_worker, days_ago(40))
        make_referral(admitted_on=days_ago(5))
        earlier.refresh_from_db()
        assert earlier.readmitted_on is None
        assert not AuditEvent.objects.filter(action="discharge.readmitted").exists()

    def test_only_a_discharged_person_can_be_readmitted(
        self, make_referral: MakeReferral, hospital_worker: Persona
    ) -> None:
        referral = make_referral()
        _refused(
            "readmitted_on",
            "Only a discharged person",
            lambda: services.record_readmission(referral=referral, readmitted_on=TODAY(), by=hospital_worker.user),
        )


def _report(person: Person, by: Persona, referral: Referral | None = None) -> object:
    return services.report_unsafe_discharge(
        person=person,
        referral=referral,
        details=services.UnsafeReportDetails(
            reporter_name="June Cole",
            reporter_relationship="family",
            what_happened="Sent home at 11pm with no carers and no food in",
            occurred_on=days_ago(1),
        ),
        by=by.user,
    )


class TestUnsafeDischarge:
    def test_a_report_opens_a_review_for_the_hospital_team_managers(
        self, make_referral: MakeReferral, partner: Persona, hospital_manager: Persona, hospital_team: Team
    ) -> None:
        referral = make_referral()
        report = _report(referral.person, partner, referral)
        assert report.is_under_review
        assert report.work_item.team == hospital_team
        assert report.work_item.priority == "red"
        note = Notification.objects.get(recipient=hospital_manager.user)
        assert "Unsafe discharge" in note.message

    def test_a_report_about_a_person_without_a_referral_goes_to_a_hospital_team(
        self, hospital_team: Team, social_worker: Persona, hospital_manager: Persona
    ) -> None:
        report = _report(PersonFactory.create(), social_worker)
        assert report.referral is None
        assert report.work_item.team == hospital_team

    def test_only_a_team_manager_closes_the_review(
        self, make_referral: MakeReferral, partner: Persona, hospital_worker: Persona, hospital_manager: Persona
    ) -> None:
        referral = make_referral()
        report = _report(referral.person, partner, referral)
        with pytest.raises(ApplicationError, match="team manager"):
            services.close_review(report=report, outcome="lessons", findings="Fed back", by=hospital_worker.user)
        _refused(
            "findings",
            "what the review found",
            lambda: services.close_review(report=report, outcome="lessons", findings="", by=hospital_manager.user),
        )
        closed = services.close_review(
            report=report, outcome="lessons", findings="Ward fed back; no carers booked", by=hospital_manager.user
        )
        assert not closed.is_under_review
        closed.work_item.refresh_from_db()
        assert closed.work_item.closed_at is not None

    def test_a_report_of_a_future_date_is_refused(self, make_referral: MakeReferral, partner: Persona) -> None:
        referral = make_referral()
        _refused(
            "occurred_on",
            "today or in the past",
            lambda: services.report_unsafe_discharge(
                person=referral.person,
                referral=referral,
                details=services.UnsafeReportDetails("June", "family", "x", TODAY() + timedelta(days=1)),
                by=partner.user,
            ),
        )


class TestSupportStart:
    def test_support_that_did_not_start_tells_the_hospital_team(
        self,
        make_referral: MakeReferral,
        hospital_worker: Persona,
        hospital_manager: Persona,
        ooh_worker: Persona,
    ) -> None:
        referral = make_referral(discharge_ready_on=days_ago(1))
        services.plan_support_start(
            referral=referral,
            kind="reablement",
            provider="Camden reablement",
            start_on=TODAY(),
            by=hospital_worker.user,
        )
        services.record_support_not_started(referral=referral, reason="No carer available", by=ooh_worker.user)
        recipients = set(Notification.objects.values_list("recipient_id", flat=True))
        assert recipients == {hospital_worker.user.pk, hospital_manager.user.pk}
        referral.refresh_from_db()
        assert referral.support_not_started_reason == "No carer available"

    def test_a_start_in_the_future_cannot_be_recorded(
        self, make_referral: MakeReferral, hospital_worker: Persona, ooh_worker: Persona
    ) -> None:
        referral = make_referral()
        services.plan_support_start(
            referral=referral,
            kind="reablement",
            provider="Camden reablement",
            start_on=TODAY(),
            by=hospital_worker.user,
        )
        _refused(
            "started_at",
            "now or in the past",
            lambda: services.record_support_started(
                referral=referral,
                started_at=timezone.now() + timedelta(hours=2),
                confirmed_with="Carer",
                by=ooh_worker.user,
            ),
        )

    def test_weekend_and_evening_starts_are_out_of_hours(self) -> None:
        config = DischargeSettings(working_day_starts=time(9), working_day_ends=time(17))
        saturday = date(2025, 5, 10)
        monday = date(2025, 5, 12)
        bank_holiday = date(2025, 5, 26)
        assert config.is_out_of_hours(saturday, None)
        assert config.is_out_of_hours(bank_holiday, time(10))
        assert config.is_out_of_hours(monday, time(18, 30))
        assert not config.is_out_of_hours(monday, time(10))
        assert not config.is_out_of_hours(monday, None)


class TestGapRule:
    def _discharged_with_support(
        self, make_referral: MakeReferral, by: Persona, *, pathway: int, start_in: int, nhs_number: str
    ) -> Referral:
        referral = make_referral(discharge_ready_on=days_ago(5), proposed_pathway=pathway, nhs_number=nhs_number)
        services.plan_support_start(
            referral=referral, kind="reablement", provider="Camden reablement", start_on=TODAY(), by=by.user
        )
        services.record_discharge(
            referral=referral, discharged_on=days_ago(3), discharged_to="usual_residence", by=by.user
        )
        Referral.objects.filter(pk=referral.pk).update(support_start_on=TODAY() + timedelta(days=start_in))
        return referral

    def test_it_finds_a_discharge_whose_support_never_started(
        self, make_referral: MakeReferral, hospital_worker: Persona
    ) -> None:
        missed = self._discharged_with_support(
            make_referral, hospital_worker, pathway=1, start_in=-2, nhs_number="9996543226"
        )
        self._discharged_with_support(make_referral, hospital_worker, pathway=1, start_in=0, nhs_number="9996543234")
        self._discharged_with_support(make_referral, hospital_worker, pathway=0, start_in=-2, nhs_number="9996543242")
        started = self._discharged_with_support(
            make_referral, hospital_worker, pathway=2, start_in=-2, nhs_number="9996543250"
        )
        Referral.objects.filter(pk=started.pk).update(support_started_at=timezone.now())
        findings = list(gaps.discharged_without_support(TODAY()))
        assert [f.subject_key for f in findings] == [f"discharge:{missed.pk}"]
        assert findings[0].team_id == missed.work_item.team_id
        assert findings[0].since == TODAY() - timedelta(days=2)

    def test_a_discharge_with_no_support_start_arranged_is_a_gap_from_the_discharge_date(
        self, make_referral: MakeReferral, hospital_worker: Persona
    ) -> None:
        by = hospital_worker.user

        def discharged(on: date, number: str, pathway: int = 1) -> Referral:
            referral = make_referral(
                discharge_ready_on=days_ago(5), proposed_pathway=pathway, nhs_number=number, admitted_on=days_ago(9)
            )
            return services.record_discharge(
                referral=referral,
                discharged_on=on,
                discharged_to="usual_residence",
                no_support_reason="Went home with family before reablement was booked",
                by=by,
            )

        missed = discharged(days_ago(2), "9996543226")
        today = discharged(TODAY(), "9996543234")  # not yet: the day is not over
        discharged(days_ago(2), "9996543242", pathway=0)  # needs no support
        findings = list(gaps.discharged_without_support(TODAY()))
        assert [f.subject_key for f in findings] == [f"discharge:{missed.pk}"]
        assert findings[0].since == days_ago(2)
        assert "with no support start arranged" in findings[0].detail
        assert findings[0].team_id == missed.work_item.team_id
        tomorrow = {f.subject_key for f in gaps.discharged_without_support(TODAY() + timedelta(days=1))}
        assert tomorrow == {f"discharge:{missed.pk}", f"discharge:{today.pk}"}
        # Arranged for tomorrow after all: no longer a gap until that day has passed without a start.
        services.plan_support_start(
            referral=missed, kind="reablement", provider="Camden", start_on=TODAY() + timedelta(days=1), by=by
        )
        assert f"discharge:{missed.pk}" not in {f.subject_key for f in gaps.discharged_without_support(TODAY())}
        # And the daily sweep opens a gap for what is found.
        sweep_gaps(today=TODAY() + timedelta(days=1))
        assert Gap.objects.filter(rule=gaps.DISCHARGE_NO_SUPPORT, subject_key=f"discharge:{today.pk}").exists()

    def test_it_is_registered_with_the_continuity_sweep(self) -> None:
        from safepathways.transitions import gaps as continuity

        rule = continuity.get_rule("discharge_no_support")
        assert rule is not None
        assert rule.find is gaps.discharged_without_support


class TestMetrics:
    def test_percentiles_interpolate_between_ranks(self) -> None:
        assert selectors.percentile([], 50) is None
        assert selectors.median([1, 3, 2]) == 2
        assert selectors.median([1, 2, 3, 4]) == 2.5
        assert selectors.percentile(list(range(1, 11)), 90) == pytest.approx(9.1)
        assert selectors.percentile([5], 90) == 5

    def test_days_from_ready_to_discharge_and_shares_by_pathway(
        self, make_referral: MakeReferral, hospital_worker: Persona
    ) -> None:
        numbers = ["9996543226", "9996543234", "9996543242", "9996543250"]
        for index, (pathway, waited) in enumerate([(0, 0), (1, 2), (1, 4), (3, 10)]):
            referral = make_referral(
                nhs_number=numbers[index],
                proposed_pathway=pathway,
                admitted_on=days_ago(20),
                discharge_ready_on=days_ago(12),
            )
            services.record_discharge(
                referral=referral,
                discharged_on=days_ago(12 - waited),
                discharged_to="usual_residence",
                no_support_reason="Went to family",
                by=hospital_worker.user,
            )
        make_referral(discharge_ready_on=days_ago(3))  # open and delayed, pathway 1
        result = selectors.metrics(start=days_ago(30), end=TODAY(), today=TODAY())
        assert result.discharges == 4
        assert result.open_delays == 1
        by_pathway = {row.pathway: row for row in result.pathways}
        assert by_pathway[1].median_days == 3
        assert by_pathway[1].open_delays == 1
        assert by_pathway[1].share == 50
        assert by_pathway[1].meets_planning_share is True
        assert by_pathway[3].share == 25
        assert by_pathway[3].meets_planning_share is False
        assert result.median_days == 3
        assert by_pathway[2].share == 0
