"""How risk ratings are worded and coloured on screen."""

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
