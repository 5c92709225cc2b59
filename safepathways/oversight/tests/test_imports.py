"""The Capacity Tracker import: every row checked first, nothing written if any is wrong."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from safepathways.conftest import Persona
from safepathways.oversight import imports, services
from safepathways.oversight.models import Vacancy, VacancySource
from safepathways.providers.models import Location
from safepathways.providers.tests.factories import LocationFactory

HEADER = "location_cqc_id,location_name,bed_type,maximum_capacity,vacancies\n"


def test_a_clean_file_is_imported(quality_officer: Persona, rose_house: Location) -> None:
    LocationFactory.create(cqc_location_id="1-900000002", registered_places=20)
    content = HEADER + "1-900000001,Rose House,Nursing,40,3\n1-900000002,,residential,20,0\n"
    check = imports.check_file(content.encode())
    assert check.is_valid, check.errors
    assert services.import_capacity(rows=check.rows, by=quality_officer.user) == 2
    assert Vacancy.objects.get(location=rose_house).available == 3
    assert set(Vacancy.objects.values_list("source", flat=True)) == {VacancySource.CAPACITY_TRACKER_IMPORT}


def test_every_problem_is_reported_and_nothing_is_written(quality_officer: Persona, rose_house: Location) -> None:
    content = (
        HEADER
        + "1-900000001,Rose House,nursing,40,3\n"
        + "1-900000001,Rose House,nursing,40,2\n"
        + "1-999,Nowhere,nursing,10,1\n"
        + "1-900000001,Rose House,suite,40,1\n"
        + "1-900000001,Rose House,residential,40,-2\n"
        + "1-900000001,Rose House,dementia_nursing,50,45\n"
        + "1-900000001,Rose House,respite,2,3\n"
    )
    check = imports.check_file(content.encode())
    assert check.errors == [
        "Row 3, column bed_type: 1-900000001 nursing is also on row 2",
        "Row 4, column location_cqc_id: no location on the provider register has CQC ID 1-999",
        "Row 5, column bed_type: 'suite' is not one of: residential, nursing, dementia_residential, "
        "dementia_nursing, bariatric, respite, home_care_hours",
        "Row 6, column vacancies: must be 0 or more",
        "Row 7, column vacancies: Rose House has 40 registered places; 45 is more than that",
        "Row 8, column vacancies: 3 is more than the maximum capacity of 2",
    ]
    assert check.rows == []
    assert not Vacancy.objects.exists()


def test_unknown_and_missing_columns_are_named() -> None:
    check = imports.check_rows(["location_cqc_id", "beds"], [])
    assert check.errors == [
        "Row 1: column not recognised: beds",
        "Row 1: required columns missing: bed_type, vacancies",
    ]


def test_the_command_refuses_a_bad_file_and_imports_a_good_one(
    quality_officer: Persona, rose_house: Location, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "1-900000001,Rose House,nursing,40,41\n")
    with pytest.raises(CommandError, match="Nothing imported: 2 problems"):
        call_command("import_capacity", str(bad), "--as", quality_officer.user.email)
    assert not Vacancy.objects.exists()
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "1-900000001,Rose House,nursing,40,4\n")
    call_command("import_capacity", str(good), "--as", quality_officer.user.email)
    assert Vacancy.objects.get().available == 4


def test_the_command_needs_a_quality_officer(social_worker: Persona, tmp_path: Path) -> None:
    path = tmp_path / "file.csv"
    path.write_text(HEADER)
    with pytest.raises(CommandError, match="provider quality team"):
        call_command("import_capacity", str(path), "--as", social_worker.user.email)
