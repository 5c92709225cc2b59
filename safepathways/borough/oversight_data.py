"""Synthetic provider oversight data for the borough: CQC ratings, vacancies, concerns with history, suspensions.

Reads the providers, locations, people and staff the generator already made and bulk-inserts:
- a CQC rating on every location (mostly Good; some Requires improvement, a few Inadequate or not yet rated);
- vacancy figures for every care home (some zero), each updated in the last 14 days;
- about one provider concern per 12 locations, at various escalation levels with their history;
- a suspension of new placements at one or two care homes whose concern reached a suspending level.
"""

import random
import uuid
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from safepathways.accounts.models import Membership, Role, TeamKind
from safepathways.oversight.models import (
    BedType,
    ConcernCase,
    Escalation,
    EscalationKind,
    EscalationLevel,
    PlacementSuspension,
    Vacancy,
    VacancyChange,
    VacancySource,
)
from safepathways.people.models import Person
from safepathways.providers.codes import CQCRating, LocationType, ProviderConcernCategory
from safepathways.providers.models import Location, ProviderConcern, ProviderConcernSource

BATCH = 1000
RATINGS = [
    (CQCRating.GOOD, 0.62),
    (CQCRating.REQUIRES_IMPROVEMENT, 0.2),
    (CQCRating.OUTSTANDING, 0.05),
    (CQCRating.INADEQUATE, 0.03),
    (CQCRating.NOT_RATED, 0.1),
]
HOME_BEDS = {
    LocationType.CARE_HOME: [BedType.RESIDENTIAL, BedType.DEMENTIA_RESIDENTIAL, BedType.RESPITE],
    LocationType.CARE_HOME_NURSING: [BedType.NURSING, BedType.DEMENTIA_NURSING, BedType.BARIATRIC],
}
SUMMARIES = {
    ProviderConcernCategory.MEDICATION: "Medication given late or missed on several days",
    ProviderConcernCategory.PRESSURE_ULCERS: "Residents with pressure ulcers not reported to the district nurses",
    ProviderConcernCategory.NUTRITION: "Weight loss not acted on; food and fluid charts incomplete",
    ProviderConcernCategory.STAFFING: "Night shifts run below the agreed staffing level",
    ProviderConcernCategory.FALLS: "Repeated falls without post-fall reviews",
    ProviderConcernCategory.CQC_FINDINGS: "CQC inspection found breaches of regulation 12 (safe care)",
}


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _moment(rng: random.Random, today: date, days_ago: int) -> datetime:
    base = timezone.make_aware(datetime.combine(today - timedelta(days=days_ago), time(9)))
    return base + timedelta(minutes=rng.randint(0, 8 * 60))


def generate_oversight(*, rng: random.Random, today: date, log: Callable[[str], None]) -> int:
    """Add ratings, vacancies, concerns and suspensions; returns how many concerns were made."""
    locations = list(Location.objects.only("id", "provider_id", "location_type", "registered_places", "name"))
    levels = list(EscalationLevel.objects.filter(is_active=True).order_by("order"))
    officers = list(
        Membership.objects.filter(role=Role.PROVIDER_QUALITY_OFFICER).values_list("user_id", flat=True).distinct()
    ) or list(
        Membership.objects.filter(team__kind=TeamKind.PROVIDER_QUALITY).values_list("user_id", flat=True).distinct()
    )
    if not locations or not levels or not officers:
        log("Oversight: no locations, escalation levels or provider quality staff; skipped.")
        return 0
    now = timezone.now()
    codes, weights = zip(*RATINGS, strict=True)
    for location in locations:
        location.cqc_rating = rng.choices(codes, weights)[0]
        location.cqc_rated_on = (
            None if location.cqc_rating == CQCRating.NOT_RATED else today - timedelta(days=rng.randint(30, 900))
        )
    Location.objects.bulk_update(locations, ["cqc_rating", "cqc_rated_on"], batch_size=BATCH)

    vacancies: list[Vacancy] = []
    changes: list[VacancyChange] = []
    times: list[datetime] = []
    for location in locations:
        bed_types = HOME_BEDS.get(location.location_type)  # type: ignore[call-overload]
        if bed_types is None:
            if location.location_type == LocationType.HOME_CARE and rng.random() < 0.6:
                bed_types = [BedType.HOME_CARE_HOURS]
            else:
                continue
        places = location.registered_places or 0
        for bed_type in bed_types[: rng.randint(1, len(bed_types))]:
            if bed_type == BedType.HOME_CARE_HOURS:
                available = rng.choice([0, 0, 10, 25, 40, 80])
            else:
                available = 0 if rng.random() < 0.45 else rng.randint(1, max(1, min(5, places)))
            when = now - timedelta(days=rng.randint(0, 13), hours=rng.randint(0, 20))
            vacancy = Vacancy(
                id=_uuid(rng),
                location_id=location.pk,
                bed_type=bed_type,
                available=available,
                source=rng.choice([VacancySource.CAPACITY_TRACKER_IMPORT, VacancySource.PROVIDER, VacancySource.STAFF]),
            )
            vacancies.append(vacancy)
            times.append(when)
            changes.append(
                VacancyChange(id=_uuid(rng), vacancy=vacancy, previous=None, available=available, source=vacancy.source)
            )
    # bulk_create stamps auto_now fields with the current time; bulk_update (which skips pre_save) then sets the
    # "last updated" times spread over the last two weeks.
    Vacancy.objects.bulk_create(vacancies, batch_size=BATCH)
    VacancyChange.objects.bulk_create(changes, batch_size=BATCH)
    for vacancy, change, when in zip(vacancies, changes, times, strict=True):
        vacancy.created_at = vacancy.updated_at = change.created_at = change.updated_at = when
    Vacancy.objects.bulk_update(vacancies, ["updated_at", "created_at"], batch_size=BATCH)
    VacancyChange.objects.bulk_update(changes, ["updated_at", "created_at"], batch_size=BATCH)

    people: list[uuid.UUID] = list(Person.objects.values_list("pk", flat=True)[:5000])
    concerns: list[ProviderConcern] = []
    cases: list[ConcernCase] = []
    escalations: list[Escalation] = []
    links: list[tuple[uuid.UUID, uuid.UUID]] = []
    suspensions: list[PlacementSuspension] = []
    homes = [loc for loc in locations if loc.location_type in HOME_BEDS]
    chosen = rng.sample(locations, k=max(1, len(locations) // 12))
    suspended: set[object] = set()
    for location in chosen:
        officer = rng.choice(officers)
        category = rng.choice(list(SUMMARIES))
        source = rng.choice(list(ProviderConcernSource.values))
        raised_days_ago = rng.randint(5, 300)
        concern = ProviderConcern(
            id=_uuid(rng),
            provider_id=location.provider_id,
            location_id=location.pk,
            source=source,
            category=category,
            summary=SUMMARIES[category],
            raised_by_id=officer,
            raised_at=_moment(rng, today, raised_days_ago),
        )
        concerns.append(concern)
        if people and rng.random() < 0.7:
            links.extend((concern.pk, person) for person in rng.sample(people, k=min(len(people), rng.randint(1, 3))))
        if rng.random() < 0.15:
            continue  # not yet assessed
        top = rng.choices(range(len(levels)), weights=[30, 35, 20, 10, 5][: len(levels)] or None)[0]
        path = list(range(0, top + 1)) if rng.random() < 0.5 else [top]
        review_on = today + timedelta(days=rng.randint(-10, levels[top].review_days))
        case = ConcernCase(id=_uuid(rng), concern=concern, level=levels[top], owner_id=officer, review_on=review_on)
        cases.append(case)
        previous = None
        for step, index in enumerate(path):
            escalations.append(
                Escalation(
                    id=_uuid(rng),
                    case=case,
                    kind=EscalationKind.LEVEL_SET if previous is None else EscalationKind.ESCALATED,
                    from_level=previous,
                    to_level=levels[index],
                    reason=f"Reviewed at the provider concerns meeting ({levels[index].name.lower()})",
                    actions_agreed=levels[index].actions[:200],
                    owner_id=officer,
                    review_on=review_on,
                    decided_by_id=officer,
                    decided_at=_moment(rng, today, max(1, raised_days_ago - 7 * (step + 1))),
                )
            )
            previous = levels[index]
        if (
            levels[top].suspends_placements_by_default
            and location in homes
            and location.pk not in suspended
            and len(suspended) < 2
        ):
            suspended.add(location.pk)
            suspensions.append(
                PlacementSuspension(
                    id=_uuid(rng),
                    location_id=location.pk,
                    concern=concern,
                    starts_on=today - timedelta(days=rng.randint(3, 40)),
                    reason=f"{levels[top].name}: improvement plan in progress",
                    decided_by_id=officer,
                )
            )
    ProviderConcern.objects.bulk_create(concerns, batch_size=BATCH)
    ConcernCase.objects.bulk_create(cases, batch_size=BATCH)
    Escalation.objects.bulk_create(escalations, batch_size=BATCH)
    PlacementSuspension.objects.bulk_create(suspensions, batch_size=BATCH)
    through = ProviderConcern.people.through
    through.objects.bulk_create([through(providerconcern_id=c, person_id=p) for c, p in set(links)], batch_size=BATCH)
    log(
        f"Oversight: {len(vacancies)} vacancy figures, {len(concerns)} provider concerns "
        f"({len(cases)} assessed), {len(suspensions)} suspensions of new placements."
    )
    return len(concerns)
