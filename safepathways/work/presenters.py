"""How the waiting list writes its rows: in one Python pass, every value escaped (ADR-019)."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.utils import timezone
from markupsafe import Markup

from safepathways.core.formatting import format_date
from safepathways.core.rows import esc, rows_markup, url_of
from safepathways.work.models import Priority, WorkKind

# The same tag as work/_priority.html draws.
_PRIORITY = {
    Priority.RED: '<strong class="govuk-tag govuk-tag--red">Red</strong>',
    Priority.AMBER: '<strong class="govuk-tag govuk-tag--orange">Amber</strong>',
    Priority.GREEN: '<strong class="govuk-tag govuk-tag--green">Green</strong>',
}
_KINDS = {str(value): esc(label) for value, label in WorkKind.choices}
_OVERDUE = ' <strong class="govuk-tag govuk-tag--red">Overdue</strong>'
_BREACH = ' <strong class="govuk-tag govuk-tag--red">Breach</strong>'
_ROW = (
    '<tr class="govuk-table__row">'
    '<td class="govuk-table__cell"><a class="govuk-link" href="{href}">{name}</a><br>'
    '<span class="govuk-hint govuk-!-margin-0">{neighbourhood}</span></td>'
    '<td class="govuk-table__cell">{kind}<br><span class="govuk-hint govuk-!-margin-0">{team}</span></td>'
    '<td class="govuk-table__cell">{priority}</td>'
    '<td class="govuk-table__cell govuk-table__cell--numeric">{days}</td>'
    '<td class="govuk-table__cell">{contact}{overdue}</td>'
    '<td class="govuk-table__cell">{allocate}{breach}</td>'
    "</tr>\n"
)


def waiting_rows(rows: Iterable[tuple[Any, ...]], today: date) -> Markup:
    """The waiting list's table rows (work/waiting_list.html), from work.selectors.waiting_page."""
    lines = []
    href = url_of("work:detail")
    for pk, given, family, neighbourhood, kind, team, priority, opened_at, contact_due, allocate_by in rows:
        lines.append(
            _ROW.format(
                href=href(pk),
                name=esc(f"{given} {family}"),
                neighbourhood=esc(neighbourhood) if neighbourhood else "No neighbourhood",
                kind=_KINDS.get(kind) or esc(kind),
                team=esc(team),
                priority=_PRIORITY[priority],
                days=(today - timezone.localdate(opened_at)).days,
                contact=format_date(contact_due, "None set"),
                overdue=_OVERDUE if contact_due and contact_due < today else "",
                allocate=format_date(allocate_by, "None set"),
                breach=_BREACH if allocate_by and allocate_by < today else "",
            )
        )
    return rows_markup(lines)
