"""Hospital discharge through the REST API: a trust's system refers inpatients and follows them on the board;
the hospital team records the same decisions as on the web pages. The same services, selectors and scoping.

- `GET/POST /api/v1/discharge/referrals/`: the referrals in scope (partners: their trust's and those shared
  with them), newest first, paginated; or refer an inpatient (identity by NHS number).
- `GET/PATCH /api/v1/discharge/referrals/<id>/`: one referral; PATCH records the discharge-ready date, the next
  action and its owner, the delay reason and (hospital team only) the agreed pathway and the support start.
  A PATCH is one transaction: if any part is refused, nothing changes.
- `POST /api/v1/discharge/referrals/<id>/outcome/`: the discharge (date, destination, support; for pathways 1-3
  with no support start arranged, why; with essential arrangements of the transition plan open, why) and/or a
  readmission.
- `POST /api/v1/discharge/referrals/<id>/unsafe-reports/`: report an unsafe discharge (opens a review).
- `GET /api/v1/discharge/board/`: the board's entries, in the board's order, filterable by trust and pathway.
"""

from typing import Any
from uuid import UUID

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from safepathways.accounts.models import Organisation, User
from safepathways.audit import services as audit
from safepathways.audit.models import AccessBasis, AccessKind
from safepathways.core.api import Pagination
from safepathways.discharges import rules, selectors, services
from safepathways.discharges.models import (
    DelayReason,
    Destination,
    Pathway,
    Referral,
    ReferralStatus,
    ReferralStatusName,
    ReporterRelationship,
    SupportKind,
)
from safepathways.people.models import Person
from safepathways.people.selectors import RelationshipRequiredError, resolve_access

ERROR = inline_serializer(
    "DischargeError",
    fields={
        "detail": serializers.CharField(),
        "errors": serializers.ListField(
            child=inline_serializer(
                "DischargeFieldError", fields={"field": serializers.CharField(), "message": serializers.CharField()}
            )
        ),
    },
)
STATUS_HELP = "One of: " + ", ".join(ReferralStatusName.values)
PATHWAY_HELP = "0 to 3 (Annex B of the Hospital discharge and community support guidance)"


def _require(request: Request, perm: str) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.has_perm(perm):
        raise PermissionDenied("Your role does not allow this")
    return user


def _referral(user: User, pk: UUID) -> Referral:
    """A referral in the user's scope; another trust's is a 404, as if it did not exist."""
    found = selectors.referral_detail(user, pk)
    if found is None:
        raise Http404
    return found


def _log_look(request: Request, user: User, referral: Referral) -> None:
    """Every read of a referral is a look at the person's record (council staff: a relationship or a grant)."""
    grant_id: UUID | None = None
    if user.is_council_staff:
        try:
            access = resolve_access(user, referral.person_id)
        except RelationshipRequiredError as needed:
            raise PermissionDenied("Declare your working relationship with this person first") from needed
        # Under a declared or break-glass grant the look is tied to it, so the IG review counts it.
        basis, grant_id = access.basis, access.grant.pk if access.grant else None
    else:
        basis = AccessBasis.PARTNER_SHARE
    audit.record_access(
        user=user,
        person_id=referral.person_id,
        what=f"{request.method} {request.path}",
        basis=basis,
        kind=AccessKind.API,
        grant_id=grant_id,
    )


class DischargePersonSerializer(serializers.ModelSerializer[Person]):
    class Meta:
        model = Person
        fields = ["id", "reference", "nhs_number", "given_name", "family_name", "date_of_birth"]


class DischargeStatusSerializer(serializers.ModelSerializer[ReferralStatus]):
    status = serializers.CharField(source="name", read_only=True, help_text=STATUS_HELP)

    class Meta:
        model = ReferralStatus
        fields = ["status", "reason", "created_at"]


class ReferralOutputSerializer(serializers.ModelSerializer[Referral]):
    """A referral and where it has got to."""

    person = DischargePersonSerializer(read_only=True)
    hospital = serializers.CharField(source="hospital.ods_code", read_only=True, help_text="The trust's ODS code")
    hospital_name = serializers.CharField(source="hospital.name", read_only=True)
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    next_action_owner_organisation = serializers.CharField(
        source="next_action_owner_organisation.name", default=None, read_only=True
    )
    delay_reason = serializers.CharField(source="delay_reason_id", default=None, read_only=True)
    statuses = DischargeStatusSerializer(many=True, read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "reference",
            "status",
            "person",
            "hospital",
            "hospital_name",
            "ward",
            "ward_contact",
            "admitted_on",
            "discharge_ready_on",
            "proposed_pathway",
            "agreed_pathway",
            "planned_discharge_on",
            "moving_to",
            "needs",
            "next_action",
            "next_action_owner_name",
            "next_action_owner_organisation",
            "next_action_due",
            "delay_reason",
            "support_kind",
            "support_provider",
            "support_start_on",
            "support_start_time",
            "support_started_at",
            "support_not_started_reason",
            "discharged_on",
            "discharged_to",
            "discharged_to_detail",
            "discharge_support",
            "no_support_reason",
            "open_essentials_reason",
            "readmitted_on",
            "is_early_readmission",
            "statuses",
        ]


class ReferralInputSerializer(serializers.Serializer[dict[str, Any]]):
    hospital = serializers.CharField(
        required=False, help_text="The trust's ODS code; a trust's own system may leave it out"
    )
    ward = serializers.CharField(max_length=100)
    ward_contact = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    nhs_number = serializers.CharField(max_length=12)
    given_name = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=100)
    date_of_birth = serializers.DateField()
    admitted_on = serializers.DateField()
    discharge_ready_on = serializers.DateField(required=False, allow_null=True, default=None)
    proposed_pathway = serializers.ChoiceField(choices=Pathway.choices, help_text=PATHWAY_HELP)
    needs = serializers.CharField()


class ReferralUpdateSerializer(serializers.Serializer[dict[str, Any]]):
    discharge_ready_on = serializers.DateField(required=False)
    next_action = serializers.CharField(max_length=300, required=False, allow_blank=True)
    next_action_owner_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    next_action_owner_organisation = serializers.UUIDField(
        required=False, allow_null=True, help_text="An organisation's id; null or absent for the council"
    )
    next_action_due = serializers.DateField(required=False, allow_null=True)
    delay_reason = serializers.CharField(required=False, allow_null=True, help_text="A delay reason code, or null")
    agreed_pathway = serializers.ChoiceField(choices=Pathway.choices, required=False, help_text=PATHWAY_HELP)
    planned_discharge_on = serializers.DateField(required=False, allow_null=True)
    moving_to = serializers.CharField(max_length=300, required=False, allow_blank=True)
    support_kind = serializers.ChoiceField(choices=SupportKind.choices, required=False)
    support_provider = serializers.CharField(max_length=200, required=False, allow_blank=True)
    support_start_on = serializers.DateField(required=False)
    support_start_time = serializers.TimeField(required=False, allow_null=True)


class OutcomeInputSerializer(serializers.Serializer[dict[str, Any]]):
    discharged_on = serializers.DateField(required=False)
    discharged_to = serializers.ChoiceField(choices=Destination.choices, required=False)
    discharged_to_detail = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    discharge_support = serializers.CharField(required=False, allow_blank=True, default="")
    no_support_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Required for pathways 1-3 when no support start is arranged: why the person left without it",
    )
    open_essentials_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Required while essential arrangements of the transition plan are open: why the person left "
        "without them",
    )
    readmitted_on = serializers.DateField(required=False)
    readmission_note = serializers.CharField(required=False, allow_blank=True, default="")


class UnsafeReportInputSerializer(serializers.Serializer[dict[str, Any]]):
    reporter_name = serializers.CharField(max_length=200)
    reporter_relationship = serializers.ChoiceField(choices=ReporterRelationship.choices)
    reporter_contact = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    what_happened = serializers.CharField()
    occurred_on = serializers.DateField()


class UnsafeReportOutputSerializer(serializers.Serializer[dict[str, Any]]):
    id = serializers.UUIDField()
    reported_at = serializers.DateTimeField()
    under_review = serializers.BooleanField()


class BoardEntrySerializer(serializers.ModelSerializer[Referral]):
    """One row of the daily discharge board."""

    person = DischargePersonSerializer(read_only=True)
    hospital = serializers.CharField(source="hospital.ods_code", read_only=True)
    hospital_name = serializers.CharField(source="hospital.name", read_only=True)
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    pathway = serializers.IntegerField(read_only=True, help_text="Agreed, else proposed")
    is_pathway_agreed = serializers.SerializerMethodField()
    days_since_ready = serializers.SerializerMethodField()
    next_action_owner_organisation = serializers.CharField(
        source="next_action_owner_organisation.name", default=None, read_only=True
    )
    delay_reason = serializers.CharField(source="delay_reason.label", default=None, read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "reference",
            "status",
            "person",
            "hospital",
            "hospital_name",
            "ward",
            "admitted_on",
            "discharge_ready_on",
            "days_since_ready",
            "pathway",
            "is_pathway_agreed",
            "next_action",
            "next_action_owner_name",
            "next_action_owner_organisation",
            "next_action_due",
            "delay_reason",
            "support_kind",
            "support_provider",
            "support_start_on",
            "support_start_time",
        ]

    def get_is_pathway_agreed(self, instance: Referral) -> bool:
        return instance.agreed_pathway is not None

    def get_days_since_ready(self, instance: Referral) -> int | None:
        return instance.days_since_ready(timezone.localdate())


def _hospital(user: User, ods_code: str | None) -> Organisation:
    trusts = selectors.trusts(user)
    if not ods_code:
        if not user.is_council_staff and len(trusts) == 1:
            return trusts[0]
        raise serializers.ValidationError({"hospital": "Give the trust's ODS code"})
    found = next((t for t in trusts if t.ods_code.upper() == ods_code.strip().upper()), None)
    if found is None:
        raise serializers.ValidationError({"hospital": "No NHS trust of yours has this ODS code"})
    return found


class ReferralListCreateApi(APIView):
    """The referrals in the user's scope, newest first; or refer an inpatient."""

    @extend_schema(
        operation_id="discharge_referrals_list",
        parameters=[
            OpenApiParameter("status", str, description=STATUS_HELP),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses={200: ReferralOutputSerializer(many=True), 401: ERROR, 403: ERROR},
    )
    def get(self, request: Request) -> Response:
        user = _require(request, rules.VIEW_BOARD)
        queryset = (
            selectors.visible_referrals(user)
            .select_related("person", "hospital", "delay_reason", "next_action_owner_organisation")
            .with_history()
            .order_by("-created_at", "reference")
        )
        wanted = request.query_params.get("status")
        if wanted:
            if wanted not in ReferralStatusName.values:
                raise serializers.ValidationError({"status": STATUS_HELP})
            queryset = queryset.filter(status=wanted)
        paginator = Pagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(ReferralOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="discharge_referrals_create",
        request=ReferralInputSerializer,
        responses={201: ReferralOutputSerializer, 400: ERROR, 401: ERROR, 403: ERROR},
    )
    def post(self, request: Request) -> Response:
        user = _require(request, rules.REFER)
        serializer = ReferralInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        details = services.WardReferral(hospital=_hospital(user, data.pop("hospital", None)), **data)
        referral = services.create_referral(details=details, by=user)
        return Response(ReferralOutputSerializer(_referral(user, referral.pk)).data, status=status.HTTP_201_CREATED)


def _delay_reason(code: str | None) -> DelayReason | None:
    if not code:
        return None
    found = selectors.active_delay_reasons().filter(code=code).first()
    if found is None:
        raise serializers.ValidationError({"delay_reason": "No current delay reason has this code"})
    return found


def _owner_organisation(pk: UUID | None) -> Organisation | None:
    if pk is None:
        return None
    found = selectors.partner_organisations().filter(pk=pk).first()
    if found is None:
        raise serializers.ValidationError({"next_action_owner_organisation": "No organisation has this id"})
    return found


PLANNING_FIELDS = {"agreed_pathway", "planned_discharge_on", "moving_to"}
SUPPORT_FIELDS = {"support_kind", "support_provider", "support_start_on", "support_start_time"}
ACTION_FIELDS = {"next_action", "next_action_owner_name", "next_action_owner_organisation", "next_action_due"}


def _apply_update(referral: Referral, data: dict[str, Any], user: User) -> None:
    """Call the services for the parts of the PATCH given, in the order the daily meeting decides them."""
    if (PLANNING_FIELDS | SUPPORT_FIELDS) & set(data) and not user.has_perm(rules.PLAN_DISCHARGE):
        raise PermissionDenied("Only the hospital social work team can agree the pathway or the support start")
    if "discharge_ready_on" in data:
        services.set_discharge_ready_date(referral=referral, discharge_ready_on=data["discharge_ready_on"], by=user)
    if PLANNING_FIELDS & set(data):
        pathway = data.get("agreed_pathway", referral.agreed_pathway)
        if pathway is None:
            raise serializers.ValidationError({"agreed_pathway": "Give the agreed pathway"})
        services.agree_pathway(
            referral=referral,
            pathway=int(pathway),
            planned_discharge_on=data.get("planned_discharge_on", referral.planned_discharge_on),
            moving_to=data.get("moving_to", referral.moving_to),
            by=user,
        )
    if ACTION_FIELDS & set(data):
        services.set_next_action(
            referral=referral,
            action=data.get("next_action", referral.next_action),
            owner_name=data.get("next_action_owner_name", referral.next_action_owner_name),
            owner_organisation=_owner_organisation(data["next_action_owner_organisation"])
            if "next_action_owner_organisation" in data
            else referral.next_action_owner_organisation,
            due_on=data.get("next_action_due", referral.next_action_due),
            by=user,
        )
    if "delay_reason" in data:
        services.set_delay_reason(referral=referral, delay_reason=_delay_reason(data["delay_reason"]), by=user)
    if SUPPORT_FIELDS & set(data):
        start_on = data.get("support_start_on", referral.support_start_on)
        if start_on is None:
            raise serializers.ValidationError({"support_start_on": "Give the support start date"})
        services.plan_support_start(
            referral=referral,
            kind=data.get("support_kind", referral.support_kind),
            provider=data.get("support_provider", referral.support_provider),
            start_on=start_on,
            start_time=data.get("support_start_time", referral.support_start_time),
            by=user,
        )


class ReferralDetailApi(APIView):
    """One referral; a partner may read and update only its own trust's (or one shared with it)."""

    @extend_schema(
        operation_id="discharge_referral_retrieve",
        responses={200: ReferralOutputSerializer, 401: ERROR, 403: ERROR, 404: ERROR},
    )
    def get(self, request: Request, pk: UUID) -> Response:
        user = _require(request, rules.VIEW_BOARD)
        referral = _referral(user, pk)
        _log_look(request, user, referral)
        return Response(ReferralOutputSerializer(referral).data)

    @extend_schema(
        operation_id="discharge_referral_update",
        request=ReferralUpdateSerializer,
        responses={200: ReferralOutputSerializer, 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR},
    )
    def patch(self, request: Request, pk: UUID) -> Response:
        user = _require(request, rules.UPDATE_REFERRAL)
        referral = _referral(user, pk)
        serializer = ReferralUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if not data:
            raise serializers.ValidationError({"": "Give at least one field to change"})
        _log_look(request, user, referral)
        with transaction.atomic():
            _apply_update(referral, data, user)
        return Response(ReferralOutputSerializer(_referral(user, pk)).data)


class OutcomeApi(APIView):
    """Record the discharge (date, where to, with what support), a readmission, or both."""

    @extend_schema(
        operation_id="discharge_referral_outcome",
        request=OutcomeInputSerializer,
        responses={200: ReferralOutputSerializer, 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR},
    )
    def post(self, request: Request, pk: UUID) -> Response:
        user = _require(request, rules.UPDATE_REFERRAL)
        referral = _referral(user, pk)
        serializer = OutcomeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "discharged_on" not in data and "readmitted_on" not in data:
            raise serializers.ValidationError({"discharged_on": "Give the discharge date, or the readmission date"})
        _log_look(request, user, referral)
        with transaction.atomic():
            if "discharged_on" in data:
                if "discharged_to" not in data:
                    raise serializers.ValidationError({"discharged_to": "Say where the person went"})
                services.record_discharge(
                    referral=referral,
                    discharged_on=data["discharged_on"],
                    discharged_to=data["discharged_to"],
                    destination_detail=data["discharged_to_detail"],
                    support=data["discharge_support"],
                    no_support_reason=data["no_support_reason"],
                    open_essentials_reason=data["open_essentials_reason"],
                    by=user,
                )
            if "readmitted_on" in data:
                services.record_readmission(
                    referral=referral, readmitted_on=data["readmitted_on"], note=data["readmission_note"], by=user
                )
        return Response(ReferralOutputSerializer(_referral(user, pk)).data)


class UnsafeReportApi(APIView):
    """Report an unsafe discharge about a referral in scope: a team manager reviews it."""

    @extend_schema(
        operation_id="discharge_unsafe_report_create",
        request=UnsafeReportInputSerializer,
        responses={201: UnsafeReportOutputSerializer, 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR},
    )
    def post(self, request: Request, pk: UUID) -> Response:
        user = _require(request, rules.REPORT_UNSAFE)
        referral = _referral(user, pk)
        serializer = UnsafeReportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _log_look(request, user, referral)
        report = services.report_unsafe_discharge(
            person=referral.person,
            referral=referral,
            details=services.UnsafeReportDetails(**serializer.validated_data),
            by=user,
        )
        body = {"id": report.pk, "reported_at": report.reported_at, "under_review": report.is_under_review}
        return Response(UnsafeReportOutputSerializer(body).data, status=status.HTTP_201_CREATED)


class BoardApi(APIView):
    """The board's entries, longest since discharge-ready first (at most 500; filter by trust or pathway)."""

    @extend_schema(
        operation_id="discharge_board",
        parameters=[
            OpenApiParameter("hospital", str, description="A trust's ODS code"),
            OpenApiParameter("pathway", int, enum=Pathway.values),
        ],
        responses={
            200: inline_serializer(
                "DischargeBoard",
                fields={
                    "today": serializers.DateField(),
                    "count": serializers.IntegerField(),
                    "is_truncated": serializers.BooleanField(),
                    "results": BoardEntrySerializer(many=True),
                },
            ),
            400: ERROR,
            401: ERROR,
            403: ERROR,
        },
    )
    def get(self, request: Request) -> Response:
        user = _require(request, rules.VIEW_BOARD)
        ods_code = request.query_params.get("hospital")
        hospital_id = _hospital(user, ods_code).pk if ods_code else None
        pathway_text = request.query_params.get("pathway")
        pathway = None
        if pathway_text:
            if pathway_text not in {str(v) for v in Pathway.values}:
                raise serializers.ValidationError({"pathway": "A pathway from 0 to 3"})
            pathway = int(pathway_text)
        today = timezone.localdate()
        entries, is_truncated = selectors.board_referrals(user, hospital_id=hospital_id, pathway=pathway)
        return Response(
            {
                "today": today,
                "count": len(entries),
                "is_truncated": is_truncated,
                "results": BoardEntrySerializer(entries, many=True).data,
            }
        )
