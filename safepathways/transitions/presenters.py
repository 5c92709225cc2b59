"""How transition plans word and colour their facts on screen."""

from datetime import date

from markupsafe import Markup

from safepathways.transitions.models import Agreement, ItemStatus, Plan, PlanStatus

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


TEMPLATE_HELPERS = {
    "plan_status_tag": plan_status_tag,
    "item_status_tag": item_status_tag,
    "agreement_label": agreement_label,
    "days_words": days_words,
}
