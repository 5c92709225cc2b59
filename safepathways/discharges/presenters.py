"""How hospital discharge words and colours its facts on screen: status, pathway, days since ready, support start."""

import functools
from datetime import date

from markupsafe import Markup

from safepathways.core.formatting import format_date
from safepathways.core.rows import esc, rows_markup, url_of
from safepathways.discharges.models import (
    Pathway,
    Referral,
    ReferralStatusName,
)
from safepathways.discharges.selectors import Board
from safepathways.discharges.wording import owner_text, support_text

STATUS_CLASSES = {
    ReferralStatusName.RECEIVED: "govuk-tag--blue",
    ReferralStatusName.ASSESSING: "govuk-tag--light-blue",
    ReferralStatusName.READY: "govuk-tag--green",
    ReferralStatusName.DISCHARGED: "govuk-tag--grey",
    ReferralStatusName.WITHDRAWN: "govuk-tag--grey",
    ReferralStatusName.DIED: "govuk-tag--grey",
}
# Days since discharge-ready at which the board turns orange and red: the sitrep reports delays of 7+ and 21+
# days weekly (Health Foundation, March 2024; domain-reference §3.3).
LONG_DELAY_DAYS = 7
VERY_LONG_DELAY_DAYS = 21


def _tag(text: str, css: str) -> Markup:
    return Markup('<strong class="govuk-tag {}">{}</strong>').format(css, text)


# Worked out once: the board shows a tag on every row.
_STATUS_TAGS = {status: _tag(status.label, css) for status, css in STATUS_CLASSES.items()}


def discharge_status_tag(status: str) -> Markup:
    return _STATUS_TAGS[ReferralStatusName(status)]


def pathway_label(pathway: int | None) -> str:
    return Pathway(pathway).label if pathway is not None else "Not agreed"


def pathway_short(pathway: int | None) -> str:
    return f"Pathway {pathway}" if pathway is not None else "Not known"


def days_words(days: int | None) -> str:
    if days is None:
        return "Not ready yet"
    if days == 0:
        return "Ready today"
    return f"{days} day{'s' if days != 1 else ''}"


@functools.lru_cache(maxsize=1024)
def days_tag(days: int | None) -> Markup:
    """Days since discharge-ready, orange from 7 and red from 21 (the sitrep's long-delay bands)."""
    if days is None:
        return Markup("Not ready yet")
    css = (
        "govuk-tag--red"
        if days >= VERY_LONG_DELAY_DAYS
        else "govuk-tag--orange"
        if days >= LONG_DELAY_DAYS
        else "govuk-tag--grey"
    )
    return _tag(days_words(days), css)


def support_words(referral: Referral) -> str:
    """ "Reablement at home from 3 May 2025 at 08:30 (Camden reablement)", or "Not arranged"."""
    return support_text(
        referral.support_kind, referral.support_start_on, referral.support_start_time, referral.support_provider
    )


def support_status(referral: Referral, today: date) -> str:
    if referral.support_start_on is None:
        return ""
    if referral.support_started_at is not None:
        return "Started"
    if referral.support_not_started_at is not None:
        return "Did not start"
    if referral.support_start_on < today:
        return "Not confirmed"
    return "Due"


def owner_words(referral: Referral) -> str:
    organisation = referral.next_action_owner_organisation
    return owner_text(referral.next_action_owner_name, organisation.name if organisation else None)


def days_value(value: float | None) -> str:
    """A median or percentile in days, to one decimal place when not whole."""
    if value is None:
        return "No discharges"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def share_value(value: float | None) -> str:
    return "No discharges" if value is None else f"{value:.0f}%"


@functools.lru_cache(maxsize=64)
def essentials_tag(count: int) -> str:
    """The board's mark on a referral whose transition plan still has essential arrangements open."""
    if not count:
        return ""
    plural = "s" if count != 1 else ""
    return str(Markup("<br>") + _tag(f"{count} essential arrangement{plural} open", "govuk-tag--red"))


# One line of the discharge board. The board lists up to 500 people, so its rows are written here in one pass
# rather than through a template expression per cell; every value is escaped (core.rows.esc) on the way in.
_PROPOSED = '<br><span class="govuk-hint govuk-!-margin-0">proposed</span>'


def board_rows(board: Board) -> Markup:
    """The board's table rows, escaped, in order (discharges/board.html), written from the values as read
    (discharges.selectors.BOARD_COLUMNS): the same facts as BoardRow, without building one per row."""
    lines = []
    href = url_of("discharges:referral")
    status_tags = {str(status): str(tag) for status, tag in _STATUS_TAGS.items()}
    today = board.today
    essentials = board.open_essentials
    for values in board.values:
        (pk, reference, status, _person, given, family, _nhs, hospital, ward, admitted_on, ready_on) = values[:11]
        (pathway, agreed, action, owner_name, owner_org, due, delay, kind, start_on, start_time) = values[11:21]
        days = None if ready_on is None else max((today - ready_on).days, 0)
        next_action = (
            f'{esc(action)}<br><span class="govuk-hint govuk-!-margin-0">'
            f"{esc(owner_text(owner_name, owner_org))}, by {format_date(due)}</span>"
            if action
            else "None recorded"
        )
        lines.append(
            '<tr class="govuk-table__row">'
            f'<td class="govuk-table__cell"><a class="govuk-link" href="{href(pk)}">{esc(f"{given} {family}")}</a><br>'
            f'<span class="govuk-hint govuk-!-margin-0">{esc(reference)}</span><br>{status_tags[status]}'
            f"{essentials_tag(essentials.get(pk, 0))}</td>"
            f'<td class="govuk-table__cell">{esc(hospital)}<br><span class="govuk-hint govuk-!-margin-0">'
            f"{esc(ward)}; admitted {format_date(admitted_on)}</span></td>"
            f'<td class="govuk-table__cell">{format_date(ready_on, "Not yet")}<br>{days_tag(days)}</td>'
            f'<td class="govuk-table__cell">Pathway {pathway}{"" if agreed is not None else _PROPOSED}</td>'
            f'<td class="govuk-table__cell">{next_action}</td>'
            f'<td class="govuk-table__cell">{esc(delay or "None")}</td>'
            f'<td class="govuk-table__cell">{esc(support_text(kind, start_on, start_time, values[21]))}</td>'
            "</tr>\n"
        )
    return rows_markup(lines)


TEMPLATE_HELPERS = {
    "discharge_status_tag": discharge_status_tag,
    "board_rows": board_rows,
    "pathway_label": pathway_label,
    "pathway_short": pathway_short,
    "days_words": days_words,
    "days_tag": days_tag,
    "support_words": support_words,
    "support_status": support_status,
    "owner_words": owner_words,
    "days_value": days_value,
    "share_value": share_value,
    "format_date": format_date,
}
