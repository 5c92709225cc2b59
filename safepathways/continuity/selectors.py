"""Screen-shaped reads for incidents, placement matching, the protocol's flow chart and emergency mode."""

import heapq
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from safepathways.continuity.models import (
    AffectedPerson,
    ContinuityPlan,
    CriticalActivity,
    EmergencyMode,
    Incident,
    IncidentKind,
    IncidentStep,
    PostcodeDistrict,
    ProtocolStep,
)
from safepathways.oversight import selectors as oversight_selectors
from safepathways.oversight.models import BedType
from safepathways.people.models import Alert, Contact, Person, Risk
from safepathways.providers.models import Location

# Matching: beds a person may take for the placement they need (a dementia nursing bed also meets a dementia
# residential need; respite can be in a residential bed). Local practice, kept here in one place.
COMPATIBLE_BEDS: dict[str, tuple[str, ...]] = {
    BedType.RESIDENTIAL: (BedType.RESIDENTIAL,),
    BedType.NURSING: (BedType.NURSING,),
    BedType.DEMENTIA_RESIDENTIAL: (BedType.DEMENTIA_RESIDENTIAL, BedType.DEMENTIA_NURSING),
    BedType.DEMENTIA_NURSING: (BedType.DEMENTIA_NURSING,),
    BedType.BARIATRIC: (BedType.BARIATRIC,),
    BedType.RESPITE: (BedType.RESPITE, BedType.RESIDENTIAL),
    BedType.HOME_CARE_HOURS: (BedType.HOME_CARE_HOURS,),
}
# The ranking: kilometres from the family (or home) plus a penalty, in kilometres, for the provider's CQC rating.
# Locations rated inadequate are not offered. The weights are a starting point for a council to tune.
QUALITY_PENALTY_KM = {"outstanding": 0.0, "good": 1.0, "not_rated": 3.0, "requires_improvement": 6.0}
UNKNOWN_DISTANCE_KM = 25.0
OPTIONS_PER_PERSON = 3


def district_of(postcode: str) -> str:
    text = (postcode or "").strip().upper()
    return text.split()[0] if " " in text else text[:-3]


def _km(a: tuple[float, float] | None, b: tuple[float, float] | None) -> float | None:
    """Great-circle distance (haversine) between two (latitude, longitude) points."""
    if a is None or b is None:
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(h))


@dataclass(frozen=True)
class _Bed:
    location_id: UUID
    bed_type: str
    available: int
    updated_at: datetime
    name: str
    postcode: str
    rating: str
    provider: str


@dataclass(frozen=True)
class Option:
    location_id: UUID
    location_name: str
    provider_name: str
    postcode: str
    bed_type: str
    available: int
    rating: str
    distance_km: float | None
    updated_at: datetime
    score: float


def placement_options(
    incident: Incident, people: Iterable[AffectedPerson], limit: int = OPTIONS_PER_PERSON
) -> dict[UUID, list[Option]]:
    """Ranked placements from current vacancies for each person still without an outcome.

    One query for the vacancies and one for the postcode centres; the ranking for each (bed type, district) pair is
    computed once and shared by everyone from that district, so a 120-bed home costs a few rankings, not 120.
    """
    waiting = [p for p in people if not p.outcome and p.bed_type]
    if not waiting:
        return {}
    needed = {bed for p in waiting for bed in COMPATIBLE_BEDS.get(p.bed_type, (p.bed_type,))}
    excluded: set[UUID] = set()
    if incident.location_id is not None:
        excluded.add(incident.location_id)
    failed_provider = incident.provider_id if incident.kind == IncidentKind.BUSINESS_FAILURE else None
    # Plain rows, not model instances: a county has a few thousand vacancy figures and only three options per
    # person are shown.
    vacancies = oversight_selectors.available_vacancies(sorted(needed)).values_list(
        "location_id",
        "bed_type",
        "available",
        "updated_at",
        "location__name",
        "location__postcode",
        "location__cqc_rating",
        "location__provider_id",
        "location__provider__name",
    )
    centres = {
        d: (lat, lon) for d, lat, lon in PostcodeDistrict.objects.values_list("district", "latitude", "longitude")
    }
    by_bed: dict[str, list[tuple[_Bed, tuple[float, float] | None]]] = {}
    for location_id, bed_type, available, updated_at, name, postcode, rating, provider_id, provider in vacancies:
        if location_id in excluded or provider_id == failed_provider or rating == "inadequate":
            continue
        bed = _Bed(location_id, bed_type, available, updated_at, name, postcode, rating or "not_rated", provider)
        by_bed.setdefault(bed_type, []).append((bed, centres.get(district_of(postcode))))
    ranked: dict[tuple[str, str], list[Option]] = {}
    result: dict[UUID, list[Option]] = {}
    for person in waiting:
        anchor = district_of(person.family_postcode or person.home_postcode)
        key = (person.bed_type, anchor)
        if key not in ranked:
            origin = centres.get(anchor)
            scored = []
            for bed_type in COMPATIBLE_BEDS.get(person.bed_type, (person.bed_type,)):
                for bed, where in by_bed.get(bed_type, []):
                    distance = _km(origin, where)
                    score = (distance if distance is not None else UNKNOWN_DISTANCE_KM) + QUALITY_PENALTY_KM.get(
                        bed.rating, QUALITY_PENALTY_KM["not_rated"]
                    )
                    scored.append((score, -bed.available, bed.name, distance, bed))
            ranked[key] = [
                Option(
                    location_id=bed.location_id,
                    location_name=bed.name,
                    provider_name=bed.provider,
                    postcode=bed.postcode,
                    bed_type=bed.bed_type,
                    available=bed.available,
                    rating=bed.rating,
                    distance_km=round(distance, 1) if distance is not None else None,
                    updated_at=bed.updated_at,
                    score=score,
                )
                for score, _, _, distance, bed in heapq.nsmallest(limit, scored, key=lambda row: row[:3])
            ]
        result[person.pk] = ranked[key]
    return result


# --- Incidents ---------------------------------------------------------------------------------------------------


def incidents(status: str = "open") -> QuerySet[Incident]:
    rows = Incident.objects.select_related("location", "provider", "lead").annotate(
        affected_count=Count("affected", distinct=True),
        waiting_count=Count("affected", filter=Q(affected__outcome=""), distinct=True),
    )
    if status in ("open", "closed"):
        rows = rows.filter(status=status)
    return rows.order_by("-started_at")


@dataclass
class AffectedRow:
    affected: AffectedPerson
    alerts: list[str] = field(default_factory=list)
    open_risks: int = 0
    steps: list[IncidentStep] = field(default_factory=list)
    options: list[Option] = field(default_factory=list)


@dataclass
class IncidentPage:
    incident: Incident
    steps: list[IncidentStep]
    rows: list[AffectedRow]
    waiting: int


def incident(pk: UUID | str) -> Incident | None:
    return (
        Incident.objects.select_related("location", "location__provider", "provider", "lead", "closed_by")
        .filter(pk=pk)
        .first()
    )


def incident_page(found: Incident, *, with_options: bool = True) -> IncidentPage:
    """Everyone affected with needs, risks, alerts and next of kin, the steps and, for those still waiting, options."""
    affected = list(
        AffectedPerson.objects.filter(incident=found)
        .select_related("person", "reserved_location")
        .prefetch_related(
            Prefetch("steps", queryset=IncidentStep.objects.order_by("order")),
            Prefetch("person__alerts", queryset=Alert.objects.active(), to_attr="active_alerts"),
        )
        .annotate(open_risks=Count("person__risks", filter=Q(person__risks__closed_at__isnull=True)))
    )
    steps = list(
        IncidentStep.objects.filter(incident=found, affected__isnull=True).select_related("done_by").order_by("order")
    )
    options = placement_options(found, affected) if with_options and found.is_open else {}
    rows = [
        AffectedRow(
            affected=a,
            alerts=[alert.get_kind_display() for alert in getattr(a.person, "active_alerts", [])] if a.person else [],
            open_risks=getattr(a, "open_risks", 0) or 0,
            steps=list(a.steps.all()),
            options=options.get(a.pk, []),
        )
        for a in affected
    ]
    return IncidentPage(found, steps, rows, sum(1 for a in affected if not a.outcome))


def affected_person(pk: UUID | str) -> AffectedPerson | None:
    return (
        AffectedPerson.objects.select_related(
            "incident", "incident__location", "person", "reserved_location", "transition_plan"
        )
        .prefetch_related(Prefetch("steps", queryset=IncidentStep.objects.order_by("order")))
        .filter(pk=pk)
        .first()
    )


def location(pk: UUID | str) -> Location | None:
    return Location.objects.select_related("provider").filter(pk=pk).first()


def step(pk: UUID | str) -> IncidentStep | None:
    return IncidentStep.objects.select_related("incident", "affected").filter(pk=pk).first()


# --- The protocol as a flow chart -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Box:
    step: ProtocolStep
    x: int
    y: int


@dataclass(frozen=True)
class Arrow:
    x1: int
    y1: int
    x2: int
    y2: int


@dataclass
class FlowChart:
    boxes: list[Box]
    arrows: list[Arrow]
    width: int
    height: int


BOX_W, BOX_H, GAP_X, GAP_Y = 230, 70, 30, 50


def flow_chart(steps: list[ProtocolStep] | None = None) -> FlowChart:
    """Lay the active steps out in rows by how many steps come before them; arrows run from each step's `after`."""
    steps = steps if steps is not None else list(ProtocolStep.objects.filter(is_active=True).order_by("order"))
    by_code = {s.code: s for s in steps}
    depth: dict[str, int] = {}

    def depth_of(code: str, seen: frozenset[str] = frozenset()) -> int:
        if code in depth:
            return depth[code]
        parent = by_code[code].after_id
        value = 0 if not parent or parent not in by_code or parent in seen else depth_of(parent, seen | {code}) + 1
        depth[code] = value
        return value

    rows: dict[int, list[ProtocolStep]] = {}
    for s in steps:
        rows.setdefault(depth_of(s.code), []).append(s)
    widest = max((len(r) for r in rows.values()), default=1)
    width = widest * (BOX_W + GAP_X) + GAP_X
    boxes: dict[str, Box] = {}
    for level, row in sorted(rows.items()):
        offset = (width - len(row) * (BOX_W + GAP_X) + GAP_X) // 2
        for index, s in enumerate(row):
            boxes[s.code] = Box(s, offset + index * (BOX_W + GAP_X), GAP_Y // 2 + level * (BOX_H + GAP_Y))
    arrows = [
        Arrow(
            boxes[s.after_id].x + BOX_W // 2,
            boxes[s.after_id].y + BOX_H,
            boxes[s.code].x + BOX_W // 2,
            boxes[s.code].y,
        )
        for s in steps
        if s.after_id in boxes
    ]
    height = (max(rows, default=0) + 1) * (BOX_H + GAP_Y)
    return FlowChart(list(boxes.values()), arrows, width, height)


def protocol_steps() -> list[ProtocolStep]:
    return list(ProtocolStep.objects.select_related("after").order_by("order", "code"))


# --- Business continuity and emergency mode ------------------------------------------------------------------


def continuity_plans() -> QuerySet[ContinuityPlan]:
    return (
        ContinuityPlan.objects.select_related("team", "owner")
        .annotate(
            scenario_count=Count("scenarios", distinct=True), activity_count=Count("critical_activities", distinct=True)
        )
        .order_by("team__name", "service")
    )


def continuity_plan(pk: UUID | str) -> ContinuityPlan | None:
    return (
        ContinuityPlan.objects.select_related("team", "owner")
        .prefetch_related("scenarios", "critical_activities")
        .filter(pk=pk)
        .first()
    )


def active_emergency() -> EmergencyMode | None:
    return EmergencyMode.objects.select_related("declared_by").filter(is_active=True).first()


def critical_activities() -> list[CriticalActivity]:
    return list(
        CriticalActivity.objects.select_related("plan", "plan__team").order_by(
            "priority", "max_downtime_hours", "activity"
        )
    )


AT_RISK_LIMIT = 500


def people_most_at_risk(team_id: UUID | None, today: date, limit: int = AT_RISK_LIMIT) -> list[Person]:
    """People with an active alert or an open high risk (likelihood × impact ≥ 15, the matrix's red), most alerts
    first; for one team, those it works with (a current service or open work)."""
    high_risk = Risk.objects.open().filter(person=OuterRef("pk")).extra(where=["likelihood * impact >= 15"])
    rows = Person.objects.filter(date_of_death__isnull=True, merged_into__isnull=True).filter(
        Exists(Alert.objects.active().filter(person=OuterRef("pk"))) | Exists(high_risk)
    )
    if team_id is not None:
        rows = rows.filter(
            Q(services__team_id=team_id, services__start_on__lte=today)
            & (Q(services__end_on__isnull=True) | Q(services__end_on__gte=today))
            | Q(work_items__team_id=team_id, work_items__closed_at__isnull=True)
        )
    return list(
        rows.distinct()
        .annotate(alert_count=Count("alerts", filter=Q(alerts__ended_at__isnull=True), distinct=True))
        .prefetch_related(
            Prefetch("alerts", queryset=Alert.objects.active(), to_attr="active_alerts"),
            Prefetch(
                "contacts",
                queryset=Contact.objects.filter(ended_at__isnull=True, is_main_contact=True),
                to_attr="main_contacts",
            ),
        )
        .order_by("-alert_count", "family_name", "given_name")[:limit]
    )
