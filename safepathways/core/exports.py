"""Tables downloaded as CSV or Excel, safe to open in a spreadsheet.

Every screen that offers a download calls `export_response` (one table) or
`export_tables_response` (several tables: one sheet each in Excel, one after another in CSV).

The contract, for callers:

- `headers` names the columns; each row is a sequence of cells in the same order.
- Cells may be `str`, `int`, `float`, `Decimal`, `bool`, `date`, `datetime`, `UUID` or `None`.
  Numbers stay numbers; dates and times become real dates in Excel and ISO 8601 text in CSV
  (times in the local time zone); `None` is an empty cell; `bool` is "Yes" or "No"; anything else
  is written as `str(value)`.
- Text that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a
  carriage return) is written with a leading apostrophe, so it shows as text (OWASP "CSV
  injection"). Numbers are never changed, so a negative number stays a number.
- `filename` is given without its extension; unsafe characters are replaced and `.csv` or `.xlsx`
  is added.
- The response is a download (`Content-Disposition: attachment`) that browsers and proxies must
  not store (`Cache-Control: no-store`), because exports usually hold personal data.
- This module logs nothing. A caller whose rows name people must log an access event for each
  person, with `audit.services.record_access(..., kind=AccessKind.EXPORT)`, before returning the
  response (ADR-003: every look at a record is logged, and a download is a look).
"""

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal, TypeAlias

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

ExportFormat: TypeAlias = Literal["csv", "xlsx"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("csv", "xlsx")
CONTENT_TYPES: dict[ExportFormat, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Spreadsheets treat text starting with these as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Excel column widths, in characters.
MIN_WIDTH, MAX_WIDTH = 8, 60

Cell: TypeAlias = str | int | float | Decimal | date | datetime | None


@dataclass(frozen=True)
class ExportTable:
    """One table of a download: a title (the sheet name in Excel), column headers and rows."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[object]]


def parse_format(value: str | None) -> ExportFormat | None:
    """The export format asked for in `?format=`, or None for the HTML page (or an unknown format)."""
    if value == "csv":
        return "csv"
    if value == "xlsx":
        return "xlsx"
    return None


def neutralise(text: str) -> str:
    """Text as a spreadsheet will show it, never run it: a leading apostrophe before a formula."""
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


def _cell(value: object) -> Cell:
    """A value a spreadsheet can hold: numbers and dates as they are, everything else as safe text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime):
        # Excel has no time zones: write the local wall-clock time, as the screens show it.
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, date):
        return value
    return neutralise(str(value))


def _csv_text(value: Cell) -> str | int | float | Decimal:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _safe_filename(filename: str, fmt: ExportFormat) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", filename).strip(".-") or "export"
    return f"{stem}.{fmt}"


def _sheet_title(title: str, used: set[str]) -> str:
    """An Excel sheet name: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or "Sheet"
    name, n = base, 1
    while name.lower() in used:
        n += 1
        name = f"{base[: 31 - len(str(n)) - 1]} {n}"
    used.add(name.lower())
    return name


def _csv_body(tables: Sequence[ExportTable], *, with_titles: bool) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for index, table in enumerate(tables):
        if index:
            writer.writerow([])
        if with_titles:
            writer.writerow([neutralise(table.title)])
        writer.writerow([neutralise(str(header)) for header in table.headers])
        writer.writerows([_csv_text(_cell(value)) for value in row] for row in table.rows)
    # The byte-order mark makes Excel read the file as UTF-8 (names with accents, "–").
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx_text(value: Cell) -> Cell:
    # openpyxl refuses control characters that XML cannot hold; drop them rather than fail the download.
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _width(value: Cell) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


def _xlsx_body(tables: Sequence[ExportTable]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    used: set[str] = set()
    bold = Font(bold=True)
    for table in tables:
        sheet = workbook.create_sheet(_sheet_title(table.title, used))
        headers = [_xlsx_text(neutralise(str(header))) for header in table.headers]
        widths = [_width(header) for header in headers]
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = bold
        for row in table.rows:
            values = [_xlsx_text(_cell(value)) for value in row]
            sheet.append(values)
            for column, value in enumerate(values):
                if column >= len(widths):
                    widths.append(0)
                widths[column] = max(widths[column], _width(value))
        for row_cells in sheet.iter_rows(min_row=2):
            for cell in row_cells:
                if isinstance(cell.value, datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(cell.value, date):
                    cell.number_format = "yyyy-mm-dd"
        for column, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(column)].width = min(max(width, MIN_WIDTH), MAX_WIDTH) + 2
        sheet.freeze_panes = "A2"
    if not tables:
        workbook.create_sheet("Sheet")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _download(body: bytes, *, filename: str, fmt: ExportFormat) -> HttpResponse:
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, _safe_filename(filename, fmt)) or "attachment"
    response["Cache-Control"] = "no-store"
    return response


def _check(fmt: str) -> None:
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"Unknown export format: {fmt!r}")


def export_tables_response(*, filename: str, tables: Sequence[ExportTable], fmt: ExportFormat) -> HttpResponse:
    """Download several tables: one sheet each in Excel; in CSV, each under its title with a blank line between."""
    _check(fmt)
    body = _xlsx_body(tables) if fmt == "xlsx" else _csv_body(tables, with_titles=True)
    return _download(body, filename=filename, fmt=fmt)


def export_response(
    *, filename: str, headers: list[str], rows: Iterable[Sequence[object]], fmt: ExportFormat
) -> HttpResponse:
    """Download one table as CSV or Excel (XLSX), with a bold header row and formula injection neutralised.

    The Excel sheet is named after the file. See the module docstring for the contract: cell
    types, the formula rule, the filename and the caller's duty to log an access event for each
    person in the rows.
    """
    _check(fmt)
    table = ExportTable(title=filename, headers=headers, rows=rows)
    body = _xlsx_body([table]) if fmt == "xlsx" else _csv_body([table], with_titles=False)
    return _download(body, filename=filename, fmt=fmt)
