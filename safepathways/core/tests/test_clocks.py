from datetime import date

import pytest

from safepathways.core.clocks import add_working_days, age_on, is_working_day, working_days_between


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 11, 20), 1, date(2026, 11, 23)),  # Friday + 1 skips the weekend
        (date(2026, 12, 24), 2, date(2026, 12, 30)),  # Christmas, Boxing Day substitute on Monday 28th
        (date(2027, 3, 25), 1, date(2027, 3, 30)),  # Good Friday 26 March and Easter Monday 29 March 2027
        (date(2026, 5, 1), 1, date(2026, 5, 5)),  # Early May bank holiday, Monday 4 May 2026
        (date(2028, 2, 28), 1, date(2028, 2, 29)),  # leap day is an ordinary working day
        (date(2026, 11, 23), 0, date(2026, 11, 23)),
    ],
)
def test_add_working_days_skips_weekends_and_england_bank_holidays(start: date, days: int, expected: date) -> None:
    assert add_working_days(start, days) == expected


def test_add_working_days_refuses_negative_days() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_working_days(date(2026, 1, 1), -1)


def test_boxing_day_substitute_is_not_a_working_day() -> None:
    assert not is_working_day(date(2026, 12, 28))
    assert is_working_day(date(2026, 12, 29))


def test_working_days_between_counts_only_working_days_after_start() -> None:
    assert working_days_between(date(2026, 12, 24), date(2027, 1, 4)) == 4
    assert working_days_between(date(2026, 12, 24), date(2026, 12, 24)) == 0


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(2008, 2, 29), date(2026, 2, 28), 17),  # leap-day birthday falls on 1 March in other years
        (date(2008, 2, 29), date(2026, 3, 1), 18),
        (date(2008, 2, 29), date(2028, 2, 29), 20),
        (date(1950, 6, 15), date(2026, 6, 14), 75),
        (date(1950, 6, 15), date(2026, 6, 15), 76),
    ],
)
def test_age_on(born: date, on: date, age: int) -> None:
    assert age_on(born, on) == age
