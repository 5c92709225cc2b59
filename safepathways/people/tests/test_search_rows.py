"""The search results' rows (people.presenters.search_rows): identity only, every typed value escaped as the
templates escape it, the address hidden for a restricted record."""

from datetime import date
from types import SimpleNamespace
from uuid import UUID

from markupsafe import escape

from safepathways.people.presenters import search_rows

PK = UUID("12345678-1234-4678-9234-567812345678")


def _result(**person: object) -> SimpleNamespace:
    values: dict[str, object] = {
        "pk": PK,
        "family_name": "Smith",
        "given_name": "Mary",
        "preferred_name": "",
        "reference": "SP0000001",
        "date_of_birth": date(1940, 2, 29),
        "is_restricted": False,
        "address_line_1": "1 High Street",
        "postcode": "NW1 2AB",
    }
    values.update(person)
    return SimpleNamespace(person=SimpleNamespace(**values), reasons=("name matches", "same date of birth"))


def test_a_row_shows_the_name_reference_birth_short_address_and_why() -> None:
    html = str(search_rows([_result(preferred_name="Molly")]))
    assert f'<a class="govuk-link" href="/people/{PK}/">SMITH, Mary</a> (Molly)<br>' in html
    assert "SP0000001" in html
    assert "29 February 1940" in html
    assert "1 High Street, NW1<" in html
    assert "NW1 2AB" not in html
    assert "name matches, same date of birth" in html


def test_a_restricted_record_hides_its_address() -> None:
    html = str(search_rows([_result(is_restricted=True)]))
    assert "Restricted record" in html
    assert "High Street" not in html


def test_what_people_typed_is_escaped_as_the_templates_escape_it() -> None:
    typed = "O'Brien <script>\"&"
    html = str(search_rows([_result(given_name=typed, address_line_1=typed, preferred_name=typed)]))
    assert "<script>" not in html
    assert html.count(str(escape(typed))) == 3
    assert str(escape(typed.upper())) not in html  # only the surname is written in capitals


def test_no_results_no_rows() -> None:
    assert str(search_rows([])) == ""
