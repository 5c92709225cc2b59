"""The dashboard figures (work.selectors.dashboard, as this screen reads them) and the supervision reads."""

from datetime import date, timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from safepathways.accounts.models import Membership, Role, Team, User
from safepathways.conftest import Persona
from safepathways.dashboards import selectors
from safepathways.dashboards.tests.conftest import at_noon, waiting
from safepathways.people.tests.factories import PersonFactory
from safepathways.work import services as work_services
from safepathways.work.models import Breach, BreachKind, Handoff, SupervisionRecord, WorkItem, WorkKind
from safepathways.work.selectors import dashboard, supervision_highlights
from safepathways.work.tests.factories import WorkItemFactory

# ---- figures -------------------------------------------------------------------------------


def test_waiting_by_priority_counts_only_open_unallocated_waiting_list_work(
    social_worker: Persona, team_manager: Persona, team: Team, today: date
) -> None:
    # Given work opened through the service: green (2×2), amber (3×3) and red (4×4)
    for likelihood in (2, 3, 3, 4):
        work_services.open_work(
            person=PersonFactory(),
            kind=WorkKind.ASSESSMENT,
            team=team,
            title="Assessment",
            by=team_manager.user,
            likelihood=likelihood,
            impact=likelihood,
        )
    allocated = work_services.open_work(
        person=PersonFactory(),
        kind=WorkKind.REVIEW,
        team=team,
        title="Review",
        by=team_manager.user,
        likelihood=4,
        impact=4,
    )
    work_services.allocate(
        work_item=allocated, to_user=social_worker.user, by=team_manager.user, expected_owner_id=None
    )
    # and work that is not on the waiting list: closed, or a kind with its own pathway
    waiting(team, 3, "red", closed_at=timezone.now())
    waiting(team, 3, "red", kind=WorkKind.SAFEGUARDING)

    figures = dashboard(None, today)

    assert figures.by_priority == {"red": 1, "amber": 2, "green": 1}
    assert figures.waiting_total == 4
    assert figures.allocations_this_week == 1
    assert figures.handoffs_this_week == 1


@pytest.mark.parametrize(
    ("days", "band"),
    [
        (0, "0-2w"),
        (14, "0-2w"),
        (15, "2-6w"),
        (42, "2-6w"),
        (43, "6-12w"),
        (84, "6-12w"),
        (85, "12-26w"),
        (182, "12-26w"),
        (183, "26w+"),
        (400, "26w+"),
    ],
)
def test_wait_band_edges(team: Team, today: date, days: int, band: str) -> None:
    waiting(team, days, "red", today)
    figures = dashboard(team.pk, today)
    assert figures.by_band[band] == {"red": 1, "amber": 0, "green": 0}
    assert sum(sum(row.values()) for row in figures.by_band.values()) == 1


def test_median_and_90th_percentile_waits(team: Team, today: date) -> None:
    for days in range(1, 11):
        waiting(team, days, today=today)
    figures = dashboard(team.pk, today)
    assert figures.median_wait_days == 5.5
    # Inclusive method: the 90th percentile of 1..10 lies a tenth of the way from 9 to 10.
    assert figures.p90_wait_days == pytest.approx(9.1)


def test_waits_with_one_item_and_with_none(team: Team, today: date) -> None:
    assert (dashboard(team.pk, today).median_wait_days, dashboard(team.pk, today).p90_wait_days) == (None, None)
    waiting(team, 7, today=today)
    figures = dashboard(team.pk, today)
    assert (figures.median_wait_days, figures.p90_wait_days) == (7.0, 7.0)


def test_team_figures_leave_out_other_teams(team: Team, other_team: Team, today: date) -> None:
    waiting(team, 1, "red", today)
    waiting(other_team, 1, "green", today)
    waiting(other_team, 1, "green", today)
    assert dashboard(team.pk, today).by_priority == {"red": 1, "amber": 0, "green": 0}
    assert dashboard(other_team.pk, today).waiting_total == 2
    assert dashboard(None, today).waiting_total == 3


def test_open_breaches_by_kind(team: Team, other_team: Team, today: date) -> None:
    item = waiting(team, 30, "red", today)
    now = timezone.now()
    Breach.objects.create(
        work_item=item, kind=BreachKind.CONTACT_OVERDUE, due_on=today - timedelta(days=2), detected_at=now
    )
    Breach.objects.create(
        work_item=item,
        kind=BreachKind.CONTACT_OVERDUE,
        due_on=today - timedelta(days=9),
        detected_at=now,
        resolved_at=now,
    )
    Breach.objects.create(
        work_item=item, kind=BreachKind.ALLOCATION_OVERDUE, due_on=today - timedelta(days=1), detected_at=now
    )
    other = waiting(other_team, 30, "red", today)
    Breach.objects.create(work_item=other, kind=BreachKind.ALLOCATION_OVERDUE, due_on=today, detected_at=now)

    assert dashboard(team.pk, today).open_breaches == {"contact_overdue": 1, "allocation_overdue": 1}
    assert dashboard(None, today).open_breaches == {"contact_overdue": 1, "allocation_overdue": 2}


def test_trend_counts_waiting_at_each_week_end_and_allocations_in_each_week(team: Team, today: date) -> None:
    monday = today - timedelta(days=today.weekday())
    # Opened 10 days before this Monday, allocated 3 days before it: waiting at the end of the
    # week before last, allocated last week.
    WorkItemFactory(
        team=team,
        opened_at=at_noon(monday - timedelta(days=10)),
        first_allocated_at=at_noon(monday - timedelta(days=3)),
    )
    # Still waiting, opened 20 days before this Monday: waiting at the last three week ends.
    waiting(team, (today - monday).days + 20, today=today)
    # Closed unallocated 2 days before this Monday: waiting two week ends ago, not last week.
    WorkItemFactory(
        team=team, opened_at=at_noon(monday - timedelta(days=12)), closed_at=at_noon(monday - timedelta(days=2))
    )

    trend = dashboard(team.pk, today).trend

    assert len(trend) == 12
    assert [end for end, _, _ in trend] == [monday - timedelta(days=1 + 7 * n) for n in range(11, -1, -1)]
    assert [w for _, w, _ in trend][-4:] == [0, 1, 3, 1]
    assert [a for _, _, a in trend][-4:] == [0, 0, 0, 1]


def test_most_handed_off_lists_people_with_three_or_more(team: Team, social_worker: Persona) -> None:
    often, twice = PersonFactory(given_name="Ada", family_name="Often"), PersonFactory()
    for person, times in ((often, 4), (twice, 2)):
        item = WorkItemFactory(team=team, person=person)
        for _ in range(times):
            Handoff.objects.create(
                work_item=item, person=person, to_team=team, reason="Moved", to_worker=social_worker.user
            )
    assert dashboard(team.pk).most_handed_off == [("Ada Often", often.pk, 4)]


# ---- the team select ----------------------------------------------------------------------


def test_dashboard_teams_are_council_teams_with_waiting_work_and_the_chosen_one(
    team: Team, other_team: Team, ward_team: Team, ig_team: Team
) -> None:
    waiting(team, 1)
    waiting(ward_team, 1)  # a partner organisation's team never appears
    WorkItemFactory(team=other_team, closed_at=timezone.now())
    assert selectors.dashboard_teams() == [team]
    assert selectors.dashboard_teams("ig") == [ig_team, team]
    assert selectors.dashboard_teams("ward") == [team]


# ---- supervision ----------------------------------------------------------------------------


def test_bulk_highlights_agree_with_supervision_highlights(
    social_worker: Persona, team_manager: Persona, team: Team, today: date
) -> None:
    now = timezone.now()
    red = WorkItemFactory(
        team=team, allocated_to=social_worker.user, priority="red", allocated_at=now, last_contact_at=now
    )
    old = WorkItemFactory(
        team=team, allocated_to=social_worker.user, opened_at=at_noon(today - timedelta(days=100)), allocated_at=now
    )
    Breach.objects.create(work_item=old, kind=BreachKind.CONTACT_OVERDUE, due_on=today, detected_at=now)
    WorkItemFactory(team=team, allocated_to=team_manager.user, allocated_at=now - timedelta(days=40))
    WorkItemFactory(team=team, allocated_to=social_worker.user, closed_at=now, priority="red")

    found = selectors.highlights_by_worker([social_worker.user.pk, team_manager.user.pk], today)

    for worker in (social_worker.user, team_manager.user):
        assert found[worker.pk] == supervision_highlights(worker, today)
    assert {h.kind for h in found[social_worker.user.pk]} == {"red", "long_wait", "breach"}
    assert {h.work_item_id for h in found[social_worker.user.pk]} == {red.pk, old.pk}
    assert [h.kind for h in found[team_manager.user.pk]] == ["no_contact"]


def test_roster_lists_the_managed_teams_staff_with_counts_and_last_session(
    team_manager: Persona, social_worker: Persona, director: Persona, partner: Persona, team: Team, today: date
) -> None:
    Membership.objects.create(user=partner.user, team=team, role=Role.PARTNER)  # partners are not supervised here
    leaver = User.objects.create_user(email="leaver@example.test", full_name="Lee Ver", is_active=False)
    Membership.objects.create(user=leaver, team=team, role=Role.SOCIAL_WORKER)
    WorkItemFactory(team=team, allocated_to=social_worker.user, priority="red", allocated_at=timezone.now())
    SupervisionRecord.objects.create(
        worker=social_worker.user, supervisor=team_manager.user, team=team, held_on=today - timedelta(days=30)
    )
    SupervisionRecord.objects.create(
        worker=social_worker.user, supervisor=team_manager.user, team=team, held_on=today - timedelta(days=2)
    )

    [entry] = selectors.supervision_roster(team_manager.user, today)

    assert entry.team == team
    assert [s.worker for s in entry.workers] == [director.user, social_worker.user]
    sam = entry.workers[1]
    assert sam.counts == {"breach": 0, "red": 1, "long_wait": 0, "no_contact": 0}
    assert sam.total == 1
    assert sam.last_supervised_on == today - timedelta(days=2)
    assert entry.workers[0].last_supervised_on is None


def test_a_worker_with_two_roles_is_listed_once(team_manager: Persona, social_worker: Persona, team: Team) -> None:
    Membership.objects.create(user=social_worker.user, team=team, role=Role.DUTY_WORKER)
    [entry] = selectors.supervision_roster(team_manager.user)
    assert [s.worker for s in entry.workers] == [social_worker.user]


def test_staff_who_manage_no_team_have_no_roster(social_worker: Persona) -> None:
    assert selectors.supervision_roster(social_worker.user) == []


def test_supervisable_worker_scope(
    team_manager: Persona, social_worker: Persona, other_team_manager: Persona, other_team_worker: Persona, team: Team
) -> None:
    assert selectors.supervisable_worker(team_manager.user, social_worker.user.pk).teams == [team]
    own = selectors.supervisable_worker(social_worker.user, social_worker.user.pk)
    assert (own.worker, own.teams) == (social_worker.user, [])
    for reader, worker_id in (
        (other_team_manager.user, social_worker.user.pk),
        (social_worker.user, team_manager.user.pk),
        (team_manager.user, other_team_worker.user.pk),
        (team_manager.user, 999_999),
    ):
        with pytest.raises(Http404):
            selectors.supervisable_worker(reader, worker_id)


def test_supervision_records_of_other_teams_are_not_shown_to_a_manager(
    team_manager: Persona, other_team_manager: Persona, social_worker: Persona, team: Team, other_team: Team
) -> None:
    Membership.objects.create(user=social_worker.user, team=other_team, role=Role.SOCIAL_WORKER)
    ours = SupervisionRecord.objects.create(
        worker=social_worker.user, supervisor=team_manager.user, team=team, held_on=timezone.localdate()
    )
    theirs = SupervisionRecord.objects.create(
        worker=social_worker.user, supervisor=other_team_manager.user, team=other_team, held_on=timezone.localdate()
    )
    assert selectors.supervision_records(selectors.supervisable_worker(team_manager.user, social_worker.user.pk)) == [
        ours
    ]
    own = selectors.supervision_records(selectors.supervisable_worker(social_worker.user, social_worker.user.pk))
    assert set(own) == {ours, theirs}
    assert WorkItem.objects.count() == 0
