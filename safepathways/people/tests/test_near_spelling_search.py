"""A surname typed with a slip ('Aktins' for Atkins) still finds the person, once nothing closer does."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safepathways.accounts.models import User
from safepathways.conftest import Persona
from safepathways.people import selectors
from safepathways.people.models import Person, Share
from safepathways.people.selectors import SearchQuery, SearchResult
from safepathways.people.tests.factories import PersonFactory


def _search(user: User, text: str, date_of_birth: date | None = None) -> list[SearchResult]:
    return selectors.search_people(user, SearchQuery(text=text, date_of_birth=date_of_birth))


def _names(results: list[SearchResult]) -> list[str]:
    return [r.person.full_name for r in results]


@pytest.fixture
def barbara(db: None) -> Person:
    PersonFactory(given_name="Colin", family_name="Adkins")  # two slips from "aktins": too far
    PersonFactory(given_name="Tom", family_name="Baker")
    PersonFactory(given_name="Ann", family_name="Akt")
    person: Person = PersonFactory.create(given_name="Barbara", family_name="Atkins", date_of_birth=date(1950, 6, 1))
    return person


@pytest.mark.parametrize(
    "typed",
    [
        "Aktins",  # two letters swapped
        "atkims",  # a letter slipped
        "Tatkins",  # a letter typed before the first
        "Takins",  # the first two letters swapped
    ],
)
def test_a_surname_with_a_slip_finds_the_person(social_worker: Persona, barbara: Person, typed: str) -> None:
    assert "Barbara Atkins" in _names(_search(social_worker.user, "Atkins"))  # as typed it sounds like Adkins too
    results = _search(social_worker.user, typed)
    assert _names(results) == ["Barbara Atkins"]
    assert results[0].reasons == ("name spelt similarly",)


def test_the_search_page_says_the_name_is_spelt_similarly(social_worker: Persona, barbara: Person) -> None:
    body = social_worker.http.get(reverse("people:search"), {"q": "Aktins"}).content.decode()
    assert "1 person found" in body
    assert "ATKINS, Barbara" in body
    assert "name spelt similarly" in body


def test_the_near_spelling_keeps_the_other_filters(social_worker: Persona, barbara: Person) -> None:
    assert _names(_search(social_worker.user, "Aktins", date(1950, 6, 1))) == ["Barbara Atkins"]
    assert _search(social_worker.user, "Aktins", date(1951, 1, 1)) == []


def test_partners_find_by_near_spelling_only_people_shared_with_them(
    partner: Persona, social_worker: Persona, barbara: Person
) -> None:
    assert _search(partner.user, "Aktins") == []
    Share.objects.create(
        person=barbara, organisation=partner.team.organisation, purpose="x", shared_by=social_worker.user
    )
    assert _names(_search(partner.user, "Aktins")) == ["Barbara Atkins"]


def test_it_runs_only_when_nothing_closer_is_found(social_worker: Persona, barbara: Person) -> None:
    PersonFactory(given_name="Joan", family_name="Aktinson")  # "aktins" begins this surname: found at once
    with CaptureQueriesContext(connection) as queries:
        results = _search(social_worker.user, "Aktins")
    assert _names(results) == ["Joan Aktinson"]
    assert results[0].reasons != ("name spelt similarly",)
    assert len([q for q in queries.captured_queries if 'FROM "people_person"' in q["sql"]]) == 1


def test_short_words_and_identifiers_are_not_guessed_at(social_worker: Persona, barbara: Person) -> None:
    assert selectors._near_surnames(["ak"], Person.objects.db) == set()  # too short to guess from (Akt is one away)
    assert selectors._near_surnames(["atk"], Person.objects.db) == {"akt"}  # three letters are enough
    assert _search(social_worker.user, "SP9999999") == []
    assert _search(social_worker.user, "Qwxyz") == []  # nothing near


def test_the_surnames_are_read_from_a_range_of_the_index(social_worker: Persona, barbara: Person) -> None:
    """One bounded query for the surnames near the word, one for the people: never the whole table."""
    with CaptureQueriesContext(connection) as queries:
        _search(social_worker.user, "Aktins")
    sql = [q["sql"] for q in queries.captured_queries if 'FROM "people_person"' in q["sql"]]
    assert len(sql) == 3  # the candidates as typed, the surnames near the word, the people with those surnames
    surnames = sql[1]
    assert surnames.startswith('SELECT DISTINCT "people_person"."family_name_lower"')
    assert f"LIMIT {selectors.NEAR_SURNAMES}" in surnames
    if connection.vendor == "sqlite":
        assert '"people_person"."family_name_lower" >= ' in surnames
        plan = str(connection.cursor().execute(f"EXPLAIN QUERY PLAN {surnames}").fetchall())
        assert "COVERING INDEX" in plan and "family_name_lower" in plan, plan


def test_near_surnames_allow_one_slip_in_short_words_and_two_in_long_ones(db: None) -> None:
    for surname in ("Atkins", "Adkins", "Wojciechowski", "Wojceichowsky"):
        PersonFactory(family_name=surname)
    alias = Person.objects.db
    assert selectors._near_surnames(["aktins"], alias) == {"atkins"}
    assert selectors._near_surnames(["wojciehcowski"], alias) == {"wojciechowski"}
    assert selectors._near_surnames(["wojceichowski"], alias) == {"wojciechowski", "wojceichowsky"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm is a PostgreSQL extension")
def test_with_a_trigram_index_a_slip_in_the_first_letter_is_found(social_worker: Persona, barbara: Person) -> None:
    if not selectors._has_trigram_index(Person.objects.db):
        pytest.skip("no trigram index on people_person.family_name_lower in this database")
    assert _names(_search(social_worker.user, "Btkins")) == ["Barbara Atkins"]


def test_without_postgresql_there_is_no_trigram_index_to_ask_about(db: None) -> None:
    if connection.vendor == "postgresql":
        pytest.skip("asks PostgreSQL's catalogue")
    with CaptureQueriesContext(connection) as queries:
        assert selectors._has_trigram_index(Person.objects.db) is False
    assert queries.captured_queries == []
