"""NHS numbers (through the maintained `nhs-number` library) and UK postcodes."""

import re

from nhs_number.validate import calculate_checksum, is_valid

# Synthetic data uses the 999 range, which NHS England reserves for testing (STYLE.md rule 9).
TEST_RANGE_PREFIX = "999"


def normalise_nhs_number(value: str) -> str:
    """Digits only: '943 476 5919' and '943-476-5919' both become '9434765919'."""
    return re.sub(r"[\s-]", "", value or "")


def is_valid_nhs_number(value: str) -> bool:
    """Ten digits whose tenth is the modulus 11 check digit (NHS Data Dictionary)."""
    digits = normalise_nhs_number(value)
    return len(digits) == 10 and digits.isdigit() and bool(is_valid(digits))


def nhs_number_in_test_range(serial: int) -> str | None:
    """The valid test-range number for a serial, or None when its check digit would be 10."""
    stem = f"{TEST_RANGE_PREFIX}{serial % 1_000_000:06d}"
    check = calculate_checksum(stem)
    if check is None or check == 10:
        return None
    return f"{stem}{check}"


# The postcode format of the BS 7666 standard, as published in the GOV.UK data standards
# (outward code of 2-4 characters, a space, inward code of a digit and two letters).
# No maintained Python library validates postcodes offline (ADR-007).
_POSTCODE = re.compile(
    r"^(GIR ?0AA|"
    r"(?:[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPSTUW]|[A-HK-Y][0-9][ABEHMNPRVWXY]))"
    r" ?[0-9][ABD-HJLNP-UW-Z]{2})$"
)


def normalise_postcode(value: str) -> str | None:
    """'nw1 2ab' becomes 'NW1 2AB'; None when it is not a UK postcode."""
    compact = re.sub(r"\s+", "", (value or "").upper())
    if not _POSTCODE.match(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"


def postcode_sector(postcode: str) -> str:
    """The outward code and the first digit of the inward code: 'NW1 2AB' -> 'NW1 2'."""
    outward, inward = postcode.split(" ")
    return f"{outward} {inward[0]}"
