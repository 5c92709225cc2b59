"""How dates, ages and identifiers are written on screen (GOV.UK style: 4 June 2026)."""

import functools
from datetime import date, datetime

from django.utils import timezone

from safepathways.core.clocks import age_on


def format_date(value: date | datetime | None, empty: str = "Not known") -> str:
    if value is None:
        return empty
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return _day(value)


@functools.lru_cache(maxsize=4096)
def _day(value: date) -> str:
    """4 June 2026: remembered, as long lists show the same few hundred days again and again."""
    return f"{value.day} {value:%B %Y}"


def format_datetime(value: datetime | None, empty: str = "Not known") -> str:
    if value is None:
        return empty
    local = timezone.localtime(value)
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{local.day} {local:%B %Y} at {hour}:{local:%M}{suffix}"


def age(date_of_birth: date | None, on: date | None = None) -> str:
    if date_of_birth is None:
        return "Age not known"
    return str(age_on(date_of_birth, on or timezone.localdate()))


def format_nhs_number(value: str | None) -> str:
    """NHS numbers are shown in 3-3-4 groups (NHS Digital display standard)."""
    if not value:
        return "Not known"
    return f"{value[:3]} {value[3:6]} {value[6:]}"


def relative_day(value: date | None) -> str:
    if value is None:
        return "No date"
    delta = (value - timezone.localdate()).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    if delta == -1:
        return "yesterday"
    if delta > 0:
        return f"in {delta} days"
    return f"{-delta} days ago"
