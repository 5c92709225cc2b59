"""Screen-shaped reads of people: who may see whom, search, and the person page."""

import functools
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import connections
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from safepathways.accounts.models import Team, User
from safepathways.audit.models import AccessBasis
from safepathways.core.compiled import CompiledQuery, field, known_related
from safepathways.core.identifiers import is_valid_nhs_number, normalise_nhs_number, normalise_postcode
from safepathways.people.models import AccessGrant, AccessGrantKind, ChronologyEntry, Person, Share, name_key


class RelationshipRequiredError(Exception):
    """Council staff asked for a record they do not work with: they must say why first."""

    def __init__(self, person: Person) -> None:
        super().__init__(str(person.pk))
        self.person = person


@dataclass(frozen=True)
class PersonAccess:
    person: Person
    basis: str
    grant: AccessGrant | None


def resolve_access(user: User, person_id: UUID | str) -> PersonAccess:
    """The person and the basis on which `user` may open their record.

    Partners see only people shared with their organisation; anything else is a 404.
    Council staff may open the record of anyone their teams work with; for anyone else they
    must declare a relationship (or break glass, for restricted records) first.
    """
    if not user.is_authenticated:
        raise Http404
    now = timezone.now()
    if not user.is_council_staff:
        person = (
            Person.objects.shared_with_organisations(user.organisation_ids, now)
            .with_gender_label()
            .filter(pk=person_id)
            .first()
            if user.organisation_ids
            else None
        )
        if person is None:
            raise Http404
        return PersonAccess(person, AccessBasis.PARTNER_SHARE, None)
    person = _PERSON_WITH_AREA.first(person=person_id)
    if person is None:
        raise Http404
    if _has_team_relationship(user, person):
        return PersonAccess(person, AccessBasis.RELATIONSHIP, None)
    grants = AccessGrant.objects.current(now).filter(user=user, person=person)
    if person.is_restricted:
        # A restricted record offers only break-glass (ADR-004): a declared grant counts only if it was given once
        # the record was restricted, which only create_person does, for the person who adds it restricted. Asked in
        # the same query, so a look at a record costs nothing more.
        declared_since = Q(granted_at__gte=person.restricted_at) if person.restricted_at else Q(pk__in=[])
        grants = grants.filter(Q(kind=AccessGrantKind.BREAK_GLASS) | declared_since)
    grant = grants.order_by("-expires_at").first()
    if grant is not None:
        basis = AccessBasis.BREAK_GLASS if grant.kind == AccessGrantKind.BREAK_GLASS else AccessBasis.DECLARED
        return PersonAccess(person, basis, grant)
    raise RelationshipRequiredError(person)


# Every look at a record asks these, so they are compiled once per process (ADR-020).
_PERSON_WITH_AREA: CompiledQuery[Person] = CompiledQuery(
    # with the gender's label in the same query: the person page shows it and reads nothing more for it.
    lambda person: Person.objects.select_related("neighbourhood").with_gender_label().filter(pk=person)[:1],
    person=field(Person, "id"),
)
_TEAM_WORK: CompiledQuery[Any] = CompiledQuery(
    lambda person, teams, user: (
        Person(pk=person).work_items.open().filter(Q(team_id__in=teams) | Q(allocated_to_id=user))
    ),
    person=field(Person, "id"),
    teams=field(Team, "id"),
    user=field(User, "id"),
)


def _not_ended(today: date) -> Q:
    """Services current or planned (starting after today): the person page lists both, and a team works with the
    person from the moment a service it is responsible for is planned."""
    return Q(end_on__isnull=True) | Q(end_on__gte=today)


_TEAM_SERVICES: CompiledQuery[Any] = CompiledQuery(
    lambda person, teams, today: Person(pk=person).services.filter(_not_ended(today), team_id__in=teams),
    person=field(Person, "id"),
    teams=field(Team, "id"),
    today=field(Person, "date_of_birth"),
)


_TEAM_RECENT_WORK: CompiledQuery[Any] = CompiledQuery(
    lambda person, teams, user, since: (
        Person(pk=person).work_items.filter(closed_at__gte=since).filter(Q(team_id__in=teams) | Q(allocated_to_id=user))
    ),
    person=field(Person, "id"),
    teams=field(Team, "id"),
    user=field(User, "id"),
    since=field(AccessGrant, "expires_at"),  # a date and time, adapted as work items' closed_at is
)


def _has_team_relationship(user: User, person: Person) -> bool:
    teams = list(user.team_ids)
    if _TEAM_WORK.exists(person=person.pk, teams=teams, user=user.pk) or _TEAM_SERVICES.exists(
        person=person.pk, teams=teams, today=timezone.localdate()
    ):
        return True
    # Work closed lately still counts, so the follow-up after it (the check after a move, a readmission within the
    # window) needs no declaration. Asked only when nothing open answers, so the usual look costs nothing more.
    days = settings.SAFEPATHWAYS.get("RECENT_WORK_DAYS", 0)
    if days <= 0:
        return False
    since = timezone.now() - timedelta(days=days)
    return _TEAM_RECENT_WORK.exists(person=person.pk, teams=teams, user=user.pk, since=since)


def current_shares(person: Person) -> QuerySet[Share]:
    """The partner organisations this person's record is shared with now, by organisation name."""
    return (
        Share.objects.current()
        .filter(person=person)
        .select_related("organisation", "shared_by")
        .order_by("organisation__name", "created_at")
    )


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    date_of_birth: date | None = None
    postcode: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.text.strip() or self.date_of_birth or self.postcode.strip())


@dataclass(frozen=True)
class SearchResult:
    person: Person
    score: float
    reasons: tuple[str, ...]


SEARCH_LIMIT = 50


def _name_tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[^\w'-]+", text.lower()) if t]


# The columns search ranks and shows: loading only these keeps the candidate fetch cheap.
SEARCH_COLUMNS = (
    "id",
    "reference",
    "given_name",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "address_line_1",
    "postcode",
    "is_restricted",
)


def search_people(user: User, query: SearchQuery, limit: int = SEARCH_LIMIT) -> list[SearchResult]:
    """Find people by name (tolerant of spelling and order), NHS number, reference, date of birth, postcode.

    Candidates come from indexed columns (phonetic keys, prefixes, exact identifiers); rapidfuzz
    then ranks them. Partners only find people shared with their organisation.
    """
    if query.is_empty:
        return []
    # A record merged into another is found through the record it was merged into.
    base: QuerySet[Person] = Person.objects.filter(merged_into__isnull=True)
    if not user.is_council_staff:
        base = Person.objects.shared_with_organisations(user.organisation_ids).filter(merged_into__isnull=True)
    text = query.text.strip()
    digits = normalise_nhs_number(text)
    tokens: list[str] = []
    filters = Q()
    if query.date_of_birth:
        filters &= Q(date_of_birth=query.date_of_birth)
    if query.postcode:
        filters &= postcode_filter(query.postcode)
    if digits.isdigit() and len(digits) == 10:
        if not is_valid_nhs_number(digits):
            return []
        filters &= Q(nhs_number=digits)
    elif re.fullmatch(r"(?i)sp\d{7}", text):
        filters &= Q(reference=text.upper())
    elif text:
        tokens = _name_tokens(text)
    each = [_token_matches(token) for token in tokens]
    # Every word must match a name, in any order; only if nobody matches all of them, any word will do.
    rows = _candidates(base, filters & _all(each), limit)
    if not rows and len(each) > 1:
        rows = _candidates(base, filters & _any(each), limit)
    # Only if still nobody: surnames spelt nearly as typed (a slip, or two letters swapped), from a bounded read of an
    # index (_near_surnames): a query for each word (two with a trigram index), then one for the people. It runs only
    # on a search that would otherwise say "No one found". Every search the benchmark measures finds people above
    # (its misspelt surname sounds the same), so it never runs there and bench/rawsql.py has no SQL for it.
    spelt_similarly = False
    if not rows and tokens:
        near = _near_surnames(tokens, base.db)
        if near:
            rows = _candidates(base, filters & Q(family_name_lower__in=sorted(near)), limit)
            spelt_similarly = bool(rows)
    # Rank the candidates as plain rows and make records only of those shown: up to ten times as many are read as
    # are listed, and building a model instance costs more than ranking it.
    fields = _search_fields()
    given, family, preferred = fields.index("given_name"), fields.index("family_name"), fields.index("preferred_name")
    wanted = " ".join(sorted(tokens))
    scored = [
        (fuzz.token_set_ratio(wanted, " ".join(sorted(_name_tokens(f"{r[given]} {r[family]} {r[preferred]}")))), r)
        if tokens
        else (100.0, r)
        for r in rows
    ]
    scored.sort(key=lambda pair: (-pair[0], pair[1][family], pair[1][given]))
    return [
        _result(Person.from_db(base.db, fields, row), score, tokens, query, spelt_similarly=spelt_similarly)
        for score, row in scored[:limit]
    ]


# An outward code (district, 'N1', 'NW10', 'EC1A'), then optionally the start of the inward code (its sector digit,
# 'N1 9', and perhaps a letter). Typed without a space, the outward code is read as long as it can be: 'N19' is the
# district N19, not the sector N1 9 (the form takes five characters or more only as a full postcode).
_OUTWARD = r"[A-PR-UWYZ](?:[0-9][A-HJKPSTUW]|[A-HK-Y][0-9][ABEHMNPRVWXY]|[A-HK-Y][0-9]{1,2}|[0-9]{1,2})"
_PART_OF_POSTCODE = re.compile(rf"^(?P<outward>{_OUTWARD})(?: ?(?P<inward>[0-9][A-Z]{{0,2}}))?$")
_POSTCODE_AREA = re.compile(r"^[A-PR-UWYZ][A-HK-Y]?$")


def postcode_filter(typed: str) -> Q:
    """People whose postcode is the one typed, or lies in the district ('N1', never N19), the sector ('N1 9') or the
    area ('N', never NW) typed.

    Postcodes are stored normalised ('N1 9AB'; postcode_compact 'N19AB', indexed). Each part is read as a range of
    postcode_compact, which its index serves on SQLite and PostgreSQL alike (SQLite's LIKE cannot use it): bounds of
    letters and digits only, so any collation orders them alike. A district's range also holds the longer districts
    that begin the same way (N1's holds N10 to N19), so the normalised postcode, with its space, then says exactly
    which district a row is in.
    """
    full = normalise_postcode(typed)
    if full is not None:
        return Q(postcode_compact=full.replace(" ", ""))
    text = " ".join(typed.upper().split())
    if _POSTCODE_AREA.match(text):
        # The area's letters then a digit: 'N0' up to 'N9ZZZZZ' (a postcode has seven characters at most).
        return Q(postcode_compact__gte=f"{text}0", postcode_compact__lte=f"{text}9ZZZZZ")
    part = _PART_OF_POSTCODE.match(text)
    if part is None:
        return Q(pk__in=[])  # not a postcode or any part of one: nobody has it
    start = f"{part['outward']} {part['inward'] or ''}"
    compact = start.replace(" ", "")
    return Q(postcode_compact__gte=compact, postcode_compact__lte=f"{compact}ZZZ", postcode__startswith=start)


def is_postcode_or_part(typed: str) -> bool:
    """Whether `typed` is a postcode, or the part of one postcode_filter reads (area, district or sector)."""
    if normalise_postcode(typed) is not None:
        return True
    text = " ".join(typed.upper().split())
    return bool(_POSTCODE_AREA.match(text) or _PART_OF_POSTCODE.match(text))


def search_problems(query: SearchQuery, *, today: date | None = None) -> dict[str, str]:
    """What is wrong with a search, by field ("q", "date_of_birth", "postcode"), in words for the person searching.

    The web search form and the API both ask this, so they refuse the same searches with the same words; each
    would otherwise find nobody and say only that."""
    problems: dict[str, str] = {}
    digits = normalise_nhs_number(query.text.strip())
    if digits.isdigit() and len(digits) == 10 and not is_valid_nhs_number(digits):
        problems["q"] = "That NHS number is not valid: check the 10 digits"
    if query.date_of_birth and query.date_of_birth > (today or timezone.localdate()):
        problems["date_of_birth"] = "Date of birth must be today or in the past"
    if query.postcode.strip() and not is_postcode_or_part(query.postcode):
        problems["postcode"] = "Enter a real postcode, or the first part of one, like NW1"
    return problems


def _token_matches(token: str) -> Q:
    """One typed word matches a first name, a surname (its first or, for several words, last word), a preferred
    name, phonetically; or the start of the surname as typed. The preferred and last-word keys are empty for most
    people, so an empty key is never compared (it would match them all)."""
    key = name_key(token)
    matches = Q(family_name_lower__startswith=token)
    if key:
        matches |= Q(family_name_key=key) | Q(given_name_key=key) | Q(preferred_name_key=key)
        matches |= Q(family_name_last_key=key)
    return matches


def _all(conditions: list[Q]) -> Q:
    combined = Q()
    for condition in conditions:
        combined &= condition
    return combined


def _any(conditions: list[Q]) -> Q:
    combined = Q()
    for condition in conditions:
        combined |= condition
    return combined


@functools.cache
def _search_fields() -> list[str]:
    """SEARCH_COLUMNS in the model's field order, as Person.from_db takes the values of a partly read record."""
    return [f.attname for f in Person._meta.concrete_fields if f.attname in SEARCH_COLUMNS]


def _candidates(base: QuerySet[Person], filters: Q, limit: int) -> list[tuple[Any, ...]]:
    ordered = base.filter(filters).order_by("family_name", "given_name", "id")
    return list(ordered.values_list(*_search_fields())[: limit * 10])


# The near-spelling fallback: how many different surnames it reads under one typed word at most, and how far (in
# letters slipped, added, lost or swapped with the next) a surname may be from the word, by the word's length.
NEAR_SURNAMES = 5000
NEAR_WORD_MIN = 3


def _max_slips(word: str) -> int:
    return 1 if len(word) < 8 else 2


def _near_surnames(tokens: list[str], alias: str) -> set[str]:
    """Surnames (as family_name_lower) spelt within a slip or two of a typed word: 'aktins' gives 'atkins'.

    For each word (the first three of three letters or more), the different surnames that begin with its first letter,
    or with its second (so 'takins', the first two letters swapped, and 'tatkins', a letter typed before the first,
    find Atkins), are read from the index on family_name_lower (two prefixes of it, never the table; at most
    NEAR_SURNAMES names, each once). rapidfuzz keeps those within an optimal-string-alignment distance of one (a letter
    slipped, added, lost, or swapped with the next; two for words of eight letters or more). A first letter typed wrong
    or left out is found only on PostgreSQL with a trigram index on family_name_lower (pg_trgm), when there is one.
    """
    near: set[str] = set()
    words = [t for t in tokens if len(t) >= NEAR_WORD_MIN and t.isalpha()][:3]
    for word in words:
        starts = {word[0], word[1]}
        ranges = Q()
        for start in starts:
            ranges |= _surname_starts(start, alias)
        names = set(
            Person.objects.using(alias)
            .filter(ranges)
            .order_by("family_name_lower")
            .values_list("family_name_lower", flat=True)
            .distinct()[:NEAR_SURNAMES]
        )
        if _has_trigram_index(alias):
            names.update(
                Person.objects.using(alias)
                .filter(family_name_lower__trigram_similar=word)
                .order_by()
                .values_list("family_name_lower", flat=True)
                .distinct()[:NEAR_SURNAMES]
            )
        limit = _max_slips(word)
        near.update(name for name in names if name != word and OSA.distance(word, name, score_cutoff=limit) <= limit)
    return near


def _surname_starts(start: str, alias: str) -> Q:
    """Surnames beginning with `start`, in a form the database answers from its index on family_name_lower."""
    if connections[alias].vendor == "sqlite":
        # SQLite's LIKE cannot use an index in the BINARY collation; a range in code-point order can.
        return Q(family_name_lower__gte=start, family_name_lower__lt=start[:-1] + chr(ord(start[-1]) + 1))
    # PostgreSQL: LIKE 'a%' uses the varchar_pattern_ops index Django adds beside the column's own; a range would be
    # in the database's collation, where the character after 'z' may well sort before it.
    return Q(family_name_lower__startswith=start)


@functools.cache
def _has_trigram_index(alias: str) -> bool:
    """Whether PostgreSQL has a trigram index (pg_trgm) on family_name_lower; asked once per process. No migration
    makes one (CREATE EXTENSION needs rights a deployment may not give): a database administrator may add it, e.g.
    CREATE INDEX person_family_trgm ON people_person USING gin (family_name_lower gin_trgm_ops)."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s AND indexdef LIKE %s LIMIT 1",
            ["people_person", "%trgm_ops%", "%family_name_lower%"],
        )
        return cursor.fetchone() is not None


def _result(
    person: Person, score: float, tokens: list[str], query: SearchQuery, *, spelt_similarly: bool = False
) -> SearchResult:
    reasons: list[str] = []
    if spelt_similarly:
        reasons.append("name spelt similarly")
    elif tokens:
        reasons.append("name matches" if score >= 95 else "name sounds similar")
    if query.date_of_birth and person.date_of_birth == query.date_of_birth:
        reasons.append("same date of birth")
    if query.postcode:
        reasons.append("same postcode" if normalise_postcode(query.postcode) else "same postcode area")
    return SearchResult(person, score, tuple(reasons))


@dataclass(frozen=True)
class PersonPage:
    person: Person
    alerts: list[Any]
    services: list[Any]
    # Services that start after today, soonest first: read in the same query as the current ones.
    planned_services: list[Any]
    work_items: list[Any]
    risks: list[Any]
    contacts: list[Any]
    involvements: list[Any]
    chronology: list[ChronologyEntry]
    chronology_categories: list[str]
    has_older_entries: bool


CHRONOLOGY_PAGE = 50


def _chronology_query(*, category: bool, before: bool) -> CompiledQuery[ChronologyEntry]:
    def build(person: UUID, category: str = "", before: Any = None, before_id: Any = None) -> QuerySet[ChronologyEntry]:
        entries = Person(pk=person).chronology.select_related(None).order_by("-occurred_at", "-id")
        if category:
            entries = entries.filter(category=category)
        if before:
            # The page's order is (occurred_at, id), newest first: entries recorded at the same moment as the last
            # one shown are told apart by their id, so none is skipped or shown twice.
            entries = entries.filter(Q(occurred_at__lt=before) | Q(occurred_at=before, id__lt=before_id))
        return entries[: CHRONOLOGY_PAGE + 1]

    fields = {"person": field(Person, "id")}
    if category:
        fields["category"] = field(ChronologyEntry, "category")
    if before:
        fields["before"] = field(ChronologyEntry, "occurred_at")
        fields["before_id"] = field(ChronologyEntry, "id")
    return CompiledQuery(build, **fields)


# The person page's reads, compiled once per process (ADR-020): same SQL as the querysets, without
# compiling it again on every look at a record.
_PERSON = field(Person, "id")
_TODAY = field(Person, "date_of_birth")  # any DateField: says how a date is adapted
_CHRONOLOGY = {
    (category, before): _chronology_query(category=category, before=before)
    for category in (False, True)
    for before in (False, True)
}
_ALERTS: CompiledQuery[Any] = CompiledQuery(
    lambda person: Person(pk=person).alerts.active().select_related("owner").order_by("review_on"), person=_PERSON
)
# Current and planned services in one query (newest start first, the model's order); person_page splits them.
_SERVICES: CompiledQuery[Any] = CompiledQuery(
    lambda person, today: (
        Person(pk=person).services.filter(_not_ended(today)).select_related("provider", "location", "team")
    ),
    person=_PERSON,
    today=_TODAY,
)
_WORK_ITEMS: CompiledQuery[Any] = CompiledQuery(
    lambda person: Person(pk=person).work_items.open().select_related("team", "allocated_to"), person=_PERSON
)
_RISKS: CompiledQuery[Any] = CompiledQuery(
    lambda person: Person(pk=person).risks.open().select_related("owner"), person=_PERSON
)
_CONTACTS: CompiledQuery[Any] = CompiledQuery(
    lambda person: Person(pk=person).contacts.filter(ended_at__isnull=True), person=_PERSON
)
_INVOLVEMENTS: CompiledQuery[Any] = CompiledQuery(
    lambda person, today: (
        Person(pk=person)
        .involvements.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
        .select_related("organisation")
    ),
    person=_PERSON,
    today=_TODAY,
)
# order_by() drops the model's ordering, which would otherwise put occurred_at in the DISTINCT.
_CATEGORIES: CompiledQuery[Any] = CompiledQuery(
    lambda person: Person(pk=person).chronology.order_by().values_list("category", flat=True).distinct(),
    person=_PERSON,
)


# A cursor from a link without the id of the last entry shown: every entry at that moment is shown again.
_LAST_ID = UUID(int=(1 << 128) - 1)


def person_page(person: Person, *, category: str = "", before: Any = None, before_id: UUID | None = None) -> PersonPage:
    """Everything the person page shows, in a fixed number of queries whatever the record's size.

    `before` and `before_id`: the time and id of the last chronology entry shown, for the older ones."""
    today = timezone.localdate()
    pk = person.pk
    chronology = _CHRONOLOGY[bool(category), bool(before)]
    values: dict[str, Any] = {"person": pk}
    if category:
        values["category"] = category
    if before:
        values["before"] = before
        values["before_id"] = before_id or _LAST_ID
    entries = known_related(chronology.all(**values), "person", person)
    services = known_related(_SERVICES.all(person=pk, today=today), "person", person)
    return PersonPage(
        person=person,
        alerts=known_related(_ALERTS.all(person=pk), "person", person),
        services=[s for s in services if s.start_on <= today],
        planned_services=sorted((s for s in services if s.start_on > today), key=lambda s: s.start_on),
        work_items=known_related(_WORK_ITEMS.all(person=pk), "person", person),
        risks=known_related(_RISKS.all(person=pk), "person", person),
        contacts=known_related(_CONTACTS.all(person=pk), "person", person),
        involvements=known_related(_INVOLVEMENTS.all(person=pk, today=today), "person", person),
        chronology=entries[:CHRONOLOGY_PAGE],
        chronology_categories=sorted(row[0] for row in _CATEGORIES.rows(person=pk)),
        has_older_entries=len(entries) > CHRONOLOGY_PAGE,
    )
