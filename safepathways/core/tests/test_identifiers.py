import pytest

from safepathways.core.identifiers import (
    is_valid_nhs_number,
    nhs_number_in_test_range,
    normalise_postcode,
    postcode_sector,
)


@pytest.mark.parametrize("value", ["9434765919", "943 476 5919", "943-476-5919", "9990000018"])
def test_valid_nhs_numbers(value: str) -> None:
    assert is_valid_nhs_number(value)


@pytest.mark.parametrize("value", ["9434765918", "943476591", "94347659199", "abcdefghij", ""])
def test_invalid_nhs_numbers(value: str) -> None:
    assert not is_valid_nhs_number(value)


def test_test_range_numbers_are_valid_and_in_the_999_range() -> None:
    numbers = [n for n in (nhs_number_in_test_range(i) for i in range(200)) if n]
    assert len(numbers) > 150
    assert all(n.startswith("999") and is_valid_nhs_number(n) for n in numbers)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("nw1 2ab", "NW1 2AB"),
        ("NW12AB", "NW1 2AB"),
        ("wc1a 1aa", "WC1A 1AA"),
        (" n19  5ds ", "N19 5DS"),
        ("EC1V 9LB", "EC1V 9LB"),
    ],
)
def test_postcodes_are_normalised(raw: str, expected: str) -> None:
    assert normalise_postcode(raw) == expected


@pytest.mark.parametrize("raw", ["NW1", "12345", "QQ1 1AA", "NW1 2CI", "not a postcode", ""])
def test_non_postcodes_are_refused(raw: str) -> None:
    assert normalise_postcode(raw) is None


def test_postcode_sector() -> None:
    assert postcode_sector("NW1 2AB") == "NW1 2"
