"""Incidents, the emergency placement protocol, placements and business continuity. One transaction each."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from safepathways.accounts.models import Role, Team, TeamKind, User
from safepathways.audit import services as audit
from safepathways.continuity.models import (
    AffectedPerson,
    ClockFrom,
    ContinuityPlan,
    CriticalActivity,
    EmergencyMode,
    Funding,
    Incident,
    IncidentKind,
    IncidentReview,
    IncidentStatus,
    IncidentStep,
    Outcome,
    ProtocolStep,
    Scenario,
    ScenarioKind,
    StepScope,
)
from safepathways.core.errors import ApplicationError
from safepathways.core.services import reserve_numbers
from safepathways.notifications.services import notify
from safepathways.oversight import selectors as oversight_selectors
from safepathways.oversight import services as oversight_services
from safepathways.oversight.models import BedType
from safepathways.people.models import Contact, Person
from safepathways.people.services import add_to_chronology
from safepathways.providers import services as provider_services
from safepathways.providers.codes import ServiceType
from safepathways.providers.models import Location, Provider, Service, ServiceComponentCode
from safepathways.transitions import services as transitions

POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][0-9A-Z]?)\s*([0-9][A-Z]{2})\b", re.IGNORECASE)
# The placement a person needs, guessed from the service they had (staff correct it on the incident page).
BED_TYPE_BY_SERVICE = {
    ServiceType.LT_NURSING: BedType.NURSING,
    ServiceType.LT_RESIDENTIAL: BedType.RESIDENTIAL,
    ServiceType.LT_COMMUNITY: BedType.HOME_CARE_HOURS,
}


def incident_link(incident: Incident) -> str:
    return reverse("continuity:incident", args=[incident.pk])


def postcode_in(text: str) -> str:
    found = POSTCODE.search(text or "")
    return f"{found.group(1).upper()} {found.group(2).upper()}" if found else ""


def _require(value: str, message: str, field: str) -> str:
    cleaned = value.strip()
    if not cleaned:
        raise ApplicationError(message, field=field)
    return cleaned


def _lock(incident: Incident) -> Incident:
    return Incident.objects.select_for_update(of=("self",)).get(pk=incident.pk)


# --- Opening an incident: everyone affected at once -----------------------------------------------------------------


def _affected_services(provider: Provider | None, location: Location | None, area: str, today: date) -> list[Service]:
    services = Service.objects.current(today).select_related("person", "location")
    if location is not None:
        services = services.filter(location=location)
    elif provider is not None:
        services = services.filter(provider=provider)
    else:
        districts = [d.upper() for d in area.replace(",", " ").split() if d.strip()]
        if not districts:
            return []
        services = services.filter(
            person__postcode_compact__regex=r"^(" + "|".join(map(re.escape, districts)) + r")[0-9][A-Z]{2}$"
        )
    return list(
        services.filter(person__date_of_death__isnull=True, person__merged_into__isnull=True).order_by("person_id")
    )


def _steps_for(
    incident: Incident, affected: AffectedPerson | None, steps: Sequence[ProtocolStep]
) -> list[IncidentStep]:
    rows = []
    for step in steps:
        row = IncidentStep(
            incident=incident,
            affected=affected,
            code=step.code,
            title=step.title,
            owner_role=step.owner_role,
            clock_hours=step.clock_hours,
            clock_from=step.clock_from,
            order=step.order,
        )
        if step.clock_from == ClockFrom.START:
            row.start_clock(incident.started_at)
        rows.append(row)
    return rows


@transaction.atomic
def open_incident(
    *,
    kind: str,
    title: str,
    what_happened: str,
    started_at: datetime,
    lead: User,
    by: User,
    provider: Provider | None = None,
    location: Location | None = None,
    area: str = "",
    now: datetime | None = None,
) -> Incident:
    """Open an incident, list everyone receiving services there, and put the protocol's steps and clocks on it."""
    now = now or timezone.now()
    if kind not in IncidentKind.values:
        raise ApplicationError("Choose what kind of incident it is", field="kind")
    if location is None and provider is None and not area.strip():
        raise ApplicationError("Choose the location or provider affected, or enter the area", field="location")
    if started_at > now:
        raise ApplicationError("When it started must be now or in the past", field="started_at")
    if location is not None:
        provider = provider or location.provider
        if location.provider_id != provider.pk:
            raise ApplicationError("That location is not one of that provider's", field="location")
    duplicate = Incident.objects.open().filter(kind=kind)
    duplicate = (
        duplicate.filter(location=location) if location else duplicate.filter(provider=provider, location__isnull=True)
    )
    if (location or provider) and (found := duplicate.first()) is not None:
        raise ApplicationError(
            f"{found.reference} is already open for this ({found.title}): add to it instead of opening another",
            field="location",
        )
    incident = Incident(
        reference=f"INC{reserve_numbers('incident_reference')[0]:05d}",
        kind=kind,
        title=_require(title, "Enter a short title", "title"),
        what_happened=_require(what_happened, "Describe what happened", "what_happened"),
        provider=provider,
        location=location,
        area=area.strip().upper(),
        started_at=started_at,
        lead=lead,
        reported_by=by,
    )
    incident.full_clean()
    incident.save()
    today = timezone.localdate(now)
    services = _affected_services(provider, location, incident.area, today)
    main_contacts = {
        c.person_id: c
        for c in Contact.objects.filter(person_id__in=[s.person_id for s in services], ended_at__isnull=True).order_by(
            "-is_main_contact", "created_at"
        )
    }
    affected: dict[object, AffectedPerson] = {}
    for service in services:
        person = service.person
        if person.pk in affected:
            continue
        contact = main_contacts.get(person.pk)
        next_of_kin = ""
        if contact is not None:
            next_of_kin = ", ".join(p for p in (contact.name, contact.relationship, contact.phone) if p)
        affected[person.pk] = AffectedPerson(
            incident=incident,
            person=person,
            name=person.full_name,
            date_of_birth=person.date_of_birth,
            funding=Funding.THIS_COUNCIL,
            needs="; ".join(
                p for p in (service.get_service_type_display(), service.description, person.communication_needs) if p
            ),
            bed_type=BED_TYPE_BY_SERVICE.get(ServiceType(service.service_type), "")
            if service.service_type in ServiceType.values
            else "",
            next_of_kin=next_of_kin,
            home_postcode=person.postcode,
            family_postcode=postcode_in(contact.address) if contact is not None else "",
            status_note=f"At {service.location.name}" if service.location else "",
        )
    AffectedPerson.objects.bulk_create(affected.values())
    protocol = list(ProtocolStep.objects.filter(is_active=True))
    steps = _steps_for(incident, None, [s for s in protocol if s.scope == StepScope.INCIDENT])
    person_steps = [s for s in protocol if s.scope == StepScope.PERSON]
    for row in affected.values():
        steps += _steps_for(incident, row, person_steps)
    IncidentStep.objects.bulk_create(steps, batch_size=1000)
    link = incident_link(incident)
    for row in affected.values():
        assert row.person is not None
        add_to_chronology(
            person=row.person,
            category="continuity",
            summary=f"Affected by {incident.title} ({incident.reference})",
            by=by,
            link=link,
        )
    notify(
        recipients=[lead],
        message=f"You lead {incident.reference}: {incident.title}; {len(affected)} people affected",
        link=link,
    )
    audit.record(
        actor=by,
        action="continuity.incident_opened",
        target=incident,
        snapshot={"kind": kind, "affected": len(affected), "location": str(location.pk) if location else ""},
    )
    return incident


@dataclass(frozen=True)
class AffectedDetails:
    name: str
    date_of_birth: date | None
    funding: str
    funding_council: str = ""
    needs: str = ""
    bed_type: str = ""
    next_of_kin: str = ""
    home_postcode: str = ""
    family_postcode: str = ""
    status_note: str = ""


@transaction.atomic
def add_affected(
    *, incident: Incident, by: User, details: AffectedDetails, person: Person | None = None
) -> AffectedPerson:
    """Record someone affected who is not receiving a service from this council (a self-funder, or funded by another
    council); s48 covers them too when the provider has failed."""
    locked = _lock(incident)
    if not locked.is_open:
        raise ApplicationError("This incident is closed")
    if details.funding == Funding.OTHER_COUNCIL and not details.funding_council.strip():
        raise ApplicationError("Enter which council funds their care", field="funding_council")
    if details.bed_type and details.bed_type not in BedType.values:
        raise ApplicationError("Choose the placement they need", field="bed_type")
    row = AffectedPerson(
        incident=locked,
        person=person,
        name=_require(details.name, "Enter their name", "name"),
        date_of_birth=details.date_of_birth,
        funding=details.funding,
        funding_council=details.funding_council.strip(),
        needs=details.needs.strip(),
        bed_type=details.bed_type,
        next_of_kin=details.next_of_kin.strip(),
        home_postcode=details.home_postcode.strip().upper(),
        family_postcode=details.family_postcode.strip().upper(),
        status_note=details.status_note.strip(),
    )
    row.full_clean()
    row.save()
    IncidentStep.objects.bulk_create(
        _steps_for(locked, row, list(ProtocolStep.objects.filter(is_active=True, scope=StepScope.PERSON)))
    )
    audit.record(
        actor=by,
        action="continuity.affected_added",
        target=row,
        person_id=person.pk if person else None,
        snapshot={"funding": details.funding},
    )
    return row


@transaction.atomic
def update_affected(
    *,
    affected: AffectedPerson,
    by: User,
    needs: str,
    bed_type: str,
    next_of_kin: str,
    status_note: str,
    family_postcode: str,
) -> AffectedPerson:
    if bed_type and bed_type not in BedType.values:
        raise ApplicationError("Choose the placement they need", field="bed_type")
    row = AffectedPerson.objects.select_for_update(of=("self",)).get(pk=affected.pk)
    row.needs, row.bed_type, row.next_of_kin = needs.strip(), bed_type, next_of_kin.strip()
    row.status_note, row.family_postcode = status_note.strip(), family_postcode.strip().upper()
    row.full_clean()
    row.save()
    audit.record(actor=by, action="continuity.affected_updated", target=row, person_id=row.person_id, snapshot={})
    return row


@transaction.atomic
def complete_step(*, step: IncidentStep, by: User, note: str = "", now: datetime | None = None) -> IncidentStep:
    row = IncidentStep.objects.select_for_update(of=("self",)).get(pk=step.pk)
    if row.done_at is not None:
        raise ApplicationError("This step is already done")
    if row.clock_from == ClockFrom.MOVE and row.due_at is None:
        raise ApplicationError("Record the person's move first: this step's clock starts then")
    row.done_at, row.done_by, row.note = now or timezone.now(), by, note.strip()
    row.save()
    person_id = row.affected.person_id if row.affected_id and row.affected else None
    audit.record(actor=by, action="continuity.step_done", target=row, person_id=person_id, snapshot={"code": row.code})
    return row


# --- Placements -------------------------------------------------------------------------------------------------------


@transaction.atomic
def reserve_bed(*, affected: AffectedPerson, location: Location, bed_type: str, by: User) -> AffectedPerson:
    """Hold a bed for the person (the vacancy goes down by one); a previous reservation is released."""
    row = AffectedPerson.objects.select_for_update(of=("self",)).select_related("incident").get(pk=affected.pk)
    if not row.incident.is_open or row.outcome:
        raise ApplicationError("This person's outcome is already confirmed")
    if location.pk == row.incident.location_id:
        raise ApplicationError("That is the location the incident is about", field="location")
    if location.pk in oversight_selectors.suspended_location_ids(timezone.localdate()):
        raise ApplicationError(f"New placements at {location.name} are suspended", field="location")
    if row.reserved_location is not None:
        oversight_services.adjust_vacancy(
            location=row.reserved_location,
            bed_type=row.reserved_bed_type,
            delta=1,
            by=by,
            reason=f"Released for {row.incident.reference}",
        )
    oversight_services.adjust_vacancy(
        location=location, bed_type=bed_type, delta=-1, by=by, reason=f"Held for {row.incident.reference}"
    )
    row.reserved_location, row.reserved_bed_type = location, bed_type
    row.save()
    audit.record(
        actor=by,
        action="continuity.bed_reserved",
        target=row,
        person_id=row.person_id,
        snapshot={"location": location.name, "bed_type": bed_type},
    )
    return row


def _move_services(row: AffectedPerson, by: User, outcome: str, today: date) -> None:
    """End the person's services at the incident's location with the reason; a move starts the same kind of
    service at the new placement, so their record says where they receive care now."""
    if row.person is None or row.incident.location_id is None or outcome == Outcome.STAYED:
        return
    reason = f"{row.incident.reference}: {Outcome(outcome).label.split(':')[0].lower()}"
    for service in Service.objects.current(today).filter(person=row.person, location_id=row.incident.location_id):
        provider_services.end_service(service=service, by=by, end_on=today, reason=reason)
        if outcome == Outcome.MOVED and row.reserved_location is not None:
            # The same kind of care at the new placement; a component since retired from the list is left blank
            # rather than holding up an emergency move.
            component = service.service_component
            if component and not ServiceComponentCode.objects.allows(component):
                component = ""
            provider_services.record_service(
                person=row.person,
                by=by,
                data={
                    "service_type": service.service_type,
                    "service_component": component,
                    "location": row.reserved_location,
                    "team": service.team,
                    "start_on": today,
                    "description": f"Emergency placement ({row.incident.reference})",
                },
            )


def _coordinating_team(by: User) -> Team | None:
    return next((m.team for m in by.memberships_cached if m.team.organisation.is_this_council), None)


@transaction.atomic
def record_outcome(
    *, affected: AffectedPerson, by: User, outcome: str, detail: str = "", now: datetime | None = None
) -> AffectedPerson:
    """Confirm where the person is now. A move goes into their reserved placement, with an emergency transition plan
    (for people on the council's record) and the welfare check's clock started."""
    now = now or timezone.now()
    row = (
        AffectedPerson.objects.select_for_update(of=("self",))
        .select_related("incident", "incident__location")
        .get(pk=affected.pk)
    )
    if outcome not in Outcome.values:
        raise ApplicationError("Choose where the person is now", field="outcome")
    if row.outcome:
        raise ApplicationError("This person's outcome is already confirmed")
    if outcome in (Outcome.FAMILY, Outcome.OTHER, Outcome.HOSPITAL) and not detail.strip():
        raise ApplicationError("Say where they are", field="detail")
    if outcome == Outcome.MOVED:
        if row.reserved_location is None:
            raise ApplicationError("Reserve a placement first", field="outcome")
        row.moved_at = now
        detail = detail.strip() or row.reserved_location.name
        for step in row.steps.filter(clock_from=ClockFrom.MOVE, done_at__isnull=True):
            step.start_clock(now)
            step.save(update_fields=["due_at", "updated_at"])
        team = _coordinating_team(by)
        if row.person is not None and team is not None:
            origin = row.incident.location.name if row.incident.location else row.incident.title
            row.transition_plan = transitions.record_emergency_move(
                person=row.person,
                moving_from=origin,
                moving_to=row.reserved_location.name,
                team=team,
                coordinator=by,
                by=by,
                reason=f"{row.incident.reference}: {row.incident.title}",
                now=now,
            )
    elif row.reserved_location is not None:
        oversight_services.adjust_vacancy(
            location=row.reserved_location,
            bed_type=row.reserved_bed_type,
            delta=1,
            by=by,
            reason=f"Not needed: {row.incident.reference}",
        )
        row.reserved_location, row.reserved_bed_type = None, ""
    row.outcome, row.outcome_detail = outcome, detail.strip()
    row.outcome_confirmed_at, row.outcome_confirmed_by = now, by
    row.save()
    _move_services(row, by, outcome, timezone.localdate(now))
    if row.person is not None:
        add_to_chronology(
            person=row.person,
            category="continuity",
            summary=f"{row.incident.reference}: {Outcome(outcome).label.split(':')[0]}"
            + (f" – {row.outcome_detail}" if row.outcome_detail else ""),
            by=by,
            link=incident_link(row.incident),
        )
    audit.record(
        actor=by, action="continuity.outcome", target=row, person_id=row.person_id, snapshot={"outcome": outcome}
    )
    return row


@transaction.atomic
def close_incident(*, incident: Incident, by: User, now: datetime | None = None) -> Incident:
    """Close the incident: refused while anyone affected has no confirmed outcome (nobody is lost)."""
    locked = _lock(incident)
    if not locked.is_open:
        raise ApplicationError("This incident is already closed")
    waiting = list(locked.affected.without_outcome().values_list("name", flat=True))
    if waiting:
        names = ", ".join(waiting[:10]) + (f" and {len(waiting) - 10} more" if len(waiting) > 10 else "")
        raise ApplicationError(
            f"{len(waiting)} {'person has' if len(waiting) == 1 else 'people have'} no confirmed outcome yet: {names}"
        )
    locked.status, locked.closed_at, locked.closed_by = IncidentStatus.CLOSED, now or timezone.now(), by
    locked.save()
    audit.record(
        actor=by, action="continuity.incident_closed", target=locked, snapshot={"affected": locked.affected.count()}
    )
    return locked


# --- Learning and the protocol ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepDefinition:
    code: str
    title: str
    scope: str
    owner_role: str
    clock_hours: int
    clock_from: str
    after: str = ""
    guidance: str = ""
    is_active: bool = True


def _check_no_cycle(code: str, after: str) -> None:
    seen = {code}
    current = after
    parents = dict(ProtocolStep.objects.values_list("code", "after_id"))
    while current:
        if current in seen:
            raise ApplicationError("A step cannot come after itself or after a step that comes after it", field="after")
        seen.add(current)
        current = parents.get(current) or ""


@transaction.atomic
def save_protocol_step(*, by: User, definition: StepDefinition, reason: str) -> ProtocolStep:
    """Add or change a step of the emergency placement protocol. Incidents already open keep the steps they had."""
    code = _require(definition.code, "Enter a short code for the step", "code").lower()
    if definition.scope not in StepScope.values:
        raise ApplicationError("Choose whether the step is for the incident or for each person", field="scope")
    if definition.clock_from not in ClockFrom.values:
        raise ApplicationError("Choose when the step's clock starts", field="clock_from")
    if definition.clock_hours < 1:
        raise ApplicationError("The clock must be at least 1 hour", field="clock_hours")
    if definition.after and not ProtocolStep.objects.filter(code=definition.after).exists():
        raise ApplicationError("Choose a step that exists", field="after")
    _check_no_cycle(code, definition.after)
    existing = ProtocolStep.objects.filter(code=code).first()
    step = existing or ProtocolStep(code=code, order=(ProtocolStep.objects.count() + 1))
    before = {"title": step.title, "clock_hours": step.clock_hours} if existing else {}
    step.title = _require(definition.title, "Enter what the step is", "title")
    step.scope, step.owner_role = definition.scope, _require(definition.owner_role, "Enter who does it", "owner_role")
    step.clock_hours, step.clock_from = definition.clock_hours, definition.clock_from
    step.after_id = definition.after or None
    step.guidance, step.is_active = definition.guidance.strip(), definition.is_active
    step.full_clean()
    step.save()
    audit.record(
        actor=by,
        action="continuity.protocol_changed",
        target=step,
        snapshot={"before": before, "reason": reason, "code": code},
    )
    return step


@transaction.atomic
def write_review(
    *,
    incident: Incident,
    by: User,
    what_happened: str,
    what_worked: str,
    what_to_change: str,
    change: StepDefinition | None = None,
) -> IncidentReview:
    """The post-incident review; it may change the protocol there and then."""
    locked = _lock(incident)
    if hasattr(locked, "review"):
        raise ApplicationError("This incident already has its review")
    review = IncidentReview(
        incident=locked,
        what_happened=_require(what_happened, "Describe what happened", "what_happened"),
        what_worked=_require(what_worked, "Describe what worked", "what_worked"),
        what_to_change=_require(what_to_change, "Describe what to change", "what_to_change"),
        by=by,
    )
    if change is not None:
        save_protocol_step(by=by, definition=change, reason=f"Review of {locked.reference}")
        review.protocol_changed = True
    review.save()
    audit.record(
        actor=by, action="continuity.reviewed", target=review, snapshot={"protocol_changed": review.protocol_changed}
    )
    return review


# --- Business continuity plans and emergency mode ---------------------------------------------------------------------


@transaction.atomic
def save_continuity_plan(
    *,
    by: User,
    team: Team,
    service: str,
    owner: User,
    contacts: str,
    next_review_on: date,
    plan: ContinuityPlan | None = None,
) -> ContinuityPlan:
    if next_review_on < timezone.localdate():
        raise ApplicationError("The next review must be today or later", field="next_review_on")
    row = plan or ContinuityPlan()
    row.team, row.service, row.owner = team, _require(service, "Enter the service the plan covers", "service"), owner
    row.contacts, row.next_review_on = contacts.strip(), next_review_on
    row.full_clean()
    row.save()
    audit.record(actor=by, action="continuity.plan_saved", target=row, snapshot={"service": row.service})
    return row


@transaction.atomic
def add_scenario(*, plan: ContinuityPlan, by: User, kind: str, actions: str) -> Scenario:
    if kind not in ScenarioKind.values:
        raise ApplicationError("Choose the scenario", field="kind")
    row = Scenario.objects.create(
        plan=plan, kind=kind, actions=_require(actions, "Enter what the team does", "actions")
    )
    audit.record(actor=by, action="continuity.scenario_added", target=row, snapshot={"kind": kind})
    return row


@transaction.atomic
def add_critical_activity(
    *, plan: ContinuityPlan, by: User, activity: str, priority: int, max_downtime_hours: int
) -> CriticalActivity:
    if priority < 1 or priority > 3:
        raise ApplicationError("Priority is 1 (most critical), 2 or 3", field="priority")
    row = CriticalActivity.objects.create(
        plan=plan,
        activity=_require(activity, "Enter the activity", "activity"),
        priority=priority,
        max_downtime_hours=max_downtime_hours,
    )
    audit.record(actor=by, action="continuity.activity_added", target=row, snapshot={"priority": priority})
    return row


@transaction.atomic
def record_test(*, plan: ContinuityPlan, by: User, tested_on: date, next_review_on: date) -> ContinuityPlan:
    if tested_on > timezone.localdate():
        raise ApplicationError("The test date must be today or in the past", field="tested_on")
    if next_review_on <= tested_on:
        raise ApplicationError("The next review must be after the test", field="next_review_on")
    plan.last_tested_on, plan.next_review_on = tested_on, next_review_on
    plan.save()
    audit.record(actor=by, action="continuity.plan_tested", target=plan, snapshot={"tested_on": tested_on.isoformat()})
    return plan


@transaction.atomic
def declare_emergency(*, by: User, scenario: str, reason: str, now: datetime | None = None) -> EmergencyMode:
    """Put the continuity plans into effect council-wide; every council member of staff is told in their inbox."""
    if scenario not in ScenarioKind.values:
        raise ApplicationError("Choose the scenario", field="scenario")
    if EmergencyMode.objects.filter(is_active=True).exists():
        raise ApplicationError("Emergency mode is already on")
    mode = EmergencyMode.objects.create(
        scenario=scenario,
        reason=_require(reason, "Enter why", "reason"),
        declared_by=by,
        declared_at=now or timezone.now(),
    )
    staff = User.objects.filter(is_active=True, memberships__team__organisation__is_this_council=True).distinct()
    notify(
        recipients=list(staff),
        message=f"Emergency mode: {ScenarioKind(scenario).label}. Critical work only; see the emergency page.",
        link=reverse("continuity:emergency"),
    )
    audit.record(actor=by, action="continuity.emergency_declared", target=mode, snapshot={"scenario": scenario})
    return mode


@transaction.atomic
def end_emergency(*, by: User, now: datetime | None = None) -> EmergencyMode:
    mode = EmergencyMode.objects.select_for_update().filter(is_active=True).first()
    if mode is None:
        raise ApplicationError("Emergency mode is not on")
    mode.is_active, mode.ended_at, mode.ended_by = False, now or timezone.now(), by
    mode.save()
    audit.record(actor=by, action="continuity.emergency_ended", target=mode, snapshot={})
    return mode


def contingency_recipients() -> list[User]:
    """The contingency team and its leads (for notices about incidents)."""
    return list(
        User.objects.filter(
            Q(memberships__team__kind=TeamKind.CONTINGENCY) | Q(memberships__role=Role.CONTINGENCY_LEAD), is_active=True
        ).distinct()
    )
