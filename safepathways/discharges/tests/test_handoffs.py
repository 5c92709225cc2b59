"""A hospital discharge with support hands the person from the trust to the support's provider: one hand-off for the
person, counted once whether the transition plan or the discharge records it (record_discharge)."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from safepathways.accounts.models import Organisation, Team
from safepathways.conftest import Persona
from safepathways.core.errors import ApplicationError
from safepathways.discharges import services
from safepathways.discharges.models import Referral
from safepathways.discharges.tests.conftest import complete_essentials
from safepathways.discharges.tests.factories import days_ago
from safepathways.transitions import services as transitions
from safepathways.transitions.models import PlanKind
from safepathways.work import selectors as work_selectors
from safepathways.work.models import Handoff, HandoffKind

pytestmark = pytest.mark.django_db

MakeReferral = Callable[..., Referral]
TODAY = timezone.localdate


def _arranged(make_referral: MakeReferral, by: Persona, *, planned: bool = True, pathway: int = 1) -> Referral:
    """A referral with the pathway agreed (for today, so with a transition plan, when `planned`) and, for a pathway
    with support, reablement by Camden Reablement arranged from today."""
    referral = make_referral(discharge_ready_on=days_ago(1), proposed_pathway=pathway)
    services.agree_pathway(
        referral=referral, pathway=pathway, planned_discharge_on=TODAY() if planned else None, by=by.user
    )
    if pathway:
        services.plan_support_start(
            referral=referral, kind="reablement", provider="Camden Reablement", start_on=TODAY(), by=by.user
        )
    referral.refresh_from_db()
    return referral


def _discharge(referral: Referral, by: Persona) -> Referral:
    return services.record_discharge(
        referral=referral,
        discharged_on=TODAY(),
        discharged_to="usual_residence",
        by=by.user,
        open_essentials_reason="Son took her home; keys tomorrow",
    )


def test_a_discharge_on_pathway_1_is_one_handoff_through_its_plan(
    make_referral: MakeReferral, hospital_worker: Persona, hospital_team: Team
) -> None:
    referral = _arranged(make_referral, hospital_worker)
    assert referral.plan is not None
    complete_essentials(referral.plan, hospital_worker)

    _discharge(referral, hospital_worker)
    services.record_support_started(
        referral=referral,
        started_at=timezone.now() - timedelta(minutes=5),
        confirmed_with="carer",
        by=hospital_worker.user,
    )

    handoff = Handoff.objects.get(person=referral.person)
    assert handoff.kind == HandoffKind.ORGANISATION
    assert handoff.reason == (
        "Hospital discharge: from Royal Free London NHS Foundation Trust, Ward 8 North to Camden Reablement "
        "(Home (usual place of residence) with support)"
    )
    assert (handoff.to_team, handoff.by) == (hospital_team, hospital_worker.user)


def test_a_discharge_with_no_plan_counts_the_handoff_itself(
    make_referral: MakeReferral, hospital_worker: Persona, hospital: Organisation
) -> None:
    referral = _arranged(make_referral, hospital_worker, planned=False)
    assert referral.plan is None

    _discharge(referral, hospital_worker)

    handoff = Handoff.objects.get(person=referral.person)
    assert handoff.kind == HandoffKind.ORGANISATION
    assert handoff.reason == (
        f"Hospital discharge {referral.reference}: from {hospital.name} to Camden Reablement (Usual place of residence)"
    )


def test_a_plan_moved_before_the_discharge_is_recorded_is_not_counted_twice(
    make_referral: MakeReferral, hospital_worker: Persona
) -> None:
    referral = _arranged(make_referral, hospital_worker)
    plan = referral.plan
    assert plan is not None
    complete_essentials(plan, hospital_worker)
    transitions.mark_ready(plan=plan, by=hospital_worker.user)
    transitions.record_move(plan=plan, by=hospital_worker.user, moved_on=TODAY())
    assert Handoff.objects.filter(person=referral.person).count() == 1

    _discharge(referral, hospital_worker)

    assert Handoff.objects.filter(person=referral.person).count() == 1


def test_a_discharge_whose_plan_was_cancelled_counts_the_handoff(
    make_referral: MakeReferral, hospital_worker: Persona
) -> None:
    referral = _arranged(make_referral, hospital_worker)
    assert referral.plan is not None
    transitions.cancel_plan(plan=referral.plan, by=hospital_worker.user, reason="Plan started in error")
    referral.refresh_from_db()

    _discharge(referral, hospital_worker)

    assert Handoff.objects.get(person=referral.person).reason.startswith(f"Hospital discharge {referral.reference}")


def test_pathway_0_home_with_no_new_support_is_not_a_handoff(
    make_referral: MakeReferral, hospital_worker: Persona
) -> None:
    referral = _arranged(make_referral, hospital_worker, planned=False, pathway=0)
    _discharge(referral, hospital_worker)
    assert not Handoff.objects.exists()


def test_a_refused_discharge_counts_nothing(make_referral: MakeReferral, hospital_worker: Persona) -> None:
    referral = _arranged(make_referral, hospital_worker)
    with pytest.raises(ApplicationError):
        services.record_discharge(
            referral=referral, discharged_on=TODAY(), discharged_to="usual_residence", by=hospital_worker.user
        )  # essential arrangements open and no reason given
    assert not Handoff.objects.exists()


def test_the_dashboard_lists_someone_handed_on_by_a_discharge_and_the_moves_after_it(
    make_referral: MakeReferral, hospital_worker: Persona, hospital_team: Team
) -> None:
    # Given a person discharged to reablement, then moved to a home care provider, then into a care home
    referral = _arranged(make_referral, hospital_worker, planned=False)
    _discharge(referral, hospital_worker)
    for kind, moving_from, moving_to in (
        (PlanKind.BETWEEN_PROVIDERS, "Camden Reablement", "Oak Care Ltd"),
        (PlanKind.INTO_CARE_HOME, "Home, with Oak Care Ltd", "Rose House care home"),
    ):
        plan = transitions.create_plan(
            person=referral.person,
            kind=kind,
            moving_from=moving_from,
            moving_to=moving_to,
            planned_on=TODAY(),
            team=hospital_team,
            coordinator=hospital_worker.user,
            by=hospital_worker.user,
        )
        complete_essentials(plan, hospital_worker)
        transitions.mark_ready(plan=plan, by=hospital_worker.user)
        transitions.record_move(plan=plan, by=hospital_worker.user, moved_on=TODAY())

    # Then the dashboard's people with three or more hand-offs lists them, for the service and for the team
    person = referral.person
    expected = [(f"{person.given_name} {person.family_name}", person.pk, 3)]
    assert work_selectors.dashboard(None).most_handed_off == expected
    assert work_selectors.dashboard(hospital_team.pk).most_handed_off == expected
