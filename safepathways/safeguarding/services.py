"""Safeguarding changes of state: raise a concern, decide on the s42 duty, run the enquiry, close.

Each service is one transaction (ADR-005): it validates, writes, records the status row (ADR-009),
the person's chronology and the audit event, so a refused step leaves nothing half saved.
Chronology entries say only that safeguarding activity happened: everyone who can open the
person's record reads the chronology, and the detail is for the safeguarding team (issue 4).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from safepathways.accounts.models import Organisation, Role, Team, User
from safepathways.audit import services as audit
from safepathways.core.clocks import add_working_days
from safepathways.core.errors import ApplicationError
from safepathways.core.formatting import format_date
from safepathways.core.services import reserve_numbers
from safepathways.notifications.services import notify
from safepathways.people import services as people_services
from safepathways.people.codes import AlertKind
from safepathways.people.models import Person
from safepathways.providers.models import Location, Provider, ProviderConcern, ProviderConcernSource
from safepathways.safeguarding import rules
from safepathways.safeguarding.models import (
    ALLOWED_TRANSITIONS,
    ENQUIRY_DECISIONS,
    AbuseType,
    Concern,
    ConcernShare,
    ConcernSource,
    ConcernStatus,
    ConcernStatusName,
    Decision,
    Enquiry,
    EnquiryAction,
    LocationOfRisk,
    MSPAchieved,
    MSPAsked,
    PrimarySupportReason,
    RiskFinding,
    RiskResult,
    SafeguardingSettings,
    SourceOfRisk,
    StrategyDiscussion,
    is_safeguarding_practitioner,
    partner_organisation_ids,
)
from safepathways.work import services as work_services
from safepathways.work.models import WorkItem, WorkKind

CHRONOLOGY_CATEGORY = "safeguarding"
# A safeguarding concern is rated red on the work matrix (likelihood 4 × impact 4 = 16).
CONCERN_LIKELIHOOD, CONCERN_IMPACT = 4, 4


def safeguarding_settings() -> SafeguardingSettings:
    settings, _ = SafeguardingSettings.objects.get_or_create(id=1)
    return settings


def decision_due_on(received: date, settings: SafeguardingSettings | None = None) -> date:
    """The local timescale for the s42 decision: N working days after receipt (weekends and bank holidays skipped)."""
    settings = settings or safeguarding_settings()
    return add_working_days(received, settings.decision_working_days)


def safeguarding_team(settings: SafeguardingSettings | None = None) -> Team:
    settings = settings or safeguarding_settings()
    team = Team.objects.filter(slug=settings.team_slug, organisation__is_this_council=True).first()
    if team is None:
        raise ApplicationError("No safeguarding team is set up: ask an administrator to name it in the settings")
    return team


def check_transition(current: str, target: str) -> None:
    if target not in ALLOWED_TRANSITIONS[ConcernStatusName(current)]:
        raise ApplicationError(
            f"A concern that is {ConcernStatusName(current).label.lower()} cannot become "
            f"{ConcernStatusName(target).label.lower()}"
        )


def _move(concern: Concern, target: str, *, by: User, reason: str = "") -> None:
    check_transition(concern.status, target)
    concern.status = target
    concern.save(update_fields=["status", "updated_at"])
    ConcernStatus.objects.create(concern=concern, name=target, reason=reason, created_by=by)


def _lock(concern: Concern) -> Concern:
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
    return Concern.objects.select_for_update(of=("self",)).get(pk=concern.pk)


def _link(concern: Concern) -> str:
    return reverse("safeguarding:concern", args=[concern.pk])


def _chronicle(concern: Concern, summary: str, by: User) -> None:
    people_services.add_to_chronology(
        person=concern.person, category=CHRONOLOGY_CATEGORY, summary=summary, by=by, link=_link(concern)
    )


def _require(user: User, perm: str, message: str) -> None:
    if not user.has_perm(perm):
        raise ApplicationError(message)


def _not_future(day: date, field_name: str, label: str) -> None:
    if day > timezone.localdate():
        raise ApplicationError(f"{label} must be today or in the past", field=field_name)


def organisation_of(user: User) -> Organisation:
    """The organisation a concern raised by `user` belongs to: the council for its staff, else the partner's."""
    partner_ids = [] if user.is_council_staff else partner_organisation_ids(user)
    for membership in user.memberships_cached:
        organisation = membership.team.organisation
        if user.is_council_staff and organisation.is_this_council and membership.role != Role.PARTNER:
            return organisation
        if partner_ids and organisation.pk == partner_ids[0]:
            return organisation
    raise ApplicationError("Your account is not in an organisation that can raise concerns")


# Concerns -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConcernDetails:
    """What a concern says: what happened, the types of abuse, where, who is the source of risk."""

    summary: str
    abuse_types: Sequence[str]
    location_of_risk: str
    source_of_risk: str
    immediate_actions: str = ""
    raised_by_description: str = ""
    provider: Provider | None = None
    provider_location: Location | None = None
    primary_support_reason: str = ""
    received_at: datetime | None = None


def _validate(details: ConcernDetails) -> None:
    if not details.summary.strip():
        raise ApplicationError("Enter what happened", field="summary")
    if not details.abuse_types:
        raise ApplicationError("Choose at least one type of abuse or neglect", field="abuse_types")
    unknown = sorted(set(details.abuse_types) - set(AbuseType.values))
    if unknown:
        raise ApplicationError(f"Unknown types of abuse: {', '.join(unknown)}", field="abuse_types")
    if details.location_of_risk not in LocationOfRisk.values:
        raise ApplicationError("Choose where the abuse or neglect happened", field="location_of_risk")
    if details.source_of_risk not in SourceOfRisk.values:
        raise ApplicationError("Choose who is the source of risk", field="source_of_risk")
    if details.source_of_risk == SourceOfRisk.SERVICE_PROVIDER and details.provider is None:
        raise ApplicationError("Choose the provider: the source of risk is a service provider", field="provider")
    if details.source_of_risk != SourceOfRisk.SERVICE_PROVIDER and details.provider is not None:
        raise ApplicationError("Name a provider only when the source of risk is a service provider", field="provider")
    if details.provider_location is not None and details.provider_location.provider_id != getattr(
        details.provider, "pk", None
    ):
        raise ApplicationError("Choose a location of the provider named", field="provider_location")
    if details.primary_support_reason and details.primary_support_reason not in PrimarySupportReason.values:
        raise ApplicationError("Choose a primary support reason from the list", field="primary_support_reason")
    if details.received_at is not None and details.received_at > timezone.now():
        raise ApplicationError("The date the concern was received must be today or in the past", field="received_at")


def _create_concern(
    *,
    person: Person,
    by: User,
    details: ConcernDetails,
    work_item: WorkItem,
    source: str,
    organisation: Organisation,
    received_at: datetime,
) -> Concern:
    settings = safeguarding_settings()
    concern = Concern(
        reference=f"SG{reserve_numbers('safeguarding_concern')[0]:07d}",
        person=person,
        work_item=work_item,
        source=source,
        organisation=organisation,
        raised_by=by,
        raised_by_description=details.raised_by_description.strip(),
        received_at=received_at,
        decision_due_on=decision_due_on(timezone.localdate(received_at), settings),
        summary=details.summary.strip(),
        abuse_types=list(dict.fromkeys(details.abuse_types)),
        location_of_risk=details.location_of_risk,
        source_of_risk=details.source_of_risk,
        provider=details.provider,
        provider_location=details.provider_location,
        immediate_actions=details.immediate_actions.strip(),
        primary_support_reason=details.primary_support_reason,
    )
    concern.full_clean()
    concern.save()
    ConcernStatus.objects.create(concern=concern, name=ConcernStatusName.RECEIVED, created_by=by)
    _chronicle(concern, f"Safeguarding concern {concern.reference} received", by)
    audit.record(
        actor=by,
        action="safeguarding.concern_raised",
        target=concern,
        person_id=person.pk,
        snapshot={"source": source, "abuse_types": ",".join(concern.abuse_types), "work_item": str(work_item.pk)},
    )
    return concern


@transaction.atomic
def raise_concern(*, person: Person, by: User, details: ConcernDetails) -> Concern:
    """Record a concern raised by staff or a partner, and open the safeguarding team's work for it."""
    _require(by, rules.RAISE_CONCERN, "Your role cannot raise safeguarding concerns")
    _validate(details)
    organisation = organisation_of(by)
    received_at = details.received_at or timezone.now()
    settings = safeguarding_settings()
    work_item = work_services.open_work(
        person=person,
        kind=WorkKind.SAFEGUARDING,
        team=safeguarding_team(settings),
        title="Safeguarding concern",
        by=by,
        likelihood=CONCERN_LIKELIHOOD,
        impact=CONCERN_IMPACT,
        why="A safeguarding concern was raised",
        opened_at=received_at,
        due_on=decision_due_on(timezone.localdate(received_at), settings),
    )
    return _create_concern(
        person=person,
        by=by,
        details=details,
        work_item=work_item,
        source=ConcernSource.STAFF if by.is_council_staff else ConcernSource.PARTNER,
        organisation=organisation,
        received_at=received_at,
    )


@transaction.atomic
def record_concern_from_work(*, work_item: WorkItem, by: User, details: ConcernDetails) -> Concern:
    """Record the concern for safeguarding work the front door opened, received when the front door routed it."""
    _require(by, rules.DECIDE_CONCERN, "Only the safeguarding team records concerns from front-door work")
    item = WorkItem.objects.select_for_update(of=("self",)).get(pk=work_item.pk)
    if item.kind != WorkKind.SAFEGUARDING or item.closed_at is not None:
        raise ApplicationError("This is not open safeguarding work")
    if Concern.objects.filter(work_item=item).exists():
        raise ApplicationError("A concern is already recorded for this work")
    _validate(details)
    return _create_concern(
        person=item.person,
        by=by,
        details=details,
        work_item=item,
        source=ConcernSource.FRONT_DOOR,
        organisation=organisation_of(by),
        received_at=item.opened_at,
    )


@transaction.atomic
def share_concern(
    *, concern: Concern, by: User, organisation: Organisation, purpose: str, expires_at: datetime | None = None
) -> ConcernShare:
    """Name a partner organisation that may see this concern's detail, for a stated purpose."""
    _require(by, rules.DECIDE_CONCERN, "Only the safeguarding team shares concerns")
    if organisation.is_this_council:
        raise ApplicationError("Choose a partner organisation", field="organisation")
    if not purpose.strip():
        raise ApplicationError("Enter why the concern is shared", field="purpose")
    if expires_at is not None and expires_at <= timezone.now():
        raise ApplicationError("The share must end in the future", field="expires_at")
    share = ConcernShare.objects.create(
        concern=concern, organisation=organisation, purpose=purpose.strip(), shared_by=by, expires_at=expires_at
    )
    audit.record(
        actor=by,
        action="safeguarding.concern_shared",
        target=share,
        person_id=concern.person_id,
        snapshot={"organisation": organisation.name},
    )
    return share


@transaction.atomic
def revoke_concern_share(*, share: ConcernShare, by: User, reason: str) -> ConcernShare:
    """Withdraw a partner organisation's sight of a concern, with the reason; its partners then get a 404.

    The share is kept with who revoked it, when and why, so the safeguarding team can read the history.
    """
    _require(by, rules.DECIDE_CONCERN, "Only the safeguarding team revokes shares")
    locked = ConcernShare.objects.select_for_update(of=("self",)).select_related("concern").get(pk=share.pk)
    if locked.revoked_at is not None:
        raise ApplicationError("This share has already been revoked")
    now = timezone.now()
    if not locked.is_current(now):
        raise ApplicationError("This share has already ended: there is nothing to revoke")
    if not reason.strip():
        raise ApplicationError("Enter why the share is revoked", field="reason")
    locked.revoked_at = now
    locked.revoked_by = by
    locked.revoke_reason = reason.strip()
    locked.save(update_fields=["revoked_at", "revoked_by", "revoke_reason", "updated_at"])
    audit.record(
        actor=by,
        action="safeguarding.concern_share_revoked",
        target=locked,
        person_id=locked.concern.person_id,
        snapshot={"organisation": str(locked.organisation_id), "reason": locked.revoke_reason},
    )
    return locked


# The s42(1) decision -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section42Tests:
    """Care Act 2014 s42(1): the three tests, each answered with its reason."""

    has_care_and_support_needs: bool | None
    care_and_support_needs_reason: str
    is_experiencing_or_at_risk: bool | None
    experiencing_or_at_risk_reason: str
    is_unable_to_protect_self: bool | None
    unable_to_protect_self_reason: str

    @property
    def all_met(self) -> bool:
        return bool(
            self.has_care_and_support_needs and self.is_experiencing_or_at_risk and self.is_unable_to_protect_self
        )


TEST_FIELDS = (
    ("has_care_and_support_needs", "care_and_support_needs_reason", "whether they have needs for care and support"),
    (
        "is_experiencing_or_at_risk",
        "experiencing_or_at_risk_reason",
        "whether they are experiencing or at risk of abuse or neglect",
    ),
    ("is_unable_to_protect_self", "unable_to_protect_self_reason", "whether they are unable to protect themselves"),
)


@transaction.atomic
def decide_concern(
    *, concern: Concern, by: User, tests: Section42Tests, decision: str, decision_reason: str
) -> Concern:
    """Decide whether the s42 duty to enquire applies: a s42 enquiry, an other enquiry, or no further action.

    A s42 enquiry needs all three s42(1) tests met. When all three are met the duty applies, so
    the decision must be a s42 enquiry. An other enquiry is for when they are not all met but an
    enquiry is necessary and proportionate (SAC guidance, domain-reference.md §2.1).
    """
    _require(by, rules.DECIDE_CONCERN, "Only the safeguarding team decides on the s42 duty")
    locked = _lock(concern)
    check_transition(locked.status, ConcernStatusName.DECIDED)
    for answer_field, reason_field, words in TEST_FIELDS:
        if getattr(tests, answer_field) is None:
            raise ApplicationError(f"Answer {words}", field=answer_field)
        if not getattr(tests, reason_field).strip():
            raise ApplicationError(f"Give the reason for {words}", field=reason_field)
    if decision not in Decision.values:
        raise ApplicationError("Choose the decision", field="decision")
    if decision == Decision.SECTION_42 and not tests.all_met:
        raise ApplicationError(
            "A section 42 enquiry needs all three tests met: choose an other enquiry or no further action",
            field="decision",
        )
    if decision != Decision.SECTION_42 and tests.all_met:
        raise ApplicationError("All three section 42 tests are met, so the duty to enquire applies", field="decision")
    if not decision_reason.strip():
        raise ApplicationError("Enter the reason for the decision", field="decision_reason")
    for answer_field, reason_field, _words in TEST_FIELDS:
        setattr(locked, answer_field, getattr(tests, answer_field))
        setattr(locked, reason_field, getattr(tests, reason_field).strip())
    locked.decision = decision
    locked.decision_reason = decision_reason.strip()
    locked.decided_at = timezone.now()
    locked.decided_by = by
    locked.save()
    _move(locked, ConcernStatusName.DECIDED, by=by, reason=Decision(decision).label)
    _chronicle(locked, f"Safeguarding concern {locked.reference}: decision recorded", by)
    audit.record(
        actor=by,
        action="safeguarding.concern_decided",
        target=locked,
        person_id=locked.person_id,
        snapshot={"decision": decision, "all_tests_met": tests.all_met},
    )
    if decision == Decision.NO_FURTHER_ACTION:
        _close(locked, by=by, reason="No further safeguarding action")
    return locked


def _close(concern: Concern, *, by: User, reason: str) -> None:
    concern.closed_at = timezone.now()
    concern.save(update_fields=["closed_at", "updated_at"])
    _move(concern, ConcernStatusName.CLOSED, by=by, reason=reason)
    enquiry = Enquiry.objects.filter(concern=concern).select_related("alert").first()
    if enquiry is not None and enquiry.alert is not None and enquiry.alert.ended_at is None:
        people_services.end_alert(alert=enquiry.alert, by=by, reason="The safeguarding enquiry has closed")
    work_item = WorkItem.objects.get(pk=concern.work_item_id)
    if work_item.closed_at is None:
        work_services.close_work(work_item=work_item, by=by, outcome="Safeguarding concern closed")
    _chronicle(concern, f"Safeguarding concern {concern.reference} closed", by)
    audit.record(
        actor=by, action="safeguarding.concern_closed", target=concern, person_id=concern.person_id, snapshot={}
    )


@transaction.atomic
def close_concern(*, concern: Concern, by: User, reason: str) -> Concern:
    """Close a concern whose enquiry has concluded; the alert on the person ends and the work closes."""
    _require(by, rules.DECIDE_CONCERN, "Only the safeguarding team closes concerns")
    locked = _lock(concern)
    check_transition(locked.status, ConcernStatusName.CLOSED)
    if not reason.strip():
        raise ApplicationError("Enter why the concern can close", field="reason")
    _close(locked, by=by, reason=reason.strip())
    return locked


# Enquiries ---------------------------------------------------------------------------------------------


def _may_run(enquiry: Enquiry, user: User) -> None:
    if not (is_safeguarding_practitioner(user) or enquiry.officer_id == user.pk):
        raise ApplicationError("Only the safeguarding team or the enquiry officer can change this enquiry")


@transaction.atomic
def open_enquiry(*, concern: Concern, by: User, officer: User, started_on: date) -> Enquiry:
    """Start the enquiry the decision called for; the person's record gets an alert, a provider source a concern."""
    _require(by, rules.DECIDE_CONCERN, "Only the safeguarding team opens enquiries")
    locked = _lock(concern)
    check_transition(locked.status, ConcernStatusName.ENQUIRY_OPEN)
    if locked.decision not in ENQUIRY_DECISIONS:
        raise ApplicationError("The decision on this concern was not to enquire")
    if not (officer.is_active and officer.is_council_staff and officer.has_perm(rules.RUN_ENQUIRY)):
        raise ApplicationError("Choose a council practitioner as the enquiry officer", field="officer")
    decided_on = timezone.localdate(locked.decided_at) if locked.decided_at else timezone.localdate()
    if started_on < decided_on:
        raise ApplicationError(
            f"The enquiry cannot start before the decision on {format_date(decided_on)}", field="started_on"
        )
    _not_future(started_on, "started_on", "The start date")
    settings = safeguarding_settings()
    review_on = max(started_on + timedelta(days=settings.alert_review_days), timezone.localdate())
    alert = people_services.raise_alert(
        person=locked.person,
        by=by,
        kind=AlertKind.SAFEGUARDING_OPEN,
        reason=f"Safeguarding enquiry open ({locked.reference}): ask the safeguarding team before acting",
        owner=officer,
        review_on=review_on,
    )
    enquiry = Enquiry(concern=locked, kind=locked.decision, officer=officer, started_on=started_on, alert=alert)
    enquiry.full_clean()
    enquiry.save()
    _move(locked, ConcernStatusName.ENQUIRY_OPEN, by=by, reason=f"Enquiry officer {officer.full_name}")
    if locked.source_of_risk == SourceOfRisk.SERVICE_PROVIDER and locked.provider_id is not None:
        provider_concern = ProviderConcern.objects.create(
            provider_id=locked.provider_id,
            location_id=locked.provider_location_id,
            source=ProviderConcernSource.SAFEGUARDING_ENQUIRY,
            summary=f"Safeguarding enquiry {locked.reference} names this provider as the source of risk",
            raised_by=by,
            raised_at=timezone.now(),
        )
        provider_concern.people.add(locked.person)
        audit.record(
            actor=by,
            action="providers.concern_raised",
            target=provider_concern,
            person_id=locked.person_id,
            snapshot={"provider": str(locked.provider_id), "safeguarding_concern": locked.reference},
        )
    _chronicle(locked, f"Safeguarding enquiry opened ({locked.reference})", by)
    audit.record(
        actor=by,
        action="safeguarding.enquiry_opened",
        target=enquiry,
        person_id=locked.person_id,
        snapshot={"kind": enquiry.kind, "officer": officer.email, "started_on": started_on.isoformat()},
    )
    return enquiry


def _open_enquiry_for(enquiry: Enquiry, by: User) -> Enquiry:
    _require(by, rules.RUN_ENQUIRY, "Your role cannot work on safeguarding enquiries")
    locked = Enquiry.objects.select_for_update(of=("self",)).select_related("concern").get(pk=enquiry.pk)
    _may_run(locked, by)
    if locked.concluded_on is not None:
        raise ApplicationError("This enquiry has concluded")
    return locked


@transaction.atomic
def record_strategy_discussion(
    *, enquiry: Enquiry, by: User, held_on: date, attendees: str, decisions: str
) -> StrategyDiscussion:
    """Record a strategy discussion: when it was held, who took part and what they decided."""
    locked = _open_enquiry_for(enquiry, by)
    received = timezone.localdate(locked.concern.received_at)
    if held_on < received:
        raise ApplicationError(
            f"The discussion cannot be before the concern was received on {format_date(received)}", field="held_on"
        )
    _not_future(held_on, "held_on", "The date of the discussion")
    if not attendees.strip():
        raise ApplicationError("Enter who took part, and for which agencies", field="attendees")
    if not decisions.strip():
        raise ApplicationError("Enter what was decided", field="decisions")
    discussion = StrategyDiscussion.objects.create(
        enquiry=locked, held_on=held_on, attendees=attendees.strip(), decisions=decisions.strip(), recorded_by=by
    )
    _chronicle(locked.concern, f"Safeguarding strategy discussion held ({locked.concern.reference})", by)
    audit.record(
        actor=by,
        action="safeguarding.strategy_discussion",
        target=discussion,
        person_id=locked.concern.person_id,
        snapshot={"held_on": held_on.isoformat()},
    )
    return discussion


@transaction.atomic
def add_enquiry_action(
    *,
    enquiry: Enquiry,
    by: User,
    description: str,
    owner_name: str,
    due_on: date,
    agency: str = "",
    is_caused_enquiry: bool = False,
    organisation: Organisation | None = None,
) -> EnquiryAction:
    """Add an action to the enquiry plan; one that causes another agency to enquire names that agency.

    Naming the partner organisation that owns it lets that organisation's partners mark it complete (through the API).
    """
    locked = _open_enquiry_for(enquiry, by)
    if not description.strip():
        raise ApplicationError("Enter the action", field="description")
    if not owner_name.strip():
        raise ApplicationError("Enter who owns the action", field="owner_name")
    if organisation is not None and organisation.is_this_council:
        raise ApplicationError(
            "Choose a partner organisation, or leave it blank for the council's own action", field="organisation"
        )
    agency = agency.strip() or (organisation.name if organisation is not None else "")
    if is_caused_enquiry and not agency:
        raise ApplicationError("Name the agency caused to make enquiries", field="agency")
    if due_on < locked.started_on:
        raise ApplicationError(
            f"The action cannot be due before the enquiry started on {format_date(locked.started_on)}", field="due_on"
        )
    action = EnquiryAction.objects.create(
        enquiry=locked,
        description=description.strip(),
        owner_name=owner_name.strip(),
        agency=agency,
        organisation=organisation,
        is_caused_enquiry=is_caused_enquiry,
        due_on=due_on,
        created_by=by,
    )
    audit.record(
        actor=by,
        action="safeguarding.action_added",
        target=action,
        person_id=locked.concern.person_id,
        snapshot={
            "due_on": due_on.isoformat(),
            "caused": is_caused_enquiry,
            "agency": action.agency,
            "organisation": str(organisation.pk) if organisation is not None else None,
        },
    )
    return action


@transaction.atomic
def complete_enquiry_action(*, action: EnquiryAction, by: User, completed_on: date, result: str) -> EnquiryAction:
    """Mark an action in the enquiry plan done, with what was done and found.

    Who may (EnquiryActionQuerySet.completable_by, checked here as well as where the action is fetched): the
    safeguarding team, the enquiry officer, or a partner of the organisation that owns the action while the
    concern is shared with, or was raised by, that organisation. The enquiry officer hears when someone else does.
    """
    _require(by, rules.COMPLETE_ACTION, "Your role cannot complete actions in an enquiry plan")
    locked = EnquiryAction.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=action.pk)
    if not EnquiryAction.objects.completable_by(by).filter(pk=locked.pk).exists():
        raise ApplicationError(
            "Only the safeguarding team, the enquiry officer or the organisation that owns this action can complete it"
        )
    enquiry = Enquiry.objects.select_related("concern", "officer").get(pk=locked.enquiry_id)
    if enquiry.concluded_on is not None:
        raise ApplicationError("This enquiry has concluded")
    if locked.completed_on is not None:
        raise ApplicationError("This action is already complete", field="completed_on")
    if completed_on < enquiry.started_on:
        raise ApplicationError(
            f"An action cannot be completed before the enquiry started on {format_date(enquiry.started_on)}",
            field="completed_on",
        )
    _not_future(completed_on, "completed_on", "The completion date")
    if not result.strip():
        raise ApplicationError("Enter what was done and found", field="result")
    locked.completed_on = completed_on
    locked.completed_by = by
    locked.result = result.strip()
    locked.save(update_fields=["completed_on", "completed_by", "result", "updated_at"])
    concern = enquiry.concern
    audit.record(
        actor=by,
        action="safeguarding.action_completed",
        target=locked,
        person_id=concern.person_id,
        # The result is free text: the audit keeps only its length.
        snapshot={"completed_on": completed_on.isoformat(), "notes": locked.result},
    )
    if enquiry.officer_id != by.pk:
        who = f"{by.full_name} ({locked.organisation.name})" if locked.organisation else by.full_name
        notify(
            recipients=[enquiry.officer],
            message=f"An action in the enquiry plan of safeguarding concern {concern.reference} was completed by {who}",
            link=_link(concern) + "#plan",
        )
    return locked


@dataclass(frozen=True)
class PersonalDetails:
    """Making Safeguarding Personal, mental capacity and advocacy, as recorded during the enquiry."""

    msp_asked: str
    desired_outcomes: str = ""
    lacks_capacity: bool | None = None
    needs_advocate: bool | None = None
    advocate_appointed: bool | None = None
    advocate_name: str = ""
    supported_by: str = ""


@transaction.atomic
def record_making_safeguarding_personal(*, enquiry: Enquiry, by: User, details: PersonalDetails) -> Enquiry:
    """Record whether the person was asked what they want, what they said, their capacity and their advocacy."""
    locked = _open_enquiry_for(enquiry, by)
    if details.msp_asked not in MSPAsked.values:
        raise ApplicationError("Choose whether the person was asked about the outcomes they want", field="msp_asked")
    if details.msp_asked == MSPAsked.EXPRESSED and not details.desired_outcomes.strip():
        raise ApplicationError("Enter the outcomes the person wants, in their words", field="desired_outcomes")
    if details.advocate_appointed and details.needs_advocate is False:
        raise ApplicationError(
            "An advocate was appointed, so answer yes to whether one is needed", field="needs_advocate"
        )
    if details.advocate_appointed and not details.advocate_name.strip():
        raise ApplicationError("Enter the advocate's name", field="advocate_name")
    locked.msp_asked = details.msp_asked
    locked.desired_outcomes = details.desired_outcomes.strip()
    locked.lacks_capacity = details.lacks_capacity
    locked.needs_advocate = details.needs_advocate
    locked.advocate_appointed = details.advocate_appointed
    locked.advocate_name = details.advocate_name.strip()
    locked.supported_by = details.supported_by.strip()
    locked.save()
    audit.record(
        actor=by,
        action="safeguarding.personal_recorded",
        target=locked,
        person_id=locked.concern.person_id,
        snapshot={"msp_asked": details.msp_asked, "needs_advocate": details.needs_advocate},
    )
    return locked


@dataclass(frozen=True)
class Outcome:
    risk_finding: str
    action_taken: bool | None
    risk_result: str
    msp_achieved: str
    outcome_summary: str
    concluded_on: date


@transaction.atomic
def conclude_enquiry(*, enquiry: Enquiry, by: User, outcome: Outcome) -> Enquiry:
    """Record the enquiry's outcome: the risk found, the action taken, what became of the risk, and MSP."""
    locked = _open_enquiry_for(enquiry, by)
    concern = _lock(locked.concern)
    check_transition(concern.status, ConcernStatusName.ENQUIRY_CONCLUDED)
    if outcome.risk_finding not in RiskFinding.values:
        raise ApplicationError("Choose what the enquiry found about the risk", field="risk_finding")
    if outcome.action_taken is None:
        raise ApplicationError("Answer whether action was taken", field="action_taken")
    if outcome.action_taken and outcome.risk_result not in RiskResult.values:
        raise ApplicationError("Choose whether the risk was removed, reduced or remained", field="risk_result")
    if not outcome.action_taken and outcome.risk_result:
        raise ApplicationError("Say what became of the risk only when action was taken", field="risk_result")
    if not locked.msp_asked:
        raise ApplicationError(
            "Record whether the person was asked about the outcomes they want first", field="msp_asked"
        )
    if locked.msp_asked == MSPAsked.EXPRESSED and outcome.msp_achieved not in MSPAchieved.values:
        raise ApplicationError("Choose whether the outcomes the person wanted were achieved", field="msp_achieved")
    if locked.msp_asked != MSPAsked.EXPRESSED and outcome.msp_achieved:
        raise ApplicationError(
            "The person expressed no outcomes, so leave whether they were achieved blank", field="msp_achieved"
        )
    if outcome.concluded_on < locked.started_on:
        raise ApplicationError(
            f"The enquiry cannot conclude before it started on {format_date(locked.started_on)}",
            field="concluded_on",
        )
    _not_future(outcome.concluded_on, "concluded_on", "The date the enquiry concluded")
    if not outcome.outcome_summary.strip():
        raise ApplicationError("Enter a summary of the outcome", field="outcome_summary")
    locked.risk_finding = outcome.risk_finding
    locked.action_taken = outcome.action_taken
    locked.risk_result = outcome.risk_result if outcome.action_taken else ""
    locked.msp_achieved = outcome.msp_achieved
    locked.outcome_summary = outcome.outcome_summary.strip()
    locked.concluded_on = outcome.concluded_on
    locked.concluded_by = by
    locked.full_clean()
    locked.save()
    _move(concern, ConcernStatusName.ENQUIRY_CONCLUDED, by=by, reason=RiskFinding(outcome.risk_finding).label)
    _chronicle(concern, f"Safeguarding enquiry concluded ({concern.reference})", by)
    audit.record(
        actor=by,
        action="safeguarding.enquiry_concluded",
        target=locked,
        person_id=concern.person_id,
        snapshot={
            "risk_finding": outcome.risk_finding,
            "action_taken": outcome.action_taken,
            "risk_result": locked.risk_result,
            "msp_achieved": outcome.msp_achieved,
        },
    )
    return locked
