"""DoLS through the REST API: a managing authority submits a request and follows it; staff record assessments
and authorisations. The same services, selectors and scoping as the web pages."""

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
from safepathways.dols import rules, selectors, services
from safepathways.dols.models import (
    Assessment,
    Authorisation,
    DolsRequest,
    DolsRequestStatus,
    RequestStatusName,
    RequestType,
    Requirement,
    RequirementOutcome,
)
from safepathways.people.selectors import PersonAccess, RelationshipRequiredError, resolve_access
from safepathways.providers.models import Location

ERROR = inline_serializer(
    "DolsError",
    fields={
        "detail": serializers.CharField(),
        "errors": serializers.ListField(
            child=inline_serializer(
                "DolsFieldError", fields={"field": serializers.CharField(), "message": serializers.CharField()}
            )
        ),
    },
)


STATUS_HELP = "One of: " + ", ".join(RequestStatusName.values)


def _require(request: Request, perm: str) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.has_perm(perm):
        raise PermissionDenied("Your role does not allow this")
    return user


def _request(user: User, pk: UUID) -> DolsRequest:
    """A request in the user's scope; another organisation's is a 404, as if it did not exist."""
    found = selectors.request_detail(user, pk)
    if found is None:
        raise Http404
    return found


def _log_write(user: User, request: Request, access: PersonAccess) -> None:
    """A write answered with the record is a look at it, logged as the reads are (basis, and any grant) once the
    write is made; a refused or invalid one logs nothing."""
    audit.record_access(
        user=user,
        person_id=access.person.pk,
        what=f"{request.method} {request.path}",
        basis=access.basis,
        kind=AccessKind.API,
        grant_id=access.grant.pk if access.grant else None,
    )


def _person_access(user: User, person_id: UUID) -> PersonAccess:
    """The basis on which council staff open the person's record, with the declared or break-glass grant if that
    is it (a look under a grant is tied to it, so the IG review counts it)."""
    try:
        return resolve_access(user, person_id)
    except RelationshipRequiredError as needed:
        raise PermissionDenied("Declare your working relationship with this person first") from needed


class StatusSerializer(serializers.ModelSerializer[DolsRequestStatus]):
    # Plain text, listed in the help: an enum named "status" would collide with other apps' in the schema.
    status = serializers.CharField(source="name", read_only=True, help_text=STATUS_HELP)

    class Meta:
        model = DolsRequestStatus
        fields = ["status", "reason", "created_at"]


class AssessmentSerializer(serializers.ModelSerializer[Assessment]):
    outcome = serializers.ChoiceField(choices=RequirementOutcome.choices, read_only=True)

    class Meta:
        model = Assessment
        fields = ["requirement", "assessor_name", "assigned_on", "completed_on", "outcome"]


class AuthorisationSerializer(serializers.ModelSerializer[Authorisation]):
    class Meta:
        model = Authorisation
        fields = [
            "starts_on",
            "ends_on",
            "conditions",
            "conditions_review_on",
            "representative_name",
            "representative_relationship",
            "suspended_on",
            "ended_on",
        ]


class RequestOutputSerializer(serializers.ModelSerializer[DolsRequest]):
    """A request and where it has got to. Partners see the status and dates, not the assessments."""

    managing_authority = serializers.CharField(source="managing_authority.cqc_location_id", read_only=True)
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    priority = serializers.CharField(read_only=True, help_text="high, medium, low, or blank before screening")
    statuses = StatusSerializer(many=True, read_only=True)
    assessments = AssessmentSerializer(many=True, read_only=True)
    authorisation = serializers.SerializerMethodField()

    class Meta:
        model = DolsRequest
        fields = [
            "id",
            "reference",
            "status",
            "request_type",
            "managing_authority",
            "received_on",
            "is_urgent",
            "urgent_starts_on",
            "urgent_expires_on",
            "assessments_due_on",
            "priority",
            "signed_off_on",
            "not_granted_reason",
            "statuses",
            "assessments",
            "authorisation",
        ]

    @extend_schema_field(AuthorisationSerializer(allow_null=True))
    def get_authorisation(self, instance: DolsRequest) -> dict[str, Any] | None:
        authorisation = getattr(instance, "authorisation", None)
        return AuthorisationSerializer(authorisation).data if authorisation else None

    def to_representation(self, instance: DolsRequest) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        if self.context.get("is_partner"):
            # The council's working (screening reasons, assessments, priority) is not the managing authority's:
            # they see where the request has got to and when, not why the council moved it.
            data["assessments"] = []
            data["priority"] = ""
            for status in data["statuses"]:
                status["reason"] = ""
        return data


class RequestInputSerializer(serializers.Serializer[dict[str, Any]]):
    person = serializers.UUIDField(help_text="The council record's id (shared with your organisation)")
    managing_authority = serializers.CharField(help_text="The care home's or hospital's CQC location ID")
    request_type = serializers.ChoiceField(choices=RequestType.choices)
    received_on = serializers.DateField(required=False, help_text="Defaults to today")
    purpose = serializers.CharField()
    proposed_restrictions = serializers.CharField(required=False, allow_blank=True)
    sought_from = serializers.DateField(required=False, allow_null=True)
    contact_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=40)
    is_urgent = serializers.BooleanField(required=False, default=False)
    urgent_starts_on = serializers.DateField(required=False, allow_null=True)
    urgent_period_days = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=7)
    renews = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="For a further request: the id of your request whose authorisation it renews",
    )


class AssessmentInputSerializer(serializers.Serializer[dict[str, Any]]):
    outcome = serializers.ChoiceField(choices=[c for c in RequirementOutcome.choices if c[0] != 0])
    completed_on = serializers.DateField()
    notes = serializers.CharField(required=False, allow_blank=True)


class AuthorisationInputSerializer(serializers.Serializer[dict[str, Any]]):
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(help_text="At most 12 months after it starts")
    conditions = serializers.CharField(required=False, allow_blank=True)
    representative_name = serializers.CharField(max_length=200)
    representative_relationship = serializers.CharField(required=False, allow_blank=True, max_length=100)


def _output(dols_request: DolsRequest, user: User) -> dict[str, Any]:
    return RequestOutputSerializer(dols_request, context={"is_partner": not user.is_council_staff}).data


class RequestListCreateApi(APIView):
    """Partners: the requests their organisation submitted. Council staff: every request. Or submit one."""

    @extend_schema(
        parameters=[OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
        responses={200: RequestOutputSerializer(many=True), 401: ERROR, 403: ERROR},
    )
    def get(self, request: Request) -> Response:
        user = _require(request, rules.VIEW_REQUEST)
        paginator = Pagination()
        queryset = selectors.partner_requests(user).prefetch_related("assessments")
        page = paginator.paginate_queryset(queryset, request, view=self)
        serializer = RequestOutputSerializer(page, many=True, context={"is_partner": not user.is_council_staff})
        return paginator.get_paginated_response(serializer.data)

    @extend_schema(
        request=RequestInputSerializer, responses={201: RequestOutputSerializer, 400: ERROR, 401: ERROR, 403: ERROR}
    )
    def post(self, request: Request) -> Response:
        user = _require(request, rules.SUBMIT_REQUEST)
        serializer = RequestInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        try:
            access = resolve_access(user, data.pop("person"))
        except (Http404, RelationshipRequiredError) as error:
            raise serializers.ValidationError({"person": "No record with this id is shared with you"}) from error
        location = Location.objects.select_related("provider").filter(cqc_location_id=data.pop("managing_authority"))
        organisation_ids = selectors.partner_organisation_ids(user)
        if not user.is_council_staff:
            location = location.filter(provider__organisation_id__in=organisation_ids)
        managing_authority = location.first()
        if managing_authority is None:
            raise serializers.ValidationError({"managing_authority": "No location of yours has this CQC location ID"})
        renews_id, renews = data.pop("renews", None), None
        if renews_id:
            renewed = selectors.visible_requests(user).select_related("authorisation").filter(pk=renews_id).first()
            renews = getattr(renewed, "authorisation", None)
            if renews is None:
                raise serializers.ValidationError({"renews": "No request of yours with an authorisation has this id"})
        data.setdefault("received_on", None)
        details = services.RequestDetails(
            person=access.person,
            managing_authority=managing_authority,
            received_on=data.pop("received_on") or timezone.localdate(),
            renews=renews,
            **data,
        )
        submitted_by = (
            managing_authority.provider.organisation
            if not user.is_council_staff and managing_authority.provider.organisation_id
            else None
        )
        dols_request = services.create_request(details=details, by=user, submitted_by_organisation=submitted_by)
        found = _request(user, dols_request.pk)
        _log_write(user, request, access)
        return Response(_output(found, user), status=status.HTTP_201_CREATED)


class RequestDetailApi(APIView):
    """One request and its status; a partner may read only its own organisation's."""

    @extend_schema(responses={200: RequestOutputSerializer, 401: ERROR, 403: ERROR, 404: ERROR})
    def get(self, request: Request, pk: UUID) -> Response:
        user = _require(request, rules.VIEW_REQUEST)
        dols_request = _request(user, pk)
        if user.is_council_staff:
            access = _person_access(user, dols_request.person_id)
            audit.record_access(
                user=user,
                person_id=dols_request.person_id,
                what=f"GET {request.path}",
                basis=access.basis,
                kind=AccessKind.API,
                grant_id=access.grant.pk if access.grant else None,
            )
        return Response(_output(dols_request, user))


class AssessmentApi(APIView):
    """Record the outcome of one of the six assessments (council staff)."""

    @extend_schema(
        request=AssessmentInputSerializer,
        parameters=[OpenApiParameter("requirement", str, OpenApiParameter.PATH, enum=Requirement.values)],
        responses={200: RequestOutputSerializer, 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR},
    )
    def post(self, request: Request, pk: UUID, requirement: str) -> Response:
        user = _require(request, rules.RECORD_WORK)
        if not user.is_council_staff:
            raise Http404
        dols_request = _request(user, pk)
        access = _person_access(user, dols_request.person_id)
        target = next((a for a in dols_request.assessments.all() if a.requirement == requirement), None)
        if target is None:
            raise Http404
        serializer = AssessmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.record_assessment(assessment=target, by=user, **serializer.validated_data)
        _log_write(user, request, access)
        return Response(_output(_request(user, pk), user))


class AuthorisationApi(APIView):
    """Grant a standard authorisation after sign-off (DoLS lead)."""

    @extend_schema(
        request=AuthorisationInputSerializer,
        responses={201: RequestOutputSerializer, 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR},
    )
    def post(self, request: Request, pk: UUID) -> Response:
        user = _require(request, rules.DECIDE)
        dols_request = _request(user, pk)
        access = _person_access(user, dols_request.person_id)
        serializer = AuthorisationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        terms = services.AuthorisationTerms(**serializer.validated_data)
        services.grant_authorisation(dols_request=dols_request, terms=terms, by=user)
        _log_write(user, request, access)
        return Response(_output(_request(user, pk), user), status=status.HTTP_201_CREATED)
