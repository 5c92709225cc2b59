"""Hand-offs of team and organisation: work moved to another team, and services taken over by another provider or
team (work.handoffs), counted with the allocations on the dashboard."""

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.test import override_settings

from safepathways.accounts.models import Role, Team, TeamKind
from safepathways.audit.models import AuditEvent
from safepathways.conftest import Persona
from safepathways.core.errors import ApplicationError
from safepathways.people.models import ChronologyEntry, Neighbourhood, Person
from safepathways.people.tests.factories import PersonFactory
from safepathways.providers import services as provider_services
from safepathways.providers.models import Provider, Service
from safepathways.providers.tests.factories import ProviderFactory
from safepathways.work import handoffs, selectors, services
from safepathways.work.models import Handoff, HandoffKind, WorkItem

START = date(2026, 3, 2)


@pytest.fixture
def person(db: None) -> Person:
    created: Person = PersonFactory.create()
    return created


def _waiting(person: Person, team: Team) -> WorkItem:
    return services.open_work(person=person, kind="assessment", team=team, title="Care Act assessment", by=None)


def _service(person: Person, by: Persona, *, provider: Provider | None, start_on: date, **data: object) -> Service:
    values: dict[str, object] = {"service_type": "Long Term Support: Community", "start_on": start_on}
    values.update(data, provider=provider)
    return provider_services.record_service(person=person, by=by.user, data=values)


# Work moved to another team -------------------------------------------------------------------------------------
def test_a_manager_moves_work_to_another_team_and_it_keeps_its_place(
    person: Person, team: Team, other_team: Team, team_manager: Persona, social_worker: Persona
) -> None:
    item = _waiting(person, team)
    services.allocate(work_item=item, to_user=social_worker.user, by=social_worker.user, expected_owner_id=None)
    item.refresh_from_db()
    opened_at, priority, allocation_due = item.opened_at, item.priority, item.allocation_due

    services.transfer_work(work_item=item, to_team=other_team, by=team_manager.user, reason="Moved to Kentish Town")

    item.refresh_from_db()
    assert item.team == other_team
    assert item.allocated_to is None and item.is_waiting
    assert (item.opened_at, item.priority, item.allocation_due) == (opened_at, priority, allocation_due)
    handoff = Handoff.objects.get(kind=HandoffKind.TEAM)
    assert (handoff.from_team, handoff.to_team, handoff.from_worker, handoff.to_worker) == (
        team,
        other_team,
        social_worker.user,
        None,
    )
    assert handoff.work_item == item and handoff.reason == "Moved to Kentish Town"
    assert ChronologyEntry.objects.filter(person=person, summary__contains="moved from North West").exists()
    assert AuditEvent.objects.filter(action="work.transferred").count() == 1


@pytest.mark.parametrize(
    ("who", "to", "field", "message"),
    [
        ("social_worker", "other", None, "Only a manager of North West neighbourhood team"),
        ("team_manager", "same", "to_team", "already with"),
        ("team_manager", "safeguarding", "to_team", "does not hold work"),
    ],
)
def test_moving_work_is_refused_with_a_reason(
    who: str,
    to: str,
    field: str | None,
    message: str,
    person: Person,
    team: Team,
    other_team: Team,
    request: pytest.FixtureRequest,
) -> None:
    item = _waiting(person, team)
    by: Persona = request.getfixturevalue(who)
    targets = {
        "other": other_team,
        "same": team,
        "safeguarding": Team.objects.create(
            organisation=team.organisation, name="Safeguarding adults", slug="sg", kind=TeamKind.SAFEGUARDING
        ),
    }
    with pytest.raises(ApplicationError) as error:
        services.transfer_work(work_item=item, to_team=targets[to], by=by.user, reason="Boundary change")
    assert message in error.value.message and error.value.field == field
    item.refresh_from_db()
    assert item.team == team
    assert not Handoff.objects.exists() and not AuditEvent.objects.filter(action="work.transferred").exists()


def test_moving_work_needs_a_reason_and_open_work(
    person: Person, team: Team, other_team: Team, team_manager: Persona
) -> None:
    item = _waiting(person, team)
    with pytest.raises(ApplicationError) as error:
        services.transfer_work(work_item=item, to_team=other_team, by=team_manager.user, reason="  ")
    assert error.value.field == "reason"
    services.close_work(work_item=item, by=team_manager.user, outcome="Assessed")
    with pytest.raises(ApplicationError, match="closed"):
        services.transfer_work(work_item=item, to_team=other_team, by=team_manager.user, reason="Moved")
    assert not Handoff.objects.exists()


def test_a_manager_of_the_receiving_team_cannot_take_the_work(
    person: Person, team: Team, other_team: Team, make_persona: Callable[..., Persona]
) -> None:
    manager_there = make_persona(other_team, Role.TEAM_MANAGER)
    item = _waiting(person, team)
    with pytest.raises(ApplicationError, match="Only a manager"):
        services.transfer_work(work_item=item, to_team=other_team, by=manager_there.user, reason="Ours now")


# Services taken over by another provider or team -------------------------------------------------------------
def test_a_service_taken_over_by_another_provider_is_an_organisation_handoff(
    person: Person, social_worker: Persona
) -> None:
    first: Provider = ProviderFactory.create(name="Bluebell Homecare")
    second: Provider = ProviderFactory.create(name="Oak Care Ltd")
    earlier = _service(person, social_worker, provider=first, start_on=START, end_on=START + timedelta(days=60))
    later = _service(person, social_worker, provider=second, start_on=START + timedelta(days=61))

    handoff = Handoff.objects.get()
    assert handoff.kind == HandoffKind.ORGANISATION
    assert (handoff.from_provider, handoff.to_provider, handoff.service) == (first, second, later)
    assert handoff.work_item is None and handoff.person == person and handoff.by == social_worker.user
    assert handoff.reason == "Long Term Support: Community moved from Bluebell Homecare to Oak Care Ltd"
    assert earlier != later


def test_a_new_provider_of_the_same_kind_while_the_first_still_runs_is_a_handoff(
    person: Person, social_worker: Persona
) -> None:
    _service(person, social_worker, provider=ProviderFactory(), start_on=START)
    _service(person, social_worker, provider=ProviderFactory(), start_on=START + timedelta(days=200))
    assert Handoff.objects.filter(kind=HandoffKind.ORGANISATION).count() == 1


def test_a_move_into_a_care_home_from_care_at_home_is_a_handoff(person: Person, social_worker: Persona) -> None:
    _service(person, social_worker, provider=ProviderFactory(), start_on=START, end_on=START + timedelta(days=30))
    _service(
        person,
        social_worker,
        provider=ProviderFactory(),
        start_on=START + timedelta(days=31),
        service_type="Long Term Support: Residential Care",
    )
    assert Handoff.objects.filter(kind=HandoffKind.ORGANISATION).count() == 1


def test_a_change_of_responsible_team_alone_is_a_team_handoff(
    person: Person, social_worker: Persona, team: Team, other_team: Team
) -> None:
    provider = ProviderFactory()
    _service(person, social_worker, provider=provider, start_on=START, end_on=START + timedelta(days=9), team=team)
    _service(person, social_worker, provider=provider, start_on=START + timedelta(days=10), team=other_team)
    handoff = Handoff.objects.get()
    assert handoff.kind == HandoffKind.TEAM
    assert (handoff.from_team, handoff.to_team, handoff.from_provider) == (team, other_team, None)


@pytest.mark.parametrize(
    ("second", "why"),
    [
        ({"days": 61}, "the same provider again"),
        ({"days": 61 + 29, "other_provider": True}, "the earlier service ended more than 28 days before"),
        ({"days": 10, "other_provider": True, "type": "Carer Support: Direct to Carer"}, "another kind alongside"),
        ({"days": 61, "no_provider": True}, "no provider recorded"),
    ],
)
def test_what_is_not_a_handoff(person: Person, social_worker: Persona, second: dict[str, object], why: str) -> None:
    provider = ProviderFactory()
    _service(person, social_worker, provider=provider, start_on=START, end_on=START + timedelta(days=60))
    days = second["days"]
    assert isinstance(days, int)
    _service(
        person,
        social_worker,
        provider=None if second.get("no_provider") else ProviderFactory() if second.get("other_provider") else provider,
        start_on=START + timedelta(days=days),
        service_type=str(second.get("type", "Long Term Support: Community")),
    )
    assert not Handoff.objects.exists(), why


def test_how_long_a_service_counts_as_taken_over_is_configurable(person: Person, social_worker: Persona) -> None:
    _service(person, social_worker, provider=ProviderFactory(), start_on=START, end_on=START + timedelta(days=60))
    with override_settings(SAFEPATHWAYS={**settings.SAFEPATHWAYS, "HANDOFF_FOLLOW_DAYS": 90}):
        _service(person, social_worker, provider=ProviderFactory(), start_on=START + timedelta(days=140))
    assert Handoff.objects.filter(kind=HandoffKind.ORGANISATION).count() == 1


def test_a_refused_service_leaves_no_handoff(person: Person, social_worker: Persona) -> None:
    _service(person, social_worker, provider=ProviderFactory(), start_on=START, end_on=START + timedelta(days=9))
    with pytest.raises(ApplicationError):
        _service(person, social_worker, provider=ProviderFactory(), start_on=START + timedelta(days=10), end_on=START)
    assert not Handoff.objects.exists()


def test_the_dashboard_counts_every_kind_of_handoff(
    person: Person, team: Team, other_team: Team, social_worker: Persona, team_manager: Persona
) -> None:
    item = _waiting(person, team)
    services.allocate(work_item=item, to_user=social_worker.user, by=social_worker.user, expected_owner_id=None)
    services.transfer_work(work_item=item, to_team=other_team, by=team_manager.user, reason="Boundary change")
    _service(person, social_worker, provider=ProviderFactory(), start_on=START, end_on=START + timedelta(days=9))
    _service(person, social_worker, provider=ProviderFactory(), start_on=START + timedelta(days=10))

    figures = selectors.dashboard(None)

    assert figures.most_handed_off == [(f"{person.given_name} {person.family_name}", person.pk, 3)]
    assert figures.handoffs_this_week == 3


# A change of boundaries: a team's work, or one neighbourhood's, moves to another team ---------------------------
def test_a_boundary_change_moves_one_neighbourhoods_open_work(
    team: Team, other_team: Team, team_manager: Persona
) -> None:
    moving_area = Neighbourhood.objects.create(name="Kentish Town", team=team)
    staying_area = Neighbourhood.objects.create(name="Gospel Oak", team=team)
    moving = [_waiting(PersonFactory(neighbourhood=moving_area), team) for _ in range(3)]
    staying = _waiting(PersonFactory(neighbourhood=staying_area), team)
    closed = _waiting(PersonFactory(neighbourhood=moving_area), team)
    services.close_work(work_item=closed, by=team_manager.user, outcome="Assessed")

    moved = services.bulk_transfer(
        team=team, to_team=other_team, by=team_manager.user, reason="Boundary review", neighbourhood=moving_area
    )

    assert moved == 3
    assert {item.pk for item in WorkItem.objects.filter(team=other_team)} == {item.pk for item in moving}
    staying.refresh_from_db()
    closed.refresh_from_db()
    assert staying.team == team and closed.team == team
    assert Handoff.objects.filter(kind=HandoffKind.TEAM, reason="Boundary review").count() == 3


def test_a_boundary_change_is_all_or_nothing(
    team: Team, team_manager: Persona, social_worker: Persona, other_team: Team
) -> None:
    for _ in range(2):
        _waiting(PersonFactory(), team)
    with pytest.raises(ApplicationError) as refused:
        services.bulk_transfer(team=team, to_team=team, by=team_manager.user, reason="Boundary review")
    assert refused.value.field == "to_team"
    with pytest.raises(ApplicationError, match="Only a manager"):
        services.bulk_transfer(team=team, to_team=other_team, by=social_worker.user, reason="Boundary review")
    assert WorkItem.objects.filter(team=team).count() == 2
    assert not Handoff.objects.exists()


def test_a_boundary_change_with_nothing_to_move_says_so(team: Team, other_team: Team, team_manager: Persona) -> None:
    area = Neighbourhood.objects.create(name="Kentish Town", team=team)
    with pytest.raises(ApplicationError) as refused:
        services.bulk_transfer(
            team=team, to_team=other_team, by=team_manager.user, reason="Boundary review", neighbourhood=area
        )
    assert refused.value.field == "neighbourhood"
    assert refused.value.message == "North West neighbourhood team has no open work for people in Kentish Town to move"


# Moves named in words: transition plans and hospital discharges (work.handoffs.record_move_handoff) -------------
def test_a_move_between_named_places_is_counted_for_the_council_team_answerable(
    person: Person, team: Team, social_worker: Persona
) -> None:
    handoff = handoffs.record_move_handoff(
        person=person,
        by=social_worker.user,
        what="Hospital discharge",
        handed_from=" Royal Free London NHS Foundation Trust ",
        handed_to="Camden Reablement",
        team=team,
    )
    assert handoff is not None and handoff == Handoff.objects.get()
    assert (handoff.kind, handoff.person, handoff.to_team, handoff.by) == (
        HandoffKind.ORGANISATION,
        person,
        team,
        social_worker.user,
    )
    assert handoff.reason == "Hospital discharge: from Royal Free London NHS Foundation Trust to Camden Reablement"
    assert (handoff.work_item, handoff.service, handoff.from_provider, handoff.to_provider) == (None, None, None, None)


@pytest.mark.parametrize(("handed_from", "handed_to"), [("", "Oak Care"), ("Oak Care", " "), ("Oak Care", "OAK CARE")])
def test_a_move_with_a_side_unnamed_or_to_the_same_place_is_not_counted(
    person: Person, team: Team, handed_from: str, handed_to: str
) -> None:
    assert (
        handoffs.record_move_handoff(
            person=person, by=None, what="Between providers", handed_from=handed_from, handed_to=handed_to, team=team
        )
        is None
    )
    assert not Handoff.objects.exists()


def test_the_dashboard_picks_up_people_handed_on_by_their_moves(
    person: Person, team: Team, other_team: Team, social_worker: Persona
) -> None:
    # Given a person discharged from hospital to reablement, moved to another provider, then into a care home
    # (the hand-offs discharges.services and transitions.services count), and someone moved once elsewhere
    moves = [
        ("Hospital discharge", "Royal Free London NHS Foundation Trust", "Camden Reablement"),
        ("Between providers", "Camden Reablement", "Oak Care Ltd"),
        ("Into a care home", "Home", "Rose House"),
    ]
    for what, handed_from, handed_to in moves:
        handoffs.record_move_handoff(
            person=person, by=social_worker.user, what=what, handed_from=handed_from, handed_to=handed_to, team=team
        )
    once = PersonFactory()
    handoffs.record_move_handoff(
        person=once, by=None, what="Between providers", handed_from="A", handed_to="B", team=other_team
    )

    name = f"{person.given_name} {person.family_name}"
    assert selectors.dashboard(None).most_handed_off == [(name, person.pk, 3)]
    assert selectors.dashboard(team.pk).most_handed_off == [(name, person.pk, 3)]
    assert selectors.dashboard(other_team.pk).most_handed_off == []
    assert selectors.dashboard(None).handoffs_this_week == 4
