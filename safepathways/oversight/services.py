"""Changes to provider oversight and vacancies. Each service is one transaction with its audit event (ADR-005).

Escalation (domain-reference.md §6.4): a concern's first level is set by escalate_concern (kind "level set");
after that each move up, down or a review at the same level writes an Escalation row, and close_concern writes the
last one. Any level may follow any other: a CQC "Inadequate" rating or a serious allegation can go straight to a
large-scale enquiry, and councils step down one or more levels as improvement plans are met.
Moving to a level that suspends new placements by default suspends them at the concern's location unless the
officer says otherwise; lifting a suspension is always an explicit decision with a reason (lift_suspension).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from safepathways.accounts.models import Role, User
from safepathways.audit import services as audit
from safepathways.core.errors import ApplicationError
from safepathways.core.formatting import format_date
from safepathways.notifications.services import notify
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
from safepathways.people.services import add_to_chronology
from safepathways.providers.codes import CQCRating, ProviderConcernCategory
from safepathways.providers.models import (
    Location,
    Provider,
    ProviderConcern,
    ProviderConcernSource,
    ProviderConcernStatus,
)

# --- concerns -----------------------------------------------------------------------------------------------------


def _concern_link(concern: ProviderConcern) -> str:
    return reverse("oversight:concern", args=[concern.pk])


@transaction.atomic
def raise_concern(
    *,
    provider: Provider,
    location: Location | None,
    source: str,
    category: str,
    summary: str,
    people: Sequence[Person] = (),
    by: User,
) -> ProviderConcern:
    """Record a concern about a provider (from staff, a partner, CQC or a whistleblower) and tell the quality team."""
    if location is not None and location.provider_id != provider.pk:
        raise ApplicationError(f"{location.name} is not run by {provider.name}", field="location")
    if source not in ProviderConcernSource.values:
        raise ApplicationError("Choose where the concern came from", field="source")
    if category and category not in ProviderConcernCategory.values:
        raise ApplicationError("Choose what the concern is about", field="category")
    if not summary.strip():
        raise ApplicationError("Describe the concern", field="summary")
    concern = ProviderConcern.objects.create(
        provider=provider,
        location=location,
        source=source,
        category=category,
        summary=summary.strip(),
        raised_by=by,
        raised_at=timezone.now(),
    )
    if people:
        concern.people.add(*people)
    where = location.name if location else provider.name
    for person in people:
        add_to_chronology(
            person=person, category="safeguarding", summary=f"Provider concern raised about {where}", by=by
        )
    audit.record(
        actor=by,
        action="providers.concern_raised",
        target=concern,
        snapshot={"provider": str(provider.pk), "source": source, "category": category, "people": len(people)},
    )
    officers = User.objects.filter(is_active=True, memberships__role=Role.PROVIDER_QUALITY_OFFICER).exclude(pk=by.pk)
    notify(recipients=officers, message=f"New provider concern about {where}", link=_concern_link(concern))
    return concern


@dataclass(frozen=True)
class EscalationOutcome:
    case: ConcernCase
    escalation: Escalation
    suspension: PlacementSuspension | None


def _kind(case: ConcernCase | None, level: EscalationLevel) -> str:
    if case is None:
        return EscalationKind.LEVEL_SET
    if level.order > case.level.order:
        return EscalationKind.ESCALATED
    if level.order < case.level.order:
        return EscalationKind.DE_ESCALATED
    return EscalationKind.REVIEWED


@transaction.atomic
def escalate_concern(
    *,
    concern: ProviderConcern,
    level: EscalationLevel,
    reason: str,
    owner: User,
    review_on: date | None,
    actions_agreed: str = "",
    suspend_placements: bool | None = None,
    by: User,
    today: date | None = None,
) -> EscalationOutcome:
    """Set, raise, lower or review a concern's level, with owner and review date, and record it in the history.

    `suspend_placements` None follows the level (EscalationLevel.suspends_placements_by_default) when the level is
    set or raised; True or False decides explicitly. A suspension needs the concern to name a location.
    """
    today = today or timezone.localdate()
    locked = ProviderConcern.objects.select_for_update(of=("self",)).select_related("location").get(pk=concern.pk)
    if locked.status != ProviderConcernStatus.OPEN:
        raise ApplicationError("This concern is closed")
    if not level.is_active:
        raise ApplicationError("Choose a level in use", field="level")
    if not reason.strip():
        raise ApplicationError("Enter the reason for the decision", field="reason")
    if not owner.is_active:
        raise ApplicationError("Choose an owner who still works here", field="owner")
    review_on = review_on or today + timedelta(days=level.review_days)
    if review_on < today:
        raise ApplicationError("The review date must be today or in the future", field="review_on")
    case = ConcernCase.objects.select_related("level").filter(concern=locked).first()
    kind = _kind(case, level)
    should_suspend = (
        suspend_placements
        if suspend_placements is not None
        else level.suspends_placements_by_default and kind in (EscalationKind.LEVEL_SET, EscalationKind.ESCALATED)
    )
    if should_suspend and locked.location is None and suspend_placements:
        raise ApplicationError(
            "This concern is about the whole provider, not one location: suspend placements from each location's page",
            field="suspend_placements",
        )
    from_level = case.level if case else None
    if case is None:
        case = ConcernCase.objects.create(concern=locked, level=level, owner=owner, review_on=review_on)
    else:
        case.level, case.owner, case.review_on = level, owner, review_on
        case.save(update_fields=["level", "owner", "review_on", "updated_at"])
    escalation = Escalation.objects.create(
        case=case,
        kind=kind,
        from_level=from_level,
        to_level=level,
        reason=reason.strip(),
        actions_agreed=actions_agreed.strip(),
        owner=owner,
        review_on=review_on,
        decided_by=by,
        decided_at=timezone.now(),
    )
    suspension = None
    if should_suspend and locked.location is not None:
        current = PlacementSuspension.objects.current(today).filter(location=locked.location).first()
        if current is None:
            suspension = suspend_placements_at(
                location=locked.location,
                starts_on=today,
                ends_on=None,
                reason=f"{level.name}: {reason.strip()}",
                concern=locked,
                by=by,
                today=today,
            )
    audit.record(
        actor=by,
        action=f"oversight.concern_{kind}",
        target=locked,
        snapshot={
            "from_level": from_level.code if from_level else None,
            "to_level": level.code,
            "owner": owner.email,
            "review_on": review_on.isoformat(),
            "suspended": suspension is not None,
        },
    )
    if kind != EscalationKind.REVIEWED:
        where = locked.location.name if locked.location else str(locked.provider)
        for person in locked.people.all():
            add_to_chronology(
                person=person,
                category="safeguarding",
                summary=f"Provider concern about {where}: {EscalationKind(kind).label.lower()} to {level.name}",
                by=by,
            )
    if owner.pk != by.pk:
        notify(
            recipients=[owner],
            message=f"You own a provider concern, now at {level.name}",
            link=_concern_link(locked),
        )
    return EscalationOutcome(case=case, escalation=escalation, suspension=suspension)


@transaction.atomic
def close_concern(*, concern: ProviderConcern, reason: str, by: User, today: date | None = None) -> ProviderConcern:
    """Close a concern with the reason; refused while a suspension it led to is still in force."""
    today = today or timezone.localdate()
    locked = ProviderConcern.objects.select_for_update().get(pk=concern.pk)
    if locked.status != ProviderConcernStatus.OPEN:
        raise ApplicationError("This concern is already closed")
    if not reason.strip():
        raise ApplicationError("Enter why the concern is being closed", field="reason")
    in_force = PlacementSuspension.objects.current(today).filter(concern=locked).select_related("location").first()
    if in_force is not None:
        raise ApplicationError(
            f"New placements at {in_force.location.name} are still suspended because of this concern: "
            "lift the suspension first",
            field="reason",
        )
    now = timezone.now()
    case = ConcernCase.objects.select_related("level").filter(concern=locked).first()
    if case is None:
        # An unassessed concern closed straight away: its history still starts at the lowest level.
        first_level = EscalationLevel.objects.filter(is_active=True).order_by("order").first()
        if first_level is None:
            raise ApplicationError("No escalation levels are set up")
        case = ConcernCase.objects.create(concern=locked, level=first_level, owner=by, review_on=today)
    case.closed_at, case.closed_by, case.closure_reason = now, by, reason.strip()
    case.save(update_fields=["closed_at", "closed_by", "closure_reason", "updated_at"])
    Escalation.objects.create(
        case=case,
        kind=EscalationKind.CLOSED,
        from_level=case.level,
        to_level=case.level,
        reason=reason.strip(),
        owner=case.owner,
        decided_by=by,
        decided_at=now,
    )
    locked.status = ProviderConcernStatus.CLOSED
    locked.save(update_fields=["status", "updated_at"])
    audit.record(actor=by, action="oversight.concern_closed", target=locked, snapshot={"level": case.level.code})
    return locked


# --- suspensions of new placements --------------------------------------------------------------------------------


def suspension_message(suspension: PlacementSuspension) -> str:
    return (
        f"New placements at {suspension.location.name} are suspended from {format_date(suspension.starts_on)} "
        "(provider concerns process). Choose another location, or give a reason to go ahead."
    )


def placement_check(location: Location, start_on: date) -> str | None:
    """providers.services placement check: object to a new service where placements are suspended on its start date."""
    suspension = PlacementSuspension.objects.current(start_on).filter(location=location).first()
    if suspension is None:
        return None
    suspension.location = location
    return suspension_message(suspension)


@transaction.atomic
def suspend_placements_at(
    *,
    location: Location,
    starts_on: date,
    ends_on: date | None,
    reason: str,
    by: User,
    concern: ProviderConcern | None = None,
    today: date | None = None,
) -> PlacementSuspension:
    """Suspend new placements at a location from a date, optionally until a date, with the reason."""
    today = today or timezone.localdate()
    if not reason.strip():
        raise ApplicationError("Enter the reason for the suspension", field="reason")
    if ends_on is not None and ends_on < starts_on:
        raise ApplicationError("The end date must be on or after the start date", field="ends_on")
    if concern is not None and concern.provider_id != location.provider_id:
        raise ApplicationError("The concern is about another provider", field="concern")
    existing = PlacementSuspension.objects.select_for_update().filter(location=location, lifted_at__isnull=True).first()
    if existing is not None:
        if existing.ends_on is not None and existing.ends_on < today:
            # Ran out on its end date: record it as ended so the new one can be the location's unlifted suspension.
            existing.lifted_at = timezone.now()
            existing.lift_reason = f"Ended on {format_date(existing.ends_on)}"
            existing.save(update_fields=["lifted_at", "lift_reason", "updated_at"])
        else:
            raise ApplicationError(
                f"New placements at {location.name} are already suspended from {format_date(existing.starts_on)}",
                field="starts_on",
            )
    suspension = PlacementSuspension.objects.create(
        location=location,
        concern=concern,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason.strip(),
        decided_by=by,
    )
    audit.record(
        actor=by,
        action="oversight.placements_suspended",
        target=suspension,
        snapshot={"location": str(location.pk), "starts_on": starts_on.isoformat(), "reason": reason},
    )
    return suspension


@transaction.atomic
def lift_suspension(*, suspension: PlacementSuspension, reason: str, by: User) -> PlacementSuspension:
    """Lift a suspension of new placements, with the reason."""
    locked = PlacementSuspension.objects.select_for_update().get(pk=suspension.pk)
    if locked.lifted_at is not None:
        raise ApplicationError("This suspension has already been lifted")
    if not reason.strip():
        raise ApplicationError("Enter why the suspension is being lifted", field="reason")
    locked.lifted_at, locked.lifted_by, locked.lift_reason = timezone.now(), by, reason.strip()
    locked.save(update_fields=["lifted_at", "lifted_by", "lift_reason", "updated_at"])
    audit.record(actor=by, action="oversight.suspension_lifted", target=locked, snapshot={"reason": reason})
    return locked


# --- CQC ratings ----------------------------------------------------------------------------------------------------


@transaction.atomic
def record_cqc_rating(
    *, location: Location, rating: str, rated_on: date | None, by: User, today: date | None = None
) -> Location:
    """Record a location's latest published CQC overall rating and its date."""
    today = today or timezone.localdate()
    if rating not in CQCRating.values:
        raise ApplicationError("Choose a CQC rating", field="cqc_rating")
    if rating != CQCRating.NOT_RATED and rated_on is None:
        raise ApplicationError("Enter the date CQC published the rating", field="cqc_rated_on")
    if rated_on is not None and rated_on > today:
        raise ApplicationError("The rating date must be today or in the past", field="cqc_rated_on")
    location.cqc_rating = rating
    location.cqc_rated_on = rated_on if rating != CQCRating.NOT_RATED else None
    location.save(update_fields=["cqc_rating", "cqc_rated_on", "updated_at"])
    audit.record(
        actor=by,
        action="providers.cqc_rating_recorded",
        target=location,
        snapshot={"rating": rating, "rated_on": rated_on.isoformat() if rated_on else None},
    )
    return location


# --- vacancies ------------------------------------------------------------------------------------------------------


def check_vacancy(location: Location, bed_type: str, available: int) -> None:
    """Refuse a figure that cannot be right: negative, or more beds than the location is registered for.

    Home care is counted in hours a week, so it is not compared with registered places.
    """
    if bed_type not in BedType.values:
        raise ApplicationError("Choose a type of vacancy", field="bed_type")
    if available < 0:
        raise ApplicationError("Vacancies must be 0 or more", field="available")
    places = location.registered_places
    if bed_type != BedType.HOME_CARE_HOURS and places is not None and available > places:
        raise ApplicationError(
            f"{location.name} has {places} registered places; {available} is more than that", field="available"
        )


def _write_vacancy(
    *, location: Location, bed_type: str, available: int, by: User | None, source: str, reason: str
) -> Vacancy:
    vacancy = Vacancy.objects.select_for_update().filter(location=location, bed_type=bed_type).first()
    previous = vacancy.available if vacancy else None
    if vacancy is None:
        vacancy = Vacancy.objects.create(
            location=location, bed_type=bed_type, available=available, updated_by=by, source=source
        )
    else:
        vacancy.available, vacancy.updated_by, vacancy.source = available, by, source
        # Saved even when unchanged: "last updated" shows the provider confirmed the figure (a nil return).
        vacancy.save(update_fields=["available", "updated_by", "source", "updated_at"])
    VacancyChange.objects.create(
        vacancy=vacancy, previous=previous, available=available, by=by, source=source, reason=reason[:300]
    )
    audit.record(
        actor=by,
        action="oversight.vacancy_recorded",
        target=vacancy,
        actor_label="" if by else f"vacancies ({source})",
        snapshot={"bed_type": bed_type, "previous": previous, "available": available, "source": source},
    )
    vacancy.location = location
    return vacancy


@transaction.atomic
def record_vacancy(
    *, location: Location, bed_type: str, available: int, by: User | None, source: str, reason: str = ""
) -> Vacancy:
    """Set the current number of vacancies of one type at a location ("Rose House has 40 registered places…")."""
    if source not in VacancySource.values:
        raise ApplicationError("Unknown source of the figure", field="source")
    check_vacancy(location, bed_type, available)
    return _write_vacancy(
        location=location, bed_type=bed_type, available=available, by=by, source=source, reason=reason
    )


@transaction.atomic
def record_vacancies(*, location: Location, figures: dict[str, int], by: User | None, source: str) -> list[Vacancy]:
    """Record several types at one location at once; every figure is checked before any is written."""
    for bed_type, available in figures.items():
        try:
            check_vacancy(location, bed_type, available)
        except ApplicationError as error:
            raise ApplicationError(error.message, field=bed_type) from error
    return [
        record_vacancy(location=location, bed_type=bed_type, available=available, by=by, source=source)
        for bed_type, available in figures.items()
    ]


@transaction.atomic
def adjust_vacancy(*, location: Location, bed_type: str, delta: int, by: User | None, reason: str) -> Vacancy:
    """Add `delta` to the vacancies (negative to hold a bed when one is reserved); never below zero."""
    vacancy = Vacancy.objects.select_for_update().filter(location=location, bed_type=bed_type).first()
    current = vacancy.available if vacancy else 0
    new = current + delta
    label = BedType(bed_type).label.lower() if bed_type in BedType.values else bed_type
    if new < 0:
        raise ApplicationError(
            f"{location.name} has {current} {label} vacanc{'y' if current == 1 else 'ies'}; cannot take away {-delta}",
            field="available",
        )
    check_vacancy(location, bed_type, new)
    return _write_vacancy(
        location=location, bed_type=bed_type, available=new, by=by, source=VacancySource.STAFF, reason=reason
    )


@dataclass(frozen=True)
class CapacityRow:
    """One checked row of a Capacity Tracker file: the figure to record."""

    location: Location
    bed_type: str
    available: int


@transaction.atomic
def import_capacity(*, rows: Sequence[CapacityRow], by: User) -> int:
    """Write the figures of a checked Capacity Tracker file (imports.check_file); returns how many were written.

    Runs only on a file with no problems; checks each figure again, so a wrong row still writes nothing.
    """
    for row in rows:
        check_vacancy(row.location, row.bed_type, row.available)
    existing = {
        (v.location_id, v.bed_type): v
        for v in Vacancy.objects.select_for_update().filter(location__in=[r.location for r in rows])
    }
    source = VacancySource.CAPACITY_TRACKER_IMPORT
    now = timezone.now()
    new: list[Vacancy] = []
    changed: list[Vacancy] = []
    previous: dict[tuple[object, str], int | None] = {}
    for row in rows:
        key = (row.location.pk, row.bed_type)
        vacancy = existing.get(key)
        previous[key] = vacancy.available if vacancy else None
        if vacancy is None:
            new.append(
                Vacancy(
                    location=row.location, bed_type=row.bed_type, available=row.available, updated_by=by, source=source
                )
            )
        else:
            vacancy.available, vacancy.updated_by, vacancy.source, vacancy.updated_at = row.available, by, source, now
            changed.append(vacancy)
    Vacancy.objects.bulk_create(new)
    Vacancy.objects.bulk_update(changed, ["available", "updated_by", "source", "updated_at"])
    VacancyChange.objects.bulk_create(
        VacancyChange(
            vacancy=v,
            previous=previous[(v.location_id, v.bed_type)],
            available=v.available,
            by=by,
            source=source,
            reason="Capacity Tracker import",
        )
        for v in [*new, *changed]
    )
    if rows:
        audit.record(
            actor=by,
            action="oversight.capacity_imported",
            target=rows[0].location,
            snapshot={"rows": len(rows), "new": len(new), "updated": len(changed)},
        )
    return len(rows)
