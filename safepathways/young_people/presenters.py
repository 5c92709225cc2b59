"""How young people's milestones and alarms are worded and coloured on screen (GOV.UK tags)."""

from collections.abc import Iterable
from datetime import date

from markupsafe import Markup

from safepathways.core.formatting import format_date
from safepathways.core.rows import esc, rows_markup, url_of
from safepathways.young_people.milestones import Alarm, AlarmLevel, MilestoneStatus, State
from safepathways.young_people.selectors import Assessed

STATE_TAGS = {
    State.DONE: ("Done", "govuk-tag--green"),
    State.NOT_NEEDED: ("Not needed", "govuk-tag--grey"),
    State.MISSED: ("Missed", "govuk-tag--red"),
    State.DUE: ("Due now", "govuk-tag--yellow"),
    State.UPCOMING: ("Not due yet", "govuk-tag--blue"),
}
ALARM_CLASSES = {AlarmLevel.RED: "govuk-tag--red", AlarmLevel.AMBER: "govuk-tag--orange"}


def _tag(text: str, css: str) -> Markup:
    return Markup('<strong class="govuk-tag {}">{}</strong>').format(css, text)


def milestone_tag(status: MilestoneStatus) -> Markup:
    text, css = STATE_TAGS[status.state]
    return _tag(text, css)


def alarm_tag(alarm: Alarm) -> Markup:
    return _tag(alarm.text, ALARM_CLASSES[alarm.level])


def due_words(due: date, today: date) -> str:
    """ "Due today", "due in 3 days", "5 days overdue", with the date."""
    days = (due - today).days
    if days == 0:
        words = "due today"
    elif days > 0:
        words = f"in {days} day{'s' if days != 1 else ''}"
    else:
        words = f"{-days} day{'s' if days != -1 else ''} overdue"
    return f"{format_date(due)} ({words})"


# One young person on the tracker (50 a page), written in one pass with every value escaped (ADR-019).
_ROW = (
    '<tr class="govuk-table__row">'
    '<td class="govuk-table__cell"><a class="govuk-link" href="{href}">{name}</a>{care_leaver}</td>'
    '<td class="govuk-table__cell govuk-table__cell--numeric">{age}</td>'
    '<td class="govuk-table__cell">{next}</td>'
    '<td class="govuk-table__cell">{alarms}</td>'
    '<td class="govuk-table__cell">{worker}</td>'
    "</tr>\n"
)
_CARE_LEAVER = '<br><span class="govuk-hint govuk-!-margin-0">Care leaver</span>'
_NEXT = '{label}<br><span class="govuk-hint govuk-!-margin-0">{due}</span>'
_ALARM = '<strong class="govuk-tag {css}">{text}</strong> '


def tracker_rows(rows: Iterable[Assessed], today: date) -> Markup:
    """The tracker's table rows (young_people/tracker.html), from young_people.selectors.tracker."""
    lines = []
    href = url_of("young_people:detail")
    for row in rows:
        young_person = row.young_person
        person = young_person.person
        worker = young_person.transitions_worker
        lines.append(
            _ROW.format(
                href=href(young_person.pk),
                name=esc(f"{person.given_name} {person.family_name}"),
                care_leaver=_CARE_LEAVER if young_person.is_care_leaver else "",
                age=row.age,
                next=_NEXT.format(label=esc(row.next.label), due=esc(due_words(row.next.due_on, today)))
                if row.next
                else "None",
                alarms="".join(_ALARM.format(css=ALARM_CLASSES[a.level], text=esc(a.text)) for a in row.alarms)
                or "None",
                worker=esc(worker.full_name) if worker else "Not allocated",
            )
        )
    return rows_markup(lines)


TEMPLATE_HELPERS = {
    "milestone_tag": milestone_tag,
    "alarm_tag": alarm_tag,
    "due_words": due_words,
    "tracker_rows": tracker_rows,
}
