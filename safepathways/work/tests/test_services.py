from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from safepathways.accounts.models import Membership, Organisation, Role, Team
from safepathways.audit.models import AuditEvent
from safepathways.conftest import Persona
from safepathways.core.errors import ApplicationError
from safepathways.notifications.models import Notification
from safepathways.people.models import ChronologyEntry, Person
from safepathways.people.tests.factories import PersonFactory
from safepathways.work import services
from safepathways.work.models import (
    Breach,
    BreachKind,
    CaseloadCap,
    Handoff,
    PriorityPolicy,
    RiskFlag,
    RiskMatrix,
    Triage,
    WorkItem,
)


@pytest.fixture
def person(db: None) -> Person:
    created: Person = PersonFactory.create()
    return created


def _open(person: Person, team: Team, by: Persona | None = None, **kwargs: object) -> WorkItem:
    defaults: dict[str, object] = {"kind": "assessment", "title": "Care Act assessment", "likelihood": 2, "impact": 2}
    defaults.update(kwargs)
    return services.open_work(person=person, team=team, by=by.user if by else None, **defaults)


@pytest.mark.parametrize(
    ("likelihood", "impact", "flags", "priority"),
    [
        (1, 1, [], "green"),
        (2, 3, [], "green"),
        (2, 4, [], "amber"),
        (3, 5, [], "red"),
        (5, 5, [], "red"),
        (1, 1, ["carer-breakdown"], "amber"),
        (1, 1, ["safeguarding"], "red"),
        (4, 4, ["recent-fall"], "red"),
    ],
)
def test_rating_follows_the_matrix_and_flags(
    db: None, likelihood: int, impact: int, flags: list[str], priority: str
) -> None:
    rating = services.rate(likelihood=likelihood, impact=impact, flags=flags)
    assert rating.priority == priority
    assert rating.reasons[0].startswith(f"Likelihood {likelihood} × impact {impact} = {likelihood * impact}")
    assert len(rating.reasons) == 1 + len(flags)


def test_the_matrix_is_configurable(db: None) -> None:
    RiskMatrix.objects.filter(id=1).update(amber_from=4, red_from=6)
    assert services.rate(likelihood=2, impact=3, flags=[]).priority == "red"


def test_unknown_flags_and_out_of_range_scores_are_refused(db: None) -> None:
    with pytest.raises(ApplicationError, match="Unknown risk flags: nonsense"):
        services.rate(likelihood=1, impact=1, flags=["nonsense"])
    with pytest.raises(ApplicationError, match="1 to 5"):
        services.rate(likelihood=6, impact=1, flags=[])


@pytest.mark.parametrize(
    ("opened", "priority", "allocate_by"),
    [
        (date(2026, 11, 20), "red", date(2026, 11, 24)),  # Friday + 2 working days
        (date(2026, 12, 23), "red", date(2026, 12, 29)),  # Christmas, Boxing Day substitute
        (date(2027, 3, 24), "red", date(2027, 3, 30)),  # Good Friday and Easter Monday
        (date(2026, 11, 20), "amber", date(2026, 12, 4)),
    ],
)
def test_allocation_due_counts_working_days(db: None, opened: date, priority: str, allocate_by: date) -> None:
    assert services.allocation_due_on(opened, priority) == allocate_by


def test_policy_is_configurable(db: None) -> None:
    PriorityPolicy.objects.filter(priority="green").update(contact_interval_days=3)
    assert services.next_contact_on(date(2026, 1, 1), "green") == date(2026, 1, 4)


def test_open_work_rates_dates_triage_chronology_and_audit(person: Person, team: Team, social_worker: Persona) -> None:
    item = _open(
        person, team, social_worker, likelihood=4, impact=4, flags=["lives-alone"], story="Fell twice; lives alone"
    )
    assert item.priority == "red"
    assert item.allocation_due == services.allocation_due_on(timezone.localdate(item.opened_at), "red")
    assert item.next_contact_due == timezone.localdate(item.opened_at) + timedelta(days=7)
    assert Triage.objects.get(work_item=item).by == social_worker.user
    assert ChronologyEntry.objects.filter(person=person, category="work").count() == 1
    assert AuditEvent.objects.filter(action="work.opened").count() == 1


def test_retriage_keeps_history_and_needs_a_reason(person: Person, team: Team, social_worker: Persona) -> None:
    item = _open(person, team, social_worker)
    with pytest.raises(ApplicationError, match="why"):
        services.retriage(work_item=item, likelihood=5, impact=5, flags=[], why=" ", by=social_worker.user)
    services.retriage(work_item=item, likelihood=5, impact=5, flags=[], why="Carer in hospital", by=social_worker.user)
    item.refresh_from_db()
    assert item.priority == "red"
    assert list(item.triages.values_list("priority", flat=True)) == ["red", "green"]
    assert ChronologyEntry.objects.filter(summary__contains="priority green → red").exists()


def test_keep_in_touch_moves_the_next_contact_date(person: Person, team: Team, social_worker: Persona) -> None:
    item = _open(person, team, social_worker, likelihood=2, impact=4)  # amber: fortnightly
    contacted = timezone.now() - timedelta(days=1)
    services.record_keep_in_touch(
        work_item=item, by=social_worker.user, method="phone", summary="Coping", contacted_at=contacted
    )
    item.refresh_from_db()
    assert item.next_contact_due == timezone.localdate(contacted) + timedelta(days=14)
    assert item.last_contact_at == contacted


def test_a_changed_situation_re_rates_the_work(person: Person, team: Team, social_worker: Persona) -> None:
    item = _open(person, team, social_worker)
    with pytest.raises(ApplicationError, match="likelihood"):
        services.record_keep_in_touch(
            work_item=item, by=social_worker.user, method="phone", summary="Fell", situation_changed=True
        )
    services.record_keep_in_touch(
        work_item=item,
        by=social_worker.user,
        method="phone",
        summary="Fell on the stairs",
        situation_changed=True,
        likelihood=4,
        impact=4,
    )
    item.refresh_from_db()
    assert item.priority == "red"
    assert item.triages.first().why.startswith("Situation changed")  # type: ignore[union-attr]


def test_a_new_set_of_risk_flags_re_rates_the_work(person: Person, team: Team, social_worker: Persona) -> None:
    item = _open(person, team, social_worker, likelihood=2, impact=3)  # 6: green
    # The same flags (in any order) are no change: no new rating.
    services.record_keep_in_touch(work_item=item, by=social_worker.user, method="phone", summary="Fine", flags=[])
    assert item.triages.count() == 1
    contact = services.record_keep_in_touch(
        work_item=item, by=social_worker.user, method="phone", summary="Carer in hospital", flags=["carer-breakdown"]
    )
    item.refresh_from_db()
    assert (item.priority, item.risk_flags, item.likelihood, item.impact) == ("amber", ["carer-breakdown"], 2, 3)
    assert contact.situation_changed
    assert item.triages.first().why == "Risk flags changed at keep-in-touch contact: Carer in hospital"  # type: ignore[union-attr]


def test_a_flag_change_on_work_never_rated_asks_for_a_rating(
    person: Person, team: Team, social_worker: Persona
) -> None:
    item = _open(person, team, social_worker)
    WorkItem.objects.filter(pk=item.pk).update(likelihood=None, impact=None)
    item.refresh_from_db()
    with pytest.raises(ApplicationError, match="likelihood"):
        services.record_keep_in_touch(
            work_item=item, by=social_worker.user, method="phone", summary="Fell", flags=["recent-fall"]
        )
    assert not item.keep_in_touch.exists()


def test_keep_in_touch_cannot_be_in_the_future(person: Person, team: Team, social_worker: Persona) -> None:
    item = _open(person, team, social_worker)
    with pytest.raises(ApplicationError, match="future"):
        services.record_keep_in_touch(
            work_item=item,
            by=social_worker.user,
            method="phone",
            summary="x",
            contacted_at=timezone.now() + timedelta(hours=2),
        )


def test_self_allocation_records_a_handoff(person: Person, team: Team, social_worker: Persona) -> None:
    item = _open(person, team, social_worker)
    services.allocate(work_item=item, to_user=social_worker.user, by=social_worker.user, expected_owner_id=None)
    item.refresh_from_db()
    assert item.allocated_to == social_worker.user
    assert item.first_allocated_at is not None
    handoff = Handoff.objects.get()
    assert (handoff.from_worker, handoff.to_worker, handoff.reason) == (None, social_worker.user, "Self-allocated")
    assert ChronologyEntry.objects.filter(summary__contains="allocated to Sam Okafor").exists()


def test_a_worker_cannot_allocate_to_someone_else(
    person: Person, team: Team, social_worker: Persona, make_persona: Callable[..., Persona]
) -> None:
    colleague = make_persona(team, Role.SOCIAL_WORKER)
    item = _open(person, team, social_worker)
    with pytest.raises(ApplicationError, match="team manager"):
        services.allocate(work_item=item, to_user=colleague.user, by=social_worker.user, expected_owner_id=None)
    assert not Handoff.objects.exists()


def test_someone_outside_the_team_cannot_be_allocated(
    person: Person, team: Team, team_manager: Persona, other_team_worker: Persona
) -> None:
    item = _open(person, team, team_manager)
    with pytest.raises(ApplicationError, match="is not in"):
        services.allocate(work_item=item, to_user=other_team_worker.user, by=team_manager.user, expected_owner_id=None)


def test_stale_allocation_is_refused_not_overwritten(
    person: Person, team: Team, social_worker: Persona, team_manager: Persona
) -> None:
    item = _open(person, team, social_worker)
    services.allocate(work_item=item, to_user=social_worker.user, by=social_worker.user, expected_owner_id=None)
    with pytest.raises(ApplicationError, match="Someone else changed this allocation"):
        services.allocate(work_item=item, to_user=team_manager.user, by=team_manager.user, expected_owner_id=None)
    item.refresh_from_db()
    assert item.allocated_to == social_worker.user


def test_caseload_cap(person: Person, team: Team, social_worker: Persona, team_manager: Persona) -> None:
    CaseloadCap.objects.create(team=team, user=None, cap=1)
    first = _open(person, team, social_worker)
    second = _open(PersonFactory(), team, social_worker)
    services.allocate(work_item=first, to_user=social_worker.user, by=social_worker.user, expected_owner_id=None)
    with pytest.raises(ApplicationError, match="cap of 1"):
        services.allocate(work_item=second, to_user=social_worker.user, by=social_worker.user, expected_owner_id=None)
    with pytest.raises(ApplicationError, match="give a reason"):
        services.allocate(work_item=second, to_user=social_worker.user, by=team_manager.user, expected_owner_id=None)
    services.allocate(
        work_item=second,
        to_user=social_worker.user,
        by=team_manager.user,
        expected_owner_id=None,
        over_cap_reason="Cover",
    )
    assert services.caseload(team=team, user=social_worker.user) == 2


def test_a_workers_own_cap_beats_the_team_default(team: Team, social_worker: Persona) -> None:
    CaseloadCap.objects.create(team=team, user=None, cap=20)
    CaseloadCap.objects.create(team=team, user=social_worker.user, cap=8)
    assert services.caseload_cap(team=team, user=social_worker.user) == 8


def test_bulk_reassign_moves_every_open_item(
    team: Team, social_worker: Persona, team_manager: Persona, make_persona: Callable[..., Persona]
) -> None:
    leaver = make_persona(team, Role.SOCIAL_WORKER)
    items = [_open(PersonFactory(), team, leaver) for _ in range(3)]
    for item in items:
        services.allocate(work_item=item, to_user=leaver.user, by=leaver.user, expected_owner_id=None)
    with pytest.raises(ApplicationError, match="team manager"):
        services.bulk_reassign(
            team=team, from_user=leaver.user, to_user=social_worker.user, by=social_worker.user, reason="x"
        )
    moved = services.bulk_reassign(
        team=team, from_user=leaver.user, to_user=social_worker.user, by=team_manager.user, reason="Leaving"
    )
    assert moved == 3
    assert WorkItem.objects.filter(allocated_to=social_worker.user).count() == 3
    assert Handoff.objects.filter(from_worker=leaver.user, to_worker=social_worker.user).count() == 3
    back = services.bulk_reassign(
        team=team, from_user=social_worker.user, to_user=None, by=team_manager.user, reason="Sick leave"
    )
    assert back == 3
    assert WorkItem.objects.waiting().count() == 3


def test_handoffs_are_counted_per_person(
    person: Person, team: Team, social_worker: Persona, team_manager: Persona
) -> None:
    item = _open(person, team, social_worker)
    services.allocate(work_item=item, to_user=social_worker.user, by=social_worker.user, expected_owner_id=None)
    services.allocate(
        work_item=item, to_user=team_manager.user, by=team_manager.user, expected_owner_id=social_worker.user.pk
    )
    services.return_to_waiting(work_item=item, by=team_manager.user, reason="Absence")
    assert person.handoffs.count() == 3


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 9))


def test_breach_sweep_is_idempotent_and_escalates_once(person: Person, team: Team, team_manager: Persona) -> None:
    item = _open(person, team, None, likelihood=5, impact=5, opened_at=_at(date(2026, 11, 2)))  # red: allocate by 4 Nov
    first = services.sweep_breaches(today=date(2026, 11, 20))
    assert first.detected == 2  # contact (due 9 Nov) and allocation (due 4 Nov)
    assert first.escalated_to == 1
    again = services.sweep_breaches(today=date(2026, 11, 20))
    assert again.detected == 0
    assert Breach.objects.count() == 2
    assert Notification.objects.filter(recipient=team_manager.user).count() == 2
    assert {b.kind for b in Breach.objects.all()} == {BreachKind.CONTACT_OVERDUE, BreachKind.ALLOCATION_OVERDUE}
    services.allocate(work_item=item, to_user=team_manager.user, by=team_manager.user, expected_owner_id=None)
    assert Breach.objects.open().count() == 0


def test_nothing_is_breached_before_its_date(person: Person, team: Team) -> None:
    _open(person, team, None, likelihood=5, impact=5, opened_at=_at(date(2026, 11, 2)))
    assert services.sweep_breaches(today=date(2026, 11, 4)).detected == 0


def test_close_work(person: Person, team: Team, social_worker: Persona) -> None:
    item = _open(person, team, social_worker)
    with pytest.raises(ApplicationError, match="outcome"):
        services.close_work(work_item=item, by=social_worker.user, outcome="")
    services.close_work(work_item=item, by=social_worker.user, outcome="Assessment completed")
    with pytest.raises(ApplicationError, match="already closed"):
        services.close_work(work_item=item, by=social_worker.user, outcome="again")


def test_work_with_its_own_statutory_clock_is_not_breached_by_waiting_list_timescales(
    person: Person, team: Team, team_manager: Persona
) -> None:
    # A DoLS request's work stays unallocated while assessors are assigned; its clock is due_on.
    _open(
        person, team, None, kind="dols", title="DoLS request", likelihood=5, impact=5, opened_at=_at(date(2026, 11, 2))
    )
    assert services.sweep_breaches(today=date(2026, 11, 20)).detected == 0
    assert not Notification.objects.exists()


def test_a_breach_in_a_team_without_a_manager_goes_to_the_managers_of_its_sister_teams_once(
    person: Person,
    team: Team,
    other_team: Team,
    ig_team: Team,
    director: Persona,
    make_persona: Callable[..., Persona],
) -> None:
    # `team` has no manager. Another neighbourhood team's manager also manages a third one: one notice per breach.
    cover = make_persona(other_team, Role.TEAM_MANAGER, name="Cora Cover")
    third = Team.objects.create(organisation=team.organisation, name="East", slug="east", kind=team.kind)
    Membership.objects.create(user=cover.user, team=third, role=Role.TEAM_MANAGER)
    second_cover = make_persona(third, Role.TEAM_MANAGER, name="Sid Second")
    not_cover = make_persona(ig_team, Role.TEAM_MANAGER)  # a manager of another kind of team
    _open(person, team, None, likelihood=5, impact=5, opened_at=_at(date(2026, 11, 2)))

    result = services.sweep_breaches(today=date(2026, 11, 20))
    services.sweep_breaches(today=date(2026, 11, 20))

    assert result.detected == 2
    assert result.escalated_to == 2
    assert Notification.objects.filter(recipient=cover.user).count() == 2
    assert Notification.objects.filter(recipient=second_cover.user).count() == 2
    assert not Notification.objects.filter(recipient__in=[not_cover.user, director.user]).exists()
    assert services.breach_recipients(team) == [cover.user, second_cover.user]


def test_a_breach_with_no_manager_of_that_kind_of_team_goes_to_the_directors(
    person: Person, team: Team, director: Persona, make_persona: Callable[..., Persona], hospital: Organisation
) -> None:
    elsewhere = Team.objects.create(organisation=hospital, name="Ward", slug="ward-nb", kind=team.kind)
    make_persona(elsewhere, Role.TEAM_MANAGER)  # another organisation's manager: never this council's cover
    make_persona(elsewhere, Role.DIRECTOR)
    _open(person, team, None, likelihood=5, impact=5, opened_at=_at(date(2026, 11, 2)))

    result = services.sweep_breaches(today=date(2026, 11, 20))

    assert (result.detected, result.escalated_to) == (2, 1)
    assert {n.recipient for n in Notification.objects.all()} == {director.user}


def test_a_teams_own_manager_is_the_only_one_told(
    person: Person,
    team: Team,
    other_team: Team,
    team_manager: Persona,
    director: Persona,
    make_persona: Callable[..., Persona],
) -> None:
    make_persona(other_team, Role.TEAM_MANAGER)
    _open(person, team, None, likelihood=5, impact=5, opened_at=_at(date(2026, 11, 2)))
    services.sweep_breaches(today=date(2026, 11, 20))
    assert {n.recipient for n in Notification.objects.all()} == {team_manager.user}


def test_re_rating_keeps_a_flag_switched_off_since_but_does_not_score_it(
    person: Person, team: Team, social_worker: Persona
) -> None:
    item = _open(person, team, social_worker, flags=["recent-fall", "end-of-life"])  # 2 × 2, raised to red
    assert item.priority == "red"
    RiskFlag.objects.filter(code="end-of-life").update(is_active=False)

    # Sent back as the work carries them (the API's client does), and left out (the form has no box for it).
    for flags in (["recent-fall", "end-of-life"], ["recent-fall"]):
        services.retriage(work_item=item, likelihood=2, impact=2, flags=flags, why="Review", by=social_worker.user)
        item.refresh_from_db()
        assert item.risk_flags == ["recent-fall", "end-of-life"]
        assert item.priority == "amber"  # the fall still counts; the switched-off flag no longer does
        assert item.priority_reasons[1:] == [
            "Recent fall: at least amber",
            "Nearing the end of life: no longer in use, not counted",
        ]


def test_re_rating_still_refuses_a_switched_off_flag_the_work_did_not_carry(
    person: Person, team: Team, social_worker: Persona
) -> None:
    item = _open(person, team, social_worker, flags=["recent-fall"])
    RiskFlag.objects.filter(code="end-of-life").update(is_active=False)
    for flags in (["recent-fall", "end-of-life"], ["nonsense"]):
        with pytest.raises(ApplicationError, match="Unknown risk flags") as refused:
            services.retriage(work_item=item, likelihood=2, impact=2, flags=flags, why="x", by=social_worker.user)
        assert refused.value.field == "risk_flags"
    assert item.triages.count() == 1


def test_a_changed_situation_re_rates_work_carrying_a_flag_switched_off_since(
    person: Person, team: Team, social_worker: Persona
) -> None:
    item = _open(person, team, social_worker, flags=["lives-alone"])
    RiskFlag.objects.filter(code="lives-alone").update(is_active=False)
    services.record_keep_in_touch(
        work_item=item,
        by=social_worker.user,
        method="phone",
        summary="Fell on the stairs",
        situation_changed=True,
        likelihood=4,
        impact=4,
    )
    # Leaving the switched-off flag out of the flags sent is no change: no new rating.
    services.record_keep_in_touch(work_item=item, by=social_worker.user, method="phone", summary="Fine", flags=[])
    item.refresh_from_db()
    assert (item.priority, item.risk_flags) == ("red", ["lives-alone"])
    assert item.triages.count() == 2
