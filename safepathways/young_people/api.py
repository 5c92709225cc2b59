"""Young people through the REST API: children's services send records in; staff read them with their milestones.

The same services, selectors and permissions as the pages. POST creates or updates by the children's services
reference (200 when it updated, 201 when it created). Every read of a young person is written to the access log.
"""

from typing import Any
from uuid import UUID

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from safepathways.accounts.models import User
from safepathways.audit import services as audit
from safepathways.audit.models import AccessKind
from safepathways.core.api import Pagination
from safepathways.people.selectors import RelationshipRequiredError
from safepathways.young_people import rules, selectors, services
from safepathways.young_people.milestones import State
from safepathways.young_people.models import (
    AccommodationStatus,
    HomelessnessRisk,
    YoungPeopleSettings,
    YoungPerson,
)

ERROR = inline_serializer(
    "YoungPeopleError",
    fields={
        "detail": serializers.CharField(),
        "errors": serializers.ListField(
            child=inline_serializer(
                "YoungPeopleFieldError", fields={"field": serializers.CharField(), "message": serializers.CharField()}
            )
        ),
    },
)


def _require(request: Request, perm: str) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.has_perm(perm):
        raise PermissionDenied("Your role does not allow this")
    return user


class MilestoneSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(source="milestone.value")
    name = serializers.CharField(source="label")
    opens_on = serializers.DateField()
    due_on = serializers.DateField()
    state = serializers.ChoiceField(choices=[s.value for s in State])
    done_on = serializers.DateField(source="done.done_on", allow_null=True, default=None)


class AlarmSerializer(serializers.Serializer[Any]):
    level = serializers.CharField(source="level.name")
    code = serializers.CharField()
    text = serializers.CharField()


class YoungPersonOutputSerializer(serializers.ModelSerializer[YoungPerson]):
    """A young person with their milestones and alarms as of today (Europe/London)."""

    person = serializers.UUIDField(source="person_id", read_only=True)
    council_reference = serializers.CharField(source="person.reference", read_only=True)
    given_name = serializers.CharField(source="person.given_name", read_only=True)
    family_name = serializers.CharField(source="person.family_name", read_only=True)
    date_of_birth = serializers.DateField(source="person.date_of_birth", read_only=True)
    transitions_worker = serializers.CharField(source="transitions_worker.full_name", default=None, read_only=True)
    age = serializers.SerializerMethodField()
    milestones = serializers.SerializerMethodField()
    alarms = serializers.SerializerMethodField()

    class Meta:
        model = YoungPerson
        fields = [
            "id",
            "person",
            "council_reference",
            "childrens_reference",
            "given_name",
            "family_name",
            "date_of_birth",
            "age",
            "has_ehc_plan",
            "ehc_plan_ends_on",
            "is_known_to_childrens_social_care",
            "is_care_leaver",
            "significant_benefit",
            "significant_benefit_decided_on",
            "continuing_healthcare",
            "continuing_healthcare_decided_on",
            "transitions_worker",
            "personal_adviser_name",
            "personal_adviser_phone",
            "accommodation_status",
            "planned_move_on",
            "homelessness_risk",
            "housing_referral_made_on",
            "housing_referral_to",
            "imported_at",
            "milestones",
            "alarms",
        ]

    def _assessed(self, instance: YoungPerson) -> selectors.Assessed:
        cache: dict[object, selectors.Assessed] = self.context.setdefault("assessed", {})
        if instance.pk not in cache:
            cache[instance.pk] = selectors.assess(instance, self.context["today"], self.context["timescales"])
        return cache[instance.pk]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_age(self, instance: YoungPerson) -> int | None:
        return self._assessed(instance).age

    @extend_schema_field(MilestoneSerializer(many=True))
    def get_milestones(self, instance: YoungPerson) -> list[dict[str, Any]]:
        return list(MilestoneSerializer(self._assessed(instance).statuses, many=True).data)

    @extend_schema_field(AlarmSerializer(many=True))
    def get_alarms(self, instance: YoungPerson) -> list[dict[str, Any]]:
        return list(AlarmSerializer(self._assessed(instance).alarms, many=True).data)


class YoungPersonInputSerializer(serializers.Serializer[dict[str, Any]]):
    """A record from children's services; fields left out keep their stored value on an update."""

    childrens_reference = serializers.CharField(max_length=40)
    given_name = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=100)
    date_of_birth = serializers.DateField()
    nhs_number = serializers.CharField(required=False, allow_blank=True, max_length=14)
    postcode = serializers.CharField(required=False, allow_blank=True, max_length=10)
    has_ehc_plan = serializers.BooleanField(required=False, allow_null=True, default=None)
    ehc_plan_ends_on = serializers.DateField(required=False, allow_null=True, default=None)
    is_known_to_childrens_social_care = serializers.BooleanField(required=False, allow_null=True, default=None)
    is_care_leaver = serializers.BooleanField(required=False, allow_null=True, default=None)
    personal_adviser_name = serializers.CharField(required=False, allow_blank=True, max_length=200, default=None)
    personal_adviser_phone = serializers.CharField(required=False, allow_blank=True, max_length=40, default=None)
    accommodation_status = serializers.ChoiceField(
        choices=AccommodationStatus.choices, required=False, allow_null=True, default=None
    )
    planned_move_on = serializers.DateField(required=False, allow_null=True, default=None)
    homelessness_risk = serializers.ChoiceField(
        choices=HomelessnessRisk.choices, required=False, allow_null=True, default=None
    )


class YoungPersonPatchSerializer(serializers.Serializer[dict[str, Any]]):
    """The young person's own details staff may change; identity is changed on the council record."""

    has_ehc_plan = serializers.BooleanField(required=False)
    ehc_plan_ends_on = serializers.DateField(required=False, allow_null=True)
    is_known_to_childrens_social_care = serializers.BooleanField(required=False)
    is_care_leaver = serializers.BooleanField(required=False)
    personal_adviser_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    personal_adviser_phone = serializers.CharField(required=False, allow_blank=True, max_length=40)
    accommodation_status = serializers.ChoiceField(choices=AccommodationStatus.choices, required=False)
    planned_move_on = serializers.DateField(required=False, allow_null=True)
    homelessness_risk = serializers.ChoiceField(choices=HomelessnessRisk.choices, required=False)


def _context() -> dict[str, Any]:
    return {"today": timezone.localdate(), "timescales": YoungPeopleSettings.current().timescales}


def _access(user: User, young_person: YoungPerson) -> tuple[str, UUID | None]:
    try:
        return selectors.access_basis(user, young_person)
    except RelationshipRequiredError as needed:
        raise PermissionDenied("Declare your working relationship with this person first") from needed


def _found(pk: UUID | str) -> YoungPerson:
    found = selectors.api_young_person(pk)
    if found is None:
        raise Http404
    return found


class YoungPersonListCreateApi(APIView):
    """The young people the user may open, with their milestones; or create-or-update one from children's services."""

    @extend_schema(
        parameters=[
            OpenApiParameter("childrens_reference", str, description="Only the young person with this reference"),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses={200: YoungPersonOutputSerializer(many=True), 401: ERROR, 403: ERROR},
    )
    def get(self, request: Request) -> Response:
        user = _require(request, rules.VIEW_TRACKER)
        paginator = Pagination()
        # Only whom the user may open one by one (selectors.api_scope): the transitions team's caseload, an
        # oversight role's list, or the young people their teams work with.
        scope = selectors.api_scope(user)
        queryset = selectors.api_young_people(
            scope=scope, childrens_reference=request.query_params.get("childrens_reference", "")
        )
        page = paginator.paginate_queryset(queryset, request, view=self) or []
        if page:
            audit.record_accesses(
                user=user,
                person_ids=[yp.person_id for yp in page],
                what=f"GET {request.path}",
                basis=scope.basis,
                kind=AccessKind.API,
            )
        serializer = YoungPersonOutputSerializer(page, many=True, context=_context())
        return paginator.get_paginated_response(serializer.data)

    @extend_schema(
        request=YoungPersonInputSerializer,
        responses={
            200: YoungPersonOutputSerializer,
            201: YoungPersonOutputSerializer,
            400: ERROR,
            401: ERROR,
            403: ERROR,
        },
    )
    def post(self, request: Request) -> Response:
        user = _require(request, rules.IMPORT_RECORDS)
        serializer = YoungPersonInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["nhs_number"] = data.get("nhs_number") or ""
        data["postcode"] = data.get("postcode") or ""
        result = services.upsert_from_childrens_services(record=services.ChildrensRecord(**data), by=user)
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(
            YoungPersonOutputSerializer(_found(result.young_person.pk), context=_context()).data, status=code
        )


class YoungPersonDetailApi(APIView):
    """One young person with their milestones; change their own details."""

    @extend_schema(responses={200: YoungPersonOutputSerializer, 401: ERROR, 403: ERROR, 404: ERROR})
    def get(self, request: Request, pk: UUID) -> Response:
        user = _require(request, rules.VIEW_TRACKER)
        young_person = _found(pk)
        basis, grant_id = _access(user, young_person)
        audit.record_access(
            user=user,
            person_id=young_person.person_id,
            what=f"GET {request.path}",
            basis=basis,
            kind=AccessKind.API,
            grant_id=grant_id,
        )
        return Response(YoungPersonOutputSerializer(young_person, context=_context()).data)

    @extend_schema(
        request=YoungPersonPatchSerializer,
        responses={200: YoungPersonOutputSerializer, 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR},
    )
    def patch(self, request: Request, pk: UUID) -> Response:
        user = _require(request, rules.RECORD_WORK)
        young_person = _found(pk)
        _access(user, young_person)
        serializer = YoungPersonPatchSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.update_young_person(young_person=young_person, by=user, data=dict(serializer.validated_data))
        return Response(YoungPersonOutputSerializer(_found(pk), context=_context()).data)
