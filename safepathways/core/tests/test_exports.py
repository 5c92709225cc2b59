import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

import pytest
from django.http import HttpResponse
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from safepathways.core.exports import ExportTable, export_response, export_tables_response, neutralise, parse_format


def _csv_rows(response: HttpResponse) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _sheets(response: HttpResponse) -> dict[str, Worksheet]:
    workbook = load_workbook(io.BytesIO(response.content))
    return {sheet.title: sheet for sheet in workbook.worksheets}


def _values(sheet: Worksheet) -> list[list[object]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_csv_has_the_headers_then_the_rows_and_downloads_with_its_filename() -> None:
    response = export_response(
        filename="waiting list 2026-05-04", headers=["Name", "Days"], rows=[["Ann Lee", 12], ["Bo Chan", 3]], fmt="csv"
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="waiting-list-2026-05-04.csv"'
    assert response["Cache-Control"] == "no-store"
    assert response.content.startswith("\ufeff".encode())  # so Excel reads UTF-8
    assert _csv_rows(response) == [["Name", "Days"], ["Ann Lee", "12"], ["Bo Chan", "3"]]


def test_csv_writes_dates_times_booleans_blanks_and_identifiers_as_plain_text() -> None:
    person_id = UUID("12345678-1234-5678-1234-567812345678")
    row = [date(2026, 5, 4), datetime(2026, 5, 4, 8, 30, tzinfo=UTC), True, None, person_id, Decimal("2.5")]
    response = export_response(filename="x", headers=["a", "b", "c", "d", "e", "f"], rows=[row], fmt="csv")
    # 08:30 UTC is 09:30 in London in May (the screens show local time).
    assert _csv_rows(response)[1] == ["2026-05-04", "2026-05-04 09:30", "Yes", "", str(person_id), "2.5"]


@pytest.mark.parametrize("dangerous", ["=1+1", "+44 20 7974 4000", "-2+3", "@SUM(A1:A2)", "\tx", "\rx"])
def test_text_a_spreadsheet_would_run_gets_a_leading_apostrophe(dangerous: str) -> None:
    response = export_response(filename="x", headers=["Note"], rows=[[dangerous]], fmt="csv")
    assert _csv_rows(response)[1] == [f"'{dangerous}"]
    sheet = _sheets(export_response(filename="x", headers=["Note"], rows=[[dangerous]], fmt="xlsx"))["x"]
    cell = sheet["A2"]
    assert cell.value == f"'{dangerous}".replace("\r", "\n")  # XML reads a carriage return back as a newline
    assert cell.data_type == "s"  # text, not a formula


def test_numbers_are_never_prefixed_so_negative_numbers_stay_numbers() -> None:
    response = export_response(filename="x", headers=["n"], rows=[[-3], [-1.5]], fmt="xlsx")
    assert _values(_sheets(response)["x"])[1:] == [[-3], [-1.5]]


def test_headers_are_neutralised_too() -> None:
    response = export_response(filename="x", headers=["=HYPERLINK()"], rows=[], fmt="csv")
    assert _csv_rows(response) == [["'=HYPERLINK()"]]


def test_safe_text_is_unchanged() -> None:
    assert neutralise("Ann Lee") == "Ann Lee"
    assert neutralise("a=b") == "a=b"


def test_xlsx_has_a_bold_header_row_sized_columns_and_typed_cells() -> None:
    response = export_response(
        filename="duty",
        headers=["Name", "Opened", "Days"],
        rows=[["Ann Lee-Montgomery-Smythe", date(2026, 5, 4), 12]],
        fmt="xlsx",
    )
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="duty.xlsx"'
    sheet = _sheets(response)["duty"]
    assert [cell.font.bold for cell in sheet[1]] == [True, True, True]
    assert sheet["A2"].font.bold is not True
    assert sheet["B2"].value == datetime(2026, 5, 4)  # a real date cell (openpyxl reads dates back as datetimes)
    assert sheet["B2"].number_format == "yyyy-mm-dd"
    assert sheet["C2"].value == 12
    assert sheet.column_dimensions["A"].width == len("Ann Lee-Montgomery-Smythe") + 2
    assert sheet.column_dimensions["C"].width == 8 + 2  # never narrower than the minimum
    assert sheet.freeze_panes == "A2"


def test_xlsx_times_are_local_because_excel_has_no_time_zones() -> None:
    response = export_response(
        filename="x", headers=["At"], rows=[[datetime(2026, 1, 4, 8, 30, tzinfo=UTC)]], fmt="xlsx"
    )
    assert _sheets(response)["x"]["A2"].value == datetime(2026, 1, 4, 8, 30)


def test_xlsx_drops_control_characters_that_would_break_the_file() -> None:
    response = export_response(filename="x", headers=["Note"], rows=[["bell\x07 here"]], fmt="xlsx")
    assert _sheets(response)["x"]["A2"].value == "bell here"


def test_rows_may_be_a_generator() -> None:
    rows = ([n, n * 2] for n in range(3))
    response = export_response(filename="x", headers=["n", "double"], rows=rows, fmt="xlsx")
    assert _values(_sheets(response)["x"]) == [["n", "double"], [0, 0], [1, 2], [2, 4]]


def test_several_tables_are_sheets_in_excel_and_titled_blocks_in_csv() -> None:
    tables = [
        ExportTable(title="Summary", headers=["Measure", "Value"], rows=[["Waiting", 4]]),
        ExportTable(title="Trend: 12 weeks?", headers=["Week", "Waiting"], rows=[[date(2026, 5, 3), 4]]),
        ExportTable(title="Summary", headers=["Again"], rows=[]),
    ]
    sheets = _sheets(export_tables_response(filename="dash", tables=tables, fmt="xlsx"))
    assert list(sheets) == ["Summary", "Trend  12 weeks", "Summary 2"]
    assert _values(sheets["Summary"]) == [["Measure", "Value"], ["Waiting", 4]]
    rows = _csv_rows(export_tables_response(filename="dash", tables=tables, fmt="csv"))
    assert rows == [
        ["Summary"],
        ["Measure", "Value"],
        ["Waiting", "4"],
        [],
        ["Trend: 12 weeks?"],
        ["Week", "Waiting"],
        ["2026-05-03", "4"],
        [],
        ["Summary"],
        ["Again"],
    ]


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="pdf"):
        export_response(filename="x", headers=[], rows=[], fmt="pdf")


@pytest.mark.parametrize(("value", "expected"), [("csv", "csv"), ("xlsx", "xlsx"), ("pdf", None), (None, None)])
def test_parse_format(value: str | None, expected: str | None) -> None:
    assert parse_format(value) == expected


def test_filenames_lose_characters_that_could_break_the_header() -> None:
    response = export_response(filename='../a"b\r\nc', headers=["x"], rows=[], fmt="csv")
    assert response["Content-Disposition"] == 'attachment; filename="a-b-c.csv"'
