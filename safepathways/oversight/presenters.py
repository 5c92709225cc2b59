"""Words and tags for the oversight pages: how old a figure is, CQC ratings, escalation levels."""

from datetime import datetime

from django.utils import timezone
from markupsafe import Markup, escape

from safepathways.providers.codes import CQCRating

RATING_COLOURS: dict[str, str] = {
    CQCRating.OUTSTANDING: "govuk-tag--green",
    CQCRating.GOOD: "govuk-tag--green",
    CQCRating.REQUIRES_IMPROVEMENT: "govuk-tag--yellow",
    CQCRating.INADEQUATE: "govuk-tag--red",
    CQCRating.NOT_RATED: "govuk-tag--grey",
}
# Level order -> tag colour; levels above 5 (a council's own) share the top colour.
LEVEL_COLOURS = {1: "govuk-tag--grey", 2: "govuk-tag--blue", 3: "govuk-tag--yellow", 4: "govuk-tag--orange"}


def ago(moment: datetime | None, now: datetime | None = None) -> str:
    """'today', 'yesterday', '3 days ago', '5 weeks ago' for when a figure was last updated."""
    if moment is None:
        return "never"
    now = now or timezone.now()
    days = (timezone.localtime(now).date() - timezone.localtime(moment).date()).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 28:
        return f"{days} days ago"
    weeks = days // 7
    return f"{weeks} weeks ago"


def is_stale(moment: datetime | None, days: int = 14) -> bool:
    """Older than two weeks: providers update the Capacity Tracker at least monthly (domain-reference.md §6.5)."""
    return moment is None or (timezone.now() - moment).days > days


def rating_tag(code: str) -> Markup:
    label = CQCRating(code).label if code in CQCRating.values else code
    return Markup('<strong class="govuk-tag {}">{}</strong>').format(RATING_COLOURS.get(code, ""), escape(label))


def level_tag(order: int, name: str) -> Markup:
    colour = LEVEL_COLOURS.get(order, "govuk-tag--red")
    return Markup('<strong class="govuk-tag {}">{}</strong>').format(colour, escape(name))


TEMPLATE_HELPERS = {"ago": ago, "is_stale": is_stale, "rating_tag": rating_tag, "level_tag": level_tag}
