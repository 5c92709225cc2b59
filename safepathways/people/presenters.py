"""How risk ratings and the chronology are worded and coloured on screen."""

from django.utils.http import url_has_allowed_host_and_scheme
from markupsafe import Markup, escape

# A 5×5 likelihood × impact matrix: 1–4 low, 5–12 medium, 15–25 high (local risk policy).
RISK_BANDS = ((15, "High", "govuk-tag--red"), (5, "Medium", "govuk-tag--orange"), (1, "Low", "govuk-tag--green"))


def risk_band(score: int) -> tuple[str, str]:
    for threshold, label, css in RISK_BANDS:
        if score >= threshold:
            return label, css
    return "Low", "govuk-tag--green"


def risk_rating(score: int) -> Markup:
    label, css = risk_band(score)
    return Markup('<strong class="govuk-tag {}">{} ({})</strong>').format(css, escape(label), score)


# What each chronology category is called on screen. The codes are the `category` each app passes to
# people.services.add_to_chronology (front_door is referrals.services.CHRONOLOGY_CATEGORY, and so on).
CHRONOLOGY_CATEGORY_LABELS = {
    "alerts": "Alerts",
    "continuity": "Continuity of care",
    "discharge": "Hospital discharge",
    "dols": "DoLS",
    "front_door": "Front door",
    "people": "Personal details and network",
    "risks": "Risks",
    "safeguarding": "Safeguarding",
    "services": "Services",
    "sharing": "Sharing",
    "transition": "Transitions",
    "work": "Work",
    "young_people": "Young people",
}


def chronology_category_label(code: str) -> str:
    """The label for a chronology category; a code not in the map (a new app's) is written out readably."""
    return CHRONOLOGY_CATEGORY_LABELS.get(code) or code.replace("_", " ").capitalize()


def chronology_link(link: str) -> str:
    """The entry's link if it points within this service, else "" (a chronology entry never links elsewhere)."""
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return link
    return ""
