"""Mutual aid through the REST API.

Two audiences:
- Partner instances POST signed messages to /api/v1/mutual-aid/messages/ (machine to machine: no token or
  session; the HMAC signature of mutual_aid.signing is the authentication). 200 `{"id", "status": "applied" |
  "duplicate"}`; 400 when the message does not fit (nothing changed); 401 when it is not signed by an active
  partner, is stale or replayed (nothing written).
- Contingency leads and directors read requests with token or session authentication, as elsewhere.
"""

from typing import Any
from uuid import UUID

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from safepathways.accounts.models import User
from safepathways.core.api import Pagination
from safepathways.core.errors import ApplicationError
from safepathways.mutual_aid import rules, selectors, services, signing
from safepathways.mutual_aid.models import AidKind, AidOffer, AidRequest, AidRequestStatus, Disclosure, RequestStatus

STATUS_HELP = "One of: " + ", ".join(RequestStatus.values)


def _require(request: Request, perm: str) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.has_perm(perm):
        raise PermissionDenied("Your role does not allow this")
    return user


ERROR = inline_serializer(
    "MutualAidError",
    fields={
        "detail": serializers.CharField(),
        "errors": serializers.ListField(
            child=inline_serializer(
                "MutualAidFieldError", fields={"field": serializers.CharField(), "message": serializers.CharField()}
            )
        ),
    },
)
ACKNOWLEDGEMENT = inline_serializer(
    "MutualAidAcknowledgement",
    fields={"id": serializers.UUIDField(), "status": serializers.ChoiceField(choices=["applied", "duplicate"])},
)


class MessagesApi(APIView):
    """Receive one signed message from a partner's instance and apply it once."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="mutual_aid_receive_message",
        summary="Receive a signed message from a partner council's instance",
        description="Headers X-SafePathways-Key, -Timestamp, -Nonce and -Signature (HMAC-SHA256 over "
        "METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nSHA256(body)). Body: {id, type, sent_at, from: {ons_code, name}, to, "
        "data}; types request, offer, acceptance, decline, withdrawal, fulfilment, disclosure.",
        request=inline_serializer(
            "MutualAidMessage",
            fields={
                "id": serializers.UUIDField(),
                "type": serializers.CharField(),
                "sent_at": serializers.DateTimeField(),
                "from": serializers.DictField(),
                "to": serializers.CharField(),
                "data": serializers.DictField(),
            },
        ),
        responses={200: ACKNOWLEDGEMENT, 400: ERROR, 401: ERROR},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        raw = request._request  # the signature covers the exact bytes sent
        try:
            received = services.receive_message(
                headers=raw.headers, method=raw.method or "POST", path=raw.path_info, body=raw.body
            )
        except signing.SignatureError as refused:
            return Response(
                {"detail": str(refused), "errors": []},
                status=status.HTTP_401_UNAUTHORIZED,
                headers={"WWW-Authenticate": "SafePathways-HMAC"},
            )
        except ApplicationError as error:
            return Response(
                {"detail": error.message, "errors": [{"field": error.field or "", "message": error.message}]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response({"id": str(received.message_id), "status": "duplicate" if received.is_duplicate else "applied"})


def _partners(aid_request: AidRequest) -> list[dict[str, str]]:
    if aid_request.partnership is not None:
        return [{"name": aid_request.partnership.name, "ons_code": aid_request.partnership.ons_code}]
    return [{"name": r.partnership.name, "ons_code": r.partnership.ons_code} for r in aid_request.recipients.all()]


class AidRequestSummarySerializer(serializers.ModelSerializer[AidRequest]):
    kind = serializers.CharField(help_text="One of: " + ", ".join(AidKind.values))
    status = serializers.CharField(help_text=STATUS_HELP)
    direction = serializers.CharField(help_text="outgoing: this council asked; incoming: a partner asked")
    partners = serializers.SerializerMethodField(help_text="Who asked (incoming) or who was asked (outgoing)")
    open_offers = serializers.IntegerField(read_only=True)

    class Meta:
        model = AidRequest
        fields = [
            "id",
            "direction",
            "kind",
            "quantity",
            "needed_from",
            "needed_until",
            "detail",
            "status",
            "partners",
            "open_offers",
            "created_at",
        ]

    def get_partners(self, obj: AidRequest) -> list[dict[str, str]]:
        return _partners(obj)


class AidRequestStatusSerializer(serializers.ModelSerializer[AidRequestStatus]):
    by = serializers.SerializerMethodField()

    class Meta:
        model = AidRequestStatus
        fields = ["status", "reason", "by", "created_at"]

    def get_by(self, obj: AidRequestStatus) -> str:
        return obj.by.full_name if obj.by else obj.by_label


class AidDisclosureSerializer(serializers.ModelSerializer[Disclosure]):
    """Which details were shared and when; the details themselves only for contingency leads."""

    fields_shared = serializers.SerializerMethodField()

    class Meta:
        model = Disclosure
        fields = ["id", "direction", "fields_shared", "created_at"]

    def get_fields_shared(self, obj: Disclosure) -> list[str]:
        return [name for name in ("full_name", "date_of_birth", "needs_summary", "address") if getattr(obj, name)]


class AidDisclosureDetailSerializer(AidDisclosureSerializer):
    class Meta(AidDisclosureSerializer.Meta):
        fields = [*AidDisclosureSerializer.Meta.fields, "full_name", "date_of_birth", "needs_summary", "address"]


class AidOfferSerializer(serializers.ModelSerializer[AidOffer]):
    partner = serializers.SerializerMethodField()
    disclosures = serializers.SerializerMethodField()

    class Meta:
        model = AidOffer
        fields = ["id", "direction", "partner", "quantity", "detail", "status", "decided_at", "disclosures"]

    def get_partner(self, obj: AidOffer) -> dict[str, str]:
        return {"name": obj.partnership.name, "ons_code": obj.partnership.ons_code}

    def get_disclosures(self, obj: AidOffer) -> list[dict[str, Any]]:
        serializer = AidDisclosureDetailSerializer if self.context.get("can_read_details") else AidDisclosureSerializer
        return list(serializer(obj.disclosures.all(), many=True).data)


class AidRequestDetailSerializer(AidRequestSummarySerializer):
    statuses = AidRequestStatusSerializer(source="status_changes", many=True, read_only=True)
    offers = serializers.SerializerMethodField()

    class Meta(AidRequestSummarySerializer.Meta):
        fields = [*AidRequestSummarySerializer.Meta.fields, "contact_name", "contact_email", "statuses", "offers"]

    def get_offers(self, obj: AidRequest) -> list[dict[str, Any]]:
        return list(AidOfferSerializer(obj.offers.all(), many=True, context=self.context).data)


class RequestListApi(APIView):
    @extend_schema(
        operation_id="mutual_aid_requests",
        summary="Mutual aid requests in and out (contingency leads and directors)",
        parameters=[
            OpenApiParameter("direction", str, description="outgoing or incoming; both when empty"),
            OpenApiParameter("show", str, description="all: include fulfilled, withdrawn and declined"),
        ],
        responses={200: AidRequestSummarySerializer(many=True), 403: ERROR},
    )
    def get(self, request: Request) -> Response:
        _require(request, rules.VIEW_MUTUAL_AID)
        found = selectors.requests(
            direction=request.query_params.get("direction", ""),
            show_closed=request.query_params.get("show") == "all",
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(found, request, view=self)
        return paginator.get_paginated_response(AidRequestSummarySerializer(page, many=True).data)


class RequestDetailApi(APIView):
    @extend_schema(
        operation_id="mutual_aid_request",
        summary="One mutual aid request with its status history, offers and what was shared",
        responses={200: AidRequestDetailSerializer, 403: ERROR, 404: OpenApiResponse(ERROR)},
    )
    def get(self, request: Request, pk: UUID) -> Response:
        user = _require(request, rules.VIEW_MUTUAL_AID)
        aid_request = selectors.request_detail(pk)
        context = {"can_read_details": user.has_perm(rules.VIEW_DISCLOSED_DETAILS)}
        return Response(AidRequestDetailSerializer(aid_request, context=context).data)
