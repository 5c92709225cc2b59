"""Children's services files: every row checked first, problems by row and column, nothing written if any."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import Workbook

from safepathways.conftest import Persona
from safepathways.people.models import Person
from safepathways.people.tests.factories import PersonFactory
from safepathways.young_people import imports
from safepathways.young_people.models import AccommodationStatus, YoungPerson
from safepathways.young_people.tests.factories import born

pytestmark = pytest.mark.django_db

HEADER = "childrens_reference,nhs_number,given_name,family_name,date_of_birth,postcode,ehc_plan,care_leaver,accommodation_status"


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def _dob(years: int) -> str:
    return born(years).isoformat()


class TestChecking:
    def test_a_good_file_gives_records(self) -> None:
        content = _csv(
            f"CS-1,9990000018,Amira,Hussain,{_dob(15)},NW5 1AB,yes,no,",
            f"CS-2,,Ben,Okafor,{born(19):%d/%m/%Y},,no,yes,temporary",
        )
        check = imports.check_file("children.csv", content)
        assert check.errors == []
        assert [r.childrens_reference for r in check.records] == ["CS-1", "CS-2"]
        assert check.records[1].is_care_leaver is True
        assert check.records[1].accommodation_status == AccommodationStatus.TEMPORARY
        assert check.records[0].accommodation_status is None

    def test_every_problem_is_reported_by_row_and_column(self) -> None:
        PersonFactory.create(nhs_number="9990000026", date_of_birth=born(40), reference="SP0000077")
        content = _csv(
            f"CS-1,9990000018,Amira,Hussain,{_dob(15)},NW5 1AB,yes,no,",
            "CS-2,9990000019,,Okafor,31/02/2010,,maybe,no,",
            f"CS-1,,Cara,Jones,{_dob(16)},,no,no,castle",
            f"CS-4,9990000026,Dev,Shah,{_dob(17)},,no,no,",
            f"CS-5,9990000018,Eve,Long,{_dob(16)},,no,no,",
        )
        check = imports.check_file("children.csv", content)
        assert check.records == []
        assert check.errors == [
            "Row 3, column given_name: is empty",
            "Row 3, column date_of_birth: '31/02/2010' is not a date: use YYYY-MM-DD or DD/MM/YYYY",
            "Row 3, column ehc_plan: 'maybe' must be yes or no",
            "Row 4, column accommodation_status: Accommodation status must be one of: "
            + ", ".join(AccommodationStatus.values),
            f"Row 5, column date_of_birth: Date of birth does not match the council record SP0000077 "
            f"({born(40):%-d %B %Y}): correct one of them first",
            "Row 6, column nhs_number: also on row 2",
        ]

    def test_the_same_reference_twice_is_refused(self) -> None:
        content = _csv(f"CS-1,,Amira,Hussain,{_dob(15)},,,,", f"CS-1,,Ben,Okafor,{_dob(16)},,,,")
        assert imports.check_file("children.csv", content).errors == [
            "Row 3, column childrens_reference: also on row 2"
        ]

    def test_unknown_and_missing_columns_are_refused(self) -> None:
        check = imports.check_file("children.csv", _csv("x,y", header="childrens_reference,favourite_colour"))
        assert check.errors == [
            "Row 1: column not recognised: favourite_colour",
            "Row 1: required columns missing: given_name, family_name, date_of_birth",
        ]

    def test_an_empty_or_unreadable_file_is_refused(self) -> None:
        assert imports.check_file("children.csv", b"").errors == ["The file is empty"]
        assert imports.check_file("children.csv", _csv()).errors == ["The file has no young people in it"]
        assert imports.check_file("children.csv", b"\xff\xfe\x00bad").errors == [
            "The file must be a CSV saved as UTF-8"
        ]
        assert imports.check_file("children.xlsx", b"not a workbook").errors == [
            "The file is not an Excel workbook (.xlsx)"
        ]

    def test_an_excel_workbook_with_real_dates_is_read(self) -> None:
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.append(["childrens_reference", "given_name", "family_name", "date_of_birth", "planned_move_on"])
        sheet.append(["CS-9", "Fola", "Ade", born(18), timezone.localdate() + timedelta(days=30)])
        buffer = io.BytesIO()
        workbook.save(buffer)
        check = imports.check_file("children.xlsx", buffer.getvalue())
        assert check.errors == []
        assert check.records[0].date_of_birth == born(18)

    def test_dates_before_birth_are_reported_by_row_and_column(self) -> None:
        dob = born(16)
        header = "childrens_reference,given_name,family_name,date_of_birth,ehc_plan,ehc_plan_ends_on,planned_move_on"
        content = _csv(
            f"CS-1,Amira,Hussain,{dob},yes,{dob + timedelta(days=1)},",
            f"CS-2,Ben,Okafor,{dob},yes,{dob - timedelta(days=1)},",
            f"CS-3,Cara,Jones,{dob},no,,{dob:%d/%m/%Y}",
            header=header,
        )
        check = imports.check_file("children.csv", content)
        assert check.records == []
        assert check.errors == [
            "Row 3, column ehc_plan_ends_on: The EHC plan end date must be after their date of birth",
            "Row 4, column planned_move_on: The planned move date must be after their date of birth",
        ]


class TestCommand:
    def test_it_imports_and_reimports_idempotently(self, tmp_path: Path, transitions_worker: Persona) -> None:
        path = tmp_path / "children.csv"
        path.write_bytes(_csv(f"CS-1,9990000018,Amira,Hussain,{_dob(15)},NW5 1AB,yes,no,"))
        out = io.StringIO()
        call_command("import_young_people", str(path), "--as", transitions_worker.user.email, stdout=out)
        assert "1 new, 0 updated" in out.getvalue()
        path.write_bytes(_csv(f"CS-1,9990000018,Amira,Hussain,{_dob(15)},NW5 1AB,yes,yes,settled"))
        out = io.StringIO()
        call_command("import_young_people", str(path), "--as", transitions_worker.user.email, stdout=out)
        assert "0 new, 1 updated" in out.getvalue()
        young_person = YoungPerson.objects.get()
        assert young_person.is_care_leaver and young_person.accommodation_status == AccommodationStatus.SETTLED
        assert Person.objects.count() == 1

    def test_a_bad_row_writes_nothing(self, tmp_path: Path, transitions_worker: Persona) -> None:
        path = tmp_path / "children.csv"
        path.write_bytes(
            _csv(f"CS-1,9990000018,Amira,Hussain,{_dob(15)},NW5 1AB,yes,no,", f"CS-2,,Ben,,{_dob(16)},,,,")
        )
        err = io.StringIO()
        with pytest.raises(CommandError, match="Nothing imported: 1 problem"):
            call_command("import_young_people", str(path), "--as", transitions_worker.user.email, stderr=err)
        assert "Row 3, column family_name: is empty" in err.getvalue()
        assert not Person.objects.exists()
        assert not YoungPerson.objects.exists()

    def test_a_row_with_a_date_before_birth_writes_nothing(self, tmp_path: Path, transitions_worker: Persona) -> None:
        path = tmp_path / "children.csv"
        dob = born(16)
        path.write_bytes(
            _csv(
                f"CS-1,Amira,Hussain,{dob},yes,",
                f"CS-2,Ben,Okafor,{dob},no,{dob - timedelta(days=1)}",
                header="childrens_reference,given_name,family_name,date_of_birth,care_leaver,planned_move_on",
            )
        )
        err = io.StringIO()
        with pytest.raises(CommandError, match="Nothing imported: 1 problem"):
            call_command("import_young_people", str(path), "--as", transitions_worker.user.email, stderr=err)
        assert (
            "Row 3, column planned_move_on: The planned move date must be after their date of birth" in err.getvalue()
        )
        assert not Person.objects.exists()
        assert not YoungPerson.objects.exists()

    def test_only_the_transitions_team_may_import(self, tmp_path: Path, social_worker: Persona) -> None:
        path = tmp_path / "children.csv"
        path.write_bytes(_csv(f"CS-1,,Amira,Hussain,{_dob(15)},,,,"))
        with pytest.raises(CommandError, match="not an active member of a transitions team"):
            call_command("import_young_people", str(path), "--as", social_worker.user.email)
