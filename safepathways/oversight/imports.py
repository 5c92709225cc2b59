"""Reading a Capacity Tracker export (CSV) and checking every row before anything is written.

The national Capacity Tracker (domain-reference.md §6.5) collects, for care homes, maximum bed capacity, beds
occupied, vacant beds reserved and vacant beds accepting admissions. Its export column names are UNCONFIRMED,
so this file shape is our own, named after those fields:

- location_cqc_id (required): the location's CQC location ID, as on the provider register.
- bed_type (required): one of the codes or labels of models.BedType (residential, nursing, dementia_residential,
  dementia_nursing, bariatric, respite, home_care_hours), case-insensitive.
- vacancies (required): vacant beds accepting admissions (for home care: hours a week available), 0 or more.
- maximum_capacity, occupied, vacant_reserved (optional): checked for consistency when given, not stored.
- location_name, last_updated (optional): for the reader of the file; ignored.

Rows are numbered as a spreadsheet shows them (header row 1). Every problem is reported as "Row N, column X: …";
if there is any, nothing is written (services.import_capacity runs only on a clean file).
"""

import csv
import io
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from safepathways.core.errors import ApplicationError
from safepathways.oversight import selectors, services
from safepathways.oversight.models import BedType
from safepathways.oversight.services import CapacityRow

REQUIRED = ("location_cqc_id", "bed_type", "vacancies")
OPTIONAL = ("maximum_capacity", "occupied", "vacant_reserved", "location_name", "last_updated")
COLUMNS = REQUIRED + OPTIONAL
MAX_ROWS = 20_000
BED_TYPES = {**{code: code for code in BedType.values}, **{str(label).lower(): code for code, label in BedType.choices}}


@dataclass
class CapacityCheck:
    """The outcome of reading a file: the rows if every one is good, else the problems."""

    rows: list[CapacityRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors


def _number(value: str) -> int | None:
    text = value.strip()
    if text.startswith("-") and text[1:].isdigit():
        return -int(text[1:])
    return int(text) if text.isdigit() else None


def check_rows(header: list[str], rows: Iterable[list[str]]) -> CapacityCheck:
    """Check the header, then every row: the location exists, the type is known, the figures add up."""
    names = [h.strip().lower() for h in header]
    result = CapacityCheck()
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
    parsed: list[tuple[int, dict[str, str]]] = []
    for number, cells in enumerate(rows, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(parsed) >= MAX_ROWS:
            result.errors.append(f"The file has more than {MAX_ROWS} rows: split it")
            return result
        parsed.append((number, {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(names)}))
    locations = selectors.locations_by_cqc_id([row["location_cqc_id"] for _, row in parsed])
    seen: dict[tuple[str, str], int] = {}
    for number, row in parsed:
        problems: list[tuple[str, str]] = []
        for column in REQUIRED:
            if not row.get(column):
                problems.append((column, "is empty"))
        cqc_id = row["location_cqc_id"]
        found = locations.get(cqc_id, [])
        if cqc_id and not found:
            problems.append(("location_cqc_id", f"no location on the provider register has CQC ID {cqc_id}"))
        elif len(found) > 1:
            problems.append(("location_cqc_id", f"{len(found)} locations on the register share CQC ID {cqc_id}"))
        bed_type = BED_TYPES.get(row["bed_type"].lower()) if row["bed_type"] else None
        if row["bed_type"] and bed_type is None:
            problems.append(("bed_type", f"'{row['bed_type']}' is not one of: {', '.join(BedType.values)}"))
        figures: dict[str, int | None] = {}
        for column in ("vacancies", "maximum_capacity", "occupied", "vacant_reserved"):
            value = row.get(column, "")
            if value:
                figures[column] = _number(value)
                if figures[column] is None:
                    problems.append((column, f"'{value}' is not a whole number"))
                elif (figures[column] or 0) < 0:
                    problems.append((column, "must be 0 or more"))
        vacancies = figures.get("vacancies")
        capacity = figures.get("maximum_capacity")
        if vacancies is not None and capacity is not None and vacancies >= 0 and vacancies > capacity >= 0:
            problems.append(("vacancies", f"{vacancies} is more than the maximum capacity of {capacity}"))
        if bed_type and len(found) == 1 and vacancies is not None and vacancies >= 0:
            try:
                services.check_vacancy(found[0], bed_type, vacancies)
            except ApplicationError as error:
                problems.append(("vacancies", error.message))
        if bed_type and cqc_id:
            key = (cqc_id, bed_type)
            if key in seen:
                problems.append(("bed_type", f"{cqc_id} {bed_type} is also on row {seen[key]}"))
            seen.setdefault(key, number)
        result.errors.extend(f"Row {number}, column {column}: {message}" for column, message in problems)
        if not problems and bed_type and vacancies is not None:
            result.rows.append(CapacityRow(location=found[0], bed_type=bed_type, available=vacancies))
    if not result.errors and not result.rows:
        result.errors.append("The file has no figures in it")
    if result.errors:
        result.rows = []
    return result


def check_file(content: bytes) -> CapacityCheck:
    """Read a CSV file in UTF-8 (a byte-order mark, as Excel writes, is allowed) and check every row."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return CapacityCheck(errors=["The file must be a CSV saved as UTF-8"])
    lines = list(csv.reader(io.StringIO(text)))
    if not lines:
        return CapacityCheck(errors=["The file is empty"])
    return check_rows(lines[0], lines[1:])
