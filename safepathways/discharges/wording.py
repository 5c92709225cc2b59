"""Words for a referral's next-action owner and support start, from plain values (the board reads values, the
referral page reads the record: both word them the same way)."""

from datetime import date, time

from safepathways.core.formatting import format_date
from safepathways.discharges.models import SupportKind


def owner_text(name: str, organisation: str | None) -> str:
    """ "Priya Shah (Royal Free London NHS Foundation Trust)", or "No owner"."""
    if not name:
        return "No owner"
    return f"{name} ({organisation})" if organisation else name


def support_text(kind: str, start_on: date | None, start_time: time | None, provider: str) -> str:
    """ "Reablement at home from 3 May 2025 at 08:30 (Camden reablement)", or "Not arranged"."""
    if start_on is None:
        return "Not arranged"
    words = f"{SupportKind(kind).label if kind else 'Support'} from {format_date(start_on)}"
    if start_time is not None:
        words += f" at {start_time:%H:%M}"
    if provider:
        words += f" ({provider})"
    return words
