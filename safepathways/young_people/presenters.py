"""How young people's milestones and alarms are worded and coloured on screen (GOV.UK tags)."""

from datetime import date

from markupsafe import Markup

from safepathways.core.formatting import format_date
from safepathways.young_people.milestones import Alarm, AlarmLevel, MilestoneStatus, State

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


TEMPLATE_HELPERS = {"milestone_tag": milestone_tag, "alarm_tag": alarm_tag, "due_words": due_words}
