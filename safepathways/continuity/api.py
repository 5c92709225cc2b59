"""Incidents through the REST API (council staff only): open one, read it, list everyone affected with their
placement options, confirm an outcome. The same services and selectors as the pages."""

from typing import Any
from uuid import UUID

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from safepathways.accounts.models import User
from safepathways.audit import services as audit
from safepathways.audit.models import AccessBasis, AccessKind
from safepathways.continuity import rules, selectors, services
from safepathways.continuity.models import AffectedPerson, Incident, IncidentKind, IncidentStep, Outcome
from safepathways.core.api import Pagination
from safepathways.providers.models import Location

ERROR = inline_serializer(
    "ContinuityError",
    fields={
        "detail": serializers.CharField(),
        "errors": serializers.ListField(
            child=inline_serializer(
                "ContinuityFieldError", fields={"field": serializers.CharField(), "message": serializers.CharField()}
            )
        ),
    },
)


def _require(request: Request, perm: str) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.has_perm(perm) or not user.is_council_staff:
        raise PermissionDenied("Your role does not allow this")
    return user


class IncidentStepSerializer(serializers.ModelSerializer[IncidentStep]):
    class Meta:
        model = IncidentStep
        fields = ["id", "code", "title", "owner_role", "due_at", "done_at", "note"]


class IncidentSerializer(serializers.ModelSerializer[Incident]):
    location = serializers.CharField(source="location.cqc_location_id", read_only=True, default="")
    lead = serializers.CharField(source="lead.email", read_only=True)
    kind = serializers.CharField(read_only=True, help_text="One of: " + ", ".join(IncidentKind.values))
    status = serializers.CharField(read_only=True, help_text="open or closed")

    class Meta:
        model = Incident
        fields = [
            "id",
            "reference",
            "kind",
            "title",
            "what_happened",
            "location",
            "area",
            "started_at",
            "status",
            "lead",
            "closed_at",
        ]


class IncidentDetailSerializer(IncidentSerializer):
    steps = serializers.SerializerMethodField()

    class Meta(IncidentSerializer.Meta):
        fields = [*IncidentSerializer.Meta.fields, "steps"]

    @extend_schema_field(IncidentStepSerializer(many=True))
    def get_steps(self, instance: Incident) -> list[dict[str, Any]]:
        return list(IncidentStepSerializer(self.context["steps"], many=True).data)


class OptionSerializer(serializers.Serializer[Any]):
    location_id = serializers.UUIDField()
    location_name = serializers.CharField()
    bed_type = serializers.CharField()
    available = serializers.IntegerField()
    rating = serializers.CharField()
    distance_km = serializers.FloatField(allow_null=True)


class AffectedSerializer(serializers.ModelSerializer[AffectedPerson]):
    person = serializers.UUIDField(source="person_id", read_only=True, allow_null=True)
    outcome = serializers.CharField(
        read_only=True, help_text="Blank until confirmed; then one of: " + ", ".join(Outcome.values)
    )
    options = serializers.SerializerMethodField()

    class Meta:
        model = AffectedPerson
        fields = [
            "id", "person", "name", "date_of_birth", "funding", "funding_council", "needs", "bed_type", "next_of_kin",
            "status_note", "outcome", "outcome_detail", "outcome_confirmed_at", "options",
        ]  # fmt: skip

    @extend_schema_field(OptionSerializer(many=True))
    def get_options(self, instance: AffectedPerson) -> list[dict[str, Any]]:
        options = self.context.get("options", {}).get(instance.pk, [])
        return list(OptionSerializer(options, many=True).data)


class IncidentInputSerializer(serializers.Serializer[dict[str, Any]]):
    kind = serializers.ChoiceField(choices=IncidentKind.choices)
    title = serializers.CharField(max_length=200)
    what_happened = serializers.CharField()
    location = serializers.CharField(required=False, allow_blank=True, help_text="The location's CQC location ID")
    area = serializers.CharField(required=False, allow_blank=True, max_length=200)
    started_at = serializers.DateTimeField()


class IncidentOutcomeInputSerializer(serializers.Serializer[dict[str, Any]]):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    detail = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


def _incident(pk: UUID) -> Incident:
    found = selectors.incident(pk)
    if found is None:
        raise Http404
    return found


class IncidentListCreateApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=["open", "closed", "all"]), OpenApiParameter("page", int)],
        responses={200: IncidentSerializer(many=True), 401: ERROR, 403: ERROR},
    )
    def get(self, request: Request) -> Response:
        _require(request, rules.VIEW_INCIDENTS)
        paginator = Pagination()
        page = paginator.paginate_queryset(
            selectors.incidents(request.query_params.get("status", "open")), request, view=self
        )
        return paginator.get_paginated_response(IncidentSerializer(page, many=True).data)

    @extend_schema(
        request=IncidentInputSerializer, responses={201: IncidentDetailSerializer, 400: ERROR, 401: ERROR, 403: ERROR}
    )
    def post(self, request: Request) -> Response:
        user = _require(request, rules.OPEN_INCIDENT)
        serializer = IncidentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        location = None
        if data.get("location"):
            location = Location.objects.select_related("provider").filter(cqc_location_id=data["location"]).first()
            if location is None:
                raise serializers.ValidationError({"location": "No location has this CQC location ID"})
        incident = services.open_incident(
            kind=data["kind"],
            title=data["title"],
            what_happened=data["what_happened"],
            started_at=data["started_at"],
            lead=user,
            by=user,
            provider=location.provider if location else None,
            location=location,
            area=data.get("area", ""),
        )
        page = selectors.incident_page(incident, with_options=False)
        return Response(
            IncidentDetailSerializer(incident, context={"steps": page.steps}).data, status=status.HTTP_201_CREATED
        )


class IncidentDetailApi(APIView):
    @extend_schema(responses={200: IncidentDetailSerializer, 401: ERROR, 403: ERROR, 404: ERROR})
    def get(self, request: Request, pk: UUID) -> Response:
        _require(request, rules.VIEW_INCIDENTS)
        incident = _incident(pk)
        page = selectors.incident_page(incident, with_options=False)
        return Response(IncidentDetailSerializer(incident, context={"steps": page.steps}).data)


class AffectedListApi(APIView):
    """Everyone affected by the incident, with ranked placement options for those still waiting."""

    @extend_schema(responses={200: AffectedSerializer(many=True), 401: ERROR, 403: ERROR, 404: ERROR})
    def get(self, request: Request, pk: UUID) -> Response:
        user = _require(request, rules.VIEW_INCIDENTS)
        incident = _incident(pk)
        page = selectors.incident_page(incident)
        people = [row.affected for row in page.rows]
        person_ids = [a.person_id for a in people if a.person_id]
        if person_ids:
            audit.record_accesses(
                user=user,
                person_ids=person_ids,
                what=f"GET {request.path}",
                basis=AccessBasis.INCIDENT,
                kind=AccessKind.API,
            )
        options = {row.affected.pk: row.options for row in page.rows}
        return Response(AffectedSerializer(people, many=True, context={"options": options}).data)


class OutcomeApi(APIView):
    @extend_schema(
        request=IncidentOutcomeInputSerializer,
        responses={200: AffectedSerializer, 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR},
    )
    def post(self, request: Request, pk: UUID) -> Response:
        user = _require(request, rules.RECORD_INCIDENT_WORK)
        affected = selectors.affected_person(pk)
        if affected is None:
            raise Http404
        serializer = IncidentOutcomeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        done = services.record_outcome(affected=affected, by=user, **serializer.validated_data)
        return Response(AffectedSerializer(done).data)
