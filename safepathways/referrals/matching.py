"""Record linkage: is the person a contact describes already known, and which records are duplicates?

Both questions are answered the same way, in two steps (ADR-007 keys, rapidfuzz ranking):

1. **Blocking.** Candidates come only from indexed columns of `people.Person`, never from a scan
   of the table in Python: the exact NHS number; the date of birth (and the same date with day
   and month swapped, a common slip); the compact postcode; and the phonetic keys of the first
   and last names (`given_name_key`, `family_name_key`, also tried the other way round). Each
   block is capped, so a busy postcode cannot flood the ranking. The whole-record duplicate search
   compares at most DUPLICATE_GROUP_LIMIT blocks per blocking key, the largest first (ties by value),
   and says when it had to leave some out.
2. **Scoring.** Each candidate earns points for the evidence it shares with what was given, out
   of 100:

   ============================================  ======
   Evidence                                      Points
   ============================================  ======
   Same NHS number                               35
   Name similarity (rapidfuzz token_sort_ratio)  up to 30 (similarity × 0.3)
   Same date of birth                            20
   Date of birth with day and month swapped      10
   Same postcode                                 7
   Same first line of address (as well)          5
   Same phone number                             3
   Different NHS number (both known)             −25
   Different date of birth (both known)          −10
   ============================================  ======

   A candidate is shown only when something strong links it: the same NHS number, a name at
   least 70% similar, or the same date of birth at the same postcode or phone number (a changed
   surname). The reasons shown to staff ("same NHS number", "similar name and same date of
   birth", "same address") are the evidence that earned the points.

Records merged into another (`merged_into`) are never candidates, and a pair someone has recorded as
different people (`NotDuplicate`, until undone) is never listed as a duplicate again.
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from itertools import combinations

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

from safepathways.core.identifiers import is_valid_nhs_number, normalise_nhs_number, normalise_postcode
from safepathways.people.models import Person, name_key
from safepathways.referrals.models import Contact, NotDuplicate

NHS_NUMBER_POINTS = 35
NAME_POINTS = 30
DATE_OF_BIRTH_POINTS = 20
SWAPPED_DATE_OF_BIRTH_POINTS = 10
POSTCODE_POINTS = 7
ADDRESS_POINTS = 5
PHONE_POINTS = 3
DIFFERENT_NHS_NUMBER_POINTS = -25
DIFFERENT_DATE_OF_BIRTH_POINTS = -10

SIMILAR_NAME = 70  # token_sort_ratio at or above this is "similar name"
SAME_NAME = 95
SAME_ADDRESS = 85
MATCH_MIN_SCORE = 25  # shown while a contact is typed
DUPLICATE_MIN_SCORE = 40  # listed as a likely duplicate pair
MATCH_LIMIT = 10
BLOCK_LIMIT = 200  # rows read from any one block
DUPLICATE_GROUP_LIMIT = 2000  # blocks read per blocking key when looking for duplicates

# Only the identity columns are read: matching never loads a whole record.
IDENTITY_FIELDS = (
    "id",
    "reference",
    "given_name",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "nhs_number",
    "address_line_1",
    "postcode",
    "phone",
    "is_restricted",
)


@dataclass(frozen=True)
class Identity:
    """What is known of someone's identity: from a contact, a form, the API or another record."""

    given_name: str = ""
    family_name: str = ""
    date_of_birth: date | None = None
    nhs_number: str = ""
    postcode: str = ""
    address_line: str = ""
    phone: str = ""

    @property
    def is_empty(self) -> bool:
        return not (
            self.given_name.strip()
            or self.family_name.strip()
            or self.date_of_birth
            or self.nhs_number.strip()
            or self.postcode.strip()
        )


@dataclass(frozen=True)
class Candidate:
    person: Person
    score: int
    reasons: tuple[str, ...]

    @property
    def postcode_district(self) -> str:
        return postcode_district(self.person.postcode)


@dataclass(frozen=True)
class DuplicatePair:
    first: Person
    second: Person
    score: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Comparison:
    score: int
    reasons: tuple[str, ...]
    is_linked: bool  # some strong evidence links the two


def postcode_district(postcode: str) -> str:
    """The outward code only ('NW5 1AB' -> 'NW5'): enough to tell people apart, not enough to find them."""
    return postcode.split(" ")[0] if postcode else ""


def identity_of(person: Person) -> Identity:
    return Identity(
        given_name=person.given_name,
        family_name=person.family_name,
        date_of_birth=person.date_of_birth,
        nhs_number=person.nhs_number or "",
        postcode=person.postcode,
        address_line=person.address_line_1,
        phone=person.phone,
    )


def identity_of_contact(contact: Contact) -> Identity:
    """The identity the referrer gave."""
    return Identity(
        given_name=contact.given_name,
        family_name=contact.family_name,
        date_of_birth=contact.date_of_birth,
        nhs_number=contact.nhs_number,
        postcode=contact.postcode,
        address_line=contact.address_line,
        phone=contact.phone,
    )


def _phone_digits(phone: str) -> str:
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("44"):
        digits = digits[2:]
    return digits.lstrip("0")


def _compact_postcode(postcode: str) -> str:
    normalised = normalise_postcode(postcode) if postcode else None
    return normalised.replace(" ", "") if normalised else ""


def _swapped(day: date | None) -> date | None:
    """The same date with day and month swapped, when that is a different real date."""
    if day is None or day.day > 12 or day.day == day.month:
        return None
    return date(day.year, day.day, day.month)


def _name_similarity(identity: Identity, person: Person) -> float:
    given, family = identity.given_name.strip(), identity.family_name.strip()
    if given and family:
        wanted = f"{given} {family}"
        options = [f"{person.given_name} {person.family_name}"]
        if person.preferred_name:
            options.append(f"{person.preferred_name} {person.family_name}")
        return max(fuzz.token_sort_ratio(wanted, option, processor=default_process) for option in options)
    if family:
        return fuzz.ratio(family, person.family_name, processor=default_process)
    if given:
        return fuzz.ratio(given, person.given_name, processor=default_process)
    return 0.0


def compare(identity: Identity, person: Person) -> Comparison:
    """Score how likely `person` is the one `identity` describes, with the evidence as reasons."""
    points = 0.0
    reasons: list[str] = []
    nhs_number = normalise_nhs_number(identity.nhs_number)
    same_nhs_number = bool(nhs_number) and nhs_number == person.nhs_number
    if same_nhs_number:
        points += NHS_NUMBER_POINTS
        reasons.append("same NHS number")
    elif nhs_number and person.nhs_number:
        points += DIFFERENT_NHS_NUMBER_POINTS
    similarity = _name_similarity(identity, person)
    points += NAME_POINTS * similarity / 100
    name_words = "same name" if similarity >= SAME_NAME else "similar name" if similarity >= SIMILAR_NAME else ""
    same_birthday = identity.date_of_birth is not None and identity.date_of_birth == person.date_of_birth
    if same_birthday:
        points += DATE_OF_BIRTH_POINTS
        reasons.append(f"{name_words} and same date of birth" if name_words else "same date of birth")
    else:
        if name_words:
            reasons.append(name_words)
        if identity.date_of_birth and person.date_of_birth:
            if _swapped(identity.date_of_birth) == person.date_of_birth:
                points += SWAPPED_DATE_OF_BIRTH_POINTS
                reasons.append("date of birth with day and month swapped")
            else:
                points += DIFFERENT_DATE_OF_BIRTH_POINTS
    compact = _compact_postcode(identity.postcode)
    same_postcode = bool(compact) and compact == person.postcode.replace(" ", "")
    if same_postcode:
        points += POSTCODE_POINTS
        address = identity.address_line.strip()
        if address and fuzz.token_set_ratio(address, person.address_line_1, processor=default_process) >= SAME_ADDRESS:
            points += ADDRESS_POINTS
            reasons.append("same address")
        else:
            reasons.append("same postcode")
    phone = _phone_digits(identity.phone)
    same_phone = len(phone) >= 9 and phone == _phone_digits(person.phone)
    if same_phone:
        points += PHONE_POINTS
        reasons.append("same phone number")
    if nhs_number and person.nhs_number and not same_nhs_number:
        reasons.append("different NHS number")
    is_linked = same_nhs_number or similarity >= SIMILAR_NAME or (same_birthday and (same_postcode or same_phone))
    return Comparison(score=max(0, min(100, round(points))), reasons=tuple(reasons), is_linked=is_linked)


def _live_people() -> QuerySet[Person]:
    return Person.objects.filter(merged_into__isnull=True).only(*IDENTITY_FIELDS).order_by()


def _blocks(identity: Identity) -> list[Q]:
    """One indexed filter per kind of evidence given (Person has an index behind each)."""
    blocks: list[Q] = []
    nhs_number = normalise_nhs_number(identity.nhs_number)
    if is_valid_nhs_number(nhs_number):
        blocks.append(Q(nhs_number=nhs_number))
    if identity.date_of_birth:
        dates = [identity.date_of_birth]
        swapped = _swapped(identity.date_of_birth)
        if swapped:
            dates.append(swapped)
        blocks.append(Q(date_of_birth__in=dates))
    compact = _compact_postcode(identity.postcode)
    if compact:
        blocks.append(Q(postcode_compact=compact))
    given_key, family_key = name_key(identity.given_name.strip()), name_key(identity.family_name.strip())
    if given_key and family_key:
        blocks.append(
            Q(given_name_key=given_key, family_name_key=family_key)
            | Q(given_name_key=family_key, family_name_key=given_key)
        )
    return blocks


def _rank(identity: Identity, people: Iterable[Person], min_score: int) -> list[Candidate]:
    candidates = []
    for person in people:
        comparison = compare(identity, person)
        if comparison.is_linked and comparison.score >= min_score:
            candidates.append(Candidate(person=person, score=comparison.score, reasons=comparison.reasons))
    candidates.sort(key=lambda c: (-c.score, c.person.family_name, c.person.given_name, str(c.person.pk)))
    return candidates


def find_candidates(identity: Identity, *, limit: int = MATCH_LIMIT) -> list[Candidate]:
    """People who may be the one `identity` describes, best first, with the reasons (identity fields only).

    One indexed query per kind of evidence given (at most four), each capped at BLOCK_LIMIT rows.
    """
    if identity.is_empty:
        return []
    found: dict[object, Person] = {}
    for block in _blocks(identity):
        for person in _live_people().filter(block)[:BLOCK_LIMIT]:
            found.setdefault(person.pk, person)
    return _rank(identity, found.values(), MATCH_MIN_SCORE)[:limit]


@dataclass(frozen=True)
class DuplicateBlock:
    """Records are compared only with records that agree on all of these (one GROUP BY finds the shared values)."""

    columns: tuple[str, ...]
    initial_of: str = ""  # and on the first letter of this column
    described_as: str = ""  # what the records in one block share, for the screen when the search was limited

    def key(self, person: Person) -> tuple[object, ...]:
        values: tuple[object, ...] = tuple(getattr(person, column) for column in self.columns)
        return (*values, getattr(person, self.initial_of)[:1]) if self.initial_of else values


# Blocking keys for the whole-record duplicate search, each aimed at one kind of duplicate:
# a typo in the first name (same birthday and surname sound), a changed surname (same birthday,
# first name sound and postcode), and a missing or mistyped birthday (same names at the same
# postcode). NHS numbers are unique in people.Person, so two records never share one: they count
# as evidence instead (a different NHS number on both counts against).
DUPLICATE_BLOCKS: tuple[DuplicateBlock, ...] = (
    DuplicateBlock(
        ("date_of_birth", "family_name_key"),
        initial_of="given_name_key",
        described_as="the same date of birth and a similar last name",
    ),
    DuplicateBlock(
        ("date_of_birth", "given_name_key", "postcode_compact"),
        described_as="the same date of birth, first name and postcode",
    ),
    DuplicateBlock(
        ("postcode_compact", "family_name_key", "given_name_key"),
        described_as="the same postcode and names",
    ),
)


def _blocks_with_several_people(block: DuplicateBlock) -> tuple[set[tuple[object, ...]], bool]:
    """Values of the block's columns that more than one live record shares (one GROUP BY), and whether there were
    more than DUPLICATE_GROUP_LIMIT of them.

    When there are too many, the largest blocks are kept, ties broken by the values themselves, so the same record
    always gives the same pairs whatever order the database returns groups in.
    """
    live = Person.objects.filter(merged_into__isnull=True).exclude(date_of_birth__isnull=True)
    if "date_of_birth" not in block.columns:
        live = Person.objects.filter(merged_into__isnull=True)
    for column in block.columns:
        if column != "date_of_birth":
            live = live.exclude(**{column: ""})
    grouped = [*block.columns]
    if block.initial_of:
        live = live.exclude(**{block.initial_of: ""}).annotate(block_initial=Substr(block.initial_of, 1, 1))
        grouped.append("block_initial")
    rows = (
        live.order_by().values(*grouped).annotate(people=Count("id")).filter(people__gt=1).order_by("-people", *grouped)
    )
    # One row more than the limit tells whether anything was left out, in the same query.
    kept = list(rows[: DUPLICATE_GROUP_LIMIT + 1])
    cut = len(kept) > DUPLICATE_GROUP_LIMIT
    return {tuple(row[name] for name in grouped) for row in kept[:DUPLICATE_GROUP_LIMIT]}, cut


def _pairs_known_to_differ() -> set[tuple[str, str]]:
    """Pairs recorded as different people and not undone, both ways round: one query.

    Few enough to read whole: each is a decision someone made on the duplicates screen.
    """
    known: set[tuple[str, str]] = set()
    for first, second in NotDuplicate.objects.active().order_by().values_list("first_id", "second_id"):
        known |= {(str(first), str(second)), (str(second), str(first))}
    return known


@dataclass(frozen=True)
class DuplicateSearch:
    """Every likely pair found, best first, and the blocking keys whose blocks were cut at DUPLICATE_GROUP_LIMIT
    (empty when every block was compared)."""

    pairs: list[DuplicatePair]
    limited_by: tuple[DuplicateBlock, ...] = ()

    @property
    def is_limited(self) -> bool:
        return bool(self.limited_by)


def search_duplicates() -> DuplicateSearch:
    """Pairs of live records that are likely the same person, best first, with the reasons.

    Blocks first: for each blocking key one GROUP BY finds the values shared by several records,
    and one query reads just those records. Only records in the same block are compared, so the
    work grows with the number of likely pairs, not with the square of the record. Pairs recorded
    as different people are skipped before ranking, so they never take a place in the list.
    Every pair found is returned (the screen pages them; a download takes them all).
    """
    pairs: dict[tuple[str, str], DuplicatePair] = {}
    limited_by: list[DuplicateBlock] = []
    known_to_differ = _pairs_known_to_differ()
    for block in DUPLICATE_BLOCKS:
        shared, cut = _blocks_with_several_people(block)
        if cut:
            limited_by.append(block)
        if not shared:
            continue
        members: dict[tuple[object, ...], list[Person]] = defaultdict(list)
        candidates = _live_people().filter(
            **{f"{column}__in": {key[index] for key in shared} for index, column in enumerate(block.columns)}
        )
        for person in candidates.only(*IDENTITY_FIELDS, "postcode_compact", "given_name_key", "family_name_key"):
            key = block.key(person)
            if key in shared:
                members[key].append(person)
        for group in members.values():
            for one, other in combinations(sorted(group, key=lambda p: str(p.pk)), 2):
                pair_key = (str(one.pk), str(other.pk))
                if pair_key in pairs or pair_key in known_to_differ:
                    continue
                comparison = compare(identity_of(one), other)
                if comparison.is_linked and comparison.score >= DUPLICATE_MIN_SCORE:
                    pairs[pair_key] = DuplicatePair(one, other, comparison.score, comparison.reasons)
    ranked = sorted(
        pairs.values(),
        key=lambda p: (-p.score, p.first.family_name, p.first.given_name, str(p.first.pk), str(p.second.pk)),
    )
    return DuplicateSearch(pairs=ranked, limited_by=tuple(limited_by))


def find_duplicate_pairs(*, limit: int | None = None) -> list[DuplicatePair]:
    """The likely pairs of `search_duplicates`, best first: all of them, or the first `limit`."""
    pairs = search_duplicates().pairs
    return pairs if limit is None else pairs[:limit]
