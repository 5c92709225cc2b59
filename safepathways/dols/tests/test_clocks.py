"""Every statutory clock: calendar days across month ends, 29 February, and the clocks changing."""

from datetime import UTC, date, datetime

import pytest

from safepathways.dols import clocks


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 1, 15), date(2026, 2, 5)),  # across a month end
        (date(2024, 2, 10), date(2024, 3, 2)),  # leap year: 29 February counts
        (date(2025, 2, 10), date(2025, 3, 3)),  # not a leap year
        (date(2025, 12, 20), date(2026, 1, 10)),  # across the year end, bank holidays included
        (date(2026, 3, 14), date(2026, 4, 4)),  # Saturday: calendar days, weekends irrelevant
    ],
)
def test_standard_assessments_are_due_21_calendar_days_after_receipt(received: date, due: date) -> None:
    assert clocks.standard_assessments_due(received) == due


def test_urgent_authorisation_lasts_7_days_and_one_extension_7_more() -> None:
    assert clocks.urgent_expires(date(2024, 2, 26)) == date(2024, 3, 4)
    assert clocks.urgent_expires(date(2024, 2, 26), 7, 7) == date(2024, 3, 11)
    assert clocks.urgent_expires(date(2026, 1, 30), 3) == date(2026, 2, 2)


@pytest.mark.parametrize(("period", "extension"), [(0, 0), (8, 0), (7, 8)])
def test_urgent_periods_outside_the_statute_are_refused(period: int, extension: int) -> None:
    with pytest.raises(ValueError, match="days"):
        clocks.urgent_expires(date(2026, 1, 1), period, extension)


def test_assessments_fall_due_when_the_urgent_authorisation_ends_if_sooner() -> None:
    received = date(2026, 3, 2)
    assert clocks.assessments_due(received, date(2026, 3, 9)) == date(2026, 3, 9)
    assert clocks.assessments_due(received, None) == date(2026, 3, 23)
    assert clocks.assessments_due(received, date(2026, 4, 30)) == date(2026, 3, 23)


@pytest.mark.parametrize(
    ("start", "latest"),
    [
        (date(2026, 1, 15), date(2027, 1, 14)),
        (date(2024, 2, 29), date(2025, 2, 28)),  # 29 February: a year later is 1 March, less a day
        (date(2023, 3, 1), date(2024, 2, 29)),  # ends on 29 February of a leap year
        (date(2026, 12, 31), date(2027, 12, 30)),
    ],
)
def test_an_authorisation_lasts_at_most_12_months(start: date, latest: date) -> None:
    assert clocks.authorisation_latest_end(start) == latest


def test_renewal_window_opens_28_days_before_expiry_by_default_and_is_configurable() -> None:
    assert clocks.renewal_opens(date(2026, 3, 10)) == date(2026, 2, 10)
    assert clocks.renewal_opens(date(2024, 3, 10)) == date(2024, 2, 11)  # 29 February in between
    assert clocks.renewal_opens(date(2026, 3, 10), 14) == date(2026, 2, 24)


def test_suspension_runs_28_days() -> None:
    assert clocks.suspension_ends(date(2024, 2, 15)) == date(2024, 3, 14)
    assert clocks.suspension_ends(date(2025, 2, 15)) == date(2025, 3, 15)


@pytest.mark.parametrize(
    ("order", "months", "due"),
    [
        (date(2026, 5, 10), 12, date(2027, 5, 10)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),  # never later than a year
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
    ],
)
def test_court_orders_are_reviewed_at_least_annually(order: date, months: int, due: date) -> None:
    assert clocks.court_review_due(order, months) == due


def test_a_court_review_later_than_12_months_is_refused() -> None:
    with pytest.raises(ValueError, match="12 months"):
        clocks.court_review_due(date(2026, 1, 1), 13)


@pytest.mark.parametrize(
    ("moment", "local"),
    [
        # 23:30 UTC on 30 March 2024 is still 30 March in London (GMT; the clocks go forward at 01:00 UTC on 31st).
        (datetime(2024, 3, 30, 23, 30, tzinfo=UTC), date(2024, 3, 30)),
        # 23:30 UTC on 31 March 2024 is 00:30 BST on 1 April: the request was received on 1 April.
        (datetime(2024, 3, 31, 23, 30, tzinfo=UTC), date(2024, 4, 1)),
        # 23:30 UTC on 26 October 2024 is 00:30 BST on 27 October, the day the clocks go back.
        (datetime(2024, 10, 26, 23, 30, tzinfo=UTC), date(2024, 10, 27)),
        (datetime(2024, 10, 27, 23, 30, tzinfo=UTC), date(2024, 10, 27)),
    ],
)
def test_times_count_from_their_london_date(moment: datetime, local: date) -> None:
    assert clocks.local_date(moment) == local


def test_a_request_received_just_after_midnight_bst_is_due_21_days_from_the_london_date() -> None:
    received = clocks.local_date(datetime(2024, 3, 31, 23, 30, tzinfo=UTC))
    assert clocks.standard_assessments_due(received) == date(2024, 4, 22)
