"""Milestones and alarms from a date of birth and today: leap days, boundaries, and what raises an alarm."""

from datetime import date, timedelta

import pytest

from safepathways.core.clocks import age_on
from safepathways.young_people.milestones import (
    AlarmLevel,
    Done,
    Facts,
    Milestone,
    State,
    Timescales,
    add_months,
    add_years,
    age_in_months,
    age_in_years,
    alarms_for,
    born_on_or_before,
    milestones_for,
    next_milestone,
)

TODAY = date(2026, 6, 15)


def _states(facts: Facts, today: date, done: dict[str, Done] | None = None) -> dict[Milestone, State]:
    return {s.milestone: s.state for s in milestones_for(facts, done or {}, today)}


def _alarm_codes(
    facts: Facts, today: date, *, done: dict[str, Done] | None = None, has_plan: bool = False
) -> list[str]:
    statuses = milestones_for(facts, done or {}, today)
    return [a.code for a in alarms_for(facts, statuses, today, has_adult_plan=has_plan)]


class TestDateArithmetic:
    @pytest.mark.parametrize(
        ("day", "years", "expected"),
        [
            (date(2010, 6, 15), 14, date(2024, 6, 15)),
            (date(2008, 2, 29), 16, date(2024, 2, 29)),  # leap year to leap year
            (date(2008, 2, 29), 18, date(2026, 3, 1)),  # common year: 1 March, as core.clocks.age_on
            (date(2008, 2, 29), 25, date(2033, 3, 1)),
        ],
    )
    def test_add_years_moves_29_february_to_1_march_in_a_common_year(
        self, day: date, years: int, expected: date
    ) -> None:
        assert add_years(day, years) == expected

    @pytest.mark.parametrize(
        ("day", "months", "expected"),
        [
            (date(2009, 8, 31), 6, date(2010, 3, 1)),
            (date(2024, 1, 31), 1, date(2024, 3, 1)),
            (date(2024, 1, 30), 1, date(2024, 3, 1)),
            (date(2024, 1, 29), 1, date(2024, 2, 29)),
            (date(2026, 6, 15), -3, date(2026, 3, 15)),
            (date(2026, 1, 15), -1, date(2025, 12, 15)),
        ],
    )
    def test_add_months(self, day: date, months: int, expected: date) -> None:
        assert add_months(day, months) == expected

    def test_someone_born_on_29_february_is_18_on_1_march_not_28_february(self) -> None:
        born = date(2008, 2, 29)
        assert age_in_years(born, date(2026, 2, 28)) == 17
        assert age_in_years(born, date(2026, 3, 1)) == 18
        assert born > born_on_or_before(date(2026, 2, 28), 18)
        assert born <= born_on_or_before(date(2026, 3, 1), 18)

    def test_on_29_february_someone_born_on_28_february_has_the_birthday(self) -> None:
        assert born_on_or_before(date(2028, 2, 29), 18) == date(2010, 2, 28)
        assert born_on_or_before(date(2028, 2, 29), 20) == date(2008, 2, 29)

    def test_the_database_cut_off_agrees_with_age_everywhere_around_leap_days(self) -> None:
        births = [date(2007, 12, 31) + timedelta(days=n) for n in range(800)]
        todays = [date(2025, 2, 20) + timedelta(days=n) for n in range(1200) if n % 3 == 0 or n > 1090]
        for today in todays:
            cut_off = born_on_or_before(today, 18)
            for dob in [*births[::7], date(2008, 2, 29), date(2008, 3, 1), date(2008, 2, 28)]:
                assert (dob <= cut_off) == (age_in_years(dob, today) >= 18) == (age_on(dob, today) >= 18), (dob, today)

    def test_age_in_months_is_reached_on_the_day_add_months_gives(self) -> None:
        born = date(2009, 8, 31)
        assert age_in_months(born, date(2026, 2, 28)) == 197
        assert age_in_months(born, date(2026, 3, 1)) == 198  # 16½ on 1 March: there is no 31 February


class TestMilestones:
    def test_a_14_year_old_has_health_to_tell_and_nothing_else_due(self) -> None:
        facts = Facts(date_of_birth=add_years(TODAY, -14))
        states = _states(facts, TODAY)
        assert states[Milestone.HEALTH_NOTIFIED] == State.DUE
        assert {s for m, s in states.items() if m != Milestone.HEALTH_NOTIFIED} == {State.UPCOMING, State.DUE}
        assert states[Milestone.WORKER_ALLOCATED] == State.UPCOMING
        assert _alarm_codes(facts, TODAY) == []

    def test_due_dates_follow_the_date_of_birth_and_local_timescales(self) -> None:
        born = date(2010, 6, 15)
        due = {s.milestone: s.due_on for s in milestones_for(Facts(date_of_birth=born), {}, TODAY)}
        assert due[Milestone.HEALTH_NOTIFIED] == date(2024, 9, 15)
        assert due[Milestone.WORKER_ALLOCATED] == date(2026, 12, 15)
        assert due[Milestone.CHC_SCREENING] == date(2027, 6, 15)
        assert due[Milestone.TRANSITION_ASSESSMENT] == date(2027, 6, 15)
        assert due[Milestone.DECISION_IN_PRINCIPLE] == date(2027, 9, 15)
        assert due[Milestone.ADULT_SUPPORT_AGREED] == date(2028, 3, 15)
        assert due[Milestone.ADULT_SUPPORT_IN_PLACE] == date(2028, 6, 15)
        later = Timescales(allocation_by_months=16 * 12 + 9, panel_months_before_18=2)
        due = {s.milestone: s.due_on for s in milestones_for(Facts(date_of_birth=born), {}, TODAY, later)}
        assert due[Milestone.WORKER_ALLOCATED] == date(2027, 3, 15)
        assert due[Milestone.ADULT_SUPPORT_AGREED] == date(2028, 4, 15)

    def test_adult_support_for_someone_born_on_29_february_is_due_on_1_march(self) -> None:
        facts = Facts(date_of_birth=date(2008, 2, 29))
        status = {s.milestone: s for s in milestones_for(facts, {}, date(2026, 2, 28))}[
            Milestone.ADULT_SUPPORT_IN_PLACE
        ]
        assert status.due_on == date(2026, 3, 1)
        assert status.state == State.DUE
        assert _states(facts, date(2026, 3, 1))[Milestone.ADULT_SUPPORT_IN_PLACE] == State.DUE
        assert _states(facts, date(2026, 3, 2))[Milestone.ADULT_SUPPORT_IN_PLACE] == State.MISSED

    def test_recorded_milestones_are_done_or_not_needed(self) -> None:
        facts = Facts(date_of_birth=add_months(TODAY, -(16 * 12 + 8)))
        done = {
            "health_notified": Done("health_notified", True, date(2024, 11, 1)),
            "worker_allocated": Done("worker_allocated", True, date(2026, 1, 1)),
            "chc_screening": Done("chc_screening", False, date(2026, 2, 1), "No health needs"),
        }
        states = _states(facts, TODAY, done)
        assert states[Milestone.HEALTH_NOTIFIED] == State.DONE
        assert states[Milestone.CHC_SCREENING] == State.NOT_NEEDED
        upcoming = next_milestone(milestones_for(facts, done, TODAY))
        assert upcoming is not None and upcoming.milestone == Milestone.TRANSITION_ASSESSMENT

    def test_no_significant_benefit_means_no_adult_care_milestones(self) -> None:
        facts = Facts(date_of_birth=add_months(TODAY, -(17 * 12 + 8)), significant_benefit="no")
        states = _states(facts, TODAY)
        assert states[Milestone.TRANSITION_ASSESSMENT] == State.NOT_NEEDED
        assert states[Milestone.ADULT_SUPPORT_AGREED] == State.NOT_NEEDED
        assert states[Milestone.CHC_SCREENING] == State.MISSED  # health's milestones still apply
        assert "no_adult_plan" not in _alarm_codes(facts, TODAY)

    def test_not_likely_to_need_continuing_healthcare_means_no_health_milestones(self) -> None:
        born = add_months(TODAY, -(17 * 12 + 8))
        undecided = _states(Facts(date_of_birth=born), TODAY)
        assert undecided[Milestone.HEALTH_NOTIFIED] == State.MISSED  # asked, not dropped, until someone decides
        facts = Facts(date_of_birth=born, continuing_healthcare="no")
        states = _states(facts, TODAY)
        for milestone in (Milestone.HEALTH_NOTIFIED, Milestone.CHC_SCREENING, Milestone.DECISION_IN_PRINCIPLE):
            assert states[milestone] == State.NOT_NEEDED
        assert states[Milestone.TRANSITION_ASSESSMENT] == State.MISSED  # the adult care milestones still apply
        likely = _states(Facts(date_of_birth=born, continuing_healthcare="yes"), TODAY)
        assert likely[Milestone.CHC_SCREENING] == State.MISSED

    def test_the_ehc_plan_milestone_is_capped_at_25(self) -> None:
        born = date(2008, 5, 1)
        facts = Facts(date_of_birth=born, has_ehc_plan=True, ehc_plan_ends_on=date(2040, 1, 1))
        status = {s.milestone: s for s in milestones_for(facts, {}, TODAY)}[Milestone.EHC_PLAN_ENDS]
        assert status.due_on == date(2033, 5, 1)
        assert Milestone.EHC_PLAN_ENDS not in _states(Facts(date_of_birth=born), TODAY)

    def test_no_date_of_birth_no_milestones(self) -> None:
        assert milestones_for(Facts(date_of_birth=None), {}, TODAY) == []


class TestAlarms:
    def test_17_and_a_half_with_no_adult_plan_is_red(self) -> None:
        facts = Facts(date_of_birth=add_months(TODAY, -(17 * 12 + 6)))
        statuses = milestones_for(facts, {}, TODAY)
        alarms = alarms_for(facts, statuses, TODAY)
        assert alarms[0].code == "no_adult_plan"
        assert alarms[0].level == AlarmLevel.RED

    def test_one_day_short_of_17_and_a_half_there_is_no_red_alarm(self) -> None:
        facts = Facts(date_of_birth=add_months(TODAY, -(17 * 12 + 6)) + timedelta(days=1))
        assert "no_adult_plan" not in _alarm_codes(facts, TODAY)

    def test_a_plan_to_adult_services_or_agreement_at_panel_silences_it(self) -> None:
        facts = Facts(date_of_birth=add_months(TODAY, -(17 * 12 + 7)))
        assert "no_adult_plan" not in _alarm_codes(facts, TODAY, has_plan=True)
        agreed = {"adult_support_agreed": Done("adult_support_agreed", True, TODAY)}
        assert "no_adult_plan" not in _alarm_codes(facts, TODAY, done=agreed)

    def test_missed_milestones_are_amber_and_no_adult_support_at_18_is_red(self) -> None:
        facts = Facts(date_of_birth=add_months(TODAY, -(16 * 12 + 7)))
        statuses = milestones_for(facts, {}, TODAY)
        alarms = {a.code: a.level for a in alarms_for(facts, statuses, TODAY)}
        assert alarms == {"missed_health_notified": AlarmLevel.AMBER, "missed_worker_allocated": AlarmLevel.AMBER}
        adult = Facts(date_of_birth=add_years(TODAY, -18) - timedelta(days=1))
        levels = {a.code: a.level for a in alarms_for(adult, milestones_for(adult, {}, TODAY), TODAY)}
        assert levels["missed_adult_support_in_place"] == AlarmLevel.RED

    @pytest.mark.parametrize(
        ("move_in_days", "settled", "flagged"),
        [(42, False, True), (42, True, False), (0, False, True), (-10, False, True), (120, False, False)],
    )
    def test_a_care_leaver_moving_within_3_months_with_no_settled_home_is_red(
        self, move_in_days: int, settled: bool, flagged: bool
    ) -> None:
        facts = Facts(
            date_of_birth=add_years(TODAY, -19),
            significant_benefit="no",
            is_care_leaver=True,
            has_personal_adviser=True,
            has_settled_accommodation=settled,
            planned_move_on=TODAY + timedelta(days=move_in_days),
        )
        alarms = alarms_for(facts, milestones_for(facts, {}, TODAY), TODAY)
        moving = [a for a in alarms if a.code == "move_unsettled"]
        assert bool(moving) == flagged
        if flagged:
            assert moving[0].level == AlarmLevel.RED
        if move_in_days == 42:
            assert not flagged or moving[0].text == "Moves in 6 weeks: no settled accommodation"

    def test_care_leaver_housing_and_personal_adviser_alarms(self) -> None:
        facts = Facts(
            date_of_birth=add_years(TODAY, -20), significant_benefit="no", is_care_leaver=True, homelessness_risk="high"
        )
        codes = _alarm_codes(facts, TODAY)
        assert "no_housing_referral" in codes
        assert "no_personal_adviser" in codes
