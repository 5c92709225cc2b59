"""Searching by a postcode or part of one finds that postcode, district, sector or area, never a longer one that
begins the same way (N1 is not N19, NW1 is not NW10)."""

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from safepathways.conftest import Persona
from safepathways.people import selectors
from safepathways.people.selectors import SearchQuery
from safepathways.people.tests.factories import PersonFactory

POSTCODES = {
    "n1": "N1 9AB",
    "n1_other_sector": "N1 7GU",
    "n19": "N19 9AB",
    "n19_sector_1": "N19 1AA",
    "nw1": "NW1 0AB",
    "nw10": "NW10 0AB",
    "nw1_sector_2": "NW1 2AB",
    "n1c": "N1C 4AB",
    "e1": "E1 6AN",
}


@pytest.fixture
def found(db: None, social_worker: Persona) -> Callable[[str], set[str]]:
    people = {PersonFactory.create(postcode=postcode).reference: name for name, postcode in POSTCODES.items()}

    def search(postcode: str) -> set[str]:
        results = selectors.search_people(social_worker.user, SearchQuery(postcode=postcode))
        return {people[r.person.reference] for r in results}

    return search


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        # A full postcode: that postcode only, however it is typed.
        ("N1 9AB", {"n1"}),
        ("n19ab", {"n1"}),
        ("N19 9AB", {"n19"}),
        # An outward code: that district only.
        ("N1", {"n1", "n1_other_sector"}),
        ("n1", {"n1", "n1_other_sector"}),
        ("N19", {"n19", "n19_sector_1"}),
        ("NW1", {"nw1", "nw1_sector_2"}),
        ("NW10", {"nw10"}),
        ("N1C", {"n1c"}),
        # An outward code and a sector: that sector only.
        ("N1 9", {"n1"}),
        ("N19 9", {"n19"}),
        ("NW1 0", {"nw1"}),
        ("NW1  2", {"nw1_sector_2"}),
        # An area: its districts, not another area's that begins with the same letter.
        ("N", {"n1", "n1_other_sector", "n19", "n19_sector_1", "n1c"}),
        ("NW", {"nw1", "nw10", "nw1_sector_2"}),
        # Not a postcode or part of one: nobody.
        ("N1 %", set()),
        ("1N", set()),
    ],
)
def test_a_postcode_or_part_of_one_finds_only_what_it_names(
    found: Callable[[str], set[str]], typed: str, expected: set[str]
) -> None:
    assert found(typed) == expected


def test_the_reason_says_how_the_postcode_matched(social_worker: Persona) -> None:
    PersonFactory(postcode="N1 9AB")
    [full] = selectors.search_people(social_worker.user, SearchQuery(postcode="N1 9AB"))
    [district] = selectors.search_people(social_worker.user, SearchQuery(postcode="N1"))
    assert full.reasons == ("same postcode",)
    assert district.reasons == ("same postcode area",)


def test_a_district_is_read_as_a_range_of_the_indexed_compact_postcode(social_worker: Persona) -> None:
    PersonFactory(postcode="N1 9AB")
    with CaptureQueriesContext(connection) as queries:
        selectors.search_people(social_worker.user, SearchQuery(postcode="N1"))
    [sql] = [q["sql"] for q in queries.captured_queries if 'FROM "people_person"' in q["sql"]]
    assert '"people_person"."postcode_compact" >= ' in sql
    assert '"people_person"."postcode_compact" <= ' in sql
    if connection.vendor == "sqlite":
        plan = connection.cursor().execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()
        assert any("postcode_compact" in str(row) for row in plan), plan
