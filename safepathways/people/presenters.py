"""How risk ratings, the chronology and search results are worded and coloured on screen."""

from collections.abc import Iterable
from typing import Any, Protocol

from django.conf import settings
from django.utils.http import url_has_allowed_host_and_scheme
from markupsafe import Markup, escape

from safepathways.core.formatting import format_date, format_datetime
from safepathways.core.rows import esc, rows_markup, url_of

# The colours of GOV.UK Frontend's tag (blue is the tag's own colour), which a risk band may take (people.checks).
TAG_COLOURS = frozenset({"grey", "green", "teal", "blue", "purple", "magenta", "red", "orange", "yellow"})


def risk_bands() -> list[tuple[int, str, str]]:
    """The bands of a 5×5 likelihood × impact score, highest first, as (lowest score, label, tag colour): local risk
    policy, from settings SAFEPATHWAYS["RISK_BANDS"] (default 1–4 low, 5–12 medium, 15–25 high; people.checks)."""
    return sorted(settings.SAFEPATHWAYS["RISK_BANDS"], key=lambda band: int(band[0]), reverse=True)


def risk_band(score: int) -> tuple[str, str]:
    """The label and tag class of a risk score's band: the highest band whose lowest score it reaches."""
    bands = risk_bands()
    _, label, colour = next((band for band in bands if score >= band[0]), bands[-1])
    return label, f"govuk-tag--{colour}"


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


# One chronology entry (people/person_detail.html), the MoJ timeline's item. Every value is escaped (core.rows.esc) on
# the way in.
_TIMELINE_ITEM = (
    '<div class="moj-timeline__item">'
    '<div class="moj-timeline__header"><h3 class="moj-timeline__title">{summary}</h3>'
    '<p class="moj-timeline__byline">by {by}</p></div>'
    '<p class="moj-timeline__date"><time datetime="{iso}">{when}</time> · '
    '<span class="govuk-tag govuk-tag--grey">{category}</span></p>'
    "{detail}</div>\n"
)


def chronology_items(entries: Iterable[Any]) -> Markup:
    """The person page's chronology (people.models.ChronologyEntry), newest first as given, written in one pass
    (ADR-019): up to 50 entries, each of which cost more in template expressions than its share of the page's SQL."""
    lines = []
    for entry in entries:
        summary = esc(entry.summary)
        link = chronology_link(entry.link)
        lines.append(
            _TIMELINE_ITEM.format(
                summary=f'<a class="govuk-link" href="{esc(link)}">{summary}</a>' if link else summary,
                by=esc(entry.recorded_by_label),
                iso=entry.occurred_at.isoformat(),
                when=format_datetime(entry.occurred_at),
                category=esc(chronology_category_label(entry.category)),
                detail=f'<div class="moj-timeline__description">{esc(entry.detail)}</div>' if entry.detail else "",
            )
        )
    return rows_markup(lines)


class _Result(Protocol):
    """A search result (people.selectors.SearchResult) as the rows read it."""

    @property
    def person(self) -> Any: ...

    @property
    def reasons(self) -> tuple[str, ...]: ...


# One search result (people/_search_results.html): identity only, the address hidden for a restricted record. Every
# value is escaped (core.rows.esc) on the way in.
_RESULT_ROW = (
    '<tr class="govuk-table__row">'
    '<td class="govuk-table__cell"><a class="govuk-link" href="{href}">{family}, {given}</a>{preferred}<br>'
    '<span class="govuk-hint govuk-!-margin-0">{reference}</span></td>'
    '<td class="govuk-table__cell">{born}</td>'
    '<td class="govuk-table__cell">{address}</td>'
    '<td class="govuk-table__cell">{reasons}</td>'
    "</tr>\n"
)
_RESTRICTED = '<strong class="govuk-tag govuk-tag--red">Restricted record</strong>'


def search_rows(results: Iterable[_Result]) -> Markup:
    """The search results table's rows, written in one pass (ADR-019): up to 50 rows, each of which cost more in
    template expressions than the search's own SQL."""
    href = url_of("people:detail")
    lines = []
    for result in results:
        p = result.person
        if p.is_restricted:
            address = _RESTRICTED
        else:
            address = esc(p.address_line_1)
            if p.postcode:
                address += f", {esc(p.postcode.split(' ')[0])}"
        lines.append(
            _RESULT_ROW.format(
                href=href(p.pk),
                family=esc(p.family_name.upper()),
                given=esc(p.given_name),
                preferred=f" ({esc(p.preferred_name)})" if p.preferred_name else "",
                reference=esc(p.reference),
                born=format_date(p.date_of_birth),
                address=address,
                reasons=esc(", ".join(result.reasons)),
            )
        )
    return rows_markup(lines)
