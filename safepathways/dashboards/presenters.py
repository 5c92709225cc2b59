"""How the dashboard's figures are worded, tabulated and drawn: bar-chart geometry and the export's tables.

Charts are inline SVG sized with attributes, never `style` (the CSP allows no inline styles), and
every chart is followed on the page by a table holding the same numbers.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from safepathways.core.exports import ExportTable
from safepathways.dashboards.selectors import HighlightedWork, TeamRoster
from safepathways.work.models import BreachKind, Priority
from safepathways.work.selectors import WAIT_BANDS, Dashboard

# GOV.UK Frontend colours (red, orange, green, blue, black): text on white passes WCAG AA at 14px.
PRIORITY_COLOURS = {Priority.RED: "#d4351c", Priority.AMBER: "#f47738", Priority.GREEN: "#00703c"}
BAR_COLOUR = "#1d70b8"
TEXT_COLOUR = "#0b0c0c"
# The limits of "open a long time" and "no recent contact" are local policy, per priority (work.PriorityPolicy):
# each highlight's text gives the limit it passed.
HIGHLIGHT_LABELS = {
    "breach": "Timescales missed",
    "red": "Red priority",
    "long_wait": "Open a long time",
    "no_contact": "No recent contact",
}

CHART_WIDTH = 640
LABEL_WIDTH = 150
PLOT_WIDTH = 420
ROW_HEIGHT = 28
BAR_HEIGHT = 18
LEGEND_HEIGHT = 30


def priority_name(priority: str) -> str:
    """'Red', 'Amber' or 'Green': the choice label without its risk wording."""
    return Priority(priority).label.split(" –")[0]


def days(value: float | None) -> str:
    """A wait in days as the dashboard writes it: '1 day', '12 days', '12.5 days'."""
    if value is None:
        return "No one waiting"
    rounded = round(value, 1)
    text = f"{rounded:g}"
    return f"{text} day" if rounded == 1 else f"{text} days"


def week_label(week_ending: date) -> str:
    return f"{week_ending.day} {week_ending:%b}"


@dataclass(frozen=True)
class Segment:
    label: str
    value: int
    x: float
    width: float
    colour: str


@dataclass(frozen=True)
class Bar:
    label: str
    total: int
    y: float
    text_y: float
    value_x: float
    segments: list[Segment]


@dataclass(frozen=True)
class LegendItem:
    label: str
    colour: str
    x: float


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart (bars may be stacked), with its accessible name and description."""

    id: str
    title: str
    description: str
    bars: list[Bar]
    legend: list[LegendItem] = field(default_factory=list)
    width: int = CHART_WIDTH
    label_x: int = LABEL_WIDTH - 8
    bar_height: int = BAR_HEIGHT
    legend_y: float = 0

    @property
    def height(self) -> float:
        return len(self.bars) * ROW_HEIGHT + (LEGEND_HEIGHT if self.legend else 0) + 4


Series = Sequence[tuple[str, int, str]]


def bar_chart(*, chart_id: str, title: str, rows: Sequence[tuple[str, Series]]) -> BarChart:
    """Lay out one bar per row; a row with several series is a stacked bar, and gets a legend."""
    totals = [sum(value for _, value, _ in series) for _, series in rows]
    largest = max(totals, default=0)
    scale = PLOT_WIDTH / largest if largest else 0.0
    bars = []
    for index, ((label, series), total) in enumerate(zip(rows, totals, strict=True)):
        y = index * ROW_HEIGHT + 4
        x = float(LABEL_WIDTH)
        segments = []
        for name, value, colour in series:
            width = round(value * scale, 1)
            segments.append(Segment(label=name, value=value, x=round(x, 1), width=width, colour=colour))
            x += width
        bars.append(
            Bar(label=label, total=total, y=y, text_y=y + BAR_HEIGHT - 4, value_x=round(x + 6, 1), segments=segments)
        )
    stacked = any(len(series) > 1 for _, series in rows)
    legend = []
    if stacked and rows:
        legend = [
            LegendItem(label=name, colour=colour, x=LABEL_WIDTH + i * 110)
            for i, (name, _, colour) in enumerate(rows[0][1])
        ]
    described = [
        f"{label}: {total}"
        + (" (" + ", ".join(f"{name.lower()} {value}" for name, value, _ in series) + ")" if stacked else "")
        for (label, series), total in zip(rows, totals, strict=True)
    ]
    description = "; ".join(described) + ". The same figures are in the table below the chart."
    return BarChart(
        id=chart_id, title=title, description=description, bars=bars, legend=legend, legend_y=len(rows) * ROW_HEIGHT + 8
    )


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[object]]


def priority_band_table(figures: Dashboard) -> Table:
    """Waiting by priority (rows) and wait band (columns), with totals both ways."""
    headers = ["Priority", *(label for _, label, _, _ in WAIT_BANDS), "Total"]
    rows: list[list[object]] = []
    for priority in Priority.values:
        counts = [figures.by_band[code][priority] for code, *_ in WAIT_BANDS]
        rows.append([priority_name(priority), *counts, sum(counts)])
    band_totals = [sum(figures.by_band[code].values()) for code, *_ in WAIT_BANDS]
    rows.append(["Total", *band_totals, sum(band_totals)])
    return Table(headers=headers, rows=rows)


def trend_table(figures: Dashboard) -> Table:
    return Table(
        headers=["Week ending", "Waiting at the end of the week", "Allocated in the week"],
        rows=[[week_ending, waiting, allocated] for week_ending, waiting, allocated in figures.trend],
    )


def breaches(figures: Dashboard) -> list[tuple[str, int]]:
    return [(BreachKind(kind).label, figures.open_breaches.get(kind, 0)) for kind in BreachKind.values]


@dataclass(frozen=True)
class DashboardPage:
    priority_chart: BarChart
    band_chart: BarChart
    band_table: Table
    waiting_trend_chart: BarChart
    allocation_trend_chart: BarChart
    trend: Table
    breaches: list[tuple[str, int]]
    median: str
    p90: str


def dashboard_page(figures: Dashboard) -> DashboardPage:
    """Everything the dashboard template lays out, worked out from the selector's figures."""
    priorities = [(priority_name(p), figures.by_priority[p], PRIORITY_COLOURS[Priority(p)]) for p in Priority.values]
    return DashboardPage(
        priority_chart=bar_chart(
            chart_id="chart-priority",
            title="Waiting by priority",
            rows=[(name, [(name, value, colour)]) for name, value, colour in priorities],
        ),
        band_chart=bar_chart(
            chart_id="chart-band",
            title="Waiting by wait band, by priority",
            rows=[
                (
                    label,
                    [
                        (priority_name(p), figures.by_band[code][p], PRIORITY_COLOURS[Priority(p)])
                        for p in Priority.values
                    ],
                )
                for code, label, _, _ in WAIT_BANDS
            ],
        ),
        band_table=priority_band_table(figures),
        waiting_trend_chart=bar_chart(
            chart_id="chart-trend-waiting",
            title="Waiting at the end of each week",
            rows=[(week_label(end), [("Waiting", waiting, BAR_COLOUR)]) for end, waiting, _ in figures.trend],
        ),
        allocation_trend_chart=bar_chart(
            chart_id="chart-trend-allocated",
            title="Allocated each week",
            rows=[(week_label(end), [("Allocated", allocated, BAR_COLOUR)]) for end, _, allocated in figures.trend],
        ),
        trend=trend_table(figures),
        breaches=breaches(figures),
        median=days(figures.median_wait_days),
        p90=days(figures.p90_wait_days),
    )


def export_tables(
    figures: Dashboard, *, scope: str, today: date, person_url: Callable[[UUID], str]
) -> list[ExportTable]:
    """The dashboard as a download: summary, priority × wait band, the 12-week trend, most hand-offs."""
    summary: list[list[object]] = [
        ["Dashboard for", scope],
        ["On", today],
        ["Waiting", figures.waiting_total],
        ["Median wait (days)", figures.median_wait_days],
        ["90th percentile wait (days)", figures.p90_wait_days],
        *[[f"Open breaches: {label.lower()}", count] for label, count in breaches(figures)],
        ["Allocations this week", figures.allocations_this_week],
        ["Hand-offs this week", figures.handoffs_this_week],
    ]
    band = priority_band_table(figures)
    trend = trend_table(figures)
    return [
        ExportTable(title="Summary", headers=["Measure", "Value"], rows=summary),
        ExportTable(title="Priority by wait band", headers=band.headers, rows=band.rows),
        ExportTable(title="Trend over 12 weeks", headers=trend.headers, rows=trend.rows),
        ExportTable(
            title="Most hand-offs",
            headers=["Name", "Hand-offs", "Record"],
            rows=[[name, count, person_url(person_id)] for name, person_id, count in figures.most_handed_off],
        ),
    ]


ROSTER_EXPORT_HEADERS = ["Team", "Worker", "Role", "Last supervision", "Highlight", "Detail", "Work"]


def roster_export_rows(
    roster: Sequence[TeamRoster], *, kinds: Sequence[str], work_url: Callable[[UUID], str]
) -> list[list[object]]:
    """The supervision roster as a download: a row for each highlight of each worker, in the order the worker's
    page gives them (by kind), and one row for a worker with nothing to raise."""
    rows: list[list[object]] = []
    for entry in roster:
        for summary in entry.workers:
            first = [entry.team.name, summary.worker.full_name, summary.role, summary.last_supervised_on]
            ordered = sorted(summary.highlights, key=lambda h: kinds.index(h.kind) if h.kind in kinds else len(kinds))
            if not ordered:
                rows.append([*first, "Nothing to raise", "", ""])
            for highlight in ordered:
                rows.append(
                    [
                        *first,
                        HIGHLIGHT_LABELS.get(highlight.kind, highlight.kind),
                        highlight.text,
                        work_url(highlight.work_item_id),
                    ]
                )
    return rows


WORKER_EXPORT_HEADERS = [
    "Person reference",
    "Person",
    "Work",
    "Work type",
    "Team",
    "Priority",
    "Why highlighted",
    "Opened",
    "Allocated",
    "Last contact",
    "Next contact due",
    "Due",
    "Work link",
]


def worker_export_rows(
    work: Sequence[HighlightedWork], *, kinds: Sequence[str], work_url: Callable[[UUID], str]
) -> list[list[object]]:
    """One worker's highlighted work as a download: a row for each piece of work, the most pressing first (in the
    order the page gives the kinds, then the oldest), its reasons in that order, one a line."""

    def rank(kind: str) -> int:
        return kinds.index(kind) if kind in kinds else len(kinds)

    rows: list[list[object]] = []
    for entry in sorted(work, key=lambda w: min(rank(h.kind) for h in w.highlights)):
        item = entry.item
        # Each highlight's text starts with the person and the work, which have their own columns here.
        prefix = f"{item.person.full_name}: {item.title} – "
        reasons = "\n".join(
            f"{HIGHLIGHT_LABELS.get(h.kind, h.kind)}: {h.text.removeprefix(prefix)}"
            for h in sorted(entry.highlights, key=lambda h: rank(h.kind))
        )
        rows.append(
            [
                item.person.reference,
                item.person.full_name,
                item.title,
                item.get_kind_display(),
                item.team.name,
                priority_name(item.priority),
                reasons,
                item.opened_at,
                item.allocated_at,
                item.last_contact_at,
                item.next_contact_due,
                item.due_on,
                work_url(item.pk),
            ]
        )
    return rows
