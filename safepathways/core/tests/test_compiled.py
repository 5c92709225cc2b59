"""CompiledQuery: the SQL of a queryset compiled once, run again with new values, answering as Django does."""

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID, uuid4

import pytest
from django.contrib.sessions.models import Session
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from safepathways.accounts.models import Membership, Organisation, Role, Team, User
from safepathways.accounts.sessions import SessionStore
from safepathways.audit.models import AccessEvent
from safepathways.core.compiled import COUNT_ROWS, CompiledInsert, CompiledQuery, field, known_related
from safepathways.people.models import ChronologyEntry, Person, Risk
from safepathways.people.tests.factories import ChronologyEntryFactory, PersonFactory
from safepathways.providers.models import Service
from safepathways.providers.tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db

M = TypeVar("M", bound=models.Model)

_PERSON = field(Person, "id")
_DATE = field(Service, "start_on")


def _values(obj: models.Model) -> dict[str, Any]:
    """Every concrete column of the object, as loaded."""
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _assert_same(compiled: list[M], expected: list[M]) -> None:
    """The same objects, in the same order, of the same class, with the same field values."""
    assert [type(o) for o in compiled] == [type(o) for o in expected]
    assert [o.pk for o in compiled] == [o.pk for o in expected]
    assert [_values(o) for o in compiled] == [_values(o) for o in expected]
    assert all(o._state.db == e._state.db and not o._state.adding for o, e in zip(compiled, expected, strict=True))


def _counting(build: Callable[..., QuerySet[M]]) -> tuple[Callable[..., QuerySet[M]], list[dict[str, Any]]]:
    """The build function, recording the values it is called with."""
    calls: list[dict[str, Any]] = []

    def counted(**values: Any) -> QuerySet[M]:
        calls.append(values)
        return build(**values)

    return counted, calls


def _user(name: str) -> User:
    return User.objects.create_user(email=f"{name}@example.test", full_name=name.title())


# --- Same objects as the queryset -------------------------------------------------------------------------------


def _memberships(user: int) -> QuerySet[Membership]:
    return Membership.objects.select_related("user", "team__organisation").filter(user_id=user).order_by("created_at")


def test_select_related_across_two_relations_matches_the_queryset_in_one_query(
    team: Team, other_team: Team, ward_team: Team, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    sam, olive = _user("sam"), _user("olive")
    for t, role in ((team, Role.SOCIAL_WORKER), (ward_team, Role.PARTNER), (other_team, Role.TEAM_MANAGER)):
        Membership.objects.create(user=sam, team=t, role=role)
    Membership.objects.create(user=olive, team=other_team, role=Role.SOCIAL_WORKER)
    compiled: CompiledQuery[Membership] = CompiledQuery(_memberships, user=field(Membership, "user"))

    for user in (sam, olive):
        expected = list(_memberships(user.pk))
        with django_assert_num_queries(1):
            found = compiled.all(user=user.pk)
        _assert_same(found, expected)
        with django_assert_num_queries(0):
            for membership, want in zip(found, expected, strict=True):
                assert _values(membership.user) == _values(want.user)
                assert _values(membership.team) == _values(want.team)
                assert _values(membership.team.organisation) == _values(want.team.organisation)
    assert len(compiled.all(user=sam.pk)) == 3


def test_the_user_id_may_be_given_as_the_string_the_session_keeps(team: Team) -> None:
    sam = _user("sam")
    Membership.objects.create(user=sam, team=team, role=Role.SOCIAL_WORKER)
    compiled: CompiledQuery[Membership] = CompiledQuery(_memberships, user=field(Membership, "user"))
    _assert_same(compiled.all(user=str(sam.pk)), list(_memberships(sam.pk)))


def test_with_memberships_reads_the_user_teams_and_organisations_in_one_query(
    team: Team, ward_team: Team, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    sam = _user("sam")
    Membership.objects.create(user=sam, team=team, role=Role.SOCIAL_WORKER)
    Membership.objects.create(user=sam, team=ward_team, role=Role.PARTNER)
    with django_assert_num_queries(1):
        user = User.objects.with_memberships(str(sam.pk))
    assert user is not None and user.pk == sam.pk and user.email == sam.email
    with django_assert_num_queries(0):
        assert sorted(m.team.organisation.name for m in user.memberships_cached) == sorted(
            [team.organisation.name, ward_team.organisation.name]
        )
        assert user.is_council_staff
        assert user.roles == {Role.SOCIAL_WORKER, Role.PARTNER}


def _current_services(person: UUID, today: date) -> QuerySet[Service]:
    return Person(pk=person).services.current(today).select_related("provider", "team").order_by("start_on", "id")


def test_a_date_used_twice_through_a_related_manager_matches_the_queryset(
    team: Team, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    person, other = PersonFactory(), PersonFactory()
    ServiceFactory(person=person, start_on=date(2020, 1, 1), end_on=date(2021, 1, 1), team=team)
    ServiceFactory(person=person, start_on=date(2020, 6, 1), end_on=None)
    ServiceFactory(person=person, start_on=date(2022, 1, 1), end_on=date(2023, 1, 1), team=team)
    ServiceFactory(person=other, start_on=date(2019, 1, 1), end_on=None)
    compiled: CompiledQuery[Service] = CompiledQuery(_current_services, person=_PERSON, today=_DATE)

    seen: list[int] = []
    for who in (person, other):
        for today in (date(2019, 6, 1), date(2020, 3, 1), date(2020, 7, 1), date(2021, 1, 1), date(2022, 6, 1)):
            expected = list(_current_services(who.pk, today))
            with django_assert_num_queries(1):
                found = compiled.all(person=who.pk, today=today)
            _assert_same(found, expected)
            seen.append(len(found))
            with django_assert_num_queries(0):
                for service, want in zip(found, expected, strict=True):
                    assert service.provider is not None and want.provider is not None
                    assert _values(service.provider) == _values(want.provider)
                    assert (service.team and _values(service.team)) == (want.team and _values(want.team))
    # Each date picks its own services: none on 2019-06-01, two on 2020-07-01 and on 2021-01-01 (end day included).
    assert seen[:5] == [0, 1, 2, 2, 2]
    assert seen[5:] == [1, 1, 1, 1, 1]


def _people(people: list[UUID]) -> QuerySet[Person]:
    return Person.objects.filter(pk__in=people).order_by("family_name", "id")


def test_an_in_list_matches_the_queryset(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    everyone = [PersonFactory(family_name=name) for name in ("Young", "Adams", "Khan", "Brown")]
    compiled: CompiledQuery[Person] = CompiledQuery(_people, people=_PERSON)
    for chosen in (everyone[:1], everyone[1:3], everyone, everyone[::-1], [everyone[2], everyone[2]]):
        ids = [p.pk for p in chosen]
        expected = list(_people(ids))
        with django_assert_num_queries(1):
            found = compiled.all(people=ids)
        _assert_same(found, expected)
        assert {p.pk for p in found} == set(ids)
    # A tuple is a list of values too, and an id nobody has matches nothing.
    _assert_same(compiled.all(people=(everyone[0].pk, uuid4())), [everyone[0]])


def test_annotations_are_set_on_the_objects_as_django_sets_them() -> None:
    person = PersonFactory()
    ServiceFactory.create_batch(2, person=person)
    ServiceFactory()

    def build(person: UUID) -> QuerySet[Person]:
        return Person.objects.filter(pk=person).annotate(services_count=models.Count("services"))

    compiled: CompiledQuery[Person] = CompiledQuery(build, person=_PERSON)
    [found] = compiled.all(person=person.pk)
    [expected] = list(build(person.pk))
    assert found.services_count == expected.services_count == 2


# --- Compiled once, run with each call's values ------------------------------------------------------------------


def test_each_run_answers_for_its_own_values_and_compiles_once_per_list_length() -> None:
    adams, brown, khan = (PersonFactory(family_name=name) for name in ("Adams", "Brown", "Khan"))
    build, calls = _counting(_people)
    compiled: CompiledQuery[Person] = CompiledQuery(build, people=_PERSON)

    assert [p.pk for p in compiled.all(people=[adams.pk])] == [adams.pk]
    assert [p.pk for p in compiled.all(people=[brown.pk])] == [brown.pk]
    assert len(calls) == 2  # built twice, with two sets of probes, to check that only the parameters change
    # The build function is given probes, not the caller's values.
    assert calls[0]["people"] != [adams.pk] and len(calls[0]["people"]) == 1

    assert [p.pk for p in compiled.all(people=[khan.pk, adams.pk])] == [adams.pk, khan.pk]
    assert len(calls) == 4
    assert [p.pk for p in compiled.all(people=[brown.pk, khan.pk])] == [brown.pk, khan.pk]
    assert [p.pk for p in compiled.all(people=[khan.pk])] == [khan.pk]
    assert len(calls) == 4

    # exists() has its own SQL, compiled once too.
    assert compiled.exists(people=[brown.pk])
    assert not compiled.exists(people=[uuid4()])
    assert len(calls) == 6


def test_scalar_parameters_are_compiled_once_and_each_run_gets_its_own_rows(team: Team, other_team: Team) -> None:
    sam, olive = _user("sam"), _user("olive")
    Membership.objects.create(user=sam, team=team, role=Role.SOCIAL_WORKER)
    Membership.objects.create(user=olive, team=other_team, role=Role.TEAM_MANAGER)
    build, calls = _counting(_memberships)
    compiled: CompiledQuery[Membership] = CompiledQuery(build, user=field(Membership, "user"))

    assert [(m.user.email, m.team_id) for m in compiled.all(user=sam.pk)] == [(sam.email, team.pk)]
    assert [(m.user.email, m.team_id) for m in compiled.all(user=olive.pk)] == [(olive.email, other_team.pk)]
    assert [(m.user.email, m.team_id) for m in compiled.all(user=sam.pk)] == [(sam.email, team.pk)]
    assert compiled.all(user=olive.pk + sam.pk + 1000) == []
    assert len(calls) == 2


def test_a_queryset_that_can_have_no_rows_is_compiled_once_too(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    build, calls = _counting(_people)
    compiled: CompiledQuery[Person] = CompiledQuery(build, people=_PERSON)
    for _ in range(3):
        with django_assert_num_queries(0):
            assert compiled.all(people=[]) == []
    assert len(calls) == 1


# --- Empty lists ----------------------------------------------------------------------------------------------------


def test_an_empty_list_answers_nothing_without_a_query_as_django_does(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    PersonFactory()
    compiled: CompiledQuery[Person] = CompiledQuery(_people, people=_PERSON)
    with django_assert_num_queries(0):
        assert list(_people([])) == []
        assert not _people([]).exists()
    with django_assert_num_queries(0):
        assert compiled.all(people=[]) == []
        assert compiled.first(people=[]) is None
        assert compiled.exists(people=[]) is False
        assert compiled.all(people=()) == []

    values: CompiledQuery[Any] = CompiledQuery(
        lambda people: Person.objects.filter(pk__in=people).values_list("pk"), people=_PERSON
    )
    with django_assert_num_queries(0):
        assert values.rows(people=[]) == []


def test_an_empty_list_in_one_branch_of_an_or_still_asks_the_other(
    team: Team, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    sam, olive = _user("sam"), _user("olive")
    Membership.objects.create(user=sam, team=team, role=Role.SOCIAL_WORKER)
    Membership.objects.create(user=olive, team=team, role=Role.TEAM_MANAGER)

    def build(teams: list[UUID], user: int) -> QuerySet[Membership]:
        return Membership.objects.filter(Q(team_id__in=teams) | Q(user_id=user)).order_by("created_at")

    compiled: CompiledQuery[Membership] = CompiledQuery(build, teams=field(Team, "id"), user=field(User, "id"))
    expected = list(build([], sam.pk))
    with django_assert_num_queries(1):
        found = compiled.all(teams=[], user=sam.pk)
    _assert_same(found, expected)
    assert [m.user_id for m in found] == [sam.pk]
    assert compiled.exists(teams=[], user=olive.pk)
    assert not compiled.exists(teams=[], user=olive.pk + sam.pk + 1000)
    assert len(compiled.all(teams=[team.pk], user=sam.pk)) == 2


# --- exists(), first() and rows() -----------------------------------------------------------------------------------


def test_exists_answers_as_django_does(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    person = PersonFactory()
    ServiceFactory(person=person, start_on=date(2020, 1, 1), end_on=date(2020, 12, 31))
    compiled: CompiledQuery[Service] = CompiledQuery(_current_services, person=_PERSON, today=_DATE)
    for who, today, answer in (
        (person, date(2020, 6, 1), True),
        (person, date(2020, 12, 31), True),
        (person, date(2021, 1, 1), False),
        (person, date(2019, 12, 31), False),
        (PersonFactory(), date(2020, 6, 1), False),
    ):
        assert _current_services(who.pk, today).exists() is answer
        with django_assert_num_queries(1):
            assert compiled.exists(person=who.pk, today=today) is answer


def test_first_is_the_first_row_or_none() -> None:
    adams, brown = PersonFactory(family_name="Adams"), PersonFactory(family_name="Brown")
    compiled: CompiledQuery[Person] = CompiledQuery(lambda people: _people(people)[:1], people=_PERSON)
    first = compiled.first(people=[brown.pk, adams.pk])
    assert first is not None and first.pk == adams.pk
    assert _values(first) == _values(Person.objects.get(pk=adams.pk))
    assert compiled.first(people=[uuid4(), uuid4()]) is None


def test_rows_of_a_values_list_are_converted_as_django_converts_them() -> None:
    person = PersonFactory()
    ServiceFactory(person=person, start_on=date(2020, 1, 1), end_on=date(2020, 12, 31))
    ServiceFactory(person=person, start_on=date(2021, 2, 3), end_on=None)

    def build(person: UUID) -> QuerySet[Any]:
        return (
            Service.objects.filter(person_id=person)
            .order_by("start_on")
            .values_list("start_on", "end_on", "created_at", "id", "person_id")
        )

    compiled: CompiledQuery[Any] = CompiledQuery(build, person=_PERSON)
    rows = compiled.rows(person=person.pk)
    assert rows == list(build(person.pk))
    assert [(start, end) for start, end, *_ in rows] == [
        (date(2020, 1, 1), date(2020, 12, 31)),
        (date(2021, 2, 3), None),
    ]
    for row in rows:
        assert type(row) is tuple
        assert type(row[0]) is date
        assert isinstance(row[2], datetime) and row[2].tzinfo is not None
        assert isinstance(row[3], UUID) and row[4] == person.pk
    assert compiled.rows(person=uuid4()) == []


def test_rows_of_a_flat_distinct_values_list_are_one_tuples() -> None:
    person = PersonFactory()
    for category in ("work", "people", "work", "dols"):
        ChronologyEntryFactory(person=person, category=category)
    ChronologyEntryFactory(category="safeguarding")

    def build(person: UUID) -> QuerySet[Any]:
        return Person(pk=person).chronology.order_by().values_list("category", flat=True).distinct()

    compiled: CompiledQuery[Any] = CompiledQuery(build, person=_PERSON)
    assert sorted(compiled.rows(person=person.pk)) == [("dols",), ("people",), ("work",)]
    assert sorted(build(person.pk)) == ["dols", "people", "work"]


# --- Shapes that cannot be compiled fail loudly ---------------------------------------------------------------------


def test_a_parameter_the_queryset_ignores_is_refused() -> None:
    compiled: CompiledQuery[Person] = CompiledQuery(lambda person: Person.objects.all(), person=_PERSON)
    with pytest.raises(TypeError, match="'person' does not reach the SQL"):
        compiled.all(person=uuid4())
    # Nothing wrong was kept: it is refused again.
    with pytest.raises(TypeError, match="does not reach the SQL"):
        compiled.exists(person=uuid4())
    with pytest.raises(TypeError, match="does not reach the SQL"):
        compiled.all(person=uuid4())


def test_a_parameter_used_only_in_a_slice_is_refused() -> None:
    PersonFactory.create_batch(3)
    compiled: CompiledQuery[Person] = CompiledQuery(
        lambda size: Person.objects.order_by("id")[:size], size=field(Risk, "likelihood")
    )
    with pytest.raises(TypeError, match="'size' does not reach the SQL"):
        compiled.all(size=1)


def test_a_value_the_orm_rewrites_is_refused() -> None:
    compiled: CompiledQuery[Person] = CompiledQuery(
        lambda name: Person.objects.filter(family_name__icontains=name), name=field(Person, "family_name")
    )
    with pytest.raises(TypeError, match="'name' does not reach the SQL"):
        compiled.all(name="smith")


def test_prefetch_related_is_refused() -> None:
    compiled: CompiledQuery[Person] = CompiledQuery(
        lambda person: Person.objects.filter(pk=person).prefetch_related("services"), person=_PERSON
    )
    with pytest.raises(TypeError, match="cannot prefetch"):
        compiled.all(person=uuid4())
    with pytest.raises(TypeError, match="cannot prefetch"):
        compiled.exists(person=uuid4())


def test_the_wrong_parameter_names_are_refused() -> None:
    compiled: CompiledQuery[Service] = CompiledQuery(_current_services, person=_PERSON, today=_DATE)
    with pytest.raises(TypeError, match="expected the parameters"):
        compiled.all(person=uuid4())
    with pytest.raises(TypeError, match="expected the parameters"):
        compiled.all(person=uuid4(), today=date(2020, 1, 1), tomorrow=date(2020, 1, 2))
    with pytest.raises(TypeError, match="expected the parameters"):
        compiled.exists(someone=uuid4(), today=date(2020, 1, 1))
    with pytest.raises(TypeError, match="expected the parameters"):
        compiled.rows()
    with pytest.raises(TypeError, match="expected the parameters"):
        compiled.first(person=uuid4(), day=date(2020, 1, 1))


def test_a_parameter_of_a_type_without_a_probe_is_refused() -> None:
    compiled: CompiledQuery[Organisation] = CompiledQuery(
        lambda ours: Organisation.objects.filter(is_this_council=ours),
        ours=field(Organisation, "is_this_council"),
    )
    with pytest.raises(TypeError, match="cannot take a parameter of type BooleanField"):
        compiled.all(ours=True)


def test_field_is_the_concrete_field_and_refuses_a_reverse_relation() -> None:
    assert field(Membership, "user") is Membership._meta.get_field("user")
    assert field(Session, "expire_date") is Session._meta.get_field("expire_date")
    with pytest.raises(TypeError, match="not a concrete field"):
        field(Person, "services")


# --- known_related --------------------------------------------------------------------------------------------------


def test_known_related_makes_reading_the_relation_free(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    person = Person.objects.get(pk=PersonFactory().pk)
    ChronologyEntryFactory.create_batch(3, person=person)

    def build(person: UUID) -> QuerySet[ChronologyEntry]:
        return Person(pk=person).chronology.select_related(None).order_by("-occurred_at", "-id")

    compiled: CompiledQuery[ChronologyEntry] = CompiledQuery(build, person=_PERSON)
    # Without it the compiled rows know only the person's id, as a plain queryset's rows do.
    [entry, *_] = compiled.all(person=person.pk)
    with django_assert_num_queries(1):
        assert entry.person.pk == person.pk

    entries = compiled.all(person=person.pk)
    assert known_related(entries, "person", person) is entries
    with django_assert_num_queries(0):
        assert len(entries) == 3
        assert all(e.person is person for e in entries)
    assert known_related([], "person", person) == []


# --- Datetimes: the session store -----------------------------------------------------------------------------------


def test_the_session_store_loads_an_unexpired_session_and_not_an_expired_one(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    store = SessionStore()
    store["colour"] = "green"
    store.save()
    key = store.session_key
    assert key is not None

    fresh = SessionStore(session_key=key)
    with django_assert_num_queries(1):
        assert fresh.load() == {"colour": "green"}
    assert fresh.session_key == key

    # A session expiring a second from now is still good; one that expired a second ago is gone.
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + timedelta(seconds=1))
    assert SessionStore(session_key=key)["colour"] == "green"
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    expired = SessionStore(session_key=key)
    with django_assert_num_queries(1):
        assert expired.load() == {}
    assert expired.session_key is None
    assert "colour" not in SessionStore(session_key=key)

    # The other session is unaffected: each load uses its own key and time.
    other = SessionStore()
    other["colour"] = "blue"
    other.save()
    assert SessionStore(session_key=other.session_key)["colour"] == "blue"
    assert SessionStore(session_key="no-such-session-key-0123456789abcdef").load() == {}


def test_a_datetime_parameter_compares_at_the_microsecond() -> None:
    store = SessionStore()
    store["n"] = 1
    store.save()
    key = store.session_key
    expiry = datetime(2030, 5, 6, 7, 8, 9, 123456, tzinfo=timezone.get_current_timezone())
    Session.objects.filter(pk=key).update(expire_date=expiry)

    def build(key: str, now: datetime) -> QuerySet[Session]:
        return Session.objects.filter(session_key=key, expire_date__gt=now)

    compiled: CompiledQuery[Session] = CompiledQuery(
        build, key=field(Session, "session_key"), now=field(Session, "expire_date")
    )
    for now in (expiry - timedelta(microseconds=1), expiry, expiry + timedelta(microseconds=1)):
        assert [s.pk for s in compiled.all(key=key, now=now)] == [s.pk for s in build(key, now)]
    assert compiled.exists(key=key, now=expiry - timedelta(microseconds=1))
    assert not compiled.exists(key=key, now=expiry)
    [session] = compiled.all(key=key, now=expiry - timedelta(days=1))
    assert session.expire_date == expiry


# --- Shapes that once answered wrongly: now refused, or answered as Django does ------------------------------


def test_keyword_order_does_not_matter_for_list_parameters() -> None:
    adams, brown, khan = (PersonFactory(family_name=name) for name in ("Adams", "Brown", "Khan"))

    def build(first: list[UUID], second: list[UUID]) -> QuerySet[Person]:
        return Person.objects.filter(Q(pk__in=first) | Q(pk__in=second)).order_by("family_name")

    compiled: CompiledQuery[Person] = CompiledQuery(build, first=_PERSON, second=_PERSON)
    everyone = ["Adams", "Brown", "Khan"]
    assert [p.family_name for p in compiled.all(first=[adams.pk], second=[brown.pk, khan.pk])] == everyone
    assert [p.family_name for p in compiled.all(second=[adams.pk], first=[brown.pk, khan.pk])] == everyone


def test_a_value_used_as_is_and_rewritten_is_refused_or_answered_as_django_does() -> None:
    PersonFactory(given_name="Mary", family_name="Smithson")
    PersonFactory(given_name="Smith", family_name="Jones")

    def build(name: str) -> QuerySet[Person]:
        return Person.objects.filter(Q(given_name=name) | Q(family_name__icontains=name)).order_by("family_name")

    compiled: CompiledQuery[Person] = CompiledQuery(build, name=field(Person, "family_name"))
    assert [p.family_name for p in build("Smith")] == ["Jones", "Smithson"]
    with pytest.raises(TypeError, match="other than as a parameter"):
        compiled.all(name="Smith")


def test_a_value_used_in_a_filter_and_a_slice_is_refused_or_answered_as_django_does() -> None:
    for name in ("ann", "bob", "cat"):
        _user(name)

    def build(size: int) -> QuerySet[User]:
        return User.objects.filter(session_generation__lte=size).order_by("id")[:size]

    compiled: CompiledQuery[User] = CompiledQuery(build, size=field(User, "session_generation"))
    assert len(build(1)) == 1
    with pytest.raises(TypeError, match="other than as a parameter"):
        compiled.all(size=1)


def test_none_for_an_exact_parameter_is_refused_or_answered_as_django_does(team: Team) -> None:
    ServiceFactory(team=None)
    ServiceFactory(team=team)

    def build(team: UUID | None) -> QuerySet[Service]:
        return Service.objects.filter(team_id=team)

    compiled: CompiledQuery[Service] = CompiledQuery(build, team=field(Service, "team"))
    assert len(compiled.all(team=team.pk)) == 1
    assert len(build(None)) == 1
    with pytest.raises(TypeError, match="cannot test for NULL"):
        compiled.all(team=None)


# --- Compiled inserts and counts ------------------------------------------------------------------------------------


def _access(user: User, **values: Any) -> AccessEvent:
    fields: dict[str, Any] = {
        "occurred_at": timezone.now(),
        "user": user,
        "person_id": uuid4(),
        "kind": "view",
        "basis": "relationship",
        "what": "person page",
        "grant_id": None,
    }
    fields.update(values)
    return AccessEvent(**fields)


ACCESS_FIELDS = ("occurred_at", "user", "person_id", "kind", "basis", "what", "grant_id")


def test_a_compiled_insert_writes_the_row_save_would_write_and_sets_its_id(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    user = _user("ivy")
    insert: CompiledInsert[AccessEvent] = CompiledInsert(AccessEvent, ACCESS_FIELDS)
    first, second = _access(user, what="first"), _access(user, what="second", grant_id=uuid4())
    with django_assert_num_queries(1):
        insert.insert(first)
    insert.insert(second)
    assert first.pk is not None and second.pk is not None and first.pk != second.pk
    assert not first._state.adding
    for written in (first, second):
        stored = AccessEvent.objects.get(pk=written.pk)
        assert [getattr(stored, f.attname) for f in AccessEvent._meta.concrete_fields] == [
            getattr(written, f.attname) for f in AccessEvent._meta.concrete_fields
        ]


def test_a_compiled_insert_refuses_a_saved_row_and_unknown_fields() -> None:
    user = _user("jo")
    insert: CompiledInsert[AccessEvent] = CompiledInsert(AccessEvent, ACCESS_FIELDS)
    saved = insert.insert(_access(user))
    with pytest.raises(TypeError, match="already saved"):
        insert.insert(saved)
    with pytest.raises(Exception):  # noqa: B017, PT011 - FieldDoesNotExist or TypeError
        CompiledInsert(AccessEvent, ("occurred_at", "nothing_here")).insert(_access(user))


def test_count_rows_counts_what_the_queryset_counts() -> None:
    for name in ("Adams", "Brown", "Khan", "Khan"):
        PersonFactory(family_name=name)
    compiled: CompiledQuery[Any] = CompiledQuery(
        lambda name: Person.objects.filter(family_name=name).order_by().values_list(COUNT_ROWS),
        name=field(Person, "family_name"),
    )
    assert compiled.rows(name="Khan") == [(2,)]
    assert compiled.rows(name="Nobody") == [(0,)]


def test_a_page_of_rows_is_the_queryset_sliced() -> None:
    for name in ("Adams", "Brown", "Carter", "Dunn", "Evans"):
        PersonFactory(family_name=name)
    compiled: CompiledQuery[Any] = CompiledQuery(
        lambda: Person.objects.order_by("family_name").values_list("family_name")
    )
    assert compiled.page_rows(0, 2) == [("Adams",), ("Brown",)]
    assert compiled.page_rows(2, 2) == [("Carter",), ("Dunn",)]
    assert compiled.page_rows(4, 2) == [("Evans",)]
    with pytest.raises(ValueError, match="a page starts"):
        compiled.page_rows(-1, 2)
    sliced: CompiledQuery[Any] = CompiledQuery(
        lambda: Person.objects.order_by("family_name").values_list("family_name")[:3]
    )
    with pytest.raises(TypeError, match="must not be sliced"):
        sliced.page_rows(0, 2)
