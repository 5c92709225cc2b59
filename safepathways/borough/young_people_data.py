"""Synthetic young people and care leavers for the borough, with bulk inserts (Faker en_GB, NHS numbers from 999).

About one young person per 200 people (at least 10), aged 13 to 24: new council records, as children's services
would send them, with EHC plans, children's social care, care leavers (personal adviser, accommodation, moves),
transitions workers and a history of milestones in which about a quarter of those due were missed. The first two
are built for the demonstration: a care leaver moving in six weeks with no settled home, and a 17½-year-old with
no adult plan. The same rng and today give the same young people.
"""

import random
import uuid
from collections.abc import Callable
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from faker import Faker

from safepathways.accounts.models import Role, TeamKind, User
from safepathways.core.identifiers import nhs_number_in_test_range
from safepathways.core.services import reserve_numbers
from safepathways.people.codes import Gender, NHSNumberStatus
from safepathways.people.models import ChronologyEntry, Neighbourhood, Person
from safepathways.people.services import format_reference
from safepathways.young_people import milestones
from safepathways.young_people.models import (
    AccommodationStatus,
    ContinuingHealthcare,
    HomelessnessRisk,
    MilestoneOutcome,
    MilestoneRecord,
    SignificantBenefit,
    YoungPerson,
)

PEOPLE_PER_YOUNG_PERSON = 200
MINIMUM = 10
BATCH = 2000
# Serials of the 999 test range from which young people's NHS numbers are drawn; the main generator counts up
# from 0, so collisions are unlikely, and every candidate is checked against the record anyway.
NHS_SERIAL_START = 800_000
ACCOMMODATION_WEIGHTS = [
    (AccommodationStatus.SETTLED, 30),
    (AccommodationStatus.STAYING_PUT, 12),
    (AccommodationStatus.SUPPORTED, 15),
    (AccommodationStatus.UNSETTLED, 15),
    (AccommodationStatus.TEMPORARY, 10),
    (AccommodationStatus.SOFA_SURFING, 6),
    (AccommodationStatus.HOMELESS, 3),
    (AccommodationStatus.CUSTODY, 2),
    (AccommodationStatus.UNKNOWN, 7),
]
HOUSING_AUTHORITIES = ["Camden housing options", "Islington housing needs", "Barnet homes"]


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _nhs_numbers(count: int, rng: random.Random) -> list[str]:
    """`count` valid, unused NHS numbers from the test range (one query to check them against the record)."""
    start = NHS_SERIAL_START + rng.randint(0, 50_000)
    candidates: list[str] = []
    serial = start
    while len(candidates) < count * 2 + 10:
        number = nhs_number_in_test_range(serial)
        serial += 1
        if number is not None:
            candidates.append(number)
    taken = set(Person.objects.filter(nhs_number__in=candidates).values_list("nhs_number", flat=True))
    free = [n for n in candidates if n not in taken]
    return free[:count]


def _postcode(rng: random.Random, districts: list[tuple[Neighbourhood, str]]) -> tuple[Neighbourhood | None, str]:
    if not districts:
        return None, ""
    neighbourhood, district = rng.choice(districts)
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return neighbourhood, f"{district} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"


def _milestone_history(
    young_person: YoungPerson, born: date, today: date, rng: random.Random, by: User | None
) -> list[MilestoneRecord]:
    """Records for about three in four of the milestones already due; the rest are left missed."""
    facts = milestones.Facts(
        date_of_birth=born,
        has_ehc_plan=young_person.has_ehc_plan,
        ehc_plan_ends_on=young_person.ehc_plan_ends_on,
        significant_benefit=young_person.significant_benefit,
        continuing_healthcare=young_person.continuing_healthcare,
    )
    records = []
    for status in milestones.milestones_for(facts, {}, today):
        if status.is_complete or status.opens_on > today or rng.random() > 0.75:
            continue
        latest = min(status.due_on, today)
        span = max(0, (latest - status.opens_on).days)
        not_needed = status.milestone in (milestones.Milestone.HEALTH_NOTIFIED, milestones.Milestone.CHC_SCREENING)
        not_needed = not_needed and rng.random() < 0.5
        records.append(
            MilestoneRecord(
                id=_uuid(rng),
                young_person=young_person,
                code=status.milestone.value,
                outcome=MilestoneOutcome.NOT_NEEDED if not_needed else MilestoneOutcome.DONE,
                done_on=status.opens_on + timedelta(days=rng.randint(0, span)),
                note="No continuing healthcare needs expected" if not_needed else "",
                by=by,
            )
        )
    return records


def generate_young_people(*, rng: random.Random, today: date, log: Callable[[str], None]) -> int:
    """Add synthetic young people to a borough that has none yet; returns how many were made."""
    if YoungPerson.objects.exists():
        log("  young people already present: skipped")
        return 0
    count = max(MINIMUM, Person.objects.count() // PEOPLE_PER_YOUNG_PERSON)
    faker = Faker("en_GB")
    faker.seed_instance(rng.randint(0, 2**31))
    workers = list(
        User.objects.filter(is_active=True, memberships__team__kind=TeamKind.TRANSITIONS)
        .exclude(memberships__role=Role.PARTNER)
        .distinct()
        .order_by("email")
    )
    districts = [
        (n, a.prefix) for n in Neighbourhood.objects.prefetch_related("postcode_areas") for a in n.postcode_areas.all()
    ]
    numbers = reserve_numbers("person_reference", count)
    nhs_numbers = _nhs_numbers(count, rng)
    now = timezone.now()
    people: list[Person] = []
    young_people: list[YoungPerson] = []
    records: list[MilestoneRecord] = []
    stories: list[ChronologyEntry] = []
    for index, number in enumerate(numbers):
        if index == 0:  # the demonstration's care leaver: moving in six weeks, nowhere settled to go
            born = today - timedelta(days=19 * 365 + 100)
        elif index == 1:  # the demonstration's 17½-year-old with no adult plan
            born = milestones.add_months(today, -(17 * 12 + 7))
        else:
            born = today - timedelta(days=rng.randint(13 * 365, 24 * 365 + 300))
        male = rng.random() < 0.5
        neighbourhood, postcode = _postcode(rng, districts)
        nhs_number = nhs_numbers[index] if index < len(nhs_numbers) and rng.random() < 0.95 else None
        person = Person(
            id=_uuid(rng),
            reference=format_reference(number),
            given_name=str(faker.first_name_male() if male else faker.first_name_female()),
            family_name=str(faker.last_name()),
            date_of_birth=born,
            nhs_number=nhs_number,
            nhs_number_status=NHSNumberStatus.VERIFIED if nhs_number else NHSNumberStatus.TRACE_REQUIRED,
            gender=Gender.MALE if male else Gender.FEMALE,
            address_line_1=f"{rng.randint(1, 240)} {faker.street_name()}",
            town="London",
            postcode=postcode,
            neighbourhood=neighbourhood,
        )
        person.refresh_search_keys()
        people.append(person)
        age = milestones.age_in_years(born, today)
        is_care_leaver = index == 0 or (index > 1 and age >= 16 and rng.random() < 0.3)
        has_ehc_plan = index == 1 or (index > 1 and rng.random() < 0.55)
        young_person = YoungPerson(
            id=_uuid(rng),
            person=person,
            childrens_reference=f"CS{number:07d}",
            has_ehc_plan=has_ehc_plan,
            is_known_to_childrens_social_care=is_care_leaver or rng.random() < 0.5,
            is_care_leaver=is_care_leaver,
            imported_at=now,
        )
        if has_ehc_plan and age >= 19 and rng.random() < 0.6:
            young_person.ehc_plan_ends_on = milestones.add_years(born, rng.choice([19, 21, 23, 25]))
        if index > 1 and age >= 15:
            roll = rng.random()
            if roll < 0.6:
                young_person.significant_benefit = SignificantBenefit.YES
                young_person.significant_benefit_decided_on = milestones.add_months(born, 15 * 12 + rng.randint(0, 18))
            elif roll < 0.7 and not has_ehc_plan:
                young_person.significant_benefit = SignificantBenefit.NO
                young_person.significant_benefit_decided_on = milestones.add_months(born, 15 * 12 + rng.randint(0, 18))
                young_person.significant_benefit_reason = "Not likely to have needs for care and support after 18"
        if index > 1 and age >= 14:
            # Decided from the position in the run (not a stored number), so the same seed gives the same borough.
            if has_ehc_plan and index % 7 == 0:
                young_person.continuing_healthcare = ContinuingHealthcare.YES
            elif index % 10 < 5:
                young_person.continuing_healthcare = ContinuingHealthcare.NO
                young_person.continuing_healthcare_reason = "No complex health needs: universal and specialist services"
            if young_person.continuing_healthcare != ContinuingHealthcare.NOT_DECIDED:
                young_person.continuing_healthcare_decided_on = min(
                    today, milestones.add_months(born, 14 * 12 + index % 6)
                )
        if workers and index > 1 and age >= 16 and rng.random() < 0.7:
            young_person.transitions_worker = rng.choice(workers)
        if is_care_leaver:
            young_person.personal_adviser_name = str(faker.name()) if index == 0 or rng.random() < 0.85 else ""
            young_person.personal_adviser_phone = f"020 7946 {rng.randint(0, 999):04d}"
            if index == 0:
                young_person.accommodation_status = AccommodationStatus.UNSETTLED
                young_person.planned_move_on = today + timedelta(days=42)
                young_person.homelessness_risk = HomelessnessRisk.HIGH
            else:
                statuses = [s for s, _ in ACCOMMODATION_WEIGHTS]
                young_person.accommodation_status = rng.choices(statuses, [w for _, w in ACCOMMODATION_WEIGHTS])[0]
                if rng.random() < 0.4:
                    young_person.planned_move_on = today + timedelta(days=rng.randint(-10, 180))
                young_person.homelessness_risk = rng.choices(list(HomelessnessRisk.values), [50, 30, 20])[0]
                if young_person.homelessness_risk == HomelessnessRisk.HIGH and rng.random() < 0.6:
                    young_person.housing_referral_made_on = today - timedelta(days=rng.randint(1, 120))
                    young_person.housing_referral_to = rng.choice(HOUSING_AUTHORITIES)
        young_people.append(young_person)
        if index > 1:
            records.extend(_milestone_history(young_person, born, today, rng, young_person.transitions_worker))
        stories.append(
            ChronologyEntry(
                id=_uuid(rng),
                person=person,
                occurred_at=now,
                category="young_people",
                summary=f"Known to children's services ({young_person.childrens_reference}): "
                "on the young people's tracker",
                recorded_by_label="Children's services import",
            )
        )
    with transaction.atomic():
        Person.objects.bulk_create(people, batch_size=BATCH)
        YoungPerson.objects.bulk_create(young_people, batch_size=BATCH)
        MilestoneRecord.objects.bulk_create(records, batch_size=BATCH)
        ChronologyEntry.objects.bulk_create(stories, batch_size=BATCH)
    log(f"  {len(young_people)} young people ({sum(y.is_care_leaver for y in young_people)} care leavers)")
    return len(young_people)
