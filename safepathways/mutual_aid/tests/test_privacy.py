"""The free-text guard: obvious personal details are refused before acceptance; ordinary detail passes."""

from datetime import date

import pytest

from safepathways.mutual_aid import privacy

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Mrs A, NHS 943 476 5919, needs a bed", "an NHS number"),
        ("nhs no 9434765919", "an NHS number"),
        ("NI number QQ 12 34 56 C", "a National Insurance number"),
        ("Lives at NW5 1TL", "a postcode"),
        ("DOB 12/03/1942", "a date of birth or age"),
        ("born 1942", "a date of birth or age"),
        ("aged 84, frail", "a date of birth or age"),
        ("84-year-old man", "a date of birth or age"),
        ("Since 12/03/1942", "a date of birth"),
        ("Since 3 March 1950", "a date of birth"),
    ],
)
def test_personal_details_are_found(text: str, found: str) -> None:
    assert privacy.personal_details_in(text, today=TODAY) == found
    message = privacy.check_free_text(text, today=TODAY)
    assert message is not None
    assert message.startswith(f"Remove {found}")


@pytest.mark.parametrize(
    "text",
    [
        "Two nursing beds after Rose House closed; call 020 7974 4444",
        "Needed from 24/11/2026 for 6 weeks, NW5 area",
        "10 hours a week of double-handed care",
        "Cover for 3 night shifts, mobile 07700 900123",
        "",
    ],
)
def test_ordinary_detail_passes(text: str) -> None:
    assert privacy.check_free_text(text, today=TODAY) is None


def test_redaction_keeps_the_ids_and_drops_the_person() -> None:
    body = {"id": "m", "type": "disclosure", "data": {"offer_id": "o", "full_name": "Ann Smith", "address": "1 Road"}}
    redacted = privacy.redact_body(body)
    assert redacted["data"] == {"offer_id": "o", "redacted": ["address", "full_name"]}
