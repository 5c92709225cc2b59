"""How DoLS words and colours its facts on screen: priority, status, and the clock against the statutory date."""

from datetime import date

from markupsafe import Markup

from safepathways.core.formatting import format_date
from safepathways.dols.models import DolsRequest, PriorityLevel, RequestStatusName, RequirementOutcome

PRIORITY_CLASSES = {
    PriorityLevel.HIGH: "govuk-tag--red",
    PriorityLevel.MEDIUM: "govuk-tag--orange",
    PriorityLevel.LOW: "govuk-tag--green",
}
STATUS_CLASSES = {
    RequestStatusName.GRANTED: "govuk-tag--green",
    RequestStatusName.REINSTATED: "govuk-tag--green",
    RequestStatusName.SUSPENDED: "govuk-tag--yellow",
    RequestStatusName.NOT_GRANTED: "govuk-tag--grey",
    RequestStatusName.WITHDRAWN: "govuk-tag--grey",
    RequestStatusName.TERMINATED: "govuk-tag--grey",
    RequestStatusName.EXPIRED: "govuk-tag--grey",
}


def _tag(text: str, css: str) -> Markup:
    return Markup('<strong class="govuk-tag {}">{}</strong>').format(css, text)


def priority_tag(priority: str) -> Markup:
    if not priority:
        return _tag("Not screened", "govuk-tag--grey")
    return _tag(PriorityLevel(priority).label, PRIORITY_CLASSES[PriorityLevel(priority)])


def dols_status_tag(status: str) -> Markup:
    return _tag(RequestStatusName(status).label, STATUS_CLASSES.get(RequestStatusName(status), "govuk-tag--blue"))


def due_words(due: date, today: date) -> str:
    """ "Due today", "due in 3 days", "5 days overdue": always calendar days."""
    days = (due - today).days
    if days == 0:
        return "Due today"
    if days > 0:
        return f"Due in {days} day{'s' if days != 1 else ''}"
    return f"{-days} day{'s' if days != -1 else ''} overdue"


def clock_tag(dols_request: DolsRequest, today: date) -> Markup:
    """The assessment clock against the statutory date, red once breached."""
    if not dols_request.is_waiting:
        return Markup("")
    words = f"{due_words(dols_request.assessments_due_on, today)} ({format_date(dols_request.assessments_due_on)})"
    css = "govuk-tag--red" if dols_request.is_breached(today) else "govuk-tag--blue"
    return _tag(words, css)


def outcome_label(outcome: int) -> str:
    return f"{outcome} {RequirementOutcome(outcome).label}"


TEMPLATE_HELPERS = {
    "priority_tag": priority_tag,
    "dols_status_tag": dols_status_tag,
    "clock_tag": clock_tag,
    "due_words": due_words,
    "outcome_label": outcome_label,
}
