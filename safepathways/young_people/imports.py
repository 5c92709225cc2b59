"""Reading children's services files (CSV or XLSX) and checking every row before anything is written.

The file has a header row and one row per young person. Rows are numbered as a spreadsheet shows them: the header
is row 1, the first young person row 2. Every problem in every row is reported as "Row N, column X: what is wrong";
if there is any, nothing is written (services.import_records runs only on a clean file).

Columns (in any order; names are case-insensitive; unknown columns are refused so a typo is not silently lost):
- childrens_reference (required): the id in the children's system; a re-import with the same one updates.
- given_name, family_name, date_of_birth (required): dates as YYYY-MM-DD or DD/MM/YYYY.
- nhs_number, postcode (optional): checked as on the council record.
- ehc_plan, known_to_csc, care_leaver: yes or no (blank: leave as it is).
- ehc_plan_ends_on, planned_move_on: dates.
- personal_adviser, personal_adviser_phone: text.
- accommodation_status, homelessness_risk: the codes of models.AccommodationStatus and models.HomelessnessRisk.
"""

import csv
import io
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone

from safepathways.core.errors import ApplicationError
from safepathways.core.identifiers import normalise_nhs_number
from safepathways.young_people import services
from safepathways.young_people.services import ChildrensRecord

REQUIRED = ("childrens_reference", "given_name", "family_name", "date_of_birth")
OPTIONAL = (
    "nhs_number",
    "postcode",
    "ehc_plan",
    "ehc_plan_ends_on",
    "known_to_csc",
    "care_leaver",
    "personal_adviser",
    "personal_adviser_phone",
    "accommodation_status",
    "planned_move_on",
    "homelessness_risk",
)
COLUMNS = REQUIRED + OPTIONAL
# The record's field each column fills, where the names differ (an error names the file's column).
FIELD_COLUMNS = {
    "has_ehc_plan": "ehc_plan",
    "is_known_to_childrens_social_care": "known_to_csc",
    "is_care_leaver": "care_leaver",
    "personal_adviser_name": "personal_adviser",
}
MAX_ROWS = 20_000
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}


@dataclass
class ImportCheck:
    """The outcome of reading a file: the records if every row is good, else the problems."""

    records: list[ChildrensRecord] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors


class _RowError(Exception):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


def _date(value: str, column: str) -> date | None:
    if not value:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, pattern).date()  # noqa: DTZ007 - a calendar date, no time zone
        except ValueError:
            continue
    raise _RowError(column, f"'{value}' is not a date: use YYYY-MM-DD or DD/MM/YYYY")


def _yes_no(value: str, column: str) -> bool | None:
    if not value:
        return None
    if value.lower() in YES:
        return True
    if value.lower() in NO:
        return False
    raise _RowError(column, f"'{value}' must be yes or no")


def _text(row: dict[str, str], column: str) -> str | None:
    return row.get(column)


def _record(row: dict[str, str], problems: list[tuple[str, str]]) -> ChildrensRecord | None:
    """A record from one row, adding (column, message) for each problem found."""

    def read_date(column: str) -> date | None:
        try:
            return _date(row.get(column, ""), column)
        except _RowError as error:
            problems.append((error.column, error.message))
            return None

    def read_yes_no(column: str) -> bool | None:
        try:
            return _yes_no(row.get(column, ""), column)
        except _RowError as error:
            problems.append((error.column, error.message))
            return None

    for column in REQUIRED:
        if not row.get(column):
            problems.append((column, "is empty"))
    born = read_date("date_of_birth")
    values = {
        "has_ehc_plan": read_yes_no("ehc_plan"),
        "ehc_plan_ends_on": read_date("ehc_plan_ends_on"),
        "is_known_to_childrens_social_care": read_yes_no("known_to_csc"),
        "is_care_leaver": read_yes_no("care_leaver"),
        "planned_move_on": read_date("planned_move_on"),
    }
    if born is None or problems:
        return None
    status = row.get("accommodation_status") or None
    risk = row.get("homelessness_risk") or None
    return ChildrensRecord(
        childrens_reference=row["childrens_reference"],
        given_name=row["given_name"],
        family_name=row["family_name"],
        date_of_birth=born,
        nhs_number=normalise_nhs_number(row.get("nhs_number", "")),
        postcode=row.get("postcode", ""),
        personal_adviser_name=_text(row, "personal_adviser"),
        personal_adviser_phone=_text(row, "personal_adviser_phone"),
        accommodation_status=status.lower() if status else None,
        homelessness_risk=risk.lower() if risk else None,
        **values,  # type: ignore[arg-type]
    )


def _column(error: ApplicationError) -> str:
    name = error.field or ""
    return FIELD_COLUMNS.get(name, name) or "row"


def check_rows(header: list[str], rows: Iterable[list[str]], *, today: date | None = None) -> ImportCheck:
    """Check the header and every row, including clashes within the file and with the council's records."""
    today = today or timezone.localdate()
    names = [h.strip().lower() for h in header]
    result = ImportCheck()
    unknown = [n for n in names if n and n not in COLUMNS]
    missing = [c for c in REQUIRED if c not in names]
    repeated = [n for n, count in Counter(names).items() if n and count > 1]
    if unknown:
        result.errors.append(f"Row 1: column{'s' if len(unknown) > 1 else ''} not recognised: {', '.join(unknown)}")
    if missing:
        result.errors.append(f"Row 1: required column{'s' if len(missing) > 1 else ''} missing: {', '.join(missing)}")
    if repeated:
        result.errors.append(f"Row 1: column{'s' if len(repeated) > 1 else ''} repeated: {', '.join(repeated)}")
    if result.errors:
        return result
    numbered: list[tuple[int, ChildrensRecord]] = []
    for number, cells in enumerate(rows, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if number - 1 > MAX_ROWS:
            result.errors.append(f"The file has more than {MAX_ROWS} rows: split it")
            return result
        row = {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(names) if name}
        problems: list[tuple[str, str]] = []
        record = _record(row, problems)
        if record is not None:
            problems.extend((_column(p), p.message) for p in services.check_record(record, today))
        for column, message in problems:
            result.errors.append(f"Row {number}, column {column}: {message}")
        if record is not None and not problems:
            numbered.append((number, record))
    _check_clashes(numbered, result)
    if not result.errors and not numbered:
        result.errors.append("The file has no young people in it")
    if not result.errors:
        result.records = [record for _, record in numbered]
    return result


def _check_clashes(numbered: list[tuple[int, ChildrensRecord]], result: ImportCheck) -> None:
    """The same reference or NHS number twice in the file, and matches that would join two people."""
    seen_references: dict[str, int] = {}
    seen_numbers: dict[str, int] = {}
    for number, record in numbered:
        reference = record.childrens_reference.strip()
        if reference in seen_references:
            result.errors.append(f"Row {number}, column childrens_reference: also on row {seen_references[reference]}")
        seen_references.setdefault(reference, number)
        if record.nhs_number:
            if record.nhs_number in seen_numbers:
                result.errors.append(f"Row {number}, column nhs_number: also on row {seen_numbers[record.nhs_number]}")
            seen_numbers.setdefault(record.nhs_number, number)
    by_reference, by_nhs_number = services.lookups(record for _, record in numbered)
    for number, record in numbered:
        _, conflicts = services.match_record(record, by_reference=by_reference, by_nhs_number=by_nhs_number)
        result.errors.extend(f"Row {number}, column {_column(c)}: {c.message}" for c in conflicts)
    result.errors.sort(key=_row_number)


def _row_number(message: str) -> int:
    words = message.split(" ", 2)
    return int(words[1].rstrip(",:")) if len(words) > 1 and words[1].rstrip(",:").isdigit() else 0


def read_csv(content: bytes) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV file in UTF-8 (a byte-order mark, as Excel writes, is allowed)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ApplicationError("The file must be a CSV saved as UTF-8", field="file") from error
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise ApplicationError("The file is empty", field="file")
    return rows[0], rows[1:]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx(content: bytes) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the first sheet of an Excel workbook; dates typed as dates are read as dates."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise ApplicationError("The file is not an Excel workbook (.xlsx)", field="file") from error
    sheet = workbook.worksheets[0]
    rows = [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    if not rows:
        raise ApplicationError("The file is empty", field="file")
    return rows[0], rows[1:]


def check_file(name: str, content: bytes, *, today: date | None = None) -> ImportCheck:
    """Read a .csv or .xlsx file and check every row."""
    reader = read_xlsx if name.lower().endswith(".xlsx") else read_csv
    try:
        header, rows = reader(content)
    except ApplicationError as error:
        return ImportCheck(errors=[error.message])
    return check_rows(header, rows, today=today)
