"""What may cross to another council, and when.

Before an offer is accepted only the shape of the need crosses: the kind of help, how much, when, and free text
checked here for obvious personal details (NHS numbers, National Insurance numbers, dates of birth, full
postcodes). The check is a guard against slips, not a guarantee; the form says what not to write.

After acceptance a disclosure carries the minimum the accepted help needs (DISCLOSURE_FIELDS): for a bed, the
person's name, date of birth and a summary of needs; for home-care hours and assessors, their address as well,
because the work happens there. Out-of-hours cover lends staff to the service, so nothing about a person
crosses for it.
"""

import re
from datetime import date

from safepathways.mutual_aid.models import AidKind

NHS_NUMBER = re.compile(r"(?<![\d-])\d{3}[ -]?\d{3}[ -]?\d{4}(?![\d-])")
NI_NUMBER = re.compile(r"\b[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b", re.IGNORECASE)
FULL_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b", re.IGNORECASE)
BIRTH_WORDS = re.compile(
    r"\b(d\.?o\.?b\.?|date of birth|born( on| in)?|aged? \d{1,3}|\d{1,3}[- ]?(years?|yrs?)[- ]old)\b", re.I
)
NUMERIC_DATE = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})\b")
MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"
WORDED_DATE = re.compile(rf"\b\d{{1,2}}(st|nd|rd|th)? ({MONTHS})[a-z]* (\d{{4}})\b", re.IGNORECASE)
# A date more than this many years back in free text is read as a date of birth.
BIRTH_YEARS_BACK = 16

DISCLOSURE_FIELDS: dict[str, tuple[str, ...]] = {
    AidKind.BEDS: ("full_name", "date_of_birth", "needs_summary"),
    AidKind.HOME_CARE_HOURS: ("full_name", "date_of_birth", "needs_summary", "address"),
    AidKind.ASSESSORS: ("full_name", "date_of_birth", "needs_summary", "address"),
    AidKind.OUT_OF_HOURS_COVER: (),
}
PERSONAL_KEYS = frozenset({"full_name", "date_of_birth", "needs_summary", "address"})

ADVICE = "mutual aid requests and offers must not hold personal details until an offer is accepted"


def _year(text: str) -> int:
    year = int(text)
    return year + 1900 if year < 100 else year  # two-digit years: 12/03/42 is 1942


def personal_details_in(text: str, *, today: date) -> str | None:
    """What kind of personal detail `text` seems to hold, or None."""
    if NHS_NUMBER.search(text):
        return "an NHS number"
    if NI_NUMBER.search(text):
        return "a National Insurance number"
    if FULL_POSTCODE.search(text):
        return "a postcode"
    if BIRTH_WORDS.search(text):
        return "a date of birth or age"
    for match in NUMERIC_DATE.finditer(text):
        if _year(match.group(3)) <= today.year - BIRTH_YEARS_BACK:
            return "a date of birth"
    for match in WORDED_DATE.finditer(text):
        if int(match.group(3)) <= today.year - BIRTH_YEARS_BACK:
            return "a date of birth"
    return None


def check_free_text(text: str, *, today: date) -> str | None:
    """The message to show when free text holds personal details, or None when it looks clear."""
    found = personal_details_in(text, today=today)
    if found is None:
        return None
    return f"Remove {found}: {ADVICE}"


def redact_body(body: dict[str, object]) -> dict[str, object]:
    """A message body without a disclosure's personal details, for the outbox and inbox after delivery."""
    data = body.get("data")
    if not isinstance(data, dict):
        return body
    kept = {key: value for key, value in data.items() if key not in PERSONAL_KEYS}
    removed = sorted(key for key in data if key in PERSONAL_KEYS)
    if removed:
        kept["redacted"] = removed
    return {**body, "data": kept}
