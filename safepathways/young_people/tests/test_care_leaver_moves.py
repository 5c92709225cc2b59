"""The care-leaver move flag: a care leaver moving within 3 months (local) with no settled accommodation.

The move is the sooner of the date on the young person's record and the earliest open care-leaver transition plan's
date, wherever the plan was started and however its date was changed; a move a plan has recorded is no longer ahead.
Each test looks at the tracker first, so the stored urgency is kept, and then checks that the change made it stale.
"""

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.utils import timezone

from safepathways.accounts.models import Role, Team
from safepathways.conftest import Persona
from safepathways.transitions import services as transitions
from safepathways.transitions.models import Plan, PlanKind
from safepathways.young_people import selectors, services
from safepathways.young_people.milestones import Facts
from safepathways.young_people.models import AccommodationStatus, YoungPeopleSettings, YoungPerson
from safepathways.young_people.tests.factories import YoungPersonFactory, born

pytestmark = pytest.mark.django_db
FAR = 200  # days ahead: outside the 3-month window
NEAR = 20  # days ahead: inside it


def _flags(today: date | None = None) -> tuple[int, list[str]]:
    """The tracker's count of flagged care leavers and the first row's move alarm, if any."""
    board = selectors.tracker(today or timezone.localdate(), selectors.TrackerFilters(), YoungPeopleSettings.current())
    texts = [alarm.text for row in board.rows for alarm in row.alarms if alarm.code == "move_unsettled"]
    return board.care_leavers_flagged, texts


def _care_leaver(**fields: object) -> YoungPerson:
    data: dict[str, object] = {
        "person__date_of_birth": born(19),
        "is_care_leaver": True,
        "accommodation_status": AccommodationStatus.UNSETTLED,
        "personal_adviser_name": "Pat Adviser",
        **fields,
    }
    return YoungPersonFactory.create(**data)


def _plan(young_person: YoungPerson, worker: Persona, days: int) -> Plan:
    """A care-leaver plan started from the generic new-plan page (transitions.services.create_plan)."""
    return transitions.create_plan(
        person=young_person.person,
        kind=PlanKind.CARE_LEAVER,
        moving_from="Supported lodgings",
        moving_to="A flat, to be confirmed",
        planned_on=timezone.localdate() + timedelta(days=days),
        team=worker.team,
        coordinator=worker.user,
        by=worker.user,
    )


@pytest.fixture
def transitions_manager(make_persona: Callable[..., Persona], transitions_team: Team) -> Persona:
    return make_persona(transitions_team, Role.TEAM_MANAGER, name="Morgan Hale")


def _move(plan: Plan, manager: Persona, worker: Persona) -> None:
    """The move is made ready (a manager overriding any arrangement still open) and recorded as made today."""
    transitions.mark_ready(plan=plan, by=manager.user, override_reason="Arrangements followed up after the move")
    transitions.record_move(plan=plan, by=worker.user, moved_on=timezone.localdate())


def test_the_record_alone_still_raises_the_flag() -> None:
    _care_leaver(planned_move_on=timezone.localdate() + timedelta(days=42))
    assert _flags() == (1, ["Moves in 6 weeks: no settled accommodation"])


def test_a_plan_date_brought_forward_on_the_plan_page_raises_the_flag(transitions_worker: Persona) -> None:
    young_person = _care_leaver(planned_move_on=timezone.localdate() + timedelta(days=FAR))
    plan = services.plan_accommodation_move(young_person=young_person, by=transitions_worker.user)
    assert _flags() == (0, [])

    transitions.update_plan(
        plan=plan, by=transitions_worker.user, data={"planned_on": timezone.localdate() + timedelta(days=NEAR)}
    )

    assert _flags() == (1, ["Moves in 2 weeks: no settled accommodation"])


@pytest.mark.parametrize("accommodation", [AccommodationStatus.TEMPORARY, AccommodationStatus.UNSETTLED])
def test_a_plan_started_on_the_new_plan_page_raises_the_flag(transitions_worker: Persona, accommodation: str) -> None:
    young_person = _care_leaver(accommodation_status=accommodation)
    assert _flags() == (0, [])

    _plan(young_person, transitions_worker, days=30)

    assert _flags() == (1, ["Moves in 4 weeks: no settled accommodation"])


def test_a_plan_for_a_settled_home_is_not_flagged(transitions_worker: Persona) -> None:
    _plan(_care_leaver(accommodation_status=AccommodationStatus.SETTLED), transitions_worker, days=30)
    assert _flags() == (0, [])


def test_the_sooner_of_the_record_and_the_plan_counts(transitions_worker: Persona) -> None:
    young_person = _care_leaver(planned_move_on=timezone.localdate() + timedelta(days=NEAR))
    _plan(young_person, transitions_worker, days=FAR)
    assert _flags() == (1, ["Moves in 2 weeks: no settled accommodation"])


def test_a_cancelled_plan_no_longer_counts(transitions_worker: Persona) -> None:
    plan = _plan(_care_leaver(), transitions_worker, days=NEAR)
    assert _flags()[0] == 1

    transitions.cancel_plan(plan=plan, by=transitions_worker.user, reason="They are staying where they are")

    assert _flags() == (0, [])


def test_the_flag_stops_once_the_plan_records_the_move(
    transitions_worker: Persona, transitions_manager: Persona
) -> None:
    today = timezone.localdate()
    young_person = _care_leaver(planned_move_on=today + timedelta(days=60))
    plan = services.plan_accommodation_move(young_person=young_person, by=transitions_worker.user)
    # Brought forward on the plan page; the record keeps the date children's services sent.
    transitions.update_plan(plan=plan, by=transitions_worker.user, data={"planned_on": today})
    assert _flags() == (1, ["Moves today: no settled accommodation"])

    _move(plan, transitions_manager, transitions_worker)

    assert _flags() == (0, [])
    # Nor later, when the record's old date comes round or has passed.
    assert _flags(today + timedelta(days=59)) == (0, [])
    assert _flags(today + timedelta(days=90)) == (0, [])


def test_a_move_planned_after_the_recorded_move_is_flagged_again(
    transitions_worker: Persona, transitions_manager: Persona
) -> None:
    today = timezone.localdate()
    young_person = _care_leaver(planned_move_on=today)
    plan = services.plan_accommodation_move(young_person=young_person, by=transitions_worker.user)
    _move(plan, transitions_manager, transitions_worker)
    assert _flags() == (0, [])

    services.update_young_person(
        young_person=young_person, by=transitions_worker.user, data={"planned_move_on": today + timedelta(days=NEAR)}
    )

    assert _flags() == (1, ["Moves in 2 weeks: no settled accommodation"])


def test_an_open_plan_whose_date_has_passed_stays_flagged(transitions_worker: Persona) -> None:
    _plan(_care_leaver(), transitions_worker, days=0)
    assert _flags(timezone.localdate() + timedelta(days=3)) == (1, ["Moves date passed: no settled accommodation"])


def test_the_young_persons_page_and_the_api_show_the_plans_move(transitions_worker: Persona) -> None:
    young_person = _care_leaver()
    _plan(young_person, transitions_worker, days=NEAR)

    page = transitions_worker.http.get(young_person.get_absolute_url()).content.decode()
    data = transitions_worker.http.get(f"/api/v1/young-people/{young_person.pk}/").json()

    assert "Moves in 2 weeks: no settled accommodation" in page
    assert {"level": "RED", "code": "move_unsettled", "text": "Moves in 2 weeks: no settled accommodation"} in data[
        "alarms"
    ]


class TestNextMove:
    TODAY = date(2026, 5, 1)

    @pytest.mark.parametrize(
        ("record", "plan", "expected"),
        [
            (None, None, None),
            (date(2026, 6, 1), None, date(2026, 6, 1)),
            (None, date(2026, 6, 1), date(2026, 6, 1)),
            (date(2026, 9, 1), date(2026, 6, 1), date(2026, 6, 1)),
            (date(2026, 6, 1), date(2026, 9, 1), date(2026, 6, 1)),
            # A date passed gives way to one still ahead; only if neither is ahead is the move overdue.
            (date(2026, 4, 1), date(2026, 6, 1), date(2026, 6, 1)),
            (date(2026, 4, 1), date(2026, 4, 20), date(2026, 4, 20)),
            (date(2026, 5, 1), date(2026, 6, 1), date(2026, 5, 1)),
        ],
    )
    def test_the_sooner_date_still_ahead(self, record: date | None, plan: date | None, expected: date | None) -> None:
        facts = Facts(date_of_birth=date(2007, 1, 1), is_care_leaver=True, planned_move_on=record, move_plan_on=plan)
        assert facts.next_move_on(self.TODAY) == expected


def test_children_services_sending_a_new_date_after_the_move_raises_the_flag_again(
    transitions_worker: Persona, transitions_manager: Persona
) -> None:
    today = timezone.localdate()
    record = services.ChildrensRecord(
        childrens_reference="CS-MOVE",
        given_name="Amira",
        family_name="Hussain",
        date_of_birth=born(19),
        is_care_leaver=True,
        accommodation_status=AccommodationStatus.UNSETTLED,
        personal_adviser_name="Pat Adviser",
        planned_move_on=today,
    )
    young_person = services.upsert_from_childrens_services(record=record, by=transitions_worker.user).young_person
    plan = services.plan_accommodation_move(young_person=young_person, by=transitions_worker.user)
    _move(plan, transitions_manager, transitions_worker)
    # The same date sent again is the move already made.
    services.upsert_from_childrens_services(record=record, by=transitions_worker.user)
    assert _flags() == (0, [])

    later = services.ChildrensRecord(**{**record.__dict__, "planned_move_on": today + timedelta(days=NEAR)})
    services.upsert_from_childrens_services(record=later, by=transitions_worker.user)

    assert _flags() == (1, ["Moves in 2 weeks: no settled accommodation"])
