"""The dashboard figures (work.selectors.dashboard, as this screen reads them) and the supervision reads."""

from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest
from django.http import Http404
from django.utils import timezone

from safepathways.accounts.models import Membership, Role, Team, User
from safepathways.conftest import Persona
from safepathways.dashboards import selectors
from safepathways.dashboards.tests.conftest import at_noon, on, waiting
from safepathways.people.tests.factories import PersonFactory
from safepathways.work import services as work_services
from safepathways.work.models import Breach, Handoff, PriorityPolicy, SupervisionRecord, WorkItem, WorkKind
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


def test_open_breaches_by_kind(team: Team, other_team: Team, social_worker: Persona, today: date) -> None:
    # Red work waiting 30 days is past its allocation date and its weekly contact: the sweep records both.
    late = [_opened(t, today, 30, likelihood=5, impact=5) for t in (team, team, other_team)]
    work_services.sweep_breaches(today=today)
    # A contact resolves the contact breach; allocation resolves both.
    work_services.record_keep_in_touch(work_item=late[2], by=social_worker.user, method="phone", summary="Coping")
    work_services.allocate(work_item=late[1], to_user=social_worker.user, by=social_worker.user, expected_owner_id=None)

    assert dashboard(team.pk, today).open_breaches == {"contact_overdue": 1, "allocation_overdue": 1}
    assert dashboard(None, today).open_breaches == {"contact_overdue": 1, "allocation_overdue": 2}
    assert Breach.objects.filter(resolved_at__isnull=False).count() == 3


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


def _opened(team: Team, today: date, days_ago: int, **kwargs: Any) -> WorkItem:
    """Waiting-list work opened through the service `days_ago` days before `today` (green 2 × 2 unless rated)."""
    fields: dict[str, Any] = {"kind": WorkKind.ASSESSMENT, "title": "Assessment", "likelihood": 2, "impact": 2}
    return work_services.open_work(
        person=PersonFactory(),
        team=team,
        by=None,
        opened_at=at_noon(today - timedelta(days=days_ago)),
        **fields | kwargs,
    )


def _allocated(
    team: Team, worker: User, today: date, *, opened_days_ago: int = 0, allocated_days_ago: int = 0, **kwargs: Any
) -> WorkItem:
    """Work opened and then taken by `worker` through the services, at those days before `today`."""
    item = _opened(team, today, opened_days_ago, **kwargs)
    if allocated_days_ago:
        with on(today - timedelta(days=allocated_days_ago)):
            work_services.allocate(work_item=item, to_user=worker, by=worker, expected_owner_id=None)
    else:
        work_services.allocate(work_item=item, to_user=worker, by=worker, expected_owner_id=None)
    item.refresh_from_db()
    return item


def _kinds(worker: User, today: date) -> dict[UUID, set[str]]:
    found: dict[UUID, set[str]] = {}
    for highlight in supervision_highlights(worker, today):
        found.setdefault(highlight.work_item_id, set()).add(highlight.kind)
    return found


def test_bulk_highlights_agree_with_supervision_highlights(
    social_worker: Persona, team_manager: Persona, team: Team, today: date
) -> None:
    # Red, just taken: raised for its priority only.
    red = _allocated(team, social_worker.user, today, likelihood=5, impact=5)
    # Waited 100 days before being taken today: its monthly keep-in-touch date went by while it waited.
    old = _allocated(team, social_worker.user, today, opened_days_ago=100)
    # Taken 40 days ago and nobody has been in touch since.
    quiet = _allocated(team, team_manager.user, today, opened_days_ago=45, allocated_days_ago=40)
    closed = _allocated(team, social_worker.user, today, likelihood=5, impact=5)
    work_services.close_work(work_item=closed, by=social_worker.user, outcome="Assessed")
    assert not Breach.objects.exists()  # the sweep's breaches are for waiting work only: none of these has one

    found = selectors.highlights_by_worker([social_worker.user.pk, team_manager.user.pk], today)

    for worker in (social_worker.user, team_manager.user):
        assert found[worker.pk] == supervision_highlights(worker, today)
    assert _kinds(social_worker.user, today) == {red.pk: {"red"}, old.pk: {"breach", "long_wait"}}
    assert _kinds(team_manager.user, today) == {quiet.pk: {"breach", "no_contact"}}
    texts = [h.text for h in found[team_manager.user.pk]]
    assert texts == [
        f"{quiet.person.full_name}: Assessment – keep-in-touch contact overdue "
        f"(due {today - timedelta(days=17):%d/%m/%Y})",
        f"{quiet.person.full_name}: Assessment – no contact recorded for 40 days (limit 28)",
    ]
    assert {h.person_id for h in found[social_worker.user.pk]} == {red.person_id, old.person_id}


def test_a_keep_in_touch_contact_clears_the_missed_contact_highlights(
    team_manager: Persona, team: Team, today: date
) -> None:
    item = _allocated(team, team_manager.user, today, opened_days_ago=45, allocated_days_ago=40)
    assert _kinds(team_manager.user, today) == {item.pk: {"breach", "no_contact"}}

    work_services.record_keep_in_touch(work_item=item, by=team_manager.user, method="visit", summary="Home visit")

    assert supervision_highlights(team_manager.user, today) == []


def test_contact_made_while_the_work_waited_does_not_count_for_the_worker(
    social_worker: Persona, team: Team, today: date
) -> None:
    item = _opened(team, today, 50, likelihood=2, impact=4)  # amber: fortnightly
    with on(today - timedelta(days=45)):
        work_services.record_keep_in_touch(work_item=item, by=social_worker.user, method="phone", summary="Coping")
    with on(today - timedelta(days=35)):
        work_services.allocate(
            work_item=item, to_user=social_worker.user, by=social_worker.user, expected_owner_id=None
        )
    [quiet] = [h for h in supervision_highlights(social_worker.user, today) if h.kind == "no_contact"]
    assert quiet.text.endswith("no contact recorded for 35 days (limit 28)")


def test_work_with_its_own_clock_is_raised_when_past_its_due_date_not_for_keep_in_touch(
    social_worker: Persona, team: Team, today: date
) -> None:
    # Opened 40 days ago, so its keep-in-touch date has passed; but DoLS keeps its own statutory clock.
    item = _allocated(
        team, social_worker.user, today, opened_days_ago=40, kind=WorkKind.DOLS, due_on=today - timedelta(days=1)
    )
    [breach] = [h for h in supervision_highlights(social_worker.user, today) if h.kind == "breach"]
    assert breach.text == (
        f"{item.person.full_name}: Assessment – past its due date ({today - timedelta(days=1):%d/%m/%Y})"
    )


def test_supervision_limits_are_the_priority_policy_with_defaults(
    social_worker: Persona, team: Team, today: date
) -> None:
    item = _allocated(team, social_worker.user, today, opened_days_ago=40, allocated_days_ago=10, impact=4)  # amber
    with on(today - timedelta(days=5)):
        work_services.record_keep_in_touch(work_item=item, by=social_worker.user, method="phone", summary="Coping")
    assert _kinds(social_worker.user, today) == {}

    PriorityPolicy.objects.filter(priority="amber").update(supervision_open_days=30, supervision_no_contact_days=3)
    PriorityPolicy.objects.filter(priority="green").update(supervision_open_days=1)  # another priority's: no effect
    highlights = supervision_highlights(social_worker.user, today)
    assert [h.kind for h in highlights] == ["long_wait", "no_contact"]
    assert highlights[0].text.endswith("open 40 days (limit 30)")
    assert highlights[1].text.endswith("no contact recorded for 5 days (limit 3)")

    # A deleted policy row falls back to the defaults (84 days open, 28 without contact).
    PriorityPolicy.objects.filter(priority="amber").delete()
    assert supervision_highlights(social_worker.user, today) == []


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
