"""Synthetic hospital discharge for the demo borough: open referrals on the board and recent discharges.

About one open referral per 400 people, and three times as many discharged in the last 90 days with outcomes,
support starts (a few never confirmed, for the continuity gap rule), early readmissions and unsafe discharge
reports. An open referral with pathway 1-3 agreed and a planned date has its transition plan, as
discharges.services.agree_pathway makes it: the hospital discharge checklist, steps, shared with the trust, some
ready to go. Reads the people, teams, organisations and users already generated and writes with bulk_create, so
it runs in seconds at 20,000 people and stays fast at 200,000. Idempotent: with referrals present it does
nothing. The generator calls `generate_discharges` after the borough's people exist.
"""

import random
import uuid
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from safepathways.accounts.models import Organisation, OrganisationKind, Role, Team, TeamKind, User
from safepathways.borough.plans_data import PlanRows, fork
from safepathways.core.services import reserve_numbers
from safepathways.discharges.models import (
    PATHWAY_DESTINATIONS,
    PATHWAYS_WITH_SUPPORT,
    DelayReason,
    Destination,
    HospitalRoute,
    Referral,
    ReferralStatus,
    ReferralStatusName,
    ReporterRelationship,
    ReviewOutcome,
    SupportKind,
    UnsafeDischargeReport,
)
from safepathways.people.models import ChronologyEntry, Person
from safepathways.transitions.models import ArrangementTemplate, Plan, PlanKind
from safepathways.work.models import Priority, WorkItem, WorkKind
from safepathways.work.services import allocation_due_on, next_contact_on

BATCH = 5000
PEOPLE_PER_OPEN_REFERRAL = 400
DISCHARGED_PER_OPEN = 3
# Roughly the national planning shares (domain-reference §3.2), with the over-use of pathways 2-3 real data show.
PATHWAY_WEIGHTS = [(0, 48), (1, 42), (2, 6), (3, 4)]
WARDS = ["Ward 8 North", "Ward 9 East", "Acute Medical Unit", "Care of the Elderly 3", "Orthopaedics 6 West"]
NEEDS = [
    "Lives alone; needs help to wash and dress and with meals after a fall.",
    "Reduced mobility after a hip fracture; stairs to the front door.",
    "Confused since admission; daughter worried about managing at home.",
    "Was independent before a stroke; now needs two carers to transfer.",
    "Package of care paused on admission; needs it restarting at the same level.",
]
PROVIDERS = ["Camden reablement service", "Haven Home Care", "Northside Care Agency", "Rose House care home"]
SUPPORT_BY_PATHWAY = {
    1: [SupportKind.REABLEMENT, SupportKind.HOME_CARE_RESTART, SupportKind.HOME_CARE_NEW],
    2: [SupportKind.INTERMEDIATE_CARE_BED],
    3: [SupportKind.CARE_HOME],
}
DESTINATION_BY_PATHWAY = {
    0: Destination.USUAL_RESIDENCE,
    1: Destination.USUAL_RESIDENCE,
    2: Destination.COMMUNITY_BED,
    3: Destination.CARE_HOME_LONG,
}
# Who usually sees to each hospital discharge arrangement (transitions migration 0002's codes): (name, role).
ARRANGEMENT_OWNERS = {
    "transport": ("Patient transport desk", "Hospital transport"),
    "medication": ("Ward pharmacist", "Pharmacy"),
    "equipment": ("Community equipment service", "Equipment"),
    "keys": ("Daughter", "Family"),
    "gp": ("Ward doctor", "Discharge summary"),
    "district_nurse": ("Nurse in charge", "Ward nurse"),
    "food_heating": ("Son", "Family"),
}
VIEWS = [
    "",
    "I want to be home before the weekend.",
    "I am worried about the stairs.",
    "I would like my daughter there when I get home.",
]
UNSAFE_STORIES = [
    "Arrived home late in the evening with no carers booked and no food in.",
    "Sent home without the medication on the discharge letter.",
    "Discharged to a care home that had not agreed to take him that day.",
]


def _batched(items: list[object], model: type[object]) -> None:
    manager = model._default_manager  # type: ignore[attr-defined]
    for start in range(0, len(items), BATCH):
        manager.bulk_create(items[start : start + BATCH], batch_size=BATCH)


class _Builder:
    def __init__(self, *, rng: random.Random, today: date) -> None:
        self.rng = rng
        self.today = today
        self.referrals: list[Referral] = []
        self.statuses: list[ReferralStatus] = []
        self.work: list[WorkItem] = []
        self.chronology: list[ChronologyEntry] = []
        self.reports: list[UnsafeDischargeReport] = []
        # Open referrals with pathway 1-3 and a date agreed, with who agreed them: each gets its transition plan.
        self.agreed: list[tuple[Referral, Organisation, User]] = []
        # Discharged referrals that had pathway 1-3 agreed: each had its plan, moved by the recorded discharge.
        self.moved: list[tuple[Referral, Organisation, User]] = []

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def moment(self, day: date, hour_from: int = 8, hour_to: int = 18) -> datetime:
        at = time(self.rng.randint(hour_from, hour_to - 1), self.rng.choice([0, 15, 30, 45]))
        return timezone.make_aware(datetime.combine(day, at))


def _hospitals() -> list[tuple[Organisation, Team, User]]:
    """Each NHS trust with a hospital social work team (by the borough's slugs) and who refers from it."""
    teams = {t.slug: t for t in Team.objects.filter(kind=TeamKind.HOSPITAL_SOCIAL_WORK)}
    trusts = {o.ods_code: o for o in Organisation.objects.filter(kind=OrganisationKind.NHS_TRUST)}
    result = []
    for ods_code, slug in (("RAL", "hospital-royal-free"), ("RRV", "hospital-uclh")):
        trust, team = trusts.get(ods_code), teams.get(slug)
        if trust is None or team is None:
            continue
        HospitalRoute.objects.get_or_create(hospital=trust, defaults={"team": team})
        # The trust's own discharge coordinator refers where there is one (Nina at the Royal Free), else the team.
        referrer = (
            User.objects.filter(
                is_active=True, memberships__role=Role.PARTNER, memberships__team__organisation=trust
            ).first()
            or User.objects.filter(is_active=True, memberships__team=team)
            .exclude(memberships__role=Role.PARTNER)
            .first()
            or User.objects.filter(is_active=True, memberships__role=Role.ADMINISTRATOR).first()
        )
        if referrer is not None:
            result.append((trust, team, referrer))
    return result


def _weighted_pathway(rng: random.Random) -> int:
    return rng.choices([p for p, _ in PATHWAY_WEIGHTS], [w for _, w in PATHWAY_WEIGHTS])[0]


def generate_discharges(*, rng: random.Random, today: date, log: Callable[[str], None]) -> int:
    """Add open and recent discharge referrals to the borough; return how many referrals were written."""
    if Referral.objects.exists():
        log("  discharge referrals already present: skipped")
        return 0
    hospitals = _hospitals()
    if not hospitals:
        log("  no NHS trust with a hospital social work team: no discharge referrals")
        return 0
    born_before = today.replace(year=today.year - 65)
    person_ids = list(
        Person.objects.filter(date_of_death__isnull=True, merged_into__isnull=True, date_of_birth__lte=born_before)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    total_people = Person.objects.count()
    open_count = max(1, total_people // PEOPLE_PER_OPEN_REFERRAL)
    wanted = min(len(person_ids), open_count * (1 + DISCHARGED_PER_OPEN))
    if wanted == 0:
        return 0
    chosen = rng.sample(person_ids, wanted)
    delay_reasons = list(DelayReason.objects.filter(is_active=True, is_national=True))
    staff_by_team = {
        team.pk: list(
            User.objects.filter(memberships__team=team, is_active=True).exclude(memberships__role=Role.PARTNER)
        )
        for _, team, _ in hospitals
    }
    managers = {
        team.pk: next(
            (u for u in User.objects.filter(memberships__team=team, memberships__role=Role.TEAM_MANAGER)), None
        )
        for _, team, _ in hospitals
    }
    builder = _Builder(rng=rng, today=today)
    plans = PlanRows(rng=fork(rng, "discharge-plans"), today=today)
    numbers = iter(reserve_numbers("discharge_reference", wanted))
    for index, person_id in enumerate(chosen):
        trust, team, referrer = rng.choice(hospitals)
        staff = staff_by_team.get(team.pk) or [referrer]
        if index < open_count:
            _open_referral(builder, person_id, trust, team, referrer, staff, delay_reasons, next(numbers))
        else:
            _discharged_referral(builder, person_id, trust, team, referrer, staff, managers.get(team.pk), next(numbers))
    for referral, trust, worker in builder.agreed:
        _plan_for(plans, referral, trust, worker)
    for referral, trust, worker in builder.moved:
        _moved_plan_for(plans, referral, trust, worker)
    with transaction.atomic():
        _batched(list(builder.work), WorkItem)
        plans.write()
        _batched(list(builder.referrals), Referral)
        _batched(list(builder.statuses), ReferralStatus)
        _batched(list(builder.reports), UnsafeDischargeReport)
        _batched(list(builder.chronology), ChronologyEntry)
    discharged = len(builder.referrals) - open_count
    log(
        f"  {len(builder.referrals)} discharge referrals ({open_count} open, {discharged} discharged in 90 days); "
        f"{len(builder.reports)} unsafe discharge reports; "
        f"{len(builder.agreed)} open transition plans for pathways 1-3 agreed "
        f"({sum(p.status == 'ready' for p in plans.plans)} ready to go), "
        f"{len(builder.moved)} moved by their discharge ({len(plans.checks)} checked after the move)"
    )
    return len(builder.referrals)


def _base(
    builder: _Builder,
    person_id: uuid.UUID,
    trust: Organisation,
    team: Team,
    referrer: User,
    number: int,
    *,
    admitted_on: date,
    opened_at: datetime,
    closed_at: datetime | None,
) -> Referral:
    rng = builder.rng
    ward = rng.choice(WARDS)
    work = WorkItem(
        id=builder.uuid(),
        person_id=person_id,
        kind=WorkKind.DISCHARGE,
        title=f"Hospital discharge: {trust.name}, {ward}",
        story=rng.choice(NEEDS),
        team=team,
        priority=Priority.AMBER,
        opened_at=opened_at,
        allocation_due=allocation_due_on(opened_at.date(), Priority.AMBER),
        next_contact_due=next_contact_on(opened_at.date(), Priority.AMBER),
        closed_at=closed_at,
        outcome="Discharged" if closed_at else "",
    )
    builder.work.append(work)
    referral = Referral(
        id=builder.uuid(),
        reference=f"HD{number:07d}",
        person_id=person_id,
        hospital=trust,
        ward=ward,
        ward_contact=f"Nurse in charge, {ward}",
        admitted_on=admitted_on,
        proposed_pathway=_weighted_pathway(rng),
        needs=work.story,
        referred_by=referrer,
        work_item=work,
    )
    builder.referrals.append(referral)
    builder.chronology.append(
        ChronologyEntry(
            id=builder.uuid(),
            person_id=person_id,
            occurred_at=opened_at,
            category="discharge",
            summary=f"Hospital discharge {referral.reference}: referred from {trust.name}, {ward}",
            recorded_by=referrer,
            recorded_by_label=referrer.full_name,
        )
    )
    return referral


def _status(builder: _Builder, referral: Referral, name: str, by: User, reason: str = "") -> None:
    builder.statuses.append(
        ReferralStatus(id=builder.uuid(), referral=referral, name=name, reason=reason, created_by=by)
    )
    referral.status = name


def _open_referral(
    builder: _Builder,
    person_id: uuid.UUID,
    trust: Organisation,
    team: Team,
    referrer: User,
    staff: list[User],
    delay_reasons: list[DelayReason],
    number: int,
) -> None:
    rng, today = builder.rng, builder.today
    admitted_on = today - timedelta(days=rng.randint(2, 35))
    referral = _base(
        builder,
        person_id,
        trust,
        team,
        referrer,
        number,
        admitted_on=admitted_on,
        opened_at=builder.moment(admitted_on + timedelta(days=1)),
        closed_at=None,
    )
    _status(builder, referral, ReferralStatusName.RECEIVED, referrer, f"From {trust.name}, {referral.ward}")
    if rng.random() < 0.75:
        waited = min(int(rng.expovariate(1 / 4)), (today - admitted_on).days)
        referral.discharge_ready_on = today - timedelta(days=waited)
    if rng.random() < 0.2:
        return  # still with the ward: received, nothing decided yet
    worker = rng.choice(staff)
    _status(builder, referral, ReferralStatusName.ASSESSING, worker, "Assessment started")
    referral.next_action = rng.choice(
        ["Ring daughter about going home", "Book OT home visit", "Confirm reablement start", "Order hospital bed"]
    )
    referral.next_action_owner_name = worker.full_name
    referral.next_action_due = today + timedelta(days=rng.randint(0, 3))
    ready_on = referral.discharge_ready_on
    if ready_on is not None and ready_on < today - timedelta(days=1) and delay_reasons and rng.random() < 0.6:
        referral.delay_reason = rng.choice(delay_reasons)
    if ready_on is not None and rng.random() < 0.5:
        referral.agreed_pathway = referral.proposed_pathway
        referral.planned_discharge_on = today + timedelta(days=rng.randint(0, 4))
        referral.moving_to = PATHWAY_DESTINATIONS[referral.agreed_pathway]
        if referral.agreed_pathway in SUPPORT_BY_PATHWAY:
            referral.support_kind = rng.choice(SUPPORT_BY_PATHWAY[referral.agreed_pathway])
            referral.support_provider = rng.choice(PROVIDERS)
            referral.support_start_on = referral.planned_discharge_on
            # Reablement starts at weekends and in the evening too: the out-of-hours view shows those.
            referral.support_start_time = time(rng.choice([8, 10, 14, 18, 19]), 0)
        _status(builder, referral, ReferralStatusName.READY, worker, "Pathway, date and support agreed")
        if referral.agreed_pathway in PATHWAYS_WITH_SUPPORT:
            builder.agreed.append((referral, trust, worker))


def _discharged_referral(
    builder: _Builder,
    person_id: uuid.UUID,
    trust: Organisation,
    team: Team,
    referrer: User,
    staff: list[User],
    manager: User | None,
    number: int,
) -> None:
    rng, today = builder.rng, builder.today
    discharged_on = today - timedelta(days=rng.randint(1, 90))
    pathway = _weighted_pathway(rng)
    # Days from discharge-ready to discharge: about a day on average (Health Foundation), longer for beds.
    waited = int(rng.expovariate(1 / (1.2 if pathway < 2 else 6)))
    ready_on = discharged_on - timedelta(days=waited)
    admitted_on = ready_on - timedelta(days=rng.randint(1, 20))
    support_start_on = discharged_on if pathway in SUPPORT_BY_PATHWAY else None
    never_started = support_start_on is not None and support_start_on < today and rng.random() < 0.04
    closed_at = None if never_started else builder.moment(discharged_on)
    referral = _base(
        builder,
        person_id,
        trust,
        team,
        referrer,
        number,
        admitted_on=admitted_on,
        opened_at=builder.moment(admitted_on + timedelta(days=1)),
        closed_at=closed_at,
    )
    worker = rng.choice(staff)
    referral.proposed_pathway = pathway
    referral.agreed_pathway = pathway
    referral.discharge_ready_on = ready_on
    referral.planned_discharge_on = discharged_on
    referral.discharged_on = discharged_on
    referral.discharged_to = DESTINATION_BY_PATHWAY[pathway]
    referral.closed_on = discharged_on
    if support_start_on is not None:
        referral.support_kind = rng.choice(SUPPORT_BY_PATHWAY[pathway])
        referral.support_provider = rng.choice(PROVIDERS)
        referral.support_start_on = support_start_on
        referral.support_start_time = time(rng.choice([9, 13, 18]), 0)
        referral.discharge_support = f"{SupportKind(referral.support_kind).label} by {referral.support_provider}"
        if not never_started:
            referral.support_started_at = builder.moment(support_start_on, 8, 21)
            referral.support_started_by = worker
            referral.support_confirmed_with = "The carer on the first visit"
    _status(builder, referral, ReferralStatusName.RECEIVED, referrer, f"From {trust.name}, {referral.ward}")
    _status(builder, referral, ReferralStatusName.ASSESSING, worker, "Assessment started")
    _status(builder, referral, ReferralStatusName.DISCHARGED, worker, f"Discharged on {discharged_on:%-d %B %Y}")
    if rng.random() < 0.08 and discharged_on < today - timedelta(days=1):
        referral.readmitted_on = discharged_on + timedelta(days=rng.randint(1, min(45, (today - discharged_on).days)))
        referral.is_early_readmission = (referral.readmitted_on - discharged_on).days <= 30
    if rng.random() < 0.02:
        _unsafe_report(builder, referral, team, referrer, manager)
    if pathway in PATHWAYS_WITH_SUPPORT:
        builder.moved.append((referral, trust, worker))


def _unsafe_report(builder: _Builder, referral: Referral, team: Team, referrer: User, manager: User | None) -> None:
    rng, today = builder.rng, builder.today
    assert referral.discharged_on is not None
    next_day = referral.discharged_on + timedelta(days=1)
    reported_at = builder.moment(next_day if next_day < today else referral.discharged_on)
    is_closed = manager is not None and rng.random() < 0.5
    work = WorkItem(
        id=builder.uuid(),
        person_id=referral.person_id,
        kind=WorkKind.DISCHARGE,
        title="Review of an unsafe discharge report",
        story=rng.choice(UNSAFE_STORIES),
        team=team,
        priority=Priority.RED,
        opened_at=reported_at,
        allocation_due=allocation_due_on(reported_at.date(), Priority.RED),
        next_contact_due=next_contact_on(reported_at.date(), Priority.RED),
        closed_at=reported_at + timedelta(days=3) if is_closed else None,
        outcome=ReviewOutcome.LESSONS.label[:200] if is_closed else "",
    )
    builder.work.append(work)
    builder.reports.append(
        UnsafeDischargeReport(
            id=builder.uuid(),
            person_id=referral.person_id,
            referral=referral,
            reporter_name=rng.choice(["Rose House", "June (daughter)", "District nurse"]),
            reporter_relationship=rng.choice(
                [ReporterRelationship.PROVIDER, ReporterRelationship.FAMILY, ReporterRelationship.STAFF]
            ),
            what_happened=work.story,
            occurred_on=referral.discharged_on,
            reported_at=reported_at,
            reported_by=referrer,
            work_item=work,
            review_outcome=ReviewOutcome.LESSONS if is_closed else "",
            review_findings="Fed back to the ward and the discharge team" if is_closed else "",
            review_closed_at=reported_at + timedelta(days=3) if is_closed else None,
            review_closed_by=manager if is_closed else None,
        )
    )


def _linked_plan(
    plans: PlanRows, referral: Referral, trust: Organisation, worker: User, *, planned_on: date, started_on: date
) -> Plan:
    """The referral's hospital discharge plan: coordinated by `worker`, held by the hospital team, shared with the
    trust and linked from the referral."""
    assert referral.agreed_pathway is not None
    plan = plans.start(
        person_id=referral.person_id,
        kind=PlanKind.HOSPITAL_DISCHARGE,
        moving_from=f"{trust.name}, {referral.ward}",
        moving_to=referral.moving_to or PATHWAY_DESTINATIONS[referral.agreed_pathway],
        planned_on=planned_on,
        team_id=referral.work_item.team_id,
        coordinator=worker,
        source_label=f"Hospital discharge referral {referral.reference}",
        started_on=started_on,
        persons_views=plans.rng.choice(VIEWS),
    )
    plans.share(plan, trust.pk)
    referral.plan = plan
    return plan


def _arrangement_owner(referral: Referral, worker: User) -> Callable[[str], tuple[str, str]]:
    """Who owns each arrangement of a discharge plan, by its code: the provider the care start, the worker the
    family, the hospital's usual owner the rest."""

    def owner(code: str) -> tuple[str, str]:
        if code == "care_start":
            return referral.support_provider or "Provider", "Care provider"
        if code == "family":
            return worker.full_name, "Hospital social worker"
        return ARRANGEMENT_OWNERS.get(code, ("Nurse in charge", "Ward nurse"))

    return owner


def _plan_for(plans: PlanRows, referral: Referral, trust: Organisation, worker: User) -> None:
    """The transition plan discharges.services._plan_for starts when pathway 1-3 and a date are agreed.

    Coordinated by the worker who agreed it, held by the hospital team, shared with the trust and linked from the
    referral; the care start is confirmed (the support was agreed with its start time) and about a third of the
    plans have every essential arrangement in place and are ready.
    """
    rng, today = plans.rng, plans.today
    planned_on = referral.planned_discharge_on
    assert planned_on is not None
    assert referral.agreed_pathway is not None
    started_on = max(referral.admitted_on + timedelta(days=1), today - timedelta(days=rng.randint(0, 2)))
    plan = _linked_plan(plans, referral, trust, worker, planned_on=planned_on, started_on=min(started_on, today))
    all_in_place = rng.random() < 0.35

    def done(template: ArrangementTemplate) -> bool:
        if template.code == "care_start":
            return referral.support_start_time is not None
        return (all_in_place and template.is_essential) or rng.random() < 0.45

    owner = _arrangement_owner(referral, worker)
    plans.checklist(plan, done=done, owner=owner, by=worker, completed_on=today, due_on=planned_on)
    plans.step(
        plan,
        "Confirm the time of the discharge with the person and their family",
        owner_name=worker.full_name,
        owner_role="Hospital social worker",
        due_on=max(today, planned_on - timedelta(days=1)),
    )
    plans.step(
        plan,
        "Tell the ward what time the support starts",
        owner_name="Nurse in charge",
        owner_role="Ward nurse",
        due_on=planned_on,
    )
    if all_in_place:
        plans.ready(plan, worker)


# What a check after a discharge sometimes finds, for the borough's checks with problems.
MOVE_PROBLEMS = ["The key safe code was not passed on", "Medication was not delivered until the next day"]


def _moved_plan_for(plans: PlanRows, referral: Referral, trust: Organisation, worker: User) -> None:
    """The plan of a discharge already made on pathway 1-3, as discharges.services left it.

    Agreed a day or so before the discharge, with every essential arrangement and both steps done by the day before,
    marked ready, then moved by the recorded discharge (the discharge is the move's reason). The check after the move
    has been made where it fell due before now; it found problems where the support never started, and now and then
    otherwise.
    """
    rng = plans.rng
    discharged_on, ready_on = referral.discharged_on, referral.discharge_ready_on
    assert discharged_on is not None
    assert ready_on is not None
    assert referral.agreed_pathway is not None
    started_on = min(discharged_on, max(referral.admitted_on + timedelta(days=1), ready_on - timedelta(days=1)))
    done_on = max(started_on, discharged_on - timedelta(days=1))
    plan = _linked_plan(plans, referral, trust, worker, planned_on=discharged_on, started_on=started_on)
    plans.checklist(
        plan,
        done=lambda template: template.is_essential or rng.random() < 0.8,
        owner=_arrangement_owner(referral, worker),
        by=worker,
        completed_on=done_on,
        due_on=discharged_on,
    )
    steps = (
        ("Confirm the time of the discharge with the person and their family", worker.full_name, "Social worker"),
        ("Tell the ward what time the support starts", "Nurse in charge", "Ward nurse"),
    )
    for description, name, role in steps:
        plans.step(plan, description, owner_name=name, owner_role=role, due_on=done_on, done_by=worker)
    plans.ready(plan, worker)
    where = Destination(referral.discharged_to).label if referral.discharged_to else plan.moving_to
    plans.moved(
        plan,
        discharged_on,
        worker,
        reason=(
            f"Hospital discharge {referral.reference} recorded: discharged on {discharged_on:%-d %B %Y} "
            f"to {where.lower()}"
        ),
    )
    assert plan.check_due_at is not None
    if plan.check_due_at > plans.now:
        return
    never_started = referral.support_start_on is not None and referral.support_started_at is None
    if never_started or rng.random() < 0.1:
        plans.checked(
            plan,
            worker,
            spoke_to=rng.choice(["The person, by phone", "Their daughter", "The care provider"]),
            problems=("The care did not start on the day agreed" if never_started else rng.choice(MOVE_PROBLEMS)),
            feedback_to=f"{trust.name} discharge team",
        )
    else:
        plans.checked(plan, worker, spoke_to=rng.choice(["The person, by phone", "Their daughter", "The carer"]))
