"""How safeguarding words and colours its facts on screen: status, the decision clock, yes and no."""

from datetime import date, datetime

from django.utils import timezone
from markupsafe import Markup

from safepathways.core.clocks import working_days_between
from safepathways.core.formatting import format_date
from safepathways.safeguarding.models import Concern, ConcernShare, ConcernStatusName

STATUS_CLASSES = {
    ConcernStatusName.RECEIVED: "govuk-tag--blue",
    ConcernStatusName.DECIDED: "govuk-tag--turquoise",
    ConcernStatusName.ENQUIRY_OPEN: "govuk-tag--orange",
    ConcernStatusName.ENQUIRY_CONCLUDED: "govuk-tag--green",
    ConcernStatusName.CLOSED: "govuk-tag--grey",
}


def _tag(text: str, css: str) -> Markup:
    return Markup('<strong class="govuk-tag {}">{}</strong>').format(css, text)


def status_tag(status: str) -> Markup:
    name = ConcernStatusName(status)
    return _tag(name.label, STATUS_CLASSES[name])


def waiting_for(concern: Concern, today: date | None = None) -> str:
    """How long the concern has waited for its decision, in working days."""
    today = today or timezone.localdate()
    days = working_days_between(timezone.localdate(concern.received_at), today)
    return "Received today" if days == 0 else f"{days} working day{'s' if days != 1 else ''}"


def decision_due(concern: Concern, today: date | None = None) -> Markup:
    """The due date, with an overdue or due-today tag while the decision is awaited."""
    today = today or timezone.localdate()
    text = format_date(concern.decision_due_on)
    if concern.status != ConcernStatusName.RECEIVED:
        return Markup("{}").format(text)
    if concern.decision_due_on < today:
        return Markup("{} {}").format(text, _tag("Overdue", "govuk-tag--red"))
    if concern.decision_due_on == today:
        return Markup("{} {}").format(text, _tag("Due today", "govuk-tag--yellow"))
    return Markup("{}").format(text)


def yes_no(value: bool | None) -> str:
    return "Not known" if value is None else ("Yes" if value else "No")


def share_status_tag(share: ConcernShare, now: datetime) -> Markup:
    """Current, ended (past its end date) or revoked."""
    if share.revoked_at is not None:
        return _tag("Revoked", "govuk-tag--red")
    if not share.is_current(now):
        return _tag("Ended", "govuk-tag--grey")
    return _tag("Current", "govuk-tag--green")


TEMPLATE_HELPERS = {
    "status_tag": status_tag,
    "waiting_for": waiting_for,
    "decision_due": decision_due,
    "yes_no": yes_no,
    "share_status_tag": share_status_tag,
}
