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


def waiting_rows(rows: Iterable[tuple[Any, ...]], today: date) -> Markup:
    """The waiting list's table rows (work/waiting_list.html), from work.selectors.waiting_page."""
    lines = []
    href = url_of("work:detail")
    here = timezone.get_current_timezone()  # once for the list, not once per row (timezone.localdate)
    for pk, given, family, neighbourhood, kind, team, priority, opened_at, contact_due, allocate_by in rows:
        lines.append(
            '<tr class="govuk-table__row">'
            f'<td class="govuk-table__cell"><a class="govuk-link" href="{href(pk)}">{esc(f"{given} {family}")}</a><br>'
            f'<span class="govuk-hint govuk-!-margin-0">{esc(neighbourhood) if neighbourhood else "No neighbourhood"}'
            "</span></td>"
            f'<td class="govuk-table__cell">{_KINDS.get(kind) or esc(kind)}<br>'
            f'<span class="govuk-hint govuk-!-margin-0">{esc(team)}</span></td>'
            f'<td class="govuk-table__cell">{_PRIORITY[priority]}</td>'
            '<td class="govuk-table__cell govuk-table__cell--numeric">'
            f"{(today - opened_at.astimezone(here).date()).days}</td>"
            f'<td class="govuk-table__cell">{format_date(contact_due, "None set")}'
            f"{_OVERDUE if contact_due and contact_due < today else ''}</td>"
            f'<td class="govuk-table__cell">{format_date(allocate_by, "None set")}'
            f"{_BREACH if allocate_by and allocate_by < today else ''}</td>"
            "</tr>\n"
        )
    return rows_markup(lines)
