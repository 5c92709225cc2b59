"""Screen-shaped reads of provider oversight and vacancies.

Provider concerns are about providers, not about one person's record, so council oversight roles read them all
(rules.VIEW_OVERSIGHT decides who). Vacancies are scoped: partners working for a care provider see only their
own provider's locations (vacancy_locations).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from safepathways.accounts.models import Role, TeamKind, User
from safepathways.oversight import rules
from safepathways.oversight.models import (
    ConcernCase,
    Escalation,
    EscalationLevel,
    OversightSettings,
    PlacementSuspension,
    Vacancy,
    VacancyChange,
)
from safepathways.people.models import Person
from safepathways.providers.codes import CQCRating
from safepathways.providers.models import (
    Location,
    Provider,
    ProviderConcern,
    ProviderConcernSource,
    ProviderConcernStatus,
)

UNASSESSED = "unassessed"


def oversight_settings() -> OversightSettings:
    """The settings row, or its defaults if the row is missing."""
    return OversightSettings.objects.filter(pk=1).first() or OversightSettings(pk=1)


def levels() -> QuerySet[EscalationLevel]:
    return EscalationLevel.objects.filter(is_active=True).order_by("order")


# --- the public interface for other apps (continuity) ---------------------------------------------------------------


def suspended_location_ids(today: date) -> set[UUID]:
    """Ids of locations where new placements are suspended on `today`."""
    return set(PlacementSuspension.objects.current(today).values_list("location_id", flat=True))


def available_vacancies(bed_types: Sequence[str] | None = None) -> QuerySet[Vacancy]:
    """Vacancies with at least one place free, at locations with no current suspension, by location name.

    The location and its provider are selected with each vacancy.
    """
    today = timezone.localdate()
    suspended = PlacementSuspension.objects.current(today).filter(location_id=OuterRef("location_id"))
    rows = (
        Vacancy.objects.filter(available__gt=0)
        .exclude(Exists(suspended))
        .select_related("location__provider")
        .order_by("location__name", "bed_type")
    )
    if bed_types:
        rows = rows.filter(bed_type__in=list(bed_types))
    return rows


def current_suspension(location: Location, today: date) -> PlacementSuspension | None:
    return (
        PlacementSuspension.objects.current(today)
        .select_related("decided_by", "concern")
        .filter(location=location)
        .first()
    )


# --- concerns -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConcernFilter:
    level: str = ""  # an EscalationLevel code, or UNASSESSED
    status: str = ProviderConcernStatus.OPEN  # open, closed or "" for all
    provider: str = ""  # a provider's id


def concerns(filters: ConcernFilter) -> QuerySet[ProviderConcern]:
    """Provider concerns, newest first, with provider, location and escalation state selected."""
    rows = ProviderConcern.objects.select_related(
        "provider", "location", "case__level", "case__owner", "raised_by"
    ).annotate(people_count=Count("people"))
    if filters.status in ProviderConcernStatus.values:
        rows = rows.filter(status=filters.status)
    if filters.level == UNASSESSED:
        rows = rows.filter(case__isnull=True)
    elif filters.level:
        rows = rows.filter(case__level__code=filters.level)
    if filters.provider:
        try:
            rows = rows.filter(provider_id=UUID(filters.provider))
        except ValueError:
            rows = rows.none()
    return rows.order_by("-raised_at")


def concern_detail(pk: UUID | str) -> ProviderConcern | None:
    """One concern with its people, escalation history and suspensions."""
    return (
        ProviderConcern.objects.select_related("provider", "location", "raised_by", "case__level", "case__owner")
        .prefetch_related(
            Prefetch("people", queryset=Person.objects.order_by("family_name", "given_name")),
            Prefetch(
                "case__escalations",
                queryset=Escalation.objects.select_related("from_level", "to_level", "owner", "decided_by"),
            ),
            Prefetch(
                "placement_suspensions",
                queryset=PlacementSuspension.objects.select_related("location", "decided_by", "lifted_by"),
            ),
        )
        .filter(pk=pk)
        .first()
    )


def case_of(concern: ProviderConcern) -> ConcernCase | None:
    try:
        return concern.case
    except ConcernCase.DoesNotExist:
        return None


def providers_for_choice() -> QuerySet[Provider]:
    return Provider.objects.order_by("name")


def locations_for_choice() -> QuerySet[Location]:
    return Location.objects.select_related("provider").order_by("name")


def quality_officers() -> QuerySet[User]:
    """Council staff who may own a provider concern: the provider quality team and its officers."""
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(memberships__role=Role.PROVIDER_QUALITY_OFFICER)
            | Q(
                memberships__team__kind=TeamKind.PROVIDER_QUALITY, memberships__team__organisation__is_this_council=True
            )
        )
        .exclude(memberships__role=Role.PARTNER)
        .distinct()
        .order_by("full_name")
    )


def people_by_reference(references: Sequence[str]) -> dict[str, Person]:
    """Council records by reference (upper case); merged records are left out."""
    wanted = {r.strip().upper() for r in references if r.strip()}
    if not wanted:
        return {}
    found = Person.objects.filter(reference__in=wanted, merged_into__isnull=True)
    return {p.reference.upper(): p for p in found}


# --- the dashboard ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelCount:
    code: str
    name: str
    order: int
    count: int


@dataclass(frozen=True)
class Cluster:
    location_id: UUID
    location_name: str
    provider_name: str
    count: int


@dataclass
class Dashboard:
    by_level: list[LevelCount]
    unassessed: int
    overdue: list[ConcernCase]
    overdue_count: int
    ratings: list[tuple[str, str, int]]  # (code, label, count)
    clusters: list[Cluster]
    cluster_threshold: int
    cluster_window_days: int
    suspensions: list[PlacementSuspension] = field(default_factory=list)


OVERDUE_SHOWN = 20


def dashboard(today: date) -> Dashboard:
    """Open concerns by level, overdue reviews, CQC ratings, safeguarding clusters and current suspensions."""
    config = oversight_settings()
    open_concerns = ProviderConcern.objects.open()
    counts = dict(
        open_concerns.filter(case__isnull=False).values_list("case__level_id").annotate(n=Count("id")).order_by()
    )
    by_level = [LevelCount(lv.code, lv.name, lv.order, counts.get(lv.pk, 0)) for lv in levels()]
    unassessed = open_concerns.filter(case__isnull=True).count()
    overdue_rows = ConcernCase.objects.overdue_for_review(today).select_related(
        "concern__provider", "concern__location", "level", "owner"
    )
    overdue = list(overdue_rows.order_by("review_on")[:OVERDUE_SHOWN])
    overdue_count = len(overdue) if len(overdue) < OVERDUE_SHOWN else overdue_rows.count()
    rating_counts = dict(Location.objects.values_list("cqc_rating").annotate(n=Count("id")).order_by())
    ratings = [(code, str(label), rating_counts.get(code, 0)) for code, label in CQCRating.choices]
    since = timezone.now() - timedelta(days=config.cluster_window_days)
    cluster_rows = (
        ProviderConcern.objects.filter(
            source=ProviderConcernSource.SAFEGUARDING_ENQUIRY, raised_at__gte=since, location__isnull=False
        )
        .values("location_id", "location__name", "location__provider__name")
        .annotate(n=Count("id"))
        .filter(n__gte=config.cluster_threshold)
        .order_by("-n", "location__name")
    )
    clusters = [
        Cluster(r["location_id"], r["location__name"], r["location__provider__name"], r["n"]) for r in cluster_rows
    ]
    suspensions = list(
        PlacementSuspension.objects.current(today).select_related("location__provider").order_by("starts_on")
    )
    return Dashboard(
        by_level=by_level,
        unassessed=unassessed,
        overdue=overdue,
        overdue_count=overdue_count,
        ratings=ratings,
        clusters=clusters,
        cluster_threshold=config.cluster_threshold,
        cluster_window_days=config.cluster_window_days,
        suspensions=suspensions,
    )


# --- locations and vacancies --------------------------------------------------------------------------------------


def location_detail(pk: UUID | str) -> Location | None:
    """A location with its provider, vacancies, suspensions and concerns, for the oversight location page."""
    return (
        Location.objects.select_related("provider")
        .prefetch_related(
            Prefetch("vacancies", queryset=Vacancy.objects.select_related("updated_by").order_by("bed_type")),
            Prefetch(
                "placement_suspensions",
                queryset=PlacementSuspension.objects.select_related("decided_by", "lifted_by", "concern"),
            ),
            Prefetch("concerns", queryset=ProviderConcern.objects.select_related("case__level").order_by("-raised_at")),
        )
        .filter(pk=pk)
        .first()
    )


def vacancy_locations(user: User) -> QuerySet[Location]:
    """The locations whose vacancies `user` may see and (with the permission) update.

    Council oversight roles: every location. A partner working for a care provider: that provider's locations.
    Anyone else: none.
    """
    if user.has_perm(rules.VIEW_OVERSIGHT):
        return Location.objects.all()
    if user.has_perm(rules.VIEW_VACANCIES):
        return Location.objects.filter(provider__organisation_id__in=user.organisation_ids)
    return Location.objects.none()


@dataclass(frozen=True)
class VacancyFilter:
    bed_type: str = ""  # only locations with a vacancy of this type
    name: str = ""  # location or provider name contains
    available_only: bool = False


def vacancy_board(user: User, filters: VacancyFilter) -> QuerySet[Location]:
    """Locations in the user's scope with their vacancy figures prefetched, by name."""
    rows = vacancy_locations(user).select_related("provider")
    wanted = Vacancy.objects.filter(location_id=OuterRef("pk"))
    if filters.bed_type:
        wanted = wanted.filter(bed_type=filters.bed_type)
    if filters.available_only:
        wanted = wanted.filter(available__gt=0)
    if filters.bed_type or filters.available_only:
        rows = rows.filter(Exists(wanted))
    if filters.name.strip():
        text = filters.name.strip()
        rows = rows.filter(Q(name__icontains=text) | Q(provider__name__icontains=text))
    return rows.prefetch_related(Prefetch("vacancies", queryset=Vacancy.objects.order_by("bed_type"))).order_by(
        "name", "pk"
    )


def scoped_location(user: User, pk: UUID | str) -> Location | None:
    return vacancy_locations(user).select_related("provider").filter(pk=pk).first()


def scoped_location_by_cqc_id(user: User, cqc_location_id: str) -> Location | None:
    return (
        vacancy_locations(user)
        .select_related("provider")
        .filter(cqc_location_id=cqc_location_id)
        .order_by("name")
        .first()
    )


def vacancies_for_api(user: User, bed_type: str = "") -> QuerySet[Vacancy]:
    """Vacancy figures in the user's scope, with location and provider selected."""
    rows = Vacancy.objects.filter(location__in=vacancy_locations(user)).select_related(
        "location__provider", "updated_by"
    )
    if bed_type:
        rows = rows.filter(bed_type=bed_type)
    return rows.order_by("location__name", "bed_type", "pk")


def vacancy_history(location: Location, limit: int = 30) -> list[VacancyChange]:
    return list(
        VacancyChange.objects.filter(vacancy__location=location)
        .select_related("vacancy", "by")
        .order_by("-created_at")[:limit]
    )


def locations_by_cqc_id(cqc_ids: Sequence[str]) -> dict[str, list[Location]]:
    found: dict[str, list[Location]] = {}
    for location in Location.objects.filter(cqc_location_id__in=list(set(cqc_ids))).select_related("provider"):
        found.setdefault(location.cqc_location_id, []).append(location)
    return found
