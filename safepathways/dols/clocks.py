"""The statutory clocks of DoLS and community deprivation of liberty, each rule in one place with its source.

Every clock counts calendar days, not working days: none of the sources below says otherwise.
Dates are local dates (Europe/London); a time received is turned into its local date first
(`local_date`), so a request that arrives at 00:30 BST counts from that day, not the day before in UTC.
Day counting: "within N days of D" is D + N days (D is day 0), as in the ADASS forms.
"""

from datetime import date, datetime, timedelta

from django.utils import timezone

# SI 2008/1858 reg 13(1): standard — all assessments within 21 days of the supervisory body receiving the request.
STANDARD_ASSESSMENT_DAYS = 21
# MCA 2005 Sch A1 paras 76-78 (78(2)): an urgent authorisation lasts no more than 7 days.
URGENT_MAX_DAYS = 7
# MCA 2005 Sch A1 paras 84-86: the supervisory body may extend it once, by up to 7 days.
URGENT_EXTENSION_MAX_DAYS = 7
# MCA 2005 Sch A1 para 51 (assessor's recommendation; DHSC/CQC): a standard authorisation lasts at most 12 months.
AUTHORISATION_MAX_MONTHS = 12
# MCA 2005 Sch A1 Part 6 (ADASS Form 7; Rotherham guidance, a secondary source): suspension for up to
# 28 days, after which the authorisation must be terminated.
SUSPENSION_MAX_DAYS = 28
# B&NES DoLS portal (secondary source): a further request may be made up to 28 days before expiry.
# UNCONFIRMED as statute: local practice, so the window is DolsSettings.renewal_window_days (default 28).
DEFAULT_RENEWAL_WINDOW_DAYS = 28
# COPDOL10/11 (PD 11A): a Court of Protection order is reviewed "at least annually".
COURT_REVIEW_MAX_MONTHS = 12


def local_date(moment: datetime | date) -> date:
    """The Europe/London date of a moment; a date is returned unchanged."""
    if isinstance(moment, datetime):
        return timezone.localdate(moment)
    return moment


def add_years(day: date, years: int) -> date:
    """The same date `years` later; 29 February becomes 1 March in a year that has none (as core.clocks.age_on)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def standard_assessments_due(received_on: date) -> date:
    """SI 2008/1858 reg 13(1): the day by which every assessment of a standard request is due."""
    return received_on + timedelta(days=STANDARD_ASSESSMENT_DAYS)


def urgent_expires(starts_on: date, period_days: int = URGENT_MAX_DAYS, extension_days: int = 0) -> date:
    """Sch A1 paras 78(2), 84-86: the last day of an urgent authorisation, with any extension."""
    if not 1 <= period_days <= URGENT_MAX_DAYS:
        raise ValueError("an urgent authorisation lasts from 1 to 7 days")
    if not 0 <= extension_days <= URGENT_EXTENSION_MAX_DAYS:
        raise ValueError("an extension is from 1 to 7 days")
    return starts_on + timedelta(days=period_days + extension_days)


def assessments_due(received_on: date, urgent_expires_on: date | None) -> date:
    """The assessment deadline: 21 days, or sooner while an urgent authorisation runs out first.

    Assessments are completed within the life of the urgent authorisation (Age UK Factsheet 62;
    UNCONFIRMED exact reference, SI 2008/1858 reg 13(2)).
    """
    standard = standard_assessments_due(received_on)
    return min(standard, urgent_expires_on) if urgent_expires_on else standard


def authorisation_latest_end(starts_on: date) -> date:
    """The last day a standard authorisation may run: 12 months less a day (29 Feb 2024 → 28 Feb 2025)."""
    return add_years(starts_on, AUTHORISATION_MAX_MONTHS // 12) - timedelta(days=1)


def renewal_opens(expires_on: date, window_days: int = DEFAULT_RENEWAL_WINDOW_DAYS) -> date:
    """The first day a further request may be made (local window, default 28 days before expiry)."""
    return expires_on - timedelta(days=window_days)


def suspension_ends(suspended_on: date) -> date:
    """The last day of a suspension: terminate the authorisation if it has not been reinstated by then."""
    return suspended_on + timedelta(days=SUSPENSION_MAX_DAYS)


def court_review_due(order_made_on: date, months: int = COURT_REVIEW_MAX_MONTHS) -> date:
    """COPDOL11: the order is reviewed at least annually; a shorter period may be asked for."""
    if not 1 <= months <= COURT_REVIEW_MAX_MONTHS:
        raise ValueError("a review is due within 1 to 12 months")
    year, month = divmod(order_made_on.month - 1 + months, 12)
    target_year, target_month = order_made_on.year + year, month + 1
    day = order_made_on.day
    while True:
        try:
            return date(target_year, target_month, day)
        except ValueError:
            day -= 1  # 31 January + 1 month → 28 or 29 February: reviewed early, never late
