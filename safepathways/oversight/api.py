"""Provider concerns and vacancies through the REST API, over the same services and selectors as the web pages.

Council oversight roles list and read concerns; anyone council staff or partner may raise one (a partner's is
recorded as coming from a partner organisation); the provider quality team escalates. Providers' own systems
read and update the vacancies of their locations only (PUT by CQC location ID and type).
"""

from typing import Any
from uuid import UUID

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from safepathways.accounts.models import User
from safepathways.core.api import Pagination
from safepathways.oversight import rules, selectors, services
from safepathways.oversight.models import BedType, Escalation, Vacancy, VacancySource
from safepathways.providers.codes import ProviderConcernCategory
from safepathways.providers.models import Location, ProviderConcern, ProviderConcernSource, ProviderConcernStatus

ERROR = inline_serializer(
    "OversightError",
    fields={
        "detail": serializers.CharField(),
        "errors": serializers.ListField(
            child=inline_serializer(
                "OversightFieldError", fields={"field": serializers.CharField(), "message": serializers.CharField()}
            )
        ),
    },
)


def _require(request: Request, perm: str) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.has_perm(perm):
        raise PermissionDenied("Your role does not allow this")
    return user


class EscalationSerializer(serializers.ModelSerializer[Escalation]):
    from_level = serializers.CharField(source="from_level.code", read_only=True, default=None)
    to_level = serializers.CharField(source="to_level.code", read_only=True)
    owner = serializers.EmailField(source="owner.email", read_only=True)
    decided_by = serializers.EmailField(source="decided_by.email", read_only=True)

    class Meta:
        model = Escalation
        fields = [
            "kind",
            "from_level",
            "to_level",
            "reason",
            "actions_agreed",
            "owner",
            "review_on",
            "decided_by",
            "decided_at",
        ]


def _case_field(concern: ProviderConcern, name: str) -> Any:
    case = selectors.case_of(concern)
    if case is None:
        return None
    if name == "level":
        return case.level.code
    if name == "owner":
        return case.owner.email
    return case.review_on


class ConcernSummarySerializer(serializers.ModelSerializer[ProviderConcern]):
    provider = serializers.UUIDField(source="provider_id", read_only=True)
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    location = serializers.UUIDField(source="location_id", read_only=True, allow_null=True)
    location_name = serializers.CharField(source="location.name", read_only=True, default=None)
    level = serializers.SerializerMethodField(help_text="EscalationLevel code; null until assessed")
    owner = serializers.SerializerMethodField()
    review_on = serializers.SerializerMethodField()

    class Meta:
        model = ProviderConcern
        fields = [
            "id",
            "provider",
            "provider_name",
            "location",
            "location_name",
            "source",
            "category",
            "status",
            "raised_at",
            "level",
            "owner",
            "review_on",
        ]

    def get_level(self, obj: ProviderConcern) -> str | None:
        value: str | None = _case_field(obj, "level")
        return value

    def get_owner(self, obj: ProviderConcern) -> str | None:
        value: str | None = _case_field(obj, "owner")
        return value

    def get_review_on(self, obj: ProviderConcern) -> str | None:
        value = _case_field(obj, "review_on")
        return value.isoformat() if value else None


class ConcernSerializer(ConcernSummarySerializer):
    summary = serializers.CharField(read_only=True)
    people = serializers.SerializerMethodField(help_text="Council references of the people affected")
    history = serializers.SerializerMethodField()

    class Meta(ConcernSummarySerializer.Meta):
        fields = [*ConcernSummarySerializer.Meta.fields, "summary", "people", "history"]

    def get_people(self, obj: ProviderConcern) -> list[str]:
        return [p.reference for p in obj.people.all()]

    def get_history(self, obj: ProviderConcern) -> list[dict[str, Any]]:
        case = selectors.case_of(obj)
        return list(EscalationSerializer(case.escalations.all(), many=True).data) if case else []


class ProviderConcernInputSerializer(serializers.Serializer[dict[str, Any]]):
    provider = serializers.UUIDField()
    location = serializers.UUIDField(required=False, allow_null=True, default=None)
    source = serializers.ChoiceField(  # type: ignore[assignment]  # a declared field, not Field.source
        choices=ProviderConcernSource.choices,
        required=False,
        default=ProviderConcernSource.STAFF,
        help_text="Council staff only; a partner's concern is always recorded as from a partner",
    )
    category = serializers.ChoiceField(choices=ProviderConcernCategory.choices, required=False, default="")
    summary = serializers.CharField()
    people = serializers.ListField(
        child=serializers.CharField(), required=False, default=list, help_text="Council references, e.g. SP0001234"
    )


class EscalationInputSerializer(serializers.Serializer[dict[str, Any]]):
    level = serializers.SlugField(help_text="An EscalationLevel code, e.g. provider_concerns_meeting")
    reason = serializers.CharField()
    actions_agreed = serializers.CharField(required=False, allow_blank=True, default="")
    owner = serializers.EmailField(required=False, help_text="Defaults to you")
    review_on = serializers.DateField(required=False, allow_null=True, default=None)
    suspend_placements = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="null: as the level says"
    )


class VacancySerializer(serializers.ModelSerializer[Vacancy]):
    location = serializers.UUIDField(source="location_id", read_only=True)
    location_name = serializers.CharField(source="location.name", read_only=True)
    location_cqc_id = serializers.CharField(source="location.cqc_location_id", read_only=True)
    provider_name = serializers.CharField(source="location.provider.name", read_only=True)
    registered_places = serializers.IntegerField(source="location.registered_places", read_only=True)
    placements_suspended = serializers.SerializerMethodField()

    class Meta:
        model = Vacancy
        fields = [
            "location",
            "location_name",
            "location_cqc_id",
            "provider_name",
            "registered_places",
            "bed_type",
            "available",
            "source",
            "updated_at",
            "placements_suspended",
        ]

    def get_placements_suspended(self, obj: Vacancy) -> bool:
        suspended: set[UUID] = self.context.get("suspended", set())
        return obj.location_id in suspended


class VacancyInputSerializer(serializers.Serializer[dict[str, Any]]):
    available = serializers.IntegerField(help_text="Places free and accepting admissions (home care: hours a week)")
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


def _concern_detail(pk: UUID) -> ProviderConcern:
    concern = selectors.concern_detail(pk)
    if concern is None:
        raise Http404
    return concern


class ConcernListCreateApi(APIView):
    """Provider concerns (oversight roles); or raise one (council staff and partners)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("level", str, description="A level code, or 'unassessed'"),
            OpenApiParameter("status", str, enum=["open", "closed", "all"]),
            OpenApiParameter("provider", str, description="A provider's id"),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses={200: ConcernSummarySerializer(many=True), 401: ERROR, 403: ERROR},
    )
    def get(self, request: Request) -> Response:
        _require(request, rules.VIEW_OVERSIGHT)
        status_filter = request.query_params.get("status", ProviderConcernStatus.OPEN)
        filters = selectors.ConcernFilter(
            level=request.query_params.get("level", ""),
            status="" if status_filter == "all" else status_filter,
            provider=request.query_params.get("provider", ""),
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.concerns(filters), request, view=self)
        return paginator.get_paginated_response(ConcernSummarySerializer(page, many=True).data)

    @extend_schema(
        request=ProviderConcernInputSerializer,
        responses={201: ConcernSummarySerializer, 400: ERROR, 401: ERROR, 403: ERROR},
    )
    def post(self, request: Request) -> Response:
        user = _require(request, rules.RAISE_CONCERN)
        serializer = ProviderConcernInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        provider = selectors.providers_for_choice().filter(pk=data["provider"]).first()
        if provider is None:
            raise serializers.ValidationError({"provider": "No provider has this id"})
        location: Location | None = None
        if data["location"]:
            location = selectors.locations_for_choice().filter(pk=data["location"]).first()
            if location is None:
                raise serializers.ValidationError({"location": "No location has this id"})
        found = selectors.people_by_reference(data["people"])
        missing = [r for r in data["people"] if r.strip().upper() not in found]
        if missing:
            raise serializers.ValidationError({"people": f"No council record has the reference {', '.join(missing)}"})
        concern = services.raise_concern(
            provider=provider,
            location=location,
            source=data["source"] if user.is_council_staff else ProviderConcernSource.PARTNER,
            category=data["category"],
            summary=data["summary"],
            people=list(found.values()),
            by=user,
        )
        return Response(ConcernSummarySerializer(concern).data, status=status.HTTP_201_CREATED)


class ConcernDetailApi(APIView):
    """One provider concern with its people (references) and escalation history."""

    @extend_schema(responses={200: ConcernSerializer, 401: ERROR, 403: ERROR, 404: ERROR})
    def get(self, request: Request, pk: UUID) -> Response:
        _require(request, rules.VIEW_OVERSIGHT)
        return Response(ConcernSerializer(_concern_detail(pk)).data)


class EscalationCreateApi(APIView):
    """Set, raise, lower or review a concern's level (provider quality team)."""

    @extend_schema(
        request=EscalationInputSerializer,
        responses={201: ConcernSerializer, 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR},
    )
    def post(self, request: Request, pk: UUID) -> Response:
        user = _require(request, rules.MANAGE_CONCERNS)
        concern = _concern_detail(pk)
        serializer = EscalationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        level = selectors.levels().filter(code=data["level"]).first()
        if level is None:
            raise serializers.ValidationError({"level": "No level in use has this code"})
        owner = user
        if data.get("owner"):
            found = selectors.quality_officers().filter(email=data["owner"].lower()).first()
            if found is None:
                raise serializers.ValidationError({"owner": "Nobody in the provider quality team has this email"})
            owner = found
        services.escalate_concern(
            concern=concern,
            level=level,
            reason=data["reason"],
            owner=owner,
            review_on=data["review_on"],
            actions_agreed=data["actions_agreed"],
            suspend_placements=data["suspend_placements"],
            by=user,
        )
        return Response(ConcernSerializer(_concern_detail(pk)).data, status=status.HTTP_201_CREATED)


class VacancyListApi(APIView):
    """Vacancy figures (partners: their own locations), by location name; each says when it was last updated."""

    @extend_schema(
        parameters=[
            OpenApiParameter("bed_type", str, enum=BedType.values),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses={200: VacancySerializer(many=True), 401: ERROR, 403: ERROR},
    )
    def get(self, request: Request) -> Response:
        user = _require(request, rules.VIEW_VACANCIES)
        bed_type = request.query_params.get("bed_type", "")
        if bed_type and bed_type not in BedType.values:
            raise serializers.ValidationError({"bed_type": f"One of: {', '.join(BedType.values)}"})
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.vacancies_for_api(user, bed_type), request, view=self)
        context = {"suspended": selectors.suspended_location_ids(timezone.localdate())}
        return paginator.get_paginated_response(VacancySerializer(page, many=True, context=context).data)


class VacancyUpdateApi(APIView):
    """Set the vacancies of one type at one location, found by its CQC location ID (partners: own locations)."""

    @extend_schema(
        request=VacancyInputSerializer,
        parameters=[OpenApiParameter("bed_type", str, OpenApiParameter.PATH, enum=BedType.values)],
        responses={200: VacancySerializer, 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR},
    )
    def put(self, request: Request, cqc_location_id: str, bed_type: str) -> Response:
        user = _require(request, rules.UPDATE_VACANCIES)
        location = selectors.scoped_location_by_cqc_id(user, cqc_location_id)
        if location is None or bed_type not in BedType.values:
            raise Http404
        serializer = VacancyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        vacancy = services.record_vacancy(
            location=location,
            bed_type=bed_type,
            available=serializer.validated_data["available"],
            by=user,
            source=VacancySource.STAFF if user.is_council_staff else VacancySource.API,
            reason=serializer.validated_data["reason"],
        )
        context = {"suspended": selectors.suspended_location_ids(timezone.localdate())}
        return Response(VacancySerializer(vacancy, context=context).data)
