from datetime import date, timedelta
from itertools import combinations

import pytest
from pytest_django import DjangoAssertNumQueries

from safepathways.accounts.models import User
from safepathways.people.models import Person
from safepathways.people.tests.factories import PersonFactory
from safepathways.referrals import matching
from safepathways.referrals.matching import (
    DUPLICATE_BLOCKS,
    Identity,
    compare,
    find_candidates,
    find_duplicate_pairs,
    identity_of,
    search_duplicates,
)
from safepathways.referrals.models import NotDuplicate
from safepathways.referrals.tests.factories import MARY_NHS_NUMBER, OTHER_NHS_NUMBER

pytestmark = pytest.mark.django_db
BORN = date(1941, 3, 27)


def _person(**kwargs: object) -> Person:
    defaults: dict[str, object] = {
        "given_name": "Mary",
        "family_name": "Smith",
        "date_of_birth": BORN,
        "nhs_number": None,
        "postcode": "NW5 1AB",
        "address_line_1": "12 Leighton Road",
        "phone": "",
    }
    defaults.update(kwargs)
    person: Person = PersonFactory.create(**defaults)
    return person


def _reasons(identity: Identity) -> dict[str, tuple[str, ...]]:
    return {c.person.reference: c.reasons for c in find_candidates(identity)}


def test_the_same_nhs_number_ranks_first_with_its_reason() -> None:
    exact = _person(nhs_number=MARY_NHS_NUMBER, given_name="M", family_name="Smith", postcode="E1 6AN")
    namesake = _person(postcode="E1 6AN", address_line_1="1 Other Street")
    found = find_candidates(Identity(given_name="Mary", family_name="Smith", nhs_number=MARY_NHS_NUMBER))
    assert [c.person for c in found][:1] == [exact]
    assert "same NHS number" in found[0].reasons
    assert namesake in [c.person for c in found]


def test_a_similar_name_and_the_same_date_of_birth_is_a_match() -> None:
    mary = _person(family_name="Smyth")
    found = find_candidates(Identity(given_name="Mary", family_name="Smith", date_of_birth=BORN))
    assert [c.person for c in found] == [mary]
    assert found[0].reasons == ("similar name and same date of birth",)


def test_the_same_address_is_a_reason() -> None:
    mary = _person()
    reasons = _reasons(
        Identity(given_name="Mary", family_name="Smith", postcode="nw5 1ab", address_line="12 Leighton Rd")
    )
    assert reasons[mary.reference] == ("same name", "same address")


def test_a_day_and_month_swapped_date_of_birth_still_matches() -> None:
    person = _person(date_of_birth=date(1950, 4, 3))
    found = find_candidates(Identity(given_name="Mary", family_name="Smith", date_of_birth=date(1950, 3, 4)))
    assert [c.person for c in found] == [person]
    assert "date of birth with day and month swapped" in found[0].reasons


def test_a_namesake_with_another_date_of_birth_is_not_offered() -> None:
    _person(date_of_birth=date(1960, 1, 1), postcode="E1 6AN")
    assert find_candidates(Identity(given_name="Mary", family_name="Smith", date_of_birth=BORN)) == []


def test_a_changed_surname_is_found_by_date_of_birth_and_postcode() -> None:
    person = _person(family_name="Okafor")
    found = find_candidates(Identity(given_name="Mary", family_name="Smith", date_of_birth=BORN, postcode="NW5 1AB"))
    assert [c.person for c in found] == [person]
    assert found[0].reasons == ("same date of birth", "same postcode")


def test_names_given_the_wrong_way_round_are_found() -> None:
    person = _person(given_name="Wei", family_name="Chen", date_of_birth=None, postcode="")
    assert [c.person for c in find_candidates(Identity(given_name="Chen", family_name="Wei"))] == [person]


def test_a_different_nhs_number_counts_against() -> None:
    person = _person(nhs_number=OTHER_NHS_NUMBER)
    same = compare(Identity(given_name="Mary", family_name="Smith", date_of_birth=BORN), person)
    different = compare(
        Identity(given_name="Mary", family_name="Smith", date_of_birth=BORN, nhs_number=MARY_NHS_NUMBER), person
    )
    assert different.score < same.score
    assert "different NHS number" in different.reasons


def test_merged_records_are_never_candidates() -> None:
    kept = _person()
    _person(merged_into=kept)
    assert [c.person for c in find_candidates(identity_of(kept))] == [kept]


def test_nothing_given_finds_no_one_without_a_query(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    _person()
    with django_assert_num_queries(0):
        assert find_candidates(Identity()) == []


def test_matching_reads_one_indexed_block_per_kind_of_evidence(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    for _ in range(20):
        _person()
    identity = Identity(
        given_name="Mary", family_name="Smith", date_of_birth=BORN, nhs_number=MARY_NHS_NUMBER, postcode="NW5 1AB"
    )
    # NHS number, date of birth, postcode, phonetic name keys
    with django_assert_num_queries(4) as context:
        found = find_candidates(identity, limit=5)
    assert len(found) == 5
    sql = " ".join(q["sql"] for q in context.captured_queries)
    assert sql.count("LIMIT 200") == 4


def _pair(n: int) -> tuple[Person, Person]:
    born = date(1940, 1, 1 + n % 28)
    first = _person(given_name="Joan", family_name=f"Oduya{'x' * n}", date_of_birth=born, postcode="NW1 2AB")
    second = _person(given_name="Joan", family_name=f"Oduya{'x' * n}", date_of_birth=born, postcode="NW1 2AB")
    return first, second


def test_duplicate_pairs_are_found_with_their_reasons() -> None:
    first, second = _pair(0)
    _person(given_name="Peter", family_name="Oduya", date_of_birth=date(1940, 1, 1), postcode="NW1 2AB")
    twin = _person(given_name="Joan", family_name="Oduya", date_of_birth=date(1940, 1, 1), nhs_number=OTHER_NHS_NUMBER)
    twin_sister = _person(
        given_name="Joan", family_name="Oduya", date_of_birth=date(1940, 1, 1), nhs_number=MARY_NHS_NUMBER
    )
    pairs = find_duplicate_pairs()
    found = {frozenset((p.first.pk, p.second.pk)): p for p in pairs}
    pair = found[frozenset((first.pk, second.pk))]
    assert pair.reasons == ("same name and same date of birth", "same address")
    assert frozenset((twin.pk, twin_sister.pk)) not in found


def test_merged_records_are_not_listed_as_duplicates() -> None:
    first, second = _pair(0)
    Person.objects.filter(pk=second.pk).update(merged_into=first)
    assert find_duplicate_pairs() == []


def test_a_pair_recorded_as_different_people_is_not_listed_until_undone(django_user_model: type[User]) -> None:
    first, second = _pair(0)
    other_first, other_second = _pair(1)
    one, other = sorted((first, second), key=lambda p: p.pk)
    by = django_user_model.objects.create_user(email="checker@example.test", password="x-y-z-w-v")
    decision = NotDuplicate.objects.create(first=one, second=other, reason="Twins", created_by=by)
    found = {frozenset((p.first.pk, p.second.pk)) for p in find_duplicate_pairs()}
    assert found == {frozenset((other_first.pk, other_second.pk))}
    NotDuplicate.objects.filter(pk=decision.pk).update(undone_at=decision.created_at)
    assert len(find_duplicate_pairs()) == 2


def test_a_dismissed_pair_does_not_take_a_place_in_a_short_list(django_user_model: type[User]) -> None:
    first, second = _pair(0)
    kept = _pair(1)
    one, other = sorted((first, second), key=lambda p: p.pk)
    by = django_user_model.objects.create_user(email="checker@example.test", password="x-y-z-w-v")
    NotDuplicate.objects.create(first=one, second=other, reason="Twins", created_by=by)
    [only] = find_duplicate_pairs(limit=1)
    assert {only.first.pk, only.second.pk} == {kept[0].pk, kept[1].pk}


@pytest.mark.parametrize("pairs", [1, 20])
def test_the_duplicate_search_query_count_does_not_grow(
    pairs: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for n in range(pairs):
        _pair(n)
    # The pairs recorded as different people; then for each of the three blocking keys one GROUP BY and
    # one read of the records in shared blocks.
    with django_assert_num_queries(7):
        found = find_duplicate_pairs(limit=50)
    assert len(found) == pairs


def test_a_changed_surname_and_a_missing_birthday_are_found_as_duplicates() -> None:
    married = _person(family_name="Okafor")
    maiden = _person()
    undated = _person(given_name="Wei", family_name="Chen", date_of_birth=None, postcode="E1 6AN")
    dated = _person(given_name="Wei", family_name="Chen", date_of_birth=date(1970, 5, 5), postcode="E1 6AN")
    found = {frozenset((p.first.pk, p.second.pk)): p.reasons for p in find_duplicate_pairs()}
    assert found[frozenset((married.pk, maiden.pk))] == ("same date of birth", "same address")
    assert found[frozenset((undated.pk, dated.pk))] == ("same name", "same address")


def test_the_duplicate_search_returns_every_pair_found_and_is_not_limited_when_no_block_is_cut() -> None:
    for n in range(60):
        _person(
            given_name="Joan", family_name="Oduya", date_of_birth=date(1930, 1, 1) + timedelta(days=40 * n), postcode=""
        )
        _person(
            given_name="Joan", family_name="Oduya", date_of_birth=date(1930, 1, 1) + timedelta(days=40 * n), postcode=""
        )
    search = search_duplicates()
    assert len(search.pairs) == 60 and len(find_duplicate_pairs()) == 60
    assert not search.is_limited and search.limited_by == ()
    assert len(find_duplicate_pairs(limit=5)) == 5


def test_when_blocks_are_cut_the_largest_are_kept_then_the_lowest_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(matching, "DUPLICATE_GROUP_LIMIT", 1)
    # Made in the order the cut must not follow: the pair first, the larger group last.
    pair = [
        _person(given_name="Wei", family_name="Chen", date_of_birth=date(1960, 1, 1), postcode="E1 6AN")
        for _ in range(2)
    ]
    three = [
        _person(given_name="Joan", family_name="Oduya", date_of_birth=date(1970, 1, 1), postcode="NW1 2AB")
        for _ in range(3)
    ]
    search = search_duplicates()
    assert {frozenset((p.first.pk, p.second.pk)) for p in search.pairs} == {
        frozenset((one.pk, other.pk)) for one, other in combinations(three, 2)
    }
    assert search.limited_by == DUPLICATE_BLOCKS
    # Between blocks of the same size, the lowest values win (the earliest birthday, the first postcode), each time.
    pair.append(_person(given_name="Wei", family_name="Chen", date_of_birth=date(1960, 1, 1), postcode="E1 6AN"))
    ada = [
        _person(given_name="Ada", family_name="Lee", date_of_birth=date(1950, 1, 1), postcode="SE1 1AA")
        for _ in range(3)
    ]
    for _ in range(2):
        found = {frozenset((p.first.pk, p.second.pk)) for p in search_duplicates().pairs}
        # Block 1 and 2 keep Ada Lee (born 1950); block 3 keeps Wei Chen (E1 6AN comes first).
        assert {person for key in found for person in key} == {p.pk for p in (*pair, *ada)}


def test_the_duplicate_search_is_not_limited_at_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(matching, "DUPLICATE_GROUP_LIMIT", 1)
    _pair(0)
    assert not search_duplicates().is_limited
