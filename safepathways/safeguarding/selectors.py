"""Screen-shaped reads for safeguarding: one concern, the worklists, the dashboard and the SAC tables."""

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from safepathways.accounts.models import Organisation, User
from safepathways.accounts.roles import PRACTITIONER_ROLES
from safepathways.core.clocks import age_on
from safepathways.people.codes import Ethnicity, Gender
from safepathways.people.models import Person
from safepathways.providers.models import Location, Provider
from safepathways.safeguarding.models import (
    AbuseType,
    Concern,
    ConcernShare,
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
from safepathways.work.models import WorkItem, WorkKind

CONCERN_JOINS = ("person", "organisation", "raised_by", "decided_by", "provider", "provider_location")


def visible_concern(user: User, pk: UUID | str) -> Concern | None:
    """One concern in the user's scope (ConcernQuerySet.visible_to); None, and so a 404, outside it."""
    return Concern.objects.visible_to(user).select_related(*CONCERN_JOINS).filter(pk=pk).first()


def enquiry_of(concern: Concern) -> Enquiry | None:
    return (
        Enquiry.objects.select_related("officer", "concluded_by")
        .prefetch_related(
            Prefetch("strategy_discussions", queryset=StrategyDiscussion.objects.select_related("recorded_by")),
            Prefetch("actions", queryset=EnquiryAction.objects.order_by("due_on", "created_at")),
        )
        .filter(concern=concern)
        .first()
    )


@dataclass(frozen=True)
class ConcernPage:
    concern: Concern
    statuses: list[Any]
    enquiry: Enquiry | None
    shares: list[ConcernShare]


def concern_page(concern: Concern) -> ConcernPage:
    """Everything the concern page shows: the timeline, the enquiry with its discussions and actions, the shares."""
    statuses = list(concern.statuses.select_related("created_by").order_by("created_at"))
    # Current shares only: revoked and ended ones are on the shares page, for the safeguarding team.
    shares = list(
        concern.shares.select_related("organisation")
        .filter(revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
    )
    return ConcernPage(concern=concern, statuses=statuses, enquiry=enquiry_of(concern), shares=shares)


def awaiting_decision() -> QuerySet[Concern]:
    """Concerns waiting for the s42 decision, the ones due soonest first (index concern_awaiting)."""
    return Concern.objects.awaiting_decision().select_related("person").order_by("decision_due_on", "received_at")


def front_door_work_awaiting_concern() -> QuerySet[WorkItem]:
    """Safeguarding work the front door opened that has no concern recorded yet."""
    return (
        WorkItem.objects.open()
        .filter(kind=WorkKind.SAFEGUARDING, safeguarding_concern__isnull=True)
        .select_related("person", "team")
        .order_by("opened_at")
    )


def open_enquiries() -> QuerySet[Enquiry]:
    return Enquiry.objects.open().select_related("concern__person", "officer").order_by("started_on")


# Open enquiries by how long they have been open, in days (upper bound exclusive; None: no limit).
AGE_BANDS: tuple[tuple[str, int | None], ...] = (
    ("Under 4 weeks", 28),
    ("4 to 12 weeks", 84),
    ("12 weeks to 6 months", 183),
    ("Over 6 months", None),
)


@dataclass(frozen=True)
class Dashboard:
    awaiting: int
    overdue: int
    decided_not_started: int
    front_door_waiting: int
    open_by_age: list[tuple[str, int]]


def dashboard(today: date | None = None) -> Dashboard:
    """The tiles: concerns awaiting decision, breaches of the decision timescale, enquiries open by age band."""
    today = today or timezone.localdate()
    started = list(Enquiry.objects.open().values_list("started_on", flat=True))
    counts = dict.fromkeys((label for label, _ in AGE_BANDS), 0)
    for day in started:
        days = (today - day).days
        label = next(name for name, limit in AGE_BANDS if limit is None or days < limit)
        counts[label] += 1
    return Dashboard(
        awaiting=Concern.objects.awaiting_decision().count(),
        overdue=Concern.objects.awaiting_decision().filter(decision_due_on__lt=today).count(),
        decided_not_started=Concern.objects.filter(status="decided").count(),
        front_door_waiting=front_door_work_awaiting_concern().count(),
        open_by_age=list(counts.items()),
    )


@dataclass(frozen=True)
class PersonConcern:
    """A concern as listed on the person's safeguarding page: detail only when the user may see it."""

    concern: Concern
    is_visible: bool


def person_concerns(user: User, person: Person) -> list[PersonConcern]:
    """The person's concerns. Council staff who may not see the detail learn only that a concern exists;
    partners see only the concerns in their scope."""
    visible_ids = set(Concern.objects.visible_to(user).filter(person=person).values_list("pk", flat=True))
    concerns = list(Concern.objects.filter(person=person).order_by("-received_at"))
    if not user.is_council_staff:
        concerns = [c for c in concerns if c.pk in visible_ids]
    return [PersonConcern(concern=c, is_visible=c.pk in visible_ids) for c in concerns]


def api_concerns(user: User) -> QuerySet[Concern]:
    """The API list: every open concern for the safeguarding team; a partner's raised or shared concerns."""
    return (
        Concern.objects.visible_to(user)
        .select_related("person", "organisation")
        .with_history()
        .order_by("-received_at")
    )


def enquiry_officers() -> QuerySet[User]:
    """Council practitioners who may be named enquiry officer."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__role__in=PRACTITIONER_ROLES,
            memberships__team__organisation__is_this_council=True,
        )
        .distinct()
        .order_by("full_name")
    )


def partner_organisations() -> QuerySet[Organisation]:
    return Organisation.objects.filter(is_this_council=False).order_by("name")


def providers() -> QuerySet[Provider]:
    return Provider.objects.order_by("name")


def provider_locations() -> QuerySet[Location]:
    return Location.objects.select_related("provider").order_by("provider__name", "name")


def work_for_concern(pk: UUID | str) -> WorkItem | None:
    """Front-door safeguarding work waiting for its concern to be recorded."""
    return front_door_work_awaiting_concern().filter(pk=pk).first()


# The Safeguarding Adults Collection ----------------------------------------------------------------------


def financial_year_of(day: date) -> int:
    """The SAC year, 1 April to 31 March, named by the year it starts in (2025 is 2025-26)."""
    return day.year if day.month >= 4 else day.year - 1


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 4, 1), date(year + 1, 3, 31)


# SG1 age bands; age is taken at the last day of the period, or at death (SAC guidance, §2.2).
SG1_AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("18-64", 18, 64),
    ("65-74", 65, 74),
    ("75-84", 75, 84),
    ("85-94", 85, 94),
    ("95+", 95, None),
)
AGE_UNKNOWN = "Age unknown"


def sg1_age_band(date_of_birth: date | None, date_of_death: date | None, period_end: date) -> str:
    if date_of_birth is None:
        return AGE_UNKNOWN
    on = min(period_end, date_of_death) if date_of_death else period_end
    years = age_on(date_of_birth, on)
    for label, low, high in SG1_AGE_BANDS:
        if years >= low and (high is None or years <= high):
            return label
    return "Under 18"


@dataclass(frozen=True)
class Table:
    title: str
    headers: list[str]
    rows: list[list[Any]]


@dataclass(frozen=True)
class SacReturn:
    year: int
    sg1: list[Table]
    sg2: list[Table]

    @property
    def label(self) -> str:
        return f"{self.year}-{str(self.year + 1)[-2:]}"

    @property
    def tables(self) -> list[Table]:
        return [*self.sg1, *self.sg2]


def _breakdown(title: str, groups: dict[str, set[Any]], labels: list[str]) -> Table:
    rows = [[label, len(groups.get(label, set()))] for label in labels]
    extra = sorted(set(groups) - set(labels))
    rows.extend([label, len(groups[label])] for label in extra)
    return Table(title=title, headers=["Category", "Individuals"], rows=rows)


def _sg1(year: int) -> list[Table]:
    """SG1: individuals in concerns raised, and in s42 and other enquiries commenced, in the year.

    A person is counted once per table; PSR is the concern's until Person records it (models.PrimarySupportReason).
    """
    start, end = year_bounds(year)
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in Concern.objects.filter(received_at__date__gte=start, received_at__date__lte=end).values(
            "pk",
            "person_id",
            "primary_support_reason",
            "person__date_of_birth",
            "person__date_of_death",
            "person__gender",
            "person__ethnicity",
        )
    ]
    rows += [
        dict(row)
        for row in Concern.objects.filter(enquiry__started_on__gte=start, enquiry__started_on__lte=end).values(
            "pk",
            "person_id",
            "primary_support_reason",
            "person__date_of_birth",
            "person__date_of_death",
            "person__gender",
            "person__ethnicity",
            "enquiry__kind",
            "enquiry__started_on",
            "received_at",
        )
    ]
    groups: dict[str, dict[str, dict[str, set[Any]]]] = {}
    cases: Counter[str] = Counter()
    seen_cases: set[tuple[str, Any]] = set()
    for row in rows:
        if "enquiry__kind" in row:
            group = "s42 enquiries" if row["enquiry__kind"] == Decision.SECTION_42 else "Other enquiries"
        else:
            group = "Concerns"
        if (group, row["pk"]) in seen_cases:
            continue
        seen_cases.add((group, row["pk"]))
        cases[group] += 1
        values = {
            "Age band": sg1_age_band(row["person__date_of_birth"], row["person__date_of_death"], end),
            "Gender": row["person__gender"] or Gender.NOT_KNOWN,
            "Ethnicity": row["person__ethnicity"] or Ethnicity.NOT_KNOWN,
            "Primary support reason": row["primary_support_reason"] or PrimarySupportReason.NOT_KNOWN,
        }
        for dimension, value in values.items():
            groups.setdefault(group, {}).setdefault(dimension, {}).setdefault(value, set()).add(row["person_id"])
    labels = {
        "Age band": [label for label, _, _ in SG1_AGE_BANDS] + [AGE_UNKNOWN],
        "Gender": list(Gender.values),
        "Ethnicity": list(Ethnicity.values),
        "Primary support reason": list(PrimarySupportReason.values),
    }
    tables = []
    for group in ("Concerns", "s42 enquiries", "Other enquiries"):
        for dimension, dimension_labels in labels.items():
            tables.append(
                _breakdown(
                    f"SG1 {group} by {dimension.lower()}", groups.get(group, {}).get(dimension, {}), dimension_labels
                )
            )
    tables.append(
        Table(
            title="SG1 Case counts",
            headers=["Cases", "Count"],
            rows=[
                ["Safeguarding concerns raised", cases["Concerns"]],
                ["Section 42 enquiries commenced", cases["s42 enquiries"]],
                ["Other enquiries commenced", cases["Other enquiries"]],
            ],
        )
    )
    return tables


def _count_table(title: str, counts: Counter[str], labels: list[tuple[str, str]]) -> Table:
    return Table(title=title, headers=["Category", "Enquiries"], rows=[[label, counts[code]] for code, label in labels])


def _sg2(year: int) -> list[Table]:
    """SG2: case details of s42 enquiries concluded in the year; a case counts once in each category that applies."""
    start, end = year_bounds(year)
    rows = Enquiry.objects.filter(kind=Decision.SECTION_42, concluded_on__gte=start, concluded_on__lte=end).values_list(
        "concern__abuse_types",
        "concern__location_of_risk",
        "concern__source_of_risk",
        "risk_finding",
        "action_taken",
        "risk_result",
        "msp_asked",
        "msp_achieved",
        "lacks_capacity",
        "advocate_appointed",
        "supported_by",
    )
    types: Counter[str] = Counter()
    locations: Counter[str] = Counter()
    sources: Counter[str] = Counter()
    findings: Counter[str] = Counter()
    results: Counter[str] = Counter()
    asked: Counter[str] = Counter()
    achieved: Counter[str] = Counter()
    capacity: Counter[str] = Counter()
    for abuse, location, source, finding, action, result, msp_asked, msp_achieved, lacks, advocate, support in rows:
        types.update(set(abuse or []))
        locations[location] += 1
        sources[source] += 1
        findings[f"{finding}:{'action' if action else 'no_action'}"] += 1
        if action and result:
            results[result] += 1
        asked[msp_asked or MSPAsked.NOT_RECORDED] += 1
        if msp_achieved:
            achieved[msp_achieved] += 1
        if lacks:
            capacity["lacked"] += 1
            capacity["supported" if (advocate or support) else "not_supported"] += 1
    finding_labels = [
        (f"{code}:{suffix}", f"{label} and {words}")
        for code, label in RiskFinding.choices
        for suffix, words in (("action", "action taken"), ("no_action", "no action taken"))
        if not (code == RiskFinding.CEASED and suffix == "action")
    ]
    return [
        _count_table("SG2 Type of risk", types, list(AbuseType.choices)),
        _count_table("SG2 Location of risk", locations, list(LocationOfRisk.choices)),
        _count_table("SG2 Source of risk", sources, list(SourceOfRisk.choices)),
        _count_table("SG3 Risk assessment outcome", findings, finding_labels),
        _count_table("SG3 Where action was taken, the risk", results, list(RiskResult.choices)),
        _count_table("SG4 Desired outcomes asked", asked, list(MSPAsked.choices)),
        _count_table("SG4 Expressed outcomes achieved", achieved, list(MSPAchieved.choices)),
        _count_table(
            "SG3a Mental capacity",
            capacity,
            [
                ("lacked", "Lacked capacity"),
                ("supported", "Lacked capacity: supported by an advocate, family member or friend"),
                ("not_supported", "Lacked capacity: not supported"),
            ],
        ),
    ]


def sac_return(year: int) -> SacReturn:
    """The Safeguarding Adults Collection tables for one year, computed from the records (three queries)."""
    return SacReturn(year=year, sg1=_sg1(year), sg2=_sg2(year))


# Shares and their revocation; enquiry plan actions completed by their owners ---------------------------------


def share_history(concern: Concern) -> list[ConcernShare]:
    """Every share of the concern, current, ended and revoked, in the order made: for the safeguarding team."""
    return list(concern.shares.select_related("organisation", "shared_by", "revoked_by").order_by("created_at"))


def share_of(concern: Concern, pk: UUID | str) -> ConcernShare | None:
    """One share of this concern (a share of another concern is None, and so a 404)."""
    return concern.shares.select_related("organisation").filter(pk=pk).first()


def completable_actions(user: User, *, completed: bool | None = None) -> QuerySet[EnquiryAction]:
    """The enquiry plan actions `user` may mark complete (EnquiryActionQuerySet.completable_by), soonest due first.

    `completed` keeps only the done (True) or the outstanding (False) ones.
    """
    actions = EnquiryAction.objects.completable_by(user).select_related("enquiry__concern", "organisation")
    if completed is not None:
        actions = actions.filter(completed_on__isnull=not completed)
    return actions.order_by("due_on", "created_at", "id")


def completable_action(user: User, pk: UUID | str) -> EnquiryAction | None:
    """One action the user may complete; None, and so a 404, for anyone else's."""
    return completable_actions(user).filter(pk=pk).first()
