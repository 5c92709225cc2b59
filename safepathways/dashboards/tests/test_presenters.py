from datetime import date

import pytest

from safepathways.dashboards import presenters
from safepathways.work.selectors import WAIT_BANDS, Dashboard


def _figures() -> Dashboard:
    by_band = {code: {"red": 0, "amber": 0, "green": 0} for code, *_ in WAIT_BANDS}
    by_band["0-2w"] |= {"red": 2, "amber": 1}
    by_band["26w+"] |= {"green": 1}
    return Dashboard(
        waiting_total=4,
        by_priority={"red": 2, "amber": 1, "green": 1},
        by_band=by_band,
        median_wait_days=3.0,
        p90_wait_days=150.4,
        open_breaches={"contact_overdue": 2, "allocation_overdue": 0},
        allocations_this_week=1,
        handoffs_this_week=3,
        trend=[(date(2026, 4, 26), 5, 1), (date(2026, 5, 3), 4, 2)],
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, "No one waiting"), (1.0, "1 day"), (12.0, "12 days"), (12.25, "12.2 days"), (9.1, "9.1 days")],
)
def test_days(value: float | None, text: str) -> None:
    assert presenters.days(value) == text


def test_the_longest_bar_fills_the_plot_and_the_others_are_in_proportion() -> None:
    chart = presenters.bar_chart(
        chart_id="c", title="T", rows=[("A", [("A", 4, "#000")]), ("B", [("B", 1, "#000")]), ("C", [("C", 0, "#000")])]
    )
    widths = [bar.segments[0].width for bar in chart.bars]
    assert widths == [presenters.PLOT_WIDTH, presenters.PLOT_WIDTH / 4, 0]
    assert [bar.y for bar in chart.bars] == [4, 4 + presenters.ROW_HEIGHT, 4 + 2 * presenters.ROW_HEIGHT]
    assert chart.description == "A: 4; B: 1; C: 0. The same figures are in the table below the chart."
    assert chart.legend == []


def test_an_empty_chart_has_zero_width_bars() -> None:
    chart = presenters.bar_chart(chart_id="c", title="T", rows=[("A", [("A", 0, "#000")])])
    assert chart.bars[0].segments[0].width == 0


def test_stacked_bars_place_segments_end_to_end_with_a_legend() -> None:
    chart = presenters.bar_chart(
        chart_id="c",
        title="T",
        rows=[("Band", [("Red", 2, "#d4351c"), ("Amber", 2, "#f47738"), ("Green", 0, "#00703c")])],
    )
    red, amber, green = chart.bars[0].segments
    assert (red.x, red.width) == (presenters.LABEL_WIDTH, presenters.PLOT_WIDTH / 2)
    assert amber.x == presenters.LABEL_WIDTH + presenters.PLOT_WIDTH / 2
    assert green.width == 0
    assert [item.label for item in chart.legend] == ["Red", "Amber", "Green"]
    assert chart.description.startswith("Band: 4 (red 2, amber 2, green 0)")


def test_priority_band_table_has_totals_both_ways() -> None:
    table = presenters.priority_band_table(_figures())
    assert table.headers == [
        "Priority",
        "Up to 2 weeks",
        "2 to 6 weeks",
        "6 to 12 weeks",
        "12 to 26 weeks",
        "Over 26 weeks",
        "Total",
    ]
    assert table.rows == [
        ["Red", 2, 0, 0, 0, 0, 2],
        ["Amber", 1, 0, 0, 0, 0, 1],
        ["Green", 0, 0, 0, 0, 1, 1],
        ["Total", 3, 0, 0, 0, 1, 4],
    ]


def test_dashboard_page_words_and_charts() -> None:
    page = presenters.dashboard_page(_figures())
    assert (page.median, page.p90) == ("3 days", "150.4 days")
    assert page.breaches == [("Keep-in-touch contact overdue", 2), ("Waiting past the allocation timescale", 0)]
    assert [bar.total for bar in page.priority_chart.bars] == [2, 1, 1]
    assert [bar.total for bar in page.band_chart.bars] == [3, 0, 0, 0, 1]
    assert [bar.label for bar in page.waiting_trend_chart.bars] == ["26 Apr", "3 May"]
    assert [bar.total for bar in page.allocation_trend_chart.bars] == [1, 2]
    assert page.trend.rows == [[date(2026, 4, 26), 5, 1], [date(2026, 5, 3), 4, 2]]
