"""Safeguarding through the REST API: the same services, selectors and scoping as the web pages.

Partners raise concerns about people shared with their organisation (a partner with no shared record
uses the front-door contacts API, which routes to safeguarding) and read only the concerns their
organisation raised or that are shared with it. Council staff outside the safeguarding team and
the enquiry officer get 404 for a concern, as if it did not exist.
"""

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
from safepathways.core.api import Pagination
from safepathways.people import selectors as people_selectors
from safepathways.people.selectors import RelationshipRequiredError
from safepathways.safeguarding import rules, selectors, services
from safepathways.safeguarding.models import (
    AbuseType,
    Concern,
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
)

ERROR = inline_serializer(
    "SafeguardingError",
    fields={
        "detail": serializers.CharField(),
        "errors": serializers.ListField(
            child=inline_serializer(
                "SafeguardingFieldError", fields={"field": serializers.CharField(), "message": serializers.CharField()}
            )
        ),
    },
)


def _require(request: Request, perm: str) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.has_perm(perm):
        raise PermissionDenied("Your role does not allow this")
    return user


def _concern(request: Request, user: User, pk: UUID) -> Concern:
    """A concern in the user's scope, its look logged on GET; another's is a 404, as if it did not exist."""
    concern = selectors.visible_concern(user, pk)
    if concern is None:
        raise Http404
    if request.method == "GET":
        audit.record_access(
            user=user,
            person_id=concern.person_id,
            what=f"GET {request.path}",
            # Seen as the safeguarding team, the enquiry officer or a named partner: never on a working relationship.
            basis=AccessBasis.SAFEGUARDING,
            kind=AccessKind.API,
        )
    return concern


# Documented as strings listing their values: other apps' "status" and "kind" fields have other choices,
# and drf-spectacular names enum components after the field, so an enum here would collide with theirs.
@extend_schema_field({"type": "string", "description": "One of: " + ", ".join(ConcernStatusName.values)})
class ConcernStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=ConcernStatusName.choices, **kwargs)


@extend_schema_field({"type": "string", "description": "One of: section_42, other_enquiry"})
class EnquiryKindField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=[(d.value, d.label) for d in (Decision.SECTION_42, Decision.OTHER_ENQUIRY)], **kwargs)


class ConcernStatusSerializer(serializers.ModelSerializer[ConcernStatus]):
    status = ConcernStatusField(source="name", read_only=True)

    class Meta:
        model = ConcernStatus
        fields = ["status", "created_at"]


class ConcernOutputSerializer(serializers.ModelSerializer[Concern]):
    """A concern and where it has got to."""

    person = serializers.UUIDField(source="person_id", read_only=True)
    status = ConcernStatusField(read_only=True)
    organisation = serializers.CharField(source="organisation.name", read_only=True)
    abuse_types = serializers.ListField(child=serializers.ChoiceField(choices=AbuseType.choices), read_only=True)
    statuses = ConcernStatusSerializer(many=True, read_only=True)

    class Meta:
        model = Concern
        fields = [
            "id",
            "reference",
            "person",
            "status",
            "source",
            "organisation",
            "received_at",
            "decision_due_on",
            "summary",
            "abuse_types",
            "location_of_risk",
            "source_of_risk",
            "provider",
            "provider_location",
            "immediate_actions",
            "primary_support_reason",
            "decision",
            "decided_at",
            "statuses",
        ]


class ConcernInputSerializer(serializers.Serializer[dict[str, Any]]):
    person = serializers.UUIDField(help_text="The id of the person's record (partners: a record shared with them)")
    summary = serializers.CharField(help_text="What happened")
    abuse_types = serializers.ListField(child=serializers.ChoiceField(choices=AbuseType.choices), min_length=1)
    location_of_risk = serializers.ChoiceField(choices=LocationOfRisk.choices)
    source_of_risk = serializers.ChoiceField(choices=SourceOfRisk.choices)
    provider = serializers.UUIDField(required=False, allow_null=True, help_text="When the source is a provider")
    provider_location = serializers.UUIDField(required=False, allow_null=True)
    immediate_actions = serializers.CharField(required=False, allow_blank=True)
    raised_by_description = serializers.CharField(required=False, allow_blank=True, max_length=200)
    primary_support_reason = serializers.ChoiceField(
        choices=PrimarySupportReason.choices, required=False, allow_blank=True
    )
    received_at = serializers.DateTimeField(required=False, help_text="Defaults to now")


class DecisionInputSerializer(serializers.Serializer[dict[str, Any]]):
    has_care_and_support_needs = serializers.BooleanField()
    care_and_support_needs_reason = serializers.CharField()
    is_experiencing_or_at_risk = serializers.BooleanField()
    experiencing_or_at_risk_reason = serializers.CharField()
    is_unable_to_protect_self = serializers.BooleanField()
    unable_to_protect_self_reason = serializers.CharField()
    decision = serializers.ChoiceField(choices=Decision.choices)
    decision_reason = serializers.CharField()


class EnquiryOpenInputSerializer(serializers.Serializer[dict[str, Any]]):
    officer = serializers.EmailField(help_text="The enquiry officer's email address")
    started_on = serializers.DateField()


class EnquiryOutcomeInputSerializer(serializers.Serializer[dict[str, Any]]):
    risk_finding = serializers.ChoiceField(choices=RiskFinding.choices)
    action_taken = serializers.BooleanField()
    risk_result = serializers.ChoiceField(choices=RiskResult.choices, required=False, allow_blank=True)
    msp_achieved = serializers.ChoiceField(choices=MSPAchieved.choices, required=False, allow_blank=True)
    outcome_summary = serializers.CharField()
    concluded_on = serializers.DateField()


class EnquiryOutputSerializer(serializers.ModelSerializer[Enquiry]):
    kind = EnquiryKindField(read_only=True)
    officer = serializers.CharField(source="officer.full_name", read_only=True)
    msp_asked = serializers.ChoiceField(choices=MSPAsked.choices, read_only=True)

    class Meta:
        model = Enquiry
        fields = [
            "id",
            "kind",
            "officer",
            "started_on",
            "msp_asked",
            "msp_achieved",
            "lacks_capacity",
            "needs_advocate",
            "advocate_appointed",
            "risk_finding",
            "action_taken",
            "risk_result",
            "concluded_on",
        ]


class EnquiryActionOutputSerializer(serializers.ModelSerializer[EnquiryAction]):
    """An action in an enquiry plan, with the concern it belongs to and, once done, its result."""

    concern = serializers.UUIDField(source="enquiry.concern_id", read_only=True)
    concern_reference = serializers.CharField(source="enquiry.concern.reference", read_only=True)
    organisation = serializers.CharField(
        source="organisation.name",
        read_only=True,
        allow_null=True,
        help_text="The partner organisation that owns the action; null for the council's own",
    )

    class Meta:
        model = EnquiryAction
        fields = [
            "id",
            "concern",
            "concern_reference",
            "description",
            "owner_name",
            "agency",
            "organisation",
            "is_caused_enquiry",
            "due_on",
            "completed_on",
            "result",
        ]


class EnquiryActionCompletionInputSerializer(serializers.Serializer[dict[str, Any]]):
    completed_on = serializers.DateField(help_text="Today or earlier, and not before the enquiry started")
    result = serializers.CharField(help_text="What was done and found")


def _output(concern: Concern) -> dict[str, Any]:
    return ConcernOutputSerializer(concern).data


class ConcernListCreateApi(APIView):
    """Every concern (safeguarding team), or a partner's raised or shared ones; or raise one."""

    @extend_schema(
        parameters=[OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
        responses={200: ConcernOutputSerializer(many=True), 401: ERROR, 403: ERROR},
    )
    def get(self, request: Request) -> Response:
        user = _require(request, rules.VIEW_CONCERN)
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.api_concerns(user), request, view=self)
        return paginator.get_paginated_response(ConcernOutputSerializer(page, many=True).data)

    @extend_schema(
        request=ConcernInputSerializer,
        responses={201: ConcernOutputSerializer, 400: ERROR, 401: ERROR, 403: ERROR},
    )
    def post(self, request: Request) -> Response:
        user = _require(request, rules.RAISE_CONCERN)
        serializer = ConcernInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            person = people_selectors.resolve_access(user, data["person"]).person
        except (Http404, RelationshipRequiredError) as error:
            raise serializers.ValidationError({"person": "No record you can see has this id"}) from error
        provider = selectors.providers().filter(pk=data["provider"]).first() if data.get("provider") else None
        if data.get("provider") and provider is None:
            raise serializers.ValidationError({"provider": "No provider has this id"})
        location = (
            selectors.provider_locations().filter(pk=data["provider_location"]).first()
            if data.get("provider_location")
            else None
        )
        if data.get("provider_location") and location is None:
            raise serializers.ValidationError({"provider_location": "No provider location has this id"})
        concern = services.raise_concern(
            person=person,
            by=user,
            details=services.ConcernDetails(
                summary=data["summary"],
                abuse_types=data["abuse_types"],
                location_of_risk=data["location_of_risk"],
                source_of_risk=data["source_of_risk"],
                immediate_actions=data.get("immediate_actions", ""),
                raised_by_description=data.get("raised_by_description", ""),
                provider=provider,
                provider_location=location,
                primary_support_reason=data.get("primary_support_reason", ""),
                received_at=data.get("received_at"),
            ),
        )
        found = selectors.api_concerns(user).filter(pk=concern.pk).first()
        return Response(_output(found or concern), status=status.HTTP_201_CREATED)


class ConcernDetailApi(APIView):
    """One concern and its status."""

    @extend_schema(responses={200: ConcernOutputSerializer, 401: ERROR, 403: ERROR, 404: ERROR})
    def get(self, request: Request, pk: UUID) -> Response:
        user = _require(request, rules.VIEW_CONCERN)
        concern = _concern(request, user, pk)
        return Response(_output(selectors.api_concerns(user).get(pk=concern.pk)))


class ConcernDecisionApi(APIView):
    """Record the decision on the s42 duty: the three tests with reasons, and a s42, other or no enquiry."""

    @extend_schema(
        request=DecisionInputSerializer,
        responses={200: ConcernOutputSerializer, 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR},
    )
    def post(self, request: Request, pk: UUID) -> Response:
        user = _require(request, rules.DECIDE_CONCERN)
        concern = _concern(request, user, pk)
        serializer = DecisionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        decision, reason = data.pop("decision"), data.pop("decision_reason")
        services.decide_concern(
            concern=concern, by=user, tests=services.Section42Tests(**data), decision=decision, decision_reason=reason
        )
        return Response(_output(selectors.api_concerns(user).get(pk=pk)))


class EnquiryApi(APIView):
    """Read the enquiry, or open it (the safeguarding team) with its officer and start date."""

    @extend_schema(responses={200: EnquiryOutputSerializer, 401: ERROR, 403: ERROR, 404: ERROR})
    def get(self, request: Request, pk: UUID) -> Response:
        user = _require(request, rules.RUN_ENQUIRY)
        concern = _concern(request, user, pk)
        enquiry = selectors.enquiry_of(concern)
        if enquiry is None:
            raise Http404
        return Response(EnquiryOutputSerializer(enquiry).data)

    @extend_schema(
        request=EnquiryOpenInputSerializer,
        responses={201: EnquiryOutputSerializer, 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR},
    )
    def post(self, request: Request, pk: UUID) -> Response:
        user = _require(request, rules.DECIDE_CONCERN)
        concern = _concern(request, user, pk)
        serializer = EnquiryOpenInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        officer = selectors.enquiry_officers().filter(email=data["officer"].lower()).first()
        if officer is None:
            raise serializers.ValidationError({"officer": "No council practitioner has this email address"})
        enquiry = services.open_enquiry(concern=concern, by=user, officer=officer, started_on=data["started_on"])
        return Response(EnquiryOutputSerializer(enquiry).data, status=status.HTTP_201_CREATED)


class EnquiryOutcomeApi(APIView):
    """Conclude the enquiry with its outcome (the safeguarding team or the enquiry officer)."""

    @extend_schema(
        request=EnquiryOutcomeInputSerializer,
        responses={200: EnquiryOutputSerializer, 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR},
    )
    def post(self, request: Request, pk: UUID) -> Response:
        user = _require(request, rules.RUN_ENQUIRY)
        concern = _concern(request, user, pk)
        enquiry = selectors.enquiry_of(concern)
        if enquiry is None:
            raise Http404
        serializer = EnquiryOutcomeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.conclude_enquiry(
            enquiry=enquiry,
            by=user,
            outcome=services.Outcome(
                risk_finding=data["risk_finding"],
                action_taken=data["action_taken"],
                risk_result=data.get("risk_result", ""),
                msp_achieved=data.get("msp_achieved", ""),
                outcome_summary=data["outcome_summary"],
                concluded_on=data["concluded_on"],
            ),
        )
        return Response(EnquiryOutputSerializer(selectors.enquiry_of(concern)).data)


class EnquiryActionListApi(APIView):
    """The enquiry plan actions you may mark complete: your organisation's (partners), your enquiries' (the
    enquiry officer) or every one (the safeguarding team)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("completed", bool, description="true: only done; false: only outstanding"),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses={200: EnquiryActionOutputSerializer(many=True), 401: ERROR, 403: ERROR},
    )
    def get(self, request: Request) -> Response:
        user = _require(request, rules.COMPLETE_ACTION)
        completed = {"true": True, "false": False}.get(request.query_params.get("completed", "").lower())
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.completable_actions(user, completed=completed), request, view=self)
        if page:
            audit.record_accesses(
                user=user,
                person_ids=[action.enquiry.concern.person_id for action in page],
                what=f"GET {request.path}",
                basis=AccessBasis.SAFEGUARDING,
                kind=AccessKind.API,
            )
        return paginator.get_paginated_response(EnquiryActionOutputSerializer(page, many=True).data)


class EnquiryActionCompletionApi(APIView):
    """Mark an enquiry plan action complete with its result. Outside your actions the action does not exist (404)."""

    @extend_schema(
        request=EnquiryActionCompletionInputSerializer,
        responses={200: EnquiryActionOutputSerializer, 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR},
    )
    def post(self, request: Request, pk: UUID) -> Response:
        user = _require(request, rules.COMPLETE_ACTION)
        action = selectors.completable_action(user, pk)
        if action is None:
            raise Http404
        serializer = EnquiryActionCompletionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.complete_enquiry_action(action=action, by=user, **serializer.validated_data)
        return Response(EnquiryActionOutputSerializer(selectors.completable_action(user, pk)).data)
