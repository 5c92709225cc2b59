"""Organisations' national identifiers are checked against their formats (domain-reference.md §8.2)."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from safepathways.accounts.models import Organisation, OrganisationKind
from safepathways.accounts.tests.admin_site import signed_in_superuser
from safepathways.audit.models import AuditEvent
from safepathways.borough import reference

ONS_PROBLEM = "Enter an ONS code: a capital E, W, S or N and 8 digits, for example E09000007"
ODS_PROBLEM = "Enter an ODS code: 3 to 6 capital letters and digits, for example RAL or F83004"


def _problems(**codes: str) -> dict[str, list[str]]:
    organisation = Organisation(name="An organisation", kind=OrganisationKind.NHS_TRUST, **codes)
    try:
        organisation.full_clean()
    except ValidationError as error:
        return error.message_dict
    return {}


@pytest.mark.parametrize("code", ["", "E09000007", "E12000007", "W06000015", "S12000033", "N09000003"])
def test_an_ons_code_is_a_country_letter_and_8_digits(code: str, db: None) -> None:
    assert _problems(ons_code=code) == {}


@pytest.mark.parametrize(
    "code",
    [
        "e09000007",  # capitals only
        "E0900007",  # 7 digits
        "X09000007",  # not a UK country's letter
        "09000007E",
        "E 9000007",
        "E0900000\u0667",  # an Arabic-Indic digit: \d would take it
        "RAL",  # an ODS code in the wrong field
    ],
)
def test_anything_else_is_not_an_ons_code(code: str, db: None) -> None:
    assert _problems(ons_code=code) == {"ons_code": [ONS_PROBLEM]}


@pytest.mark.parametrize("code", ["", "RAL", "QMJ", "93C", "RAL01", "Y03456", "F83004"])
def test_an_ods_code_is_3_to_6_capital_letters_and_digits(code: str, db: None) -> None:
    assert _problems(ods_code=code) == {}


@pytest.mark.parametrize("code", ["ral", "RA", "F830045", "R-L", "RAL ", "E09000007"])
def test_anything_else_is_not_an_ods_code(code: str, db: None) -> None:
    assert _problems(ods_code=code) == {"ods_code": [ODS_PROBLEM]}


def test_the_synthetic_boroughs_codes_are_valid(db: None) -> None:
    """The borough generator writes these without full_clean: each must pass the checks all the same."""
    ons = [reference.COUNCIL[2], *(code for _, code in reference.NEIGHBOURS)]
    ods = [code for _, _, code in reference.NHS_ORGANISATIONS] + [code for _, code in reference.GP_PRACTICES]
    assert len(ons) == 5 and len(ods) == 12
    for code in ons:
        assert _problems(ons_code=code) == {}, code
    for code in ods:
        assert _problems(ods_code=code) == {}, code


def test_the_admin_refuses_a_malformed_code_and_saves_nothing(db: None) -> None:
    _, client = signed_in_superuser()
    before = AuditEvent.objects.count()
    response = client.post(
        reverse("admin:accounts_organisation_add"),
        {"name": "Whittington Health NHS Trust", "kind": "nhs_trust", "ons_code": "", "ods_code": "RK-E"},
    )
    assert response.status_code == 200
    assert ODS_PROBLEM in response.content.decode()
    assert not Organisation.objects.exists()
    assert AuditEvent.objects.count() == before


def test_the_admin_takes_a_code_in_small_letters_or_with_spaces_in_capitals(db: None) -> None:
    _, client = signed_in_superuser()
    response = client.post(
        reverse("admin:accounts_organisation_add"),
        {"name": "Whittington Health NHS Trust", "kind": "nhs_trust", "ons_code": "", "ods_code": " rke "},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Organisation.objects.get().ods_code == "RKE"


@pytest.mark.parametrize("code", ["E0900000\u0667", "E09000007X"])
def test_setup_council_refuses_a_code_the_format_does_not_allow(code: str, db: None) -> None:
    with pytest.raises(CommandError, match=f"'{code}' is not an ONS code: a capital E, W, S or N and 8 digits"):
        call_command("setup_council", "--name", "A council", "--ons-code", code)
    assert not Organisation.objects.exists()
