"""Hospital discharge: ward referrals, the daily decisions (discharge-ready date, pathway, next action, delay,
support start), the outcome and readmission, support starting out of hours, and unsafe discharge reports.

Each function is one transaction: validate, write, record the status row, the chronology entry and the audit
event (ADR-005). Dates are checked in order and refused with a message naming the field:

- admission, the discharge-ready date, the discharge and a readmission are facts: today or in the past;
- admission is on or after the person's date of birth (as the ward gives it, or as the council's record has it);
- the discharge-ready date and the discharge are on or after admission; the discharge is on or after the
  discharge-ready date; a readmission is on or after the discharge; support starts on or after the discharge;
- a next action always has an owner (a name; the organisation when not the council) and a due date not past.

Person matching for a ward referral: the NHS number finds the council record (a merged record leads to the one it
was merged into); a record with a different date of birth is refused rather than guessed; with no record one is
created from the ward's identity (NHS number present, not traced by the council). The person's record is not
shared with the trust: the trust follows the referral itself (its board, the referral page and the API scope it by
the referring trust and `Referral.shared_with`) and the transition plan shared with it, nothing more of the record
(issue 5: "a partner sees only the plans and referrals shared with it"). The work item goes to the trust's hospital
social work team (HospitalRoute, else the first hospital social work team), unless the front door already opened
discharge work for the person: the hospital team's referral then takes that work over, with its story (Issue 3: the
story is held once).

The transition plan is created when a pathway 1-3 is agreed with a planned discharge date, and shared with the trust;
recording the discharge records the move on it (so its check after the move falls due), and withdrawing the referral
or recording a death in hospital cancels it. A new referral for someone discharged within the readmission window
notes the readmission on the earlier referral. A pathway 1-3 discharge with no support start arranged is recorded
only with the reason, and the hospital team is told at once; so is a discharge while essential arrangements of the
plan are open. A referral is ready only once those are in place (or a team manager overrode that on the plan).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from safepathways.accounts.models import Organisation, OrganisationKind, Role, Team, TeamKind, User
from safepathways.audit import services as audit
from safepathways.core.errors import ApplicationError
from safepathways.core.identifiers import is_valid_nhs_number, normalise_nhs_number
from safepathways.core.services import reserve_numbers
from safepathways.discharges import rules, selectors
from safepathways.discharges.models import (
    ALLOWED_TRANSITIONS,
    PATHWAY_DESTINATIONS,
    PATHWAYS_WITH_SUPPORT,
    DelayReason,
    Destination,
    DischargeSettings,
    HospitalRoute,
    Pathway,
    Referral,
    ReferralStatusName,
    ReporterRelationship,
    ReviewOutcome,
    SupportKind,
    UnsafeDischargeReport,
)
from safepathways.discharges.selectors import partner_organisation_ids
from safepathways.notifications.services import notify
from safepathways.people import services as people_services
from safepathways.people.codes import NHSNumberStatus
from safepathways.people.models import Person
from safepathways.transitions import services as transitions
from safepathways.transitions.models import Plan, PlanKind, PlanStatus
from safepathways.work import services as work_services
from safepathways.work.handoffs import record_move_handoff
from safepathways.work.models import WorkItem, WorkKind

CHRONOLOGY = "discharge"


def discharge_settings() -> DischargeSettings:
    """The one settings row (seeded by migration 0002; recreated with defaults if deleted)."""
    settings_row, _ = DischargeSettings.objects.get_or_create(id=1)
    return settings_row


def _link(referral: Referral) -> str:
    return reverse("discharges:referral", args=[referral.pk])


def _required(value: str, message: str, field_name: str) -> str:
    if not (value or "").strip():
        raise ApplicationError(message, field=field_name)
    return value.strip()


def _not_future(day: date, label: str, field_name: str) -> None:
    if day > timezone.localdate():
        raise ApplicationError(f"{label} must be today or in the past", field=field_name)


def _lock(referral: Referral) -> Referral:
    # Only the row itself is locked and read: PostgreSQL refuses FOR UPDATE on the nullable side of a join.
    return Referral.objects.select_for_update(of=("self",)).get(pk=referral.pk)


def _require_open(referral: Referral) -> None:
    if not referral.is_open:
        label = ReferralStatusName(referral.status).label.lower()
        raise ApplicationError(f"This referral is closed ({label}): it can no longer be changed")


def _move(referral: Referral, to: str, *, by: User | None, reason: str = "") -> None:
    """Check the declared transition table, then write the status row and the mirror column."""
    if to == referral.status:
        return
    if to not in ALLOWED_TRANSITIONS[referral.status]:
        raise ApplicationError(
            f"A referral that is {ReferralStatusName(referral.status).label.lower()} cannot become "
            f"{ReferralStatusName(to).label.lower()}"
        )
    referral.status = to
    referral.save(update_fields=["status", "updated_at"])
    referral.statuses.create(name=to, reason=reason, created_by=by)


def is_ready(referral: Referral) -> bool:
    """Ready to go: pathway agreed, discharge-ready date known, for pathways 1-3 a support start date set, and no
    essential arrangement of the transition plan open unless a team manager overrode that on the plan.

    The issue: "a move cannot be marked ready while an essential arrangement is open, unless a manager overrides";
    the override is the plan's own (transitions.services.mark_ready), so the two records agree on what ready means.
    """
    if referral.agreed_pathway is None or referral.discharge_ready_on is None:
        return False
    if referral.agreed_pathway != Pathway.HOME_NO_NEW_SUPPORT and referral.support_start_on is None:
        return False
    return not _essentials_block(referral)


def _essentials_block(referral: Referral) -> bool:
    """The referral's open transition plan has an essential arrangement open, and no manager overrode that."""
    plan = referral.plan
    if plan is None or not plan.is_open:
        return False
    if plan.status == PlanStatus.READY and plan.ready_override_reason:
        return False
    return bool(transitions.blocking_arrangements(plan))


def _sync_status(referral: Referral, by: User, reason: str) -> None:
    """Move an open referral between received, assessing and ready from what is now recorded."""
    if not referral.is_open:
        return
    if is_ready(referral):
        target = ReferralStatusName.READY
    elif referral.status == ReferralStatusName.RECEIVED and not by.is_council_staff:
        target = ReferralStatusName.RECEIVED  # the ward adding facts does not start the council's assessment
    else:
        target = ReferralStatusName.ASSESSING
    _move(referral, target, by=by, reason=reason)


def plan_readiness_changed(plan: Plan, by: User) -> None:
    """transitions.services' readiness listener: the plan's essential arrangements or its readiness changed, so the
    open referral it follows becomes ready, or stops being ready, at once rather than at its next decision."""
    referral = Referral.objects.filter(plan_id=plan.pk).first()
    if referral is None or not referral.is_open:
        return
    locked = _lock(referral)
    _sync_status(locked, by, "The transition plan's essential arrangements changed")


def _record(by: User | None, action: str, referral: Referral, **snapshot: object) -> None:
    audit.record(
        actor=by,
        action=action,
        target=referral,
        person_id=referral.person_id,
        snapshot=snapshot,
        actor_label="" if by else "system",
    )


def _story(referral: Referral, summary: str, by: User | None, detail: str = "") -> None:
    people_services.add_to_chronology(
        person=referral.person,
        category=CHRONOLOGY,
        summary=f"Hospital discharge {referral.reference}: {summary}",
        by=by,
        detail=detail,
        link=_link(referral),
    )


def hospital_team(hospital: Organisation) -> Team:
    """The hospital social work team that takes this trust's referrals."""
    route = HospitalRoute.objects.select_related("team").filter(hospital=hospital).first()
    if route is not None:
        return route.team
    team = (
        Team.objects.filter(kind=TeamKind.HOSPITAL_SOCIAL_WORK, organisation__is_this_council=True)
        .order_by("name")
        .first()
    )
    if team is None:
        raise ApplicationError("There is no hospital social work team to receive the referral", field="hospital")
    return team


def _team_members(team_id: UUID | None) -> list[User]:
    """Council staff of a team: whom a discharge problem is told to."""
    if team_id is None:
        return []
    return list(
        User.objects.filter(memberships__team_id=team_id, is_active=True)
        .exclude(memberships__role=Role.PARTNER)
        .distinct()
    )


# --- referral from a ward ----------------------------------------------------------------------------------------


@dataclass
class WardReferral:
    """What a ward tells the hospital social work team about an inpatient."""

    hospital: Organisation
    ward: str
    admitted_on: date
    proposed_pathway: int
    needs: str
    discharge_ready_on: date | None = None
    ward_contact: str = ""
    # Identity, when no council record is chosen: the NHS number finds or creates the record.
    nhs_number: str = ""
    given_name: str = ""
    family_name: str = ""
    date_of_birth: date | None = None
    person: Person | None = None


def _validate_referral(details: WardReferral, by: User) -> None:
    if details.hospital.kind != OrganisationKind.NHS_TRUST:
        raise ApplicationError("Choose the NHS trust the person is in", field="hospital")
    if not by.is_council_staff and details.hospital.pk not in partner_organisation_ids(by):
        raise ApplicationError("You can refer only from your own trust's wards", field="hospital")
    details.ward = _required(details.ward, "Enter the ward", "ward")
    details.needs = _required(details.needs, "Describe the person's needs on discharge", "needs")
    if details.proposed_pathway not in Pathway.values:
        raise ApplicationError("Choose the proposed pathway, from 0 to 3", field="proposed_pathway")
    _not_future(details.admitted_on, "The admission date", "admitted_on")
    known = details.person.date_of_birth if details.person is not None else details.date_of_birth
    _check_admitted_after_birth(details.admitted_on, known)
    if details.discharge_ready_on is not None:
        _check_ready_date(details.discharge_ready_on, details.admitted_on)


def _check_admitted_after_birth(admitted_on: date, date_of_birth: date | None) -> None:
    if date_of_birth is not None and admitted_on < date_of_birth:
        raise ApplicationError(
            f"The admission date cannot be before the person's date of birth ({date_of_birth:%-d %B %Y})",
            field="admitted_on",
        )


def _check_ready_date(discharge_ready_on: date, admitted_on: date) -> None:
    if discharge_ready_on > timezone.localdate():
        raise ApplicationError(
            "The discharge-ready date must be today or in the past: it is the day the person stopped meeting "
            "the criteria to reside",
            field="discharge_ready_on",
        )
    if discharge_ready_on < admitted_on:
        raise ApplicationError(
            "The discharge-ready date cannot be before the admission date", field="discharge_ready_on"
        )


def find_or_create_person(
    *, nhs_number: str, given_name: str, family_name: str, date_of_birth: date | None, by: User
) -> Person:
    """The council record with this NHS number, or a new record from the ward's identity."""
    digits = normalise_nhs_number(nhs_number or "")
    if not digits:
        raise ApplicationError("Enter the person's NHS number", field="nhs_number")
    if not is_valid_nhs_number(digits):
        raise ApplicationError(
            "Enter a valid NHS number: 10 digits whose last digit is the correct check digit", field="nhs_number"
        )
    person = Person.objects.select_related("merged_into").filter(nhs_number=digits).first()
    if person is not None:
        while person.merged_into is not None:
            person = person.merged_into
        if date_of_birth and person.date_of_birth and person.date_of_birth != date_of_birth:
            raise ApplicationError(
                "The council's record with this NHS number has a different date of birth: check both with the "
                "patient's record, or ring the hospital social work team",
                field="date_of_birth",
            )
        if person.date_of_death is not None:
            raise ApplicationError("The council's record says this person has died", field="nhs_number")
        return person
    return people_services.create_person(
        by=by,
        data={
            "given_name": _required(given_name, "Enter the person's first name", "given_name"),
            "family_name": _required(family_name, "Enter the person's last name", "family_name"),
            "date_of_birth": date_of_birth,
            "nhs_number": digits,
            "nhs_number_status": NHSNumberStatus.NOT_TRACED,
        },
    )


def _front_door_work(work_item: WorkItem, details: WardReferral, by: User) -> WorkItem:
    """The discharge work the front door opened, locked and checked before a referral takes it over.

    Only the hospital social work team takes it over (rule 16: checked here as well as in the view). It must be
    open discharge work that no referral has taken over yet and that is not the review of an unsafe discharge
    report; the referral is for the person the work is for.
    """
    if not by.has_perm(rules.PLAN_DISCHARGE):
        raise ApplicationError(
            "Only the hospital social work team can take over discharge work from the front door", field="work_item"
        )
    locked = WorkItem.objects.select_for_update(of=("self",)).select_related("person").get(pk=work_item.pk)
    if (
        locked.kind != WorkKind.DISCHARGE
        or locked.closed_at is not None
        or UnsafeDischargeReport.objects.filter(work_item=locked).exists()
    ):
        raise ApplicationError("Only open hospital discharge work can become a discharge referral", field="work_item")
    taken = Referral.objects.filter(work_item=locked).values_list("reference", flat=True).first()
    if taken is not None:
        raise ApplicationError(
            f"Discharge referral {taken} has already taken over this work: update that one", field="work_item"
        )
    if details.person is not None and details.person.pk != locked.person_id:
        raise ApplicationError("That work is for someone else", field="work_item")
    return locked


@transaction.atomic
def create_referral(*, details: WardReferral, by: User, work_item: WorkItem | None = None) -> Referral:
    """Receive a ward's referral: the person found or added, and work for the team. The trust sees the referral
    (and later the transition plan), not the person's record.

    `work_item` is hospital discharge work the front door already opened (referrals.triage_contact): the referral
    takes it over, with its person, its team and its story, instead of opening a second piece of work.
    """
    _validate_referral(details, by)
    front_door = _front_door_work(work_item, details, by) if work_item is not None else None
    person = front_door.person if front_door is not None else details.person
    if person is None:
        person = find_or_create_person(
            nhs_number=details.nhs_number,
            given_name=details.given_name,
            family_name=details.family_name,
            date_of_birth=details.date_of_birth,
            by=by,
        )
    elif person.date_of_death is not None:
        raise ApplicationError("This person has died", field="person")
    # The council's record may know the date of birth when the ward did not give it (or the front door's work).
    _check_admitted_after_birth(details.admitted_on, person.date_of_birth)
    if Referral.objects.open().filter(person=person, hospital=details.hospital).exists():
        raise ApplicationError(
            "This person already has an open discharge referral from this trust: update that one", field="nhs_number"
        )
    if front_door is not None:
        work = front_door
        if details.discharge_ready_on is not None:
            work.due_on = details.discharge_ready_on
            work.save(update_fields=["due_on", "updated_at"])
    else:
        work = work_services.open_work(
            person=person,
            kind=WorkKind.DISCHARGE,
            team=hospital_team(details.hospital),
            title=f"Hospital discharge: {details.hospital.name}, {details.ward}",
            by=by,
            story=details.needs,
            due_on=details.discharge_ready_on,
        )
    referral = Referral(
        reference=f"HD{reserve_numbers('discharge_reference')[0]:07d}",
        person=person,
        hospital=details.hospital,
        ward=details.ward,
        ward_contact=details.ward_contact.strip(),
        admitted_on=details.admitted_on,
        discharge_ready_on=details.discharge_ready_on,
        proposed_pathway=details.proposed_pathway,
        needs=details.needs,
        referred_by=by,
        work_item=work,
    )
    referral.full_clean(exclude=["work_item", "person"])
    referral.save()
    referral.statuses.create(
        name=ReferralStatusName.RECEIVED, reason=f"From {details.hospital.name}, {details.ward}", created_by=by
    )
    _story(
        referral,
        f"referred from {details.hospital.name}, {details.ward}; proposed {Pathway(details.proposed_pathway).label}",
        by,
        details.needs,
    )
    _record(
        by,
        "discharge.referred",
        referral,
        pathway=details.proposed_pathway,
        ward=details.ward,
        from_front_door=front_door is not None,
    )
    _note_readmission(referral)
    return referral


def _note_readmission(referral: Referral) -> None:
    """A referral for someone discharged within the readmission window is a readmission: note it on the earlier one.

    The window is the local setting (DischargeSettings, default 30 days: NHS Outcomes Framework 3b, emergency
    readmissions within 30 days of discharge). As in that indicator, a readmission to any trust counts. The new
    admission date is the readmission date; the most recent discharge not yet marked readmitted is the one noted.
    Recorded by the system, since neither the ward nor the hospital team said so (both may still see it and add to it).
    """
    window = discharge_settings().readmission_window_days
    earlier = (
        Referral.objects.filter(
            person_id=referral.person_id,
            status=ReferralStatusName.DISCHARGED,
            readmitted_on__isnull=True,
            discharged_on__lte=referral.admitted_on,
            discharged_on__gte=referral.admitted_on - timedelta(days=window),
        )
        .exclude(pk=referral.pk)
        .order_by("-discharged_on")
        .first()
    )
    if earlier is None:
        return
    record_readmission(
        referral=earlier,
        readmitted_on=referral.admitted_on,
        by=None,
        note=f"Noted when {referral.hospital.name}, {referral.ward} referred them again ({referral.reference})",
    )


# --- the daily decisions ------------------------------------------------------------------------------------------


@transaction.atomic
def set_discharge_ready_date(*, referral: Referral, discharge_ready_on: date, by: User) -> Referral:
    """Record the day the person stopped meeting the criteria to reside (the ward or the hospital team)."""
    locked = _lock(referral)
    _require_open(locked)
    _check_ready_date(discharge_ready_on, locked.admitted_on)
    locked.discharge_ready_on = discharge_ready_on
    locked.save(update_fields=["discharge_ready_on", "updated_at"])
    WorkItem.objects.filter(pk=locked.work_item_id, due_on__isnull=True).update(due_on=discharge_ready_on)
    _sync_status(locked, by, f"Discharge-ready from {discharge_ready_on:%-d %B %Y}")
    _story(locked, f"discharge-ready from {discharge_ready_on:%-d %B %Y}", by)
    _record(by, "discharge.ready_date", locked, discharge_ready_on=discharge_ready_on.isoformat())
    return locked


def _plan_for(locked: Referral, by: User, today: date) -> None:
    """Create the transition plan, or move its date, once a pathway with support and a date are agreed."""
    if locked.agreed_pathway not in PATHWAYS_WITH_SUPPORT or locked.planned_discharge_on is None:
        return
    moving_to = locked.moving_to or PATHWAY_DESTINATIONS[Pathway(locked.agreed_pathway)]
    plan = locked.plan
    if plan is not None and plan.is_open:
        data: dict[str, object] = {}
        if plan.planned_on != locked.planned_discharge_on:
            data["planned_on"] = locked.planned_discharge_on
        if plan.moving_to != moving_to:
            data["moving_to"] = moving_to
        if data:
            transitions.update_plan(plan=plan, by=by, data=data, today=today)
        return
    plan = transitions.create_plan(
        person=locked.person,
        kind=PlanKind.HOSPITAL_DISCHARGE,
        moving_from=f"{locked.hospital.name}, {locked.ward}",
        moving_to=moving_to,
        planned_on=locked.planned_discharge_on,
        team=locked.work_item.team,
        coordinator=by,
        by=by,
        source_label=f"Hospital discharge referral {locked.reference}",
        today=today,
    )
    transitions.share_plan(plan=plan, by=by, organisation=locked.hospital)
    locked.plan = plan
    locked.save(update_fields=["plan", "updated_at"])


@transaction.atomic
def agree_pathway(
    *, referral: Referral, pathway: int, by: User, planned_discharge_on: date | None = None, moving_to: str = ""
) -> Referral:
    """The hospital team agrees the pathway (and the planned discharge date): pathways 1-3 get a transition plan."""
    if not by.has_perm(rules.PLAN_DISCHARGE):
        raise ApplicationError("Only the hospital social work team can agree the pathway")
    if pathway not in Pathway.values:
        raise ApplicationError("Choose the pathway, from 0 to 3", field="pathway")
    today = timezone.localdate()
    locked = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("person", "hospital", "work_item__team", "plan")
        .get(pk=referral.pk)
    )
    _require_open(locked)
    if planned_discharge_on is not None and planned_discharge_on < today:
        raise ApplicationError(
            "The planned discharge date must be today or in the future", field="planned_discharge_on"
        )
    locked.agreed_pathway = pathway
    locked.planned_discharge_on = planned_discharge_on
    locked.moving_to = moving_to.strip()
    locked.save(update_fields=["agreed_pathway", "planned_discharge_on", "moving_to", "updated_at"])
    _plan_for(locked, by, today)
    label = Pathway(pathway).label
    _sync_status(locked, by, f"{label} agreed")
    when = f"; planned discharge {planned_discharge_on:%-d %B %Y}" if planned_discharge_on else ""
    _story(locked, f"{label} agreed{when}", by)
    _record(
        by,
        "discharge.pathway_agreed",
        locked,
        pathway=pathway,
        planned_discharge_on=planned_discharge_on.isoformat() if planned_discharge_on else "",
    )
    return locked


@transaction.atomic
def set_next_action(
    *,
    referral: Referral,
    action: str,
    owner_name: str,
    due_on: date | None,
    by: User,
    owner_organisation: Organisation | None = None,
) -> Referral:
    """The daily meeting's next action for this person: what, who owns it, and by when."""
    locked = _lock(referral)
    _require_open(locked)
    action = _required(action, "Enter the next action", "next_action")
    owner = _required(owner_name, "Enter who owns the next action", "next_action_owner_name")
    if due_on is None:
        raise ApplicationError("Enter when the next action is due", field="next_action_due")
    if due_on < timezone.localdate():
        raise ApplicationError("The next action's due date must be today or later", field="next_action_due")
    locked.next_action = action[:300]
    locked.next_action_owner_name = owner[:200]
    locked.next_action_owner_organisation = owner_organisation
    locked.next_action_due = due_on
    locked.save(
        update_fields=[
            "next_action",
            "next_action_owner_name",
            "next_action_owner_organisation",
            "next_action_due",
            "updated_at",
        ]
    )
    _sync_status(locked, by, f"Next action: {action[:200]}")
    _record(by, "discharge.next_action", locked, owner=owner, due_on=due_on.isoformat())
    return locked


@transaction.atomic
def set_delay_reason(*, referral: Referral, delay_reason: DelayReason | None, by: User) -> Referral:
    """Why a person who is ready is still in hospital (or none: the delay is over)."""
    locked = _lock(referral)
    _require_open(locked)
    if delay_reason is not None:
        if not delay_reason.is_active:
            raise ApplicationError("Choose a delay reason from the current list", field="delay_reason")
        if locked.discharge_ready_on is None:
            raise ApplicationError(
                "Record the discharge-ready date first: a delay starts once the person is ready",
                field="delay_reason",
            )
    locked.delay_reason = delay_reason
    locked.save(update_fields=["delay_reason", "updated_at"])
    _record(by, "discharge.delay_reason", locked, delay_reason=delay_reason.code if delay_reason else "")
    return locked


@transaction.atomic
def plan_support_start(
    *,
    referral: Referral,
    kind: str,
    provider: str,
    start_on: date,
    by: User,
    start_time: time | None = None,
) -> Referral:
    """When reablement or care starts after discharge, and who provides it. A new date clears "did not start"."""
    if not by.has_perm(rules.PLAN_DISCHARGE):
        raise ApplicationError("Only the hospital social work team can arrange the support start")
    locked = _lock(referral)
    if locked.status in (ReferralStatusName.WITHDRAWN, ReferralStatusName.DIED):
        raise ApplicationError("This referral is closed: it can no longer be changed")
    if locked.support_started_at is not None:
        raise ApplicationError("The support has already started", field="support_start_on")
    if kind not in SupportKind.values:
        raise ApplicationError("Choose the kind of support", field="support_kind")
    provider = _required(provider, "Enter who provides the support", "support_provider")
    if start_on < locked.admitted_on:
        raise ApplicationError("The support cannot start before the admission date", field="support_start_on")
    if locked.discharged_on is not None and start_on < locked.discharged_on:
        raise ApplicationError("The support cannot start before the discharge", field="support_start_on")
    if locked.discharged_on is None and start_on < timezone.localdate():
        raise ApplicationError("The support start must be today or in the future", field="support_start_on")
    planned = locked.planned_discharge_on
    if locked.discharged_on is None and planned is not None and start_on < planned:
        raise ApplicationError(
            f"The support cannot start before the planned discharge on {planned:%-d %B %Y}: "
            "if the discharge is earlier, change the planned date first",
            field="support_start_on",
        )
    locked.support_kind, locked.support_provider = kind, provider[:200]
    locked.support_start_on, locked.support_start_time = start_on, start_time
    locked.support_not_started_reason, locked.support_not_started_at = "", None
    locked.save(
        update_fields=[
            "support_kind",
            "support_provider",
            "support_start_on",
            "support_start_time",
            "support_not_started_reason",
            "support_not_started_at",
            "updated_at",
        ]
    )
    words = f"{SupportKind(kind).label} by {provider} from {start_on:%-d %B %Y}"
    if start_time is not None:
        words += f" at {start_time:%H:%M}"
    _sync_status(locked, by, f"Support: {words}")
    _story(locked, f"support arranged: {words}", by)
    _record(by, "discharge.support_planned", locked, kind=kind, start_on=start_on.isoformat())
    return locked


def _close_work_if_done(locked: Referral, by: User, outcome: str) -> None:
    """The hospital team's work ends once the person is home and any support has started (or never needed)."""
    item = WorkItem.objects.filter(pk=locked.work_item_id, closed_at__isnull=True).first()
    if item is not None:
        work_services.close_work(work_item=item, by=by, outcome=outcome)


def _support_settled(locked: Referral) -> bool:
    return locked.pathway not in PATHWAYS_WITH_SUPPORT or locked.support_started_at is not None


@transaction.atomic
def record_support_started(
    *, referral: Referral, started_at: datetime, confirmed_with: str, by: User, now: datetime | None = None
) -> Referral:
    """Someone (often the out-of-hours team) confirms the support started, when, and with whom they checked."""
    now = now or timezone.now()
    locked = _lock(referral)
    if locked.status in (ReferralStatusName.WITHDRAWN, ReferralStatusName.DIED):
        raise ApplicationError("This referral is closed: it can no longer be changed")
    if locked.support_start_on is None:
        raise ApplicationError("No support start has been arranged for this person", field="started_at")
    if locked.support_started_at is not None:
        raise ApplicationError("The support start has already been recorded", field="started_at")
    if started_at > now:
        raise ApplicationError("The time the support started must be now or in the past", field="started_at")
    started_on = timezone.localdate(started_at)
    if started_on < locked.admitted_on:
        raise ApplicationError("The support cannot have started before the admission date", field="started_at")
    if locked.discharged_on is not None and started_on < locked.discharged_on:
        raise ApplicationError(
            f"The support cannot have started before the discharge on {locked.discharged_on:%-d %B %Y}",
            field="started_at",
        )
    who = _required(confirmed_with, "Enter who confirmed the support started", "confirmed_with")
    locked.support_started_at, locked.support_started_by = started_at, by
    locked.support_confirmed_with = who[:200]
    locked.support_not_started_reason, locked.support_not_started_at = "", None
    locked.save(
        update_fields=[
            "support_started_at",
            "support_started_by",
            "support_confirmed_with",
            "support_not_started_reason",
            "support_not_started_at",
            "updated_at",
        ]
    )
    local = timezone.localtime(started_at)
    _story(locked, f"support started {local:%-d %B %Y at %H:%M} (confirmed with {who})", by)
    _record(by, "discharge.support_started", locked, started_at=started_at.isoformat())
    if locked.status == ReferralStatusName.DISCHARGED:
        _close_work_if_done(locked, by, "Discharged; support started")
    return locked


@transaction.atomic
def record_support_not_started(*, referral: Referral, reason: str, by: User) -> Referral:
    """The support did not start: say why, and the hospital team is told at once."""
    locked = Referral.objects.select_for_update(of=("self",)).select_related("person").get(pk=referral.pk)
    if locked.support_start_on is None:
        raise ApplicationError("No support start has been arranged for this person", field="reason")
    if locked.support_started_at is not None:
        raise ApplicationError("The support start has already been recorded as started", field="reason")
    why = _required(reason, "Enter why the support did not start", "reason")
    locked.support_not_started_reason, locked.support_not_started_at = why, timezone.now()
    locked.save(update_fields=["support_not_started_reason", "support_not_started_at", "updated_at"])
    _story(locked, "support did not start", by, why)
    _record(by, "discharge.support_not_started", locked, reason=why)
    team_id = WorkItem.objects.filter(pk=locked.work_item_id).values_list("team_id", flat=True).first()
    notify(
        recipients=[u for u in _team_members(team_id) if u.pk != by.pk],
        message=f"Support for {locked.person.full_name} ({locked.reference}) did not start: {why}"[:300],
        link=_link(locked),
        dedupe_key=f"discharge-not-started:{locked.pk}:{locked.support_start_on}",
    )
    return locked


# --- outcome ------------------------------------------------------------------------------------------------------


def _plan_moved(locked: Referral, by: User, discharged_on: date, where: str) -> bool:
    """The discharge is the move the transition plan was for: record it on the plan. Returns whether the plan
    records the move (now, or before the discharge was recorded); a cancelled plan, or none, does not.

    Through transitions.record_move, so the plan closes as moved, the check after the move falls due after the
    configured interval (ADR-014) and continuity stops reporting the plan as past its date. The person has left
    hospital whether or not the plan was marked ready, so the move is recorded with the discharge as its reason
    (record_move then notes that nobody marked it ready, and keeps the arrangements still open in the audit).
    record_move also counts the hand-off, naming the provider of the support. A plan already moved, checked or
    cancelled is left as it is.
    """
    plan = locked.plan
    if plan is None:
        return False
    if not plan.is_open:
        return plan.moved_on is not None
    transitions.record_move(
        plan=plan,
        by=by,
        moved_on=discharged_on,
        happened_reason=(
            f"Hospital discharge {locked.reference} recorded: discharged on {discharged_on:%-d %B %Y} "
            f"to {where.lower()}"
        ),
        taken_over_by=locked.support_provider,
    )
    return True


def _count_handoff(locked: Referral, by: User, where: str) -> None:
    """A discharge on a pathway with support hands the person from the trust to the support's provider (or the
    place they went, when no provider is named): one hand-off for the person.

    The issue counts "every change of responsible team, worker or organisation" per person. Pathway 0 is a return
    to the usual place with no new support (Annex B of the hospital discharge guidance, 2024): not counted.
    """
    if locked.pathway not in PATHWAYS_WITH_SUPPORT:
        return
    destination = locked.discharged_to_detail or where
    record_move_handoff(
        person=locked.person,
        by=by,
        what=f"Hospital discharge {locked.reference}",
        handed_from=locked.hospital.name,
        handed_to=f"{locked.support_provider} ({destination})" if locked.support_provider else destination,
        team=locked.work_item.team,
    )


@transaction.atomic
def record_discharge(
    *,
    referral: Referral,
    discharged_on: date,
    discharged_to: str,
    by: User,
    destination_detail: str = "",
    support: str = "",
    no_support_reason: str = "",
    open_essentials_reason: str = "",
) -> Referral:
    """The person left hospital: on which day, to where, with what support.

    The discharge is a fact, so it is recorded even when a pathway 1-3 person leaves before any support start is
    arranged (the ward sends them home, they discharge themselves, the family takes them): then `no_support_reason`
    must say why, the hospital team is told at once, the work stays open, and continuity reports the gap from the
    discharge date until the support is recorded as started (gaps.discharged_without_support).

    Likewise when essential arrangements of the transition plan are still open (keys, medication, transport...):
    `open_essentials_reason` must say why the person is leaving without them, the hospital team is told at once,
    and continuity reports the gap until they are done (gaps.discharged_with_essentials_open). A manager's override
    on the plan does not excuse the reason: the person still leaves without them.
    """
    locked = _lock(referral)
    _require_open(locked)
    _not_future(discharged_on, "The discharge date", "discharged_on")
    if discharged_on < locked.admitted_on:
        raise ApplicationError("The discharge date cannot be before the admission date", field="discharged_on")
    if locked.discharge_ready_on is not None and discharged_on < locked.discharge_ready_on:
        raise ApplicationError("The discharge date cannot be before the discharge-ready date", field="discharged_on")
    if locked.support_started_at is not None and discharged_on > timezone.localdate(locked.support_started_at):
        started = timezone.localtime(locked.support_started_at)
        raise ApplicationError(
            f"The discharge date cannot be after the support started ({started:%-d %B %Y})", field="discharged_on"
        )
    if discharged_to not in Destination.values:
        raise ApplicationError("Choose where the person went", field="discharged_to")
    if discharged_to == Destination.OTHER and not destination_detail.strip():
        raise ApplicationError("Say where the person went", field="discharged_to_detail")
    without_support = locked.pathway in PATHWAYS_WITH_SUPPORT and locked.support_start_on is None
    why = ""
    if without_support:
        why = _required(
            no_support_reason,
            f"No support start is arranged for {Pathway(locked.pathway).label.lower()}: say why the person is "
            "leaving hospital without it, or ask the hospital social work team to arrange the support start first",
            "no_support_reason",
        )
    plan = locked.plan
    open_essentials = transitions.blocking_arrangements(plan) if plan is not None and plan.is_open else []
    labels = [arrangement.label for arrangement in open_essentials]
    essentials_why = ""
    if labels:
        essentials_why = _required(
            open_essentials_reason,
            f"{len(labels)} essential arrangement{'s' if len(labels) != 1 else ''} of the transition plan "
            f"{'are' if len(labels) != 1 else 'is'} not in place: say why the person is leaving hospital without "
            f"{'them' if len(labels) != 1 else 'it'}, or put {'them' if len(labels) != 1 else 'it'} in place first",
            "open_essentials_reason",
        )
    locked.discharged_on, locked.discharged_to = discharged_on, discharged_to
    locked.discharged_to_detail = destination_detail.strip()[:300]
    locked.discharge_support = support.strip()
    locked.no_support_reason = why
    locked.open_essentials_reason = essentials_why
    locked.closed_on = discharged_on
    locked.delay_reason = None
    locked.save(
        update_fields=[
            "discharged_on",
            "discharged_to",
            "discharged_to_detail",
            "discharge_support",
            "no_support_reason",
            "open_essentials_reason",
            "closed_on",
            "delay_reason",
            "updated_at",
        ]
    )
    where = Destination(discharged_to).label
    _move(locked, ReferralStatusName.DISCHARGED, by=by, reason=f"Discharged on {discharged_on:%-d %B %Y} to {where}")
    parts = (
        support.strip(),
        f"No support start arranged: {why}" if why else "",
        f"Essential arrangements open ({'; '.join(labels)}): {essentials_why}" if labels else "",
    )
    detail = "\n\n".join(part for part in parts if part)
    _story(locked, f"discharged on {discharged_on:%-d %B %Y} to {where.lower()}", by, detail)
    _record(
        by,
        "discharge.discharged",
        locked,
        discharged_on=discharged_on.isoformat(),
        to=discharged_to,
        without_support=without_support,
        open_essentials="; ".join(labels),
    )
    # One hand-off for the discharge: the plan's move counts it when the plan records the move (record_move, or the
    # plan page before the discharge was recorded); without a plan that moved, the discharge counts it here.
    if not _plan_moved(locked, by, discharged_on, where):
        _count_handoff(locked, by, where)
    if without_support:
        _tell_team_no_support(locked, by, why)
    if labels:
        _tell_team_open_essentials(locked, by, essentials_why, labels)
    if _support_settled(locked):
        _close_work_if_done(locked, by, "Discharged")
    return locked


def _tell_team_no_support(locked: Referral, by: User, why: str) -> None:
    """A pathway 1-3 person went home with no support start arranged: the hospital team hears now, not tomorrow."""
    team_id = WorkItem.objects.filter(pk=locked.work_item_id).values_list("team_id", flat=True).first()
    notify(
        recipients=[u for u in _team_members(team_id) if u.pk != by.pk],
        message=f"{locked.person.full_name} ({locked.reference}) was discharged with no support arranged: {why}"[:300],
        link=_link(locked),
        dedupe_key=f"discharge-no-support:{locked.pk}",
    )


def _tell_team_open_essentials(locked: Referral, by: User, why: str, labels: list[str]) -> None:
    """The person left hospital with essential arrangements open (keys, medication, transport): the hospital team
    hears now, not at the next meeting."""
    team_id = WorkItem.objects.filter(pk=locked.work_item_id).values_list("team_id", flat=True).first()
    notify(
        recipients=[u for u in _team_members(team_id) if u.pk != by.pk],
        message=(
            f"{locked.person.full_name} ({locked.reference}) was discharged with essential arrangements open "
            f"({'; '.join(labels)}): {why}"
        )[:300],
        link=_link(locked),
        dedupe_key=f"discharge-open-essentials:{locked.pk}",
    )


@transaction.atomic
def record_readmission(*, referral: Referral, readmitted_on: date, by: User | None, note: str = "") -> Referral:
    """Note that the person came back into hospital; early if within the readmission window (default 30 days).

    `by` is None when a new referral found the readmission (create_referral)."""
    locked = _lock(referral)
    if locked.status != ReferralStatusName.DISCHARGED or locked.discharged_on is None:
        raise ApplicationError("Only a discharged person can be readmitted", field="readmitted_on")
    _not_future(readmitted_on, "The readmission date", "readmitted_on")
    if readmitted_on < locked.discharged_on:
        raise ApplicationError("The readmission date cannot be before the discharge date", field="readmitted_on")
    window = discharge_settings().readmission_window_days
    days = (readmitted_on - locked.discharged_on).days
    locked.readmitted_on, locked.readmission_note = readmitted_on, note.strip()
    locked.is_early_readmission = days <= window
    locked.save(update_fields=["readmitted_on", "readmission_note", "is_early_readmission", "updated_at"])
    early = f" (within {window} days)" if locked.is_early_readmission else ""
    _story(locked, f"readmitted on {readmitted_on:%-d %B %Y}, {days} days after discharge{early}", by, note)
    _record(by, "discharge.readmitted", locked, days=days, early=locked.is_early_readmission)
    return locked


@transaction.atomic
def share_referral(*, referral: Referral, organisation: Organisation, by: User) -> Referral:
    """Let a partner organisation (a community trust, the ICB, a care provider) see the referral on its board.

    The referring trust sees its own referrals already; the council is not a partner. Only the referral is shared,
    not the rest of the person's record."""
    if organisation.is_this_council:
        raise ApplicationError("Choose a partner organisation, not the council", field="organisation")
    if organisation.pk == referral.hospital_id:
        raise ApplicationError(f"{organisation.name} made the referral and sees it already", field="organisation")
    referral.shared_with.add(organisation)
    audit.record(
        actor=by,
        action="discharge.shared",
        target=referral,
        person_id=referral.person_id,
        snapshot={"organisation": organisation.name},
    )
    return referral


@transaction.atomic
def unshare_referral(*, referral: Referral, organisation: Organisation, by: User) -> Referral:
    """Stop sharing the referral with a partner organisation: it leaves their board at once."""
    if not referral.shared_with.filter(pk=organisation.pk).exists():
        raise ApplicationError(f"The referral is not shared with {organisation.name}", field="organisation")
    referral.shared_with.remove(organisation)
    audit.record(
        actor=by,
        action="discharge.unshared",
        target=referral,
        person_id=referral.person_id,
        snapshot={"organisation": organisation.name},
    )
    return referral


@transaction.atomic
def close_referral(
    *, referral: Referral, status: str, reason: str, by: User, closed_on: date | None = None
) -> Referral:
    """Withdraw the referral (no longer needed), or record that the person died in hospital."""
    if not by.has_perm(rules.PLAN_DISCHARGE):
        raise ApplicationError("Only the hospital social work team can close a referral")
    if status not in (ReferralStatusName.WITHDRAWN, ReferralStatusName.DIED):
        raise ApplicationError("Choose why the referral ends", field="status")
    closed_on = closed_on or timezone.localdate()
    locked = _lock(referral)
    _require_open(locked)
    why = _required(reason, "Enter why the referral ends", "reason")
    _not_future(closed_on, "The date", "closed_on")
    if closed_on < locked.admitted_on:
        raise ApplicationError("The date cannot be before the admission date", field="closed_on")
    locked.closed_on = closed_on
    locked.save(update_fields=["closed_on", "updated_at"])
    _move(locked, status, by=by, reason=why)
    label = ReferralStatusName(status).label
    _story(locked, label.lower(), by, why)
    _record(by, f"discharge.{status}", locked, reason=why)
    plan = locked.plan
    if plan is not None and plan.is_open:
        # The move the plan was for will not happen: cancel it, so it is not left open past its date.
        transitions.cancel_plan(
            plan=plan, by=by, reason=f"Hospital discharge {locked.reference}, {label.lower()}: {why}"
        )
    _close_work_if_done(locked, by, label)
    return locked


@transaction.atomic
def revoke_referral_record_shares(*, by: User) -> int:
    """Revoke the shares of whole records that ward referrals made for the referring trust before issue 5.

    Each goes through people.services.revoke_share (chronology and audit, as any revocation); the trust keeps its
    referrals and the plans shared with it. Returns how many were revoked.
    """
    if not by.is_council_staff:
        raise ApplicationError("Only council staff can stop sharing records")
    shares = list(selectors.referral_record_shares())
    for share in shares:
        people_services.revoke_share(share=share, by=by)
    return len(shares)


# --- unsafe discharge reports -------------------------------------------------------------------------------------


@dataclass
class UnsafeReportDetails:
    reporter_name: str
    reporter_relationship: str
    what_happened: str
    occurred_on: date
    reporter_contact: str = ""


def _default_team() -> Team:
    team = Team.objects.filter(kind=TeamKind.HOSPITAL_SOCIAL_WORK, organisation__is_this_council=True).first()
    if team is None:
        raise ApplicationError("There is no hospital social work team to review the report")
    return team


@transaction.atomic
def report_unsafe_discharge(
    *, person: Person, details: UnsafeReportDetails, by: User, referral: Referral | None = None
) -> UnsafeDischargeReport:
    """Anyone may say a discharge was unsafe: the report opens a review for the hospital team's managers."""
    if referral is not None and referral.person_id != person.pk:
        raise ApplicationError("That referral is for someone else", field="referral")
    name = _required(details.reporter_name, "Enter who is reporting", "reporter_name")
    if details.reporter_relationship not in ReporterRelationship.values:
        raise ApplicationError("Choose who the reporter is", field="reporter_relationship")
    what = _required(details.what_happened, "Describe what happened", "what_happened")
    _not_future(details.occurred_on, "The date", "occurred_on")
    if referral is not None and details.occurred_on < referral.admitted_on:
        raise ApplicationError("The date cannot be before the person was admitted", field="occurred_on")
    team = Team.objects.get(work_items__pk=referral.work_item_id) if referral is not None else _default_team()
    work_item = work_services.open_work(
        person=person,
        kind=WorkKind.DISCHARGE,
        team=team,
        title="Review of an unsafe discharge report",
        by=by,
        story=what,
        likelihood=4,
        impact=4,
        why="An unsafe discharge report is reviewed by a team manager",
    )
    report = UnsafeDischargeReport(
        person=person,
        referral=referral,
        reporter_name=name[:200],
        reporter_relationship=details.reporter_relationship,
        reporter_contact=details.reporter_contact.strip()[:200],
        what_happened=what,
        occurred_on=details.occurred_on,
        reported_at=timezone.now(),
        reported_by=by,
        work_item=work_item,
    )
    report.full_clean(exclude=["work_item", "person", "referral"])
    report.save()
    link = reverse("discharges:unsafe_report", args=[report.pk])
    relationship = ReporterRelationship(details.reporter_relationship).label.lower()
    people_services.add_to_chronology(
        person=person,
        category=CHRONOLOGY,
        summary=f"Unsafe discharge reported by {name} ({relationship}); review opened",
        by=by,
        detail=what,
        link=link,
    )
    audit.record(
        actor=by,
        action="discharge.unsafe_reported",
        target=report,
        person_id=person.pk,
        snapshot={"relationship": details.reporter_relationship, "referral": str(referral.pk) if referral else ""},
    )
    managers = work_services.team_managers(team.pk) or _team_members(team.pk)
    notify(
        recipients=managers,
        message=f"Unsafe discharge reported for {person.full_name}: review needed",
        link=link,
        dedupe_key=f"unsafe-discharge:{report.pk}",
    )
    return report


@transaction.atomic
def close_review(*, report: UnsafeDischargeReport, outcome: str, findings: str, by: User) -> UnsafeDischargeReport:
    """A team manager closes the review with its outcome and findings (rule 16: checked here, not only in views)."""
    if not by.has_perm(rules.CLOSE_UNSAFE_REVIEW):
        raise ApplicationError("Only a team manager can close the review")
    locked = UnsafeDischargeReport.objects.select_for_update(of=("self",)).get(pk=report.pk)
    if locked.review_closed_at is not None:
        raise ApplicationError("This review is already closed")
    if outcome not in ReviewOutcome.values:
        raise ApplicationError("Choose the outcome of the review", field="outcome")
    text = _required(findings, "Enter what the review found", "findings")
    locked.review_outcome, locked.review_findings = outcome, text
    locked.review_closed_at, locked.review_closed_by = timezone.now(), by
    locked.save(
        update_fields=["review_outcome", "review_findings", "review_closed_at", "review_closed_by", "updated_at"]
    )
    item = WorkItem.objects.filter(pk=locked.work_item_id, closed_at__isnull=True).first()
    label = ReviewOutcome(outcome).label
    if item is not None:
        work_services.close_work(work_item=item, by=by, outcome=label[:200])
    people_services.add_to_chronology(
        person=Person.objects.get(pk=locked.person_id),
        category=CHRONOLOGY,
        summary=f"Unsafe discharge review closed: {label}",
        by=by,
        detail=text,
        link=reverse("discharges:unsafe_report", args=[locked.pk]),
    )
    audit.record(
        actor=by,
        action="discharge.review_closed",
        target=locked,
        person_id=locked.person_id,
        snapshot={"outcome": outcome},
    )
    return locked
