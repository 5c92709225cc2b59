"""The central waiting list through the REST API: the same services, selectors and access rules."""

from typing import Any
from uuid import UUID

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from safepathways.accounts.models import User
from safepathways.audit import services as audit
from safepathways.audit.models import AccessBasis, AccessKind
from safepathways.core.api import Pagination
from safepathways.people import selectors as people_selectors
from safepathways.work import selectors, services
from safepathways.work.models import WAITING_LIST_KINDS, ContactMethod, Priority, WorkItem
from safepathways.work.rules import VIEW_WAITING_LIST, WORK_ON_ITEMS

ERROR = inline_serializer(
    "WorkError",
    fields={
        "detail": serializers.CharField(),
        "errors": serializers.ListField(
            child=inline_serializer(
                "WorkFieldError", fields={"field": serializers.CharField(), "message": serializers.CharField()}
            )
        ),
    },
)
ERRORS = {400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR}


def _require(request: Request, perm: str) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.has_perm(perm):
        raise PermissionDenied("Your role does not allow this")
    return user


class PersonIdentitySerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    reference = serializers.CharField()
    full_name = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)


class EntrySerializer(serializers.ModelSerializer[WorkItem]):
    person = PersonIdentitySerializer()
    team = serializers.CharField(source="team.slug")
    neighbourhood = serializers.CharField(source="person.neighbourhood.name", default=None)
    waiting_days = serializers.SerializerMethodField()
    allocated_to = serializers.IntegerField(source="allocated_to_id", allow_null=True)

    class Meta:
        model = WorkItem
        fields = [
            "id",
            "person",
            "kind",
            "title",
            "team",
            "neighbourhood",
            "priority",
            "priority_reasons",
            "likelihood",
            "impact",
            "risk_flags",
            "opened_at",
            "waiting_days",
            "allocation_due",
            "next_contact_due",
            "last_contact_at",
            "allocated_to",
            "closed_at",
        ]

    def get_waiting_days(self, item: WorkItem) -> int:
        return (timezone.localdate() - timezone.localdate(item.opened_at)).days


class EntryDetailSerializer(EntrySerializer):
    class Meta(EntrySerializer.Meta):
        fields = [*EntrySerializer.Meta.fields, "story", "outcome"]


def _entry_for(request: Request, pk: UUID) -> WorkItem:
    """As the web page: the user's relationship with the person, or the shared waiting list."""
    user: User = request.user  # type: ignore[assignment]
    item = get_object_or_404(WorkItem.objects.select_related("person__neighbourhood", "team"), pk=pk)
    basis: str = AccessBasis.WAITING_LIST
    grant_id: UUID | None = None
    try:
        access = people_selectors.resolve_access(user, item.person_id)
    except people_selectors.RelationshipRequiredError as error:
        if not item.is_waiting:
            raise PermissionDenied(
                "You do not work with this person: declare a relationship in the web service"
            ) from error
    else:
        # Under a declared or break-glass grant the look is tied to it, so the IG review counts it.
        basis, grant_id = access.basis, access.grant.pk if access.grant else None
    if request.method == "GET":
        audit.record_access(
            user=user,
            person_id=item.person_id,
            what=f"GET {request.path}",
            basis=basis,
            kind=AccessKind.API,
            grant_id=grant_id,
        )
    return item


class WaitingListApi(APIView):
    """The central waiting list, red first, then longest waiting."""

    @extend_schema(
        parameters=[
            OpenApiParameter("team", str, description="Team slug"),
            OpenApiParameter("neighbourhood", str, description="Neighbourhood name"),
            OpenApiParameter("kind", str, enum=[k.value for k in WAITING_LIST_KINDS]),
            OpenApiParameter("priority", str, enum=Priority.values),
            OpenApiParameter("wait", str, enum=[code for code, *_ in selectors.WAIT_BANDS]),
            OpenApiParameter("page", int),
        ],
        responses={200: EntrySerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        _require(request, VIEW_WAITING_LIST)
        params = request.query_params
        errors: dict[str, str] = {}
        if params.get("kind") and params["kind"] not in WAITING_LIST_KINDS:
            errors["kind"] = "Choose one of: " + ", ".join(k.value for k in WAITING_LIST_KINDS)
        if params.get("priority") and params["priority"] not in Priority.values:
            errors["priority"] = "Choose red, amber or green"
        if params.get("wait") and params["wait"] not in [code for code, *_ in selectors.WAIT_BANDS]:
            errors["wait"] = "Choose one of: " + ", ".join(code for code, *_ in selectors.WAIT_BANDS)
        if errors:
            raise serializers.ValidationError(errors)
        from safepathways.accounts.models import Team
        from safepathways.people.models import Neighbourhood

        team = Team.objects.filter(slug=params["team"]).first() if params.get("team") else None
        neighbourhood = (
            Neighbourhood.objects.filter(name=params["neighbourhood"]).first() if params.get("neighbourhood") else None
        )
        if params.get("team") and team is None:
            raise serializers.ValidationError({"team": "No team has this slug"})
        if params.get("neighbourhood") and neighbourhood is None:
            raise serializers.ValidationError({"neighbourhood": "No neighbourhood has this name"})
        filters = selectors.WaitingListFilter(
            team_id=team.pk if team else None,
            neighbourhood_id=neighbourhood.pk if neighbourhood else None,
            kind=params.get("kind", ""),
            priority=params.get("priority", ""),
            wait_band=params.get("wait", ""),
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.waiting_list(filters), request, view=self)
        return paginator.get_paginated_response(EntrySerializer(page, many=True).data)


class EntryApi(APIView):
    @extend_schema(responses={200: EntryDetailSerializer, **ERRORS})
    def get(self, request: Request, pk: UUID) -> Response:
        _require(request, VIEW_WAITING_LIST)
        return Response(EntryDetailSerializer(_entry_for(request, pk)).data)


class RatingInput(serializers.Serializer[Any]):
    likelihood = serializers.IntegerField(min_value=1, max_value=5)
    impact = serializers.IntegerField(min_value=1, max_value=5)
    risk_flags = serializers.ListField(child=serializers.SlugField(), required=False, default=list)
    why = serializers.CharField()


class RetriageApi(APIView):
    """Change the risk rating; the history keeps who changed it and why."""

    @extend_schema(request=RatingInput, responses={200: EntryDetailSerializer, **ERRORS})
    def post(self, request: Request, pk: UUID) -> Response:
        user = _require(request, WORK_ON_ITEMS)
        item = _entry_for(request, pk)
        data = RatingInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        item = services.retriage(
            work_item=item,
            likelihood=values["likelihood"],
            impact=values["impact"],
            flags=values["risk_flags"],
            why=values["why"],
            by=user,
        )
        return Response(EntryDetailSerializer(item).data)


class KeepInTouchInput(serializers.Serializer[Any]):
    method = serializers.ChoiceField(choices=ContactMethod.choices)
    summary = serializers.CharField()
    situation_changed = serializers.BooleanField(default=False)
    likelihood = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    impact = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    risk_flags = serializers.ListField(
        child=serializers.SlugField(),
        required=False,
        help_text="The circumstances now (risk flag codes). Left out: unchanged. A different set re-rates the entry",
    )
    contacted_at = serializers.DateTimeField(required=False, help_text="When the contact happened; not in the future")


class KeepInTouchApi(APIView):
    """Log a keep-in-touch ("waiting well") contact; a changed situation re-rates the entry."""

    @extend_schema(request=KeepInTouchInput, responses={201: EntryDetailSerializer, **ERRORS})
    def post(self, request: Request, pk: UUID) -> Response:
        user = _require(request, WORK_ON_ITEMS)
        item = _entry_for(request, pk)
        data = KeepInTouchInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        services.record_keep_in_touch(
            work_item=item,
            by=user,
            method=values["method"],
            summary=values["summary"],
            situation_changed=values["situation_changed"],
            likelihood=values.get("likelihood"),
            impact=values.get("impact"),
            flags=values.get("risk_flags"),
            contacted_at=values.get("contacted_at"),
        )
        item.refresh_from_db()
        return Response(EntryDetailSerializer(item).data, status=201)


class AllocationInput(serializers.Serializer[Any]):
    to_user = serializers.IntegerField(help_text="The worker's user id")
    expected_owner = serializers.IntegerField(
        allow_null=True, help_text="Who you saw holding it (null if waiting); a different holder is refused"
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    over_cap_reason = serializers.CharField(required=False, allow_blank=True, default="")


class AllocationApi(APIView):
    """Allocate to a worker (yourself, or anyone in the team if you manage it)."""

    @extend_schema(request=AllocationInput, responses={200: EntryDetailSerializer, 409: ERROR, **ERRORS})
    def post(self, request: Request, pk: UUID) -> Response:
        user = _require(request, WORK_ON_ITEMS)
        item = _entry_for(request, pk)
        data = AllocationInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        to_user = User.objects.filter(pk=values["to_user"], is_active=True).first()
        if to_user is None:
            raise serializers.ValidationError({"to_user": "No active user has this id"})
        item = services.allocate(
            work_item=item,
            to_user=to_user,
            by=user,
            expected_owner_id=values["expected_owner"],
            reason=values["reason"],
            over_cap_reason=values["over_cap_reason"],
        )
        return Response(EntryDetailSerializer(item).data)
