"""How transition plans word and colour their facts on screen."""

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

from markupsafe import Markup

from safepathways.core.formatting import format_date
from safepathways.core.rows import esc, rows_markup, url_of
from safepathways.transitions.models import Agreement, Arrangement, ItemStatus, Plan, PlanStatus

STATUS_CLASSES = {
    PlanStatus.PLANNING: "govuk-tag--blue",
    PlanStatus.READY: "govuk-tag--green",
    PlanStatus.MOVED: "govuk-tag--yellow",
    PlanStatus.CHECKED: "govuk-tag--grey",
    PlanStatus.CANCELLED: "govuk-tag--grey",
}
ITEM_CLASSES = {
    ItemStatus.OPEN: "govuk-tag--yellow",
    ItemStatus.DONE: "govuk-tag--green",
    ItemStatus.NOT_NEEDED: "govuk-tag--grey",
}


def _tag(text: str, css: str) -> Markup:
    return Markup('<strong class="govuk-tag {}">{}</strong>').format(css, text)


def plan_status_tag(plan: Plan, today: date) -> Markup:
    if plan.is_overdue(today):
        return _tag("Past the move date", "govuk-tag--red")
    return _tag(PlanStatus(plan.status).label, STATUS_CLASSES[PlanStatus(plan.status)])


def item_status_tag(status: str) -> Markup:
    return _tag(ItemStatus(status).label, ITEM_CLASSES[ItemStatus(status)])


def agreement_label(value: str) -> str:
    return Agreement(value).label if value in Agreement.values else value


def days_words(day: date, today: date) -> str:
    days = (day - today).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days == -1:
        return "yesterday"
    return f"in {days} days" if days > 0 else f"{-days} days ago"


# Words that may start a risk written as a sentence ("The carer cannot come") and read in lower case after "If".
# Only words that are never names are lowered: anything else keeps its capital ("GP", "I", "Edith"), since a stray
# capital reads better than a person's name in lower case.
_LOWER_AFTER_IF = frozenset(
    "a an the this that these those there her his their its my our your he she they it we you no nobody none "  # noqa: SIM905
    "someone somebody something anyone anybody anything nothing one some any all both either neither each every "
    "another other others more most few many much".split()
)


def risk_condition(risk: str) -> str:
    """A risk as the condition after "If" in the family's copy: "If {condition}: {contingency}".

    A risk already written as "If ..." loses its "If" (never "If if"); otherwise only the first letter changes,
    and only when the first word is one that is never a name."""
    text = risk.strip().rstrip(".").strip()
    first, _, rest = text.partition(" ")
    if first.lower() in ("if", "if,") and rest.strip():
        text = rest.strip()
        first, _, rest = text.partition(" ")
    if first.lower() in _LOWER_AFTER_IF and first[:1].isupper():
        return first[:1].lower() + text[1:]
    return text


def hours_in_words(hours: int) -> str:
    """A number of hours as a family reads it: whole days as days ("3 days", for the default 72), else hours."""
    if hours > 0 and hours % 24 == 0:
        days = hours // 24
        return "a day" if days == 1 else f"{days} days"
    return "an hour" if hours == 1 else f"{hours} hours"


# One open gap on the continuity view; every value is escaped (core.rows.esc) on the way in.
_GAP_ROW = (
    '<tr class="govuk-table__row" id="gap-{id}">'
    '<td class="govuk-table__cell"><a class="govuk-link" href="{person_href}">{name}</a><br>'
    '<span class="govuk-hint">{reference}</span></td>'
    '<td class="govuk-table__cell"><strong>{label}</strong><br>{detail}</td>'
    '<td class="govuk-table__cell">{since}</td>'
    '<td class="govuk-table__cell">{team}</td>'
    "{explain}</tr>\n"
)
_NO_ACTION = '<td class="govuk-table__cell"></td>'
_EXPLAIN = (
    '<td class="govuk-table__cell"><a class="govuk-link" href="{href}">Explain'
    '<span class="govuk-visually-hidden"> the gap for {name}</span></a></td>'
)


def gap_rows(
    rows: Iterable[Mapping[str, Any]], labels: Mapping[str, str], *, may_explain: Callable[[Any], bool] | None
) -> Markup:
    """The continuity view's table rows (transitions/continuity.html), from transitions.selectors.gap_page.

    `may_explain(team_id)` says whether the user may close a gap of that team (None: no Action column at all); a
    row they may not close keeps an empty cell, so the columns stay aligned."""
    lines = []
    person_href, explain_href = url_of("people:detail"), url_of("transitions:explain_gap")
    for gap in rows:
        name = esc(f"{gap['given_name']} {gap['family_name']}")
        if may_explain is None:
            explain = ""
        elif may_explain(gap["team_id"]):
            explain = _EXPLAIN.format(href=explain_href(gap["id"]), name=name)
        else:
            explain = _NO_ACTION
        lines.append(
            _GAP_ROW.format(
                id=gap["id"],
                person_href=person_href(gap["person_id"]),
                name=name,
                reference=esc(gap["reference"]),
                label=esc(labels.get(gap["rule"], gap["rule"])),
                detail=esc(gap["detail"]),
                since=format_date(gap["since"]),
                team=esc(gap["team_name"] or "No team"),
                explain=explain,
            )
        )
    return rows_markup(lines)


def after_move_words(items: Iterable[Arrangement], today: date) -> str:
    """The essential arrangements done after the move, with when each is due: "Day team handed over (due today)"."""
    return ", ".join(
        f"{item.label} (due {days_words(item.due_on, today)})" if item.due_on is not None else item.label
        for item in items
    )


TEMPLATE_HELPERS = {
    "after_move_words": after_move_words,
    "plan_status_tag": plan_status_tag,
    "item_status_tag": item_status_tag,
    "agreement_label": agreement_label,
    "days_words": days_words,
    "gap_rows": gap_rows,
    "risk_condition": risk_condition,
}
