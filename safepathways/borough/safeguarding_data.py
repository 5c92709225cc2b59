"""Synthetic safeguarding concerns and enquiries for the borough: about 13 months of them, as they stand today.

About 7.5 concerns a year per 1,000 people (about 1,500 a year at county scale, 200,000 people), received
evenly over the last 400 days and each taken as far as it would have got by today: the s42(1) decision (the
three tests with reasons) within the local timescale for most and late for some, so the newest wait for a
decision and a few are overdue; no further action for about half; a s42 or other enquiry for the rest, run by
a social worker or the safeguarding lead, with strategy discussions, a plan of actions (some causing another
agency to enquire, s42(2)), Making Safeguarding Personal, capacity and advocacy. Enquiries last from a few
weeks to many months, so a few hundred are open at county scale, at every age; the concluded ones have their
outcome (risk found, action taken, what became of the risk, outcomes achieved) and most are closed. Also a few
pieces of safeguarding work from the front door with no concern recorded yet.

Each concern has the safeguarding team's work item (red, as services.raise_concern rates it, closed with the
concern; allocated to the enquiry officer when they are in the team), its status rows (backdated: see
borough.recorded), the "safeguarding enquiry open" alert while its enquiry runs, a provider concern when a
service provider is the source of risk, a share with the police on some joint enquiries, and the person's
chronology, as safeguarding.services would write them. Not written: audit events.

Bulk inserts only; the same rng and today give the same concerns. Skipped if any concern exists.
"""

import random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone
from faker import Faker

from safepathways.accounts.models import Membership, Organisation, OrganisationKind, Role, Team, User
from safepathways.borough.recorded import later_than, work_dates, write
from safepathways.core.clocks import add_working_days
from safepathways.core.errors import ApplicationError
from safepathways.core.services import reserve_numbers
from safepathways.people.codes import AlertKind
from safepathways.people.models import Alert, ChronologyEntry, Person
from safepathways.providers.codes import LocationType
from safepathways.providers.models import ProviderConcern, ProviderConcernSource, Service
from safepathways.safeguarding import services as safeguarding_services
from safepathways.safeguarding.models import (
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
    SourceOfRisk,
    StrategyDiscussion,
)
from safepathways.work import services as work_services
from safepathways.work.models import Handoff, Triage, WorkItem, WorkKind

CONCERNS_PER_PERSON_A_YEAR = 0.0075
DAYS = 400
MINIMUM = 12
# Concerns added at these stages in any borough, received so many days ago: one awaiting a decision, one
# overdue, one decided with its enquiry not yet opened, two enquiries open (one for months).
STAGES = [("awaiting", 0), ("awaiting", 9), ("decided", 1), ("open", 20), ("open", 150)]
PEOPLE_PER_FRONT_DOOR_ITEM = 40_000
ADULT = 18
CHRONOLOGY = safeguarding_services.CHRONOLOGY_CATEGORY
OFFICER_ROLES = (Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.SAFEGUARDING_LEAD)
ABUSE_WEIGHTS = [
    (AbuseType.NEGLECT, 30),
    (AbuseType.PHYSICAL, 17),
    (AbuseType.FINANCIAL, 15),
    (AbuseType.PSYCHOLOGICAL, 14),
    (AbuseType.SELF_NEGLECT, 8),
    (AbuseType.DOMESTIC, 6),
    (AbuseType.ORGANISATIONAL, 4),
    (AbuseType.SEXUAL, 2),
    (AbuseType.DISCRIMINATORY, 1),
    (AbuseType.SEXUAL_EXPLOITATION, 1),
    (AbuseType.MODERN_SLAVERY, 1),
]
SUMMARIES = {
    AbuseType.NEGLECT: "Found without food in the house and the heating off; carers had not visited for three days.",
    AbuseType.PHYSICAL: "Unexplained bruising to both arms noticed by the district nurse.",
    AbuseType.FINANCIAL: "A new 'friend' has taken over her bank card; bills are unpaid and the rent is in arrears.",
    AbuseType.PSYCHOLOGICAL: "His son shouts at him and threatens to put him in a home if he complains.",
    AbuseType.SELF_NEGLECT: "Refusing all help; the flat is unsafe and he has lost a lot of weight.",
    AbuseType.DOMESTIC: "Her partner controls her money and who she sees; police called twice this month.",
    AbuseType.ORGANISATIONAL: "Residents left in bed until midday; call bells not answered at night.",
    AbuseType.SEXUAL: "Disclosed to a support worker that another resident touched her.",
    AbuseType.DISCRIMINATORY: "Staff refused to support him to attend his place of worship.",
    AbuseType.SEXUAL_EXPLOITATION: "Men visit the flat late at night; she has been given alcohol and drugs.",
    AbuseType.MODERN_SLAVERY: "Working long hours cleaning for a family who keep his passport.",
}
IMMEDIATE_ACTIONS = [
    "Carers asked to visit daily until the enquiry decides",
    "Police informed; the person is safe with family tonight",
    "GP asked to review today",
    "",
]
DESCRIBED_AS = ["daughter", "district nurse", "GP", "care home manager", "neighbour", "anonymous", "home carer"]
PRIMARY_SUPPORT_WEIGHTS = [
    (PrimarySupportReason.PERSONAL_CARE, 35),
    (PrimarySupportReason.MEMORY_COGNITION, 20),
    (PrimarySupportReason.MENTAL_HEALTH, 15),
    (PrimarySupportReason.LEARNING_DISABILITY, 10),
    (PrimarySupportReason.ACCESS_MOBILITY, 8),
    (PrimarySupportReason.SOCIAL_ISOLATION, 5),
    (PrimarySupportReason.SUBSTANCE_MISUSE, 3),
    (PrimarySupportReason.NOT_KNOWN, 4),
]
COMMUNITY_LOCATIONS = [
    (LocationOfRisk.OWN_HOME, 70),
    (LocationOfRisk.COMMUNITY, 12),
    (LocationOfRisk.COMMUNITY_SERVICE, 5),
    (LocationOfRisk.HOSPITAL_ACUTE, 6),
    (LocationOfRisk.HOSPITAL_MENTAL_HEALTH, 3),
    (LocationOfRisk.OTHER, 4),
]
CARE_HOME_LOCATION = {
    LocationType.CARE_HOME: LocationOfRisk.CARE_HOME_RESIDENTIAL,
    LocationType.CARE_HOME_NURSING: LocationOfRisk.CARE_HOME_NURSING,
}
POLICE_TYPES = {AbuseType.PHYSICAL, AbuseType.SEXUAL, AbuseType.DOMESTIC, AbuseType.FINANCIAL, AbuseType.MODERN_SLAVERY}
ACTIONS = [
    ("Visit with the district nurse and check the care plan is being followed", "Enquiry officer", ""),
    ("Speak to the person alone about what they want to happen", "Enquiry officer", ""),
    ("Review the package of care and the carers' visit times", "Care manager", ""),
    ("Check bank statements with the person and their appointee", "Enquiry officer", ""),
    ("Request the provider's own investigation and report", "Registered manager", "provider"),
    ("Joint visit and interview under the police's investigation", "DC on the safeguarding hub", "police"),
]
OUTCOMES = {
    RiskFinding.IDENTIFIED: "Risk confirmed; care plan changed and family support agreed.",
    RiskFinding.INCONCLUSIVE: "Could not establish what happened; monitoring agreed with the provider.",
    RiskFinding.NONE: "No risk found: the bruising was explained by a fall recorded by the home.",
    RiskFinding.CEASED: "She asked for the enquiry to stop and has capacity to decide; advice given.",
}
DESIRED_OUTCOMES = [
    "I want to stay in my own home and feel safe.",
    "I want my money back and to manage my own bank card.",
    "I want the carers to come on time and treat me with respect.",
    "I want my son to stop shouting at me but I still want to see him.",
]


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _link(name: str) -> str:
    blank = uuid.UUID(int=0)
    return reverse(name, args=[blank]).replace(str(blank), "{}")


def _weighted(rng: random.Random, weighted: Sequence[tuple[str, int]]) -> str:
    return rng.choices([value for value, _ in weighted], [weight for _, weight in weighted])[0]


@dataclass(frozen=True)
class Placement:
    """Where a person gets a service now: the provider that may be the source of risk."""

    provider_id: uuid.UUID
    provider_name: str
    location_id: uuid.UUID
    location_type: str


@dataclass(frozen=True)
class Staff:
    team: Team
    lead: User
    officers: list[User]
    raisers: list[User]
    partners: list[tuple[User, Organisation]]
    council: Organisation
    police: Organisation | None
    member_ids: frozenset[int]  # the safeguarding team's staff: work is allocated to them only


class _Builder:
    def __init__(self, *, rng: random.Random, today: date, staff: Staff, references: list[int]) -> None:
        self.rng = rng
        self.today = today
        self.now = timezone.now()
        self.staff = staff
        self.references = iter(references)
        settings_row = safeguarding_services.safeguarding_settings()
        self.settings = settings_row
        faker = Faker("en_GB")
        faker.seed_instance(rng.randint(0, 2**31))
        self.faker = faker
        rating = work_services.rate(
            likelihood=safeguarding_services.CONCERN_LIKELIHOOD,
            impact=safeguarding_services.CONCERN_IMPACT,
            flags=(),
        )
        self.priority, self.priority_reasons = rating.priority, rating.reasons
        self._decision_due: dict[date, date] = {}
        self.work_dates = work_dates(self.priority)
        self.concern_link = _link("safeguarding:concern")
        self.work_link = _link("work:detail")
        self.work: list[WorkItem] = []
        self.triages: list[Triage] = []
        self.concerns: list[Concern] = []
        self.statuses: list[ConcernStatus] = []
        self.enquiries: list[Enquiry] = []
        self.discussions: list[StrategyDiscussion] = []
        self.actions: list[EnquiryAction] = []
        self.alerts: list[Alert] = []
        self.shares: list[ConcernShare] = []
        self.provider_concerns: list[tuple[ProviderConcern, uuid.UUID]] = []
        self.handoffs: list[Handoff] = []
        self.chronology: list[ChronologyEntry] = []

    def moment(self, day: date, hour_from: int = 8, hour_to: int = 18) -> datetime:
        at = time(self.rng.randint(hour_from, hour_to - 1), self.rng.randint(0, 59))
        return min(timezone.make_aware(datetime.combine(day, at)), self.now)

    def later(self, after: datetime, day: date) -> datetime:
        """A time on `day`, never before `after`: one step of a concern follows the one before."""
        return later_than(after, self.moment(day), self.now, self.rng)

    def dues(self, received_on: date) -> tuple[date, date, date]:
        """The decision due date (local timescale, working days), and the work's allocation and contact dates."""
        if received_on not in self._decision_due:
            self._decision_due[received_on] = safeguarding_services.decision_due_on(received_on, self.settings)
        return (self._decision_due[received_on], *self.work_dates(received_on))

    def entry(
        self,
        person_id: uuid.UUID,
        at: datetime,
        summary: str,
        by: User | None,
        *,
        category: str = CHRONOLOGY,
        link: str = "",
    ) -> None:
        self.chronology.append(
            ChronologyEntry(
                id=_uuid(self.rng),
                person_id=person_id,
                occurred_at=at,
                category=category,
                summary=summary[:300],
                recorded_by=by,
                recorded_by_label=by.full_name if by else "System",
                link=link,
                created_at=at,
            )
        )

    def status(self, concern: Concern, name: str, at: datetime, by: User, reason: str = "") -> None:
        self.statuses.append(
            ConcernStatus(id=_uuid(self.rng), concern=concern, name=name, reason=reason, created_by=by, created_at=at)
        )
        concern.status, concern.updated_at = name, at

    def work_item(self, person_id: uuid.UUID, opened_at: datetime, title: str, by: User) -> WorkItem:
        """What work.services.open_work writes for the safeguarding team: the item, its rating, its story."""
        received_on = timezone.localdate(opened_at)
        decision_due, allocation_due, contact_due = self.dues(received_on)
        item = WorkItem(
            id=_uuid(self.rng),
            person_id=person_id,
            kind=WorkKind.SAFEGUARDING,
            title=title,
            team=self.staff.team,
            priority=self.priority,
            priority_reasons=self.priority_reasons,
            likelihood=safeguarding_services.CONCERN_LIKELIHOOD,
            impact=safeguarding_services.CONCERN_IMPACT,
            opened_at=opened_at,
            due_on=decision_due,
            allocation_due=allocation_due,
            next_contact_due=contact_due,
            created_at=opened_at,
        )
        self.work.append(item)
        self.triages.append(
            Triage(
                id=_uuid(self.rng),
                work_item=item,
                likelihood=safeguarding_services.CONCERN_LIKELIHOOD,
                impact=safeguarding_services.CONCERN_IMPACT,
                priority=self.priority,
                reasons=self.priority_reasons,
                why="A safeguarding concern was raised",
                by=by,
                created_at=opened_at,
            )
        )
        self.entry(
            person_id,
            opened_at,
            f"{WorkKind.SAFEGUARDING.label} requested for {self.staff.team.name} ({self.priority})",
            by,
            category="work",
            link=self.work_link.format(item.pk),
        )
        return item

    def close_work(self, item: WorkItem, at: datetime, by: User) -> None:
        item.closed_at, item.outcome, item.updated_at = at, "Safeguarding concern closed", at
        self.entry(
            item.person_id,
            at,
            f"{item.title} closed: Safeguarding concern closed",
            by,
            category="work",
            link=self.work_link.format(item.pk),
        )


def _staff() -> Staff | None:
    try:
        team = safeguarding_services.safeguarding_team()
    except ApplicationError:
        return None
    council = team.organisation
    memberships = list(
        Membership.objects.filter(user__is_active=True)
        .select_related("user", "team__organisation")
        .order_by("user__email", "team__slug")
    )
    leads = [m.user for m in memberships if m.team_id == team.pk and m.role == Role.SAFEGUARDING_LEAD]
    leads = leads or [m.user for m in memberships if m.team_id == team.pk]
    if not leads:
        return None
    in_council = [m for m in memberships if m.team.organisation.is_this_council and m.role != Role.PARTNER]
    officers = list({m.user.pk: m.user for m in in_council if m.role in OFFICER_ROLES}.values()) or leads
    raisers = list({m.user.pk: m.user for m in in_council if m.role in OFFICER_ROLES}.values()) or leads
    partners = [
        (m.user, m.team.organisation)
        for m in memberships
        if m.role == Role.PARTNER and not m.team.organisation.is_this_council
    ]
    police = next((o for o in Organisation.objects.filter(kind=OrganisationKind.POLICE).order_by("name")), None)
    members = frozenset(m.user.pk for m in memberships if m.team_id == team.pk and m.role != Role.PARTNER)
    return Staff(team, leads[0], officers, raisers, partners, council, police, members)


def _adults(today: date) -> list[tuple[uuid.UUID, date | None]]:
    born_by = today - timedelta(days=(ADULT + 1) * 365)
    return list(
        Person.objects.filter(date_of_death__isnull=True, merged_into__isnull=True, date_of_birth__lte=born_by)
        .order_by("pk")
        .values_list("pk", "date_of_birth")
    )


def _placements(person_ids: list[uuid.UUID]) -> dict[uuid.UUID, Placement]:
    placements: dict[uuid.UUID, Placement] = {}
    rows = (
        Service.objects.filter(person_id__in=person_ids, end_on__isnull=True, location__isnull=False)
        .order_by("person_id", "start_on", "pk")
        .values_list("person_id", "provider_id", "provider__name", "location_id", "location__location_type")
    )
    for person_id, provider_id, provider_name, location_id, location_type in rows:
        if provider_id is not None and location_id is not None:
            placements.setdefault(person_id, Placement(provider_id, provider_name, location_id, location_type))
    return placements


def generate_safeguarding(*, rng: random.Random, today: date, log: Callable[[str], None]) -> int:
    """Add the borough's safeguarding concerns and enquiries; returns how many concerns were written."""
    if Concern.objects.exists():
        log("  safeguarding concerns already present: skipped")
        return 0
    staff = _staff()
    if staff is None:
        log("  no safeguarding team with staff: no concerns")
        return 0
    people = Person.objects.count()
    count = max(MINIMUM, round(people * CONCERNS_PER_PERSON_A_YEAR * DAYS / 365))
    adults = _adults(today)
    if not adults:
        return 0
    chosen = [rng.choice(adults) for _ in range(count)]  # someone may be the subject of more than one concern
    placements = _placements(sorted({person_id for person_id, _ in chosen}))
    builder = _Builder(
        rng=rng, today=today, staff=staff, references=list(reserve_numbers("safeguarding_concern", count + len(STAGES)))
    )
    received = sorted(today - timedelta(days=rng.randint(0, DAYS - 1)) for _ in range(count))
    for (person_id, _born), received_on in zip(chosen, received, strict=True):
        _concern(builder, person_id, received_on, placements.get(person_id))
    # Whatever the size of the borough, every stage the dashboard counts has someone at it.
    for stage, days_ago in STAGES:
        person_id, _born = rng.choice(adults)
        _concern(builder, person_id, today - timedelta(days=days_ago), placements.get(person_id), stage)
    for _ in range(max(1, people // PEOPLE_PER_FRONT_DOOR_ITEM)):
        person_id, _born = rng.choice(adults)
        opened = builder.moment(today - timedelta(days=rng.randint(0, 1)))
        builder.work_item(person_id, opened, "Safeguarding concern (front door)", staff.lead)
    _write(builder)
    enquiries = builder.enquiries
    log(
        f"  {len(builder.concerns)} safeguarding concerns "
        f"({sum(c.status == ConcernStatusName.RECEIVED for c in builder.concerns)} awaiting a decision), "
        f"{len(enquiries)} enquiries ({sum(e.concluded_on is None for e in enquiries)} open)"
    )
    return len(builder.concerns)


def _concern(
    builder: _Builder, person_id: uuid.UUID, received_on: date, placement: Placement | None, stage: str = ""
) -> None:
    """One concern taken as far as it has got by today; `stage` (a STAGES key) holds it at that stage."""
    rng, today, staff = builder.rng, builder.today, builder.staff
    received_at = builder.moment(received_on)
    source = _weighted(rng, [(ConcernSource.FRONT_DOOR, 50), (ConcernSource.STAFF, 32), (ConcernSource.PARTNER, 18)])
    raised_by, organisation = staff.lead, staff.council
    if source == ConcernSource.STAFF:
        raised_by = rng.choice(staff.raisers)
    elif source == ConcernSource.PARTNER and staff.partners:
        raised_by, organisation = rng.choice(staff.partners)
    else:
        source = ConcernSource.FRONT_DOOR
    abuse = [_weighted(rng, ABUSE_WEIGHTS)]
    if rng.random() < 0.25:
        second = _weighted(rng, ABUSE_WEIGHTS)
        if second not in abuse:
            abuse.append(second)
    provider_source = placement is not None and rng.random() < 0.6
    source_of_risk: str
    location_of_risk: str
    if placement is not None and provider_source:
        source_of_risk = SourceOfRisk.SERVICE_PROVIDER
        location_of_risk = CARE_HOME_LOCATION.get(LocationType(placement.location_type), LocationOfRisk.OWN_HOME)
        if location_of_risk != LocationOfRisk.OWN_HOME and AbuseType.ORGANISATIONAL not in abuse and rng.random() < 0.3:
            abuse.append(AbuseType.ORGANISATIONAL)
    else:
        source_of_risk = _weighted(rng, [(SourceOfRisk.KNOWN, 80), (SourceOfRisk.UNKNOWN, 20)])
        location_of_risk = _weighted(rng, COMMUNITY_LOCATIONS)
    title = "Safeguarding concern (front door)" if source == ConcernSource.FRONT_DOOR else "Safeguarding concern"
    item = builder.work_item(person_id, received_at, title, raised_by)
    decision_due = item.due_on
    assert decision_due is not None
    concern = Concern(
        id=_uuid(rng),
        reference=f"SG{next(builder.references):07d}",
        person_id=person_id,
        work_item=item,
        source=source,
        organisation=organisation,
        raised_by=raised_by,
        raised_by_description=rng.choice(DESCRIBED_AS),
        received_at=received_at,
        decision_due_on=decision_due,
        summary=SUMMARIES[AbuseType(abuse[0])],
        abuse_types=abuse,
        location_of_risk=location_of_risk,
        source_of_risk=source_of_risk,
        provider_id=placement.provider_id if placement and provider_source else None,
        provider_location_id=placement.location_id if placement and provider_source else None,
        immediate_actions=rng.choice(IMMEDIATE_ACTIONS),
        primary_support_reason=_weighted(rng, PRIMARY_SUPPORT_WEIGHTS),
        created_at=received_at,
    )
    builder.concerns.append(concern)
    builder.status(concern, ConcernStatusName.RECEIVED, received_at, raised_by)
    builder.entry(
        person_id,
        received_at,
        f"Safeguarding concern {concern.reference} received",
        raised_by,
        link=builder.concern_link.format(concern.pk),
    )
    lag = rng.choices([0, 1, 2, rng.randint(3, 5), rng.randint(6, 12)], [25, 35, 25, 10, 5])[0]
    decided_on = today if stage == "decided" else add_working_days(received_on, lag)
    if decided_on > today or stage == "awaiting":
        return  # awaiting the decision (overdue once past decision_due_on)
    _decide(builder, concern, item, decided_on, placement, stage)


def _decide(
    builder: _Builder, concern: Concern, item: WorkItem, decided_on: date, placement: Placement | None, stage: str
) -> None:
    """The s42(1) decision: a s42 enquiry needs all three tests met; when they are, the duty applies."""
    rng, today, lead = builder.rng, builder.today, builder.staff.lead
    decision = _weighted(
        rng, [(Decision.SECTION_42, 38), (Decision.OTHER_ENQUIRY, 8), (Decision.NO_FURTHER_ACTION, 54)]
    )
    if stage:
        decision = Decision.SECTION_42
    tests = [True, True, True]
    if decision != Decision.SECTION_42:
        tests[rng.choices([0, 1, 2], [20, 30, 50])[0]] = False
    concern.has_care_and_support_needs, concern.is_experiencing_or_at_risk, concern.is_unable_to_protect_self = tests
    concern.care_and_support_needs_reason = (
        "Receives care and support for personal care" if tests[0] else "Independent; no needs for care and support"
    )
    concern.experiencing_or_at_risk_reason = (
        "The account and the injuries seen support it" if tests[1] else "No evidence of abuse or neglect found"
    )
    concern.unable_to_protect_self_reason = (
        "Cannot protect himself because of his dementia" if tests[2] else "Has capacity and is taking steps herself"
    )
    concern.decision = decision
    concern.decision_reason = {
        Decision.SECTION_42: "All three tests met: the s42 duty applies",
        Decision.OTHER_ENQUIRY: "Tests not all met, but an enquiry is necessary and proportionate",
        Decision.NO_FURTHER_ACTION: "Information and advice given; signposted to the neighbourhood team",
    }[Decision(decision)]
    decided_at = builder.later(concern.received_at, decided_on)
    concern.decided_at, concern.decided_by = decided_at, lead
    builder.status(concern, ConcernStatusName.DECIDED, decided_at, lead, Decision(decision).label)
    link = builder.concern_link.format(concern.pk)
    builder.entry(
        concern.person_id, decided_at, f"Safeguarding concern {concern.reference}: decision recorded", lead, link=link
    )
    if decision == Decision.NO_FURTHER_ACTION:
        closed_at = builder.later(decided_at, decided_on)
        _close(builder, concern, item, None, closed_at, "No further safeguarding action")
        return
    started_on = decided_on + timedelta(days=rng.choices([0, rng.randint(1, 2), rng.randint(3, 10)], [60, 30, 10])[0])
    if stage:
        started_on = today + timedelta(days=1) if stage == "decided" else decided_on
    if started_on > today:
        return  # decided, enquiry not yet opened
    _enquiry(builder, concern, item, started_on, decided_at, placement, keep_open=stage == "open")


def _enquiry(
    builder: _Builder,
    concern: Concern,
    item: WorkItem,
    started_on: date,
    decided_at: datetime,
    placement: Placement | None,
    *,
    keep_open: bool = False,
) -> None:
    rng, today, staff = builder.rng, builder.today, builder.staff
    lead = staff.lead
    officer = lead if rng.random() < 0.35 else rng.choice(staff.officers)
    opened_at = builder.later(decided_at, started_on)
    alert = Alert(
        id=_uuid(rng),
        person_id=concern.person_id,
        kind=AlertKind.SAFEGUARDING_OPEN,
        reason=f"Safeguarding enquiry open ({concern.reference}): ask the safeguarding team before acting",
        owner=officer,
        raised_by=lead,
        review_on=started_on + timedelta(days=builder.settings.alert_review_days),
        created_at=opened_at,
    )
    builder.alerts.append(alert)
    builder.entry(
        concern.person_id, opened_at, f"Alert added: {AlertKind.SAFEGUARDING_OPEN.label}", lead, category="alerts"
    )
    enquiry = Enquiry(
        id=_uuid(rng),
        concern=concern,
        kind=concern.decision,
        officer=officer,
        started_on=started_on,
        alert=alert,
        created_at=opened_at,
    )
    builder.enquiries.append(enquiry)
    builder.status(concern, ConcernStatusName.ENQUIRY_OPEN, opened_at, lead, f"Enquiry officer {officer.full_name}")
    link = builder.concern_link.format(concern.pk)
    builder.entry(concern.person_id, opened_at, f"Safeguarding enquiry opened ({concern.reference})", lead, link=link)
    if officer.pk in staff.member_ids:
        item.allocated_to = officer
        item.allocated_at = item.first_allocated_at = item.updated_at = opened_at
        builder.handoffs.append(
            Handoff(
                id=_uuid(rng),
                work_item=item,
                person_id=concern.person_id,
                from_team=staff.team,
                to_team=staff.team,
                from_worker=None,
                to_worker=officer,
                reason=f"Enquiry officer for safeguarding concern {concern.reference}",
                by=lead,
                created_at=opened_at,
            )
        )
    if concern.provider_id is not None:
        provider_concern = ProviderConcern(
            id=_uuid(rng),
            provider_id=concern.provider_id,
            location_id=concern.provider_location_id,
            source=ProviderConcernSource.SAFEGUARDING_ENQUIRY,
            summary=f"Safeguarding enquiry {concern.reference} names this provider as the source of risk",
            raised_by=lead,
            raised_at=opened_at,
            created_at=opened_at,
        )
        builder.provider_concerns.append((provider_concern, concern.person_id))
    if staff.police is not None and POLICE_TYPES & set(concern.abuse_types) and rng.random() < 0.4:
        builder.shares.append(
            ConcernShare(
                id=_uuid(rng),
                concern=concern,
                organisation=staff.police,
                purpose="Joint enquiry with the police",
                shared_by=lead,
                created_at=opened_at,
            )
        )
    # Some enquiries take a few weeks; many run for months (a provider's investigation, a police enquiry).
    duration = 14 + int(rng.expovariate(1 / 40)) if rng.random() < 0.52 else 60 + int(rng.expovariate(1 / 180))
    concluded_on = started_on + timedelta(days=duration)
    if keep_open:
        concluded_on = max(concluded_on, today + timedelta(days=30))
    is_open = concluded_on > today
    last_day = today if is_open else concluded_on
    if rng.random() < 0.45:
        held_on = min(started_on + timedelta(days=rng.randint(0, 7)), last_day)
        held_at = builder.later(opened_at, held_on)
        builder.discussions.append(
            StrategyDiscussion(
                id=_uuid(rng),
                enquiry=enquiry,
                held_on=held_on,
                attendees="Enquiry officer, safeguarding lead, district nurse"
                + (", police" if concern.abuse_types[0] in POLICE_TYPES else ""),
                decisions="Enquiry plan agreed; the person to be seen alone this week",
                recorded_by=officer,
                created_at=held_at,
            )
        )
        builder.entry(
            concern.person_id,
            held_at,
            f"Safeguarding strategy discussion held ({concern.reference})",
            officer,
            link=link,
        )
    _plan(builder, enquiry, concern, placement, last_day, is_open)
    _personal(builder, enquiry, is_open)
    if is_open:
        return
    _conclude(builder, concern, item, enquiry, concluded_on, opened_at)


def _plan(
    builder: _Builder, enquiry: Enquiry, concern: Concern, placement: Placement | None, last_day: date, is_open: bool
) -> None:
    rng, lead = builder.rng, builder.staff.lead
    started_on = enquiry.started_on
    for description, owner, agency_kind in rng.sample(ACTIONS, k=rng.randint(1, 4)):
        agency = ""
        if agency_kind == "provider":
            if placement is None:
                continue
            agency = placement.provider_name
        elif agency_kind == "police":
            if builder.staff.police is None:
                continue
            agency = builder.staff.police.name
        due_on = started_on + timedelta(days=rng.randint(7, 60))
        completed_on = None
        if not is_open:
            completed_on = builder.rng.choice([min(due_on, last_day), last_day])
        elif (due_on <= last_day and rng.random() < 0.6) or rng.random() < 0.2:
            completed_on = min(due_on, last_day)
        builder.actions.append(
            EnquiryAction(
                id=_uuid(rng),
                enquiry=enquiry,
                description=description,
                owner_name=enquiry.officer.full_name if owner == "Enquiry officer" else owner,
                agency=agency,
                is_caused_enquiry=bool(agency) and rng.random() < 0.7,
                due_on=due_on,
                completed_on=max(completed_on, started_on) if completed_on else None,
                created_by=lead,
                created_at=builder.moment(started_on),
            )
        )


def _personal(builder: _Builder, enquiry: Enquiry, is_open: bool) -> None:
    """Making Safeguarding Personal, capacity and advocacy: always by the end, often recorded early."""
    rng = builder.rng
    if is_open and rng.random() < 0.4:
        return
    enquiry.msp_asked = _weighted(
        rng,
        [
            (MSPAsked.EXPRESSED, 70),
            (MSPAsked.NONE_EXPRESSED, 12),
            (MSPAsked.NO, 10),
            (MSPAsked.DONT_KNOW, 3),
            (MSPAsked.NOT_RECORDED, 5),
        ],
    )
    if enquiry.msp_asked == MSPAsked.EXPRESSED:
        enquiry.desired_outcomes = rng.choice(DESIRED_OUTCOMES)
    enquiry.lacks_capacity = rng.random() < 0.3
    if enquiry.lacks_capacity:
        enquiry.needs_advocate = rng.random() < 0.7
        enquiry.advocate_appointed = enquiry.needs_advocate and rng.random() < 0.8
        if enquiry.advocate_appointed:
            enquiry.advocate_name = f"{builder.faker.name()}, Camden Advocacy Project"
        else:
            enquiry.supported_by = rng.choice(["Daughter", "Son", "Niece", ""])
    else:
        enquiry.needs_advocate = False


def _conclude(
    builder: _Builder, concern: Concern, item: WorkItem, enquiry: Enquiry, concluded_on: date, opened_at: datetime
) -> None:
    """The outcome, as safeguarding.services.conclude_enquiry accepts it; then closed, a few days later, by most."""
    rng, today = builder.rng, builder.today
    officer = enquiry.officer
    finding = _weighted(
        rng,
        [
            (RiskFinding.IDENTIFIED, 60),
            (RiskFinding.INCONCLUSIVE, 15),
            (RiskFinding.NONE, 15),
            (RiskFinding.CEASED, 10),
        ],
    )
    chance = {RiskFinding.IDENTIFIED: 0.9, RiskFinding.INCONCLUSIVE: 0.6, RiskFinding.NONE: 0.2, RiskFinding.CEASED: 0}
    enquiry.risk_finding = finding
    enquiry.action_taken = rng.random() < chance[RiskFinding(finding)]
    enquiry.risk_result = (
        _weighted(rng, [(RiskResult.REDUCED, 55), (RiskResult.REMOVED, 30), (RiskResult.REMAINED, 15)])
        if enquiry.action_taken
        else ""
    )
    if enquiry.msp_asked == MSPAsked.EXPRESSED:
        enquiry.msp_achieved = _weighted(
            rng, [(MSPAchieved.FULLY, 65), (MSPAchieved.PARTIALLY, 28), (MSPAchieved.NOT_ACHIEVED, 7)]
        )
    enquiry.outcome_summary = OUTCOMES[RiskFinding(finding)]
    enquiry.concluded_on, enquiry.concluded_by = concluded_on, officer
    concluded_at = builder.later(opened_at, concluded_on)
    enquiry.updated_at = concluded_at
    builder.status(concern, ConcernStatusName.ENQUIRY_CONCLUDED, concluded_at, officer, RiskFinding(finding).label)
    builder.entry(
        concern.person_id,
        concluded_at,
        f"Safeguarding enquiry concluded ({concern.reference})",
        officer,
        link=builder.concern_link.format(concern.pk),
    )
    closed_on = concluded_on + timedelta(days=rng.randint(0, 10))
    if closed_on <= today:
        _close(
            builder, concern, item, enquiry, builder.later(concluded_at, closed_on), "Outcome agreed with the person"
        )


def _close(
    builder: _Builder, concern: Concern, item: WorkItem, enquiry: Enquiry | None, at: datetime, reason: str
) -> None:
    """What safeguarding.services._close writes: the status, the alert ended, the work closed, the story."""
    lead = builder.staff.lead
    concern.closed_at = at
    builder.status(concern, ConcernStatusName.CLOSED, at, lead, reason)
    if enquiry is not None and enquiry.alert is not None:
        alert = enquiry.alert
        alert.ended_at, alert.ended_by, alert.updated_at = at, lead, at
        alert.end_reason = "The safeguarding enquiry has closed"
        builder.entry(
            concern.person_id, at, f"Alert ended: {AlertKind.SAFEGUARDING_OPEN.label}", lead, category="alerts"
        )
    builder.close_work(item, at, lead)
    builder.entry(
        concern.person_id,
        at,
        f"Safeguarding concern {concern.reference} closed",
        lead,
        link=builder.concern_link.format(concern.pk),
    )


def _write(builder: _Builder) -> None:
    write(WorkItem, builder.work)
    write(Triage, builder.triages)
    write(Handoff, builder.handoffs)
    write(Alert, builder.alerts)
    write(Concern, builder.concerns)
    write(ConcernStatus, builder.statuses)
    write(Enquiry, builder.enquiries)
    write(StrategyDiscussion, builder.discussions)
    write(EnquiryAction, builder.actions)
    write(ConcernShare, builder.shares)
    write(ProviderConcern, [provider_concern for provider_concern, _ in builder.provider_concerns])
    through = ProviderConcern.people.through
    through.objects.bulk_create(
        [through(providerconcern_id=pc.pk, person_id=person_id) for pc, person_id in builder.provider_concerns]
    )
    write(ChronologyEntry, builder.chronology)
