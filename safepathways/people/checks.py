"""System checks for the people app's local settings."""

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from safepathways.people.presenters import TAG_COLOURS

RISK_BANDS_HINT = (
    'Set SAFEPATHWAYS["RISK_BANDS"] (or SAFEPATHWAYS_RISK_BANDS) to bands of (lowest score, label, colour), e.g. '
    '[(15, "High", "red"), (5, "Medium", "orange"), (1, "Low", "green")]: whole-number scores from 1 to 25, each '
    f"once, one band from 1, and colours from: {', '.join(sorted(TAG_COLOURS))}."
)


def risk_band_problems(bands: Any) -> Iterator[str]:
    """What is wrong with a RISK_BANDS setting, if anything (people.presenters.risk_band reads it)."""
    if not isinstance(bands, list | tuple) or not bands:
        yield f"must be a non-empty list of bands, not {bands!r}"
        return
    lowest_scores = []
    for band in bands:
        if not isinstance(band, list | tuple) or len(band) != 3:
            yield f"has {band!r}, which is not a band of three: (lowest score, label, colour)"
            continue
        lowest, label, colour = band
        if isinstance(lowest, bool) or not isinstance(lowest, int) or not 1 <= lowest <= 25:
            yield f"has the band {band!r}, whose lowest score is not a whole number from 1 to 25"
        else:
            lowest_scores.append(lowest)
        if not isinstance(label, str) or not label.strip():
            yield f"has the band {band!r}, which has no label"
        if colour not in TAG_COLOURS:
            yield f"has the band {band!r}, whose colour is not one of GOV.UK Frontend's tag colours"
    if len(set(lowest_scores)) != len(lowest_scores):
        yield "has two bands starting at the same score"
    if lowest_scores and 1 not in lowest_scores:
        yield "has no band starting at 1, so the lowest scores would have no band"


@register()
def risk_bands(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """The risk register's bands must cover every score and be shown in a colour the tag has."""
    bands = getattr(settings, "SAFEPATHWAYS", {}).get("RISK_BANDS")
    return [
        Error(f'SAFEPATHWAYS["RISK_BANDS"] {problem}.', hint=RISK_BANDS_HINT, id="people.E001")
        for problem in risk_band_problems(bands)
    ]
