"""Transition plans and continuity gaps through the REST API, with the same services, selectors and scoping as
the web pages: partners list and read the plans shared with them and update the items their organisation owns."""

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from safepathways.accounts.models import Organisation, Team, User
from safepathways.audit import services as audit
from safepathways.audit.models import AccessKind
from safepathways.core.api import Pagination
from safepathways.people.selectors import RelationshipRequiredError, resolve_access
from safepathways.transitions import rules, selectors, services
from safepathways.transitions.models import (
    Agreement,
    Arrangement,
    Gap,
    ItemStatus,
    MoveRisk,
    Plan,
    PlanKind,
    PlanStatusChange,
    Step,
)

ERROR = inline_serializer(
    "TransitionsError",
    fields={
        "detail": serializers.CharField(),
        "errors": serializers.ListField(
            child=inline_serializer(
                "TransitionsFieldError", fields={"field": serializers.CharField(), "message": serializers.CharField()}
            )
        ),
    },
)
PLAN_STATUS_HELP = "One of: planning, ready, moved, checked, cancelled"


def _require(request: Request, perm: str) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.has_perm(perm):
        raise PermissionDenied("Your role does not allow this")
    return user


def _plan(user: User, pk: UUID) -> Plan:
    return _plan_access(user, pk).plan


def _plan_access(user: User, pk: UUID) -> selectors.PlanAccess:
    """The plan with the basis (and any grant) the user sees it on; 403 for staff who must declare a relationship."""
    try:
        return selectors.plan_access(user, pk)
    except RelationshipRequiredError as needed:
        raise PermissionDenied("Declare your working relationship with this person first") from needed


class StepSerializer(serializers.ModelSerializer[Step]):
    owner_organisation = serializers.CharField(source="owner_organisation.name", read_only=True, default="")
    status = serializers.CharField(read_only=True, help_text="open, done or not_needed")

    class Meta:
        model = Step
        fields = [
            "id",
            "description",
            "owner_name",
            "owner_role",
            "owner_organisation",
            "owner_phone",
            "due_on",
            "status",
            "note",
        ]


class ArrangementSerializer(serializers.ModelSerializer[Arrangement]):
    owner_organisation = serializers.CharField(source="owner_organisation.name", read_only=True, default="")
    status = serializers.CharField(read_only=True, help_text="open, done or not_needed")

    class Meta:
        model = Arrangement
        fields = [
            "id",
            "code",
            "label",
            "is_essential",
            "after_move",
            "owner_name",
            "owner_role",
            "owner_organisation",
            "owner_phone",
            "due_on",
            "status",
            "note",
        ]


class RiskSerializer(serializers.ModelSerializer[MoveRisk]):
    owner_organisation = serializers.CharField(source="owner_organisation.name", read_only=True, default="")

    class Meta:
        model = MoveRisk
        fields = ["id", "risk", "contingency", "owner_name", "owner_organisation", "owner_phone"]


class PlanStatusSerializer(serializers.ModelSerializer[PlanStatusChange]):
    status = serializers.CharField(read_only=True, help_text=PLAN_STATUS_HELP)

    class Meta:
        model = PlanStatusChange
        fields = ["status", "reason", "created_at"]


class PlanSummarySerializer(serializers.ModelSerializer[Plan]):
    person = serializers.UUIDField(source="person_id", read_only=True)
    person_reference = serializers.CharField(source="person.reference", read_only=True)
    team = serializers.CharField(source="team.slug", read_only=True)
    coordinator = serializers.CharField(source="coordinator.full_name", read_only=True)
    status = serializers.CharField(read_only=True, help_text=PLAN_STATUS_HELP)
    kind = serializers.CharField(read_only=True, help_text="One of: " + ", ".join(PlanKind.values))

    class Meta:
        model = Plan
        fields = [
            "id",
            "person",
            "person_reference",
            "kind",
            "moving_from",
            "moving_to",
            "planned_on",
            "status",
            "team",
            "coordinator",
            "moved_on",
            "check_due_at",
        ]


class PlanSerializer(PlanSummarySerializer):
    steps = StepSerializer(many=True, read_only=True)
    arrangements = ArrangementSerializer(many=True, read_only=True)
    risks = RiskSerializer(many=True, read_only=True)
    statuses = PlanStatusSerializer(source="status_changes", many=True, read_only=True)

    class Meta(PlanSummarySerializer.Meta):
        fields = [
            *PlanSummarySerializer.Meta.fields,
            "persons_views",
            "what_matters",
            "carers_views",
            "person_agreement",
            "carer_agreement",
            "steps",
            "arrangements",
            "risks",
            "statuses",
        ]


class PlanInputSerializer(serializers.Serializer[dict[str, Any]]):
    person = serializers.UUIDField(help_text="The council record's id")
    kind = serializers.ChoiceField(choices=PlanKind.choices)
    moving_from = serializers.CharField(max_length=300)
    moving_to = serializers.CharField(max_length=300)
    planned_on = serializers.DateField()
    team = serializers.SlugField(help_text="The responsible team's slug; one of your teams")
    coordinator = serializers.EmailField(required=False, help_text="Defaults to you")


class PlanUpdateSerializer(serializers.Serializer[dict[str, Any]]):
    moving_from = serializers.CharField(max_length=300, required=False)
    moving_to = serializers.CharField(max_length=300, required=False)
    planned_on = serializers.DateField(required=False)
    coordinator = serializers.EmailField(
        required=False, help_text="Who coordinates the move: the email address of council staff in the plan's team"
    )
    persons_views = serializers.CharField(required=False, allow_blank=True)
    what_matters = serializers.CharField(required=False, allow_blank=True)
    carers_views = serializers.CharField(required=False, allow_blank=True)
    person_agreement = serializers.ChoiceField(choices=Agreement.choices, required=False)
    carer_agreement = serializers.ChoiceField(choices=Agreement.choices, required=False)


class OwnerInputSerializer(serializers.Serializer[dict[str, Any]]):
    owner_name = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")
    owner_role = serializers.CharField(max_length=100, allow_blank=True, required=False, default="")
    owner_organisation = serializers.UUIDField(required=False, allow_null=True, default=None)
    owner_phone = serializers.CharField(max_length=40, allow_blank=True, required=False, default="")
    due_on = serializers.DateField(required=False, allow_null=True, default=None)


class StepInputSerializer(OwnerInputSerializer):
    description = serializers.CharField(max_length=300)


class ItemUpdateSerializer(OwnerInputSerializer):
    status = serializers.ChoiceField(choices=ItemStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class GapSerializer(serializers.ModelSerializer[Gap]):
    person = serializers.UUIDField(source="person_id", read_only=True)
    person_reference = serializers.CharField(source="person.reference", read_only=True)
    team = serializers.CharField(source="team.slug", read_only=True, default="")

    class Meta:
        model = Gap
        fields = ["id", "rule", "subject_key", "person", "person_reference", "team", "detail", "since", "found_on"]


def _owner(data: dict[str, Any]) -> services.Owner:
    organisation = None
    if data.get("owner_organisation"):
        organisation = Organisation.objects.filter(pk=data["owner_organisation"]).first()
        if organisation is None:
            raise serializers.ValidationError({"owner_organisation": "No organisation has this id"})
    return services.Owner(
        name=data.get("owner_name", ""),
        organisation=organisation,
        role=data.get("owner_role", ""),
        phone=data.get("owner_phone", ""),
    )


def _detail(user: User, pk: UUID) -> dict[str, Any]:
    return PlanSerializer(_plan(user, pk)).data


class PlanListCreateApi(APIView):
    """Plans your teams coordinate (partners: plans shared with your organisation); or start one (council staff)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=["open", "overdue", "moved", "closed", "all"]),
            OpenApiParameter("kind", str, enum=PlanKind.values),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses={200: PlanSummarySerializer(many=True), 401: ERROR, 403: ERROR},
    )
    def get(self, request: Request) -> Response:
        user = _require(request, rules.VIEW_PLANS)
        filters = selectors.PlanFilter(
            kind=request.query_params.get("kind", ""), status=request.query_params.get("status", "open")
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.plans(user, filters, timezone.localdate()), request, view=self)
        return paginator.get_paginated_response(PlanSummarySerializer(page, many=True).data)

    @extend_schema(request=PlanInputSerializer, responses={201: PlanSerializer, 400: ERROR, 401: ERROR, 403: ERROR})
    def post(self, request: Request) -> Response:
        user = _require(request, rules.PLAN_MOVES)
        serializer = PlanInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            person = resolve_access(user, data["person"]).person
        except (Http404, RelationshipRequiredError) as error:
            raise serializers.ValidationError({"person": "No record you work with has this id"}) from error
        team = Team.objects.filter(slug=data["team"], pk__in=user.team_ids).first()
        if team is None:
            raise serializers.ValidationError({"team": "You are not in a team with this slug"})
        coordinator = user
        if data.get("coordinator"):
            found = User.objects.filter(email=data["coordinator"].lower(), memberships__team=team).first()
            if found is None:
                raise serializers.ValidationError({"coordinator": "Nobody in the team has this email address"})
            coordinator = found
        plan = services.create_plan(
            person=person,
            kind=data["kind"],
            moving_from=data["moving_from"],
            moving_to=data["moving_to"],
            planned_on=data["planned_on"],
            team=team,
            coordinator=coordinator,
            by=user,
        )
        return Response(_detail(user, plan.pk), status=status.HTTP_201_CREATED)


class PlanDetailApi(APIView):
    """One plan with its steps, arrangements, risks and history; change its details or record views (staff)."""

    @extend_schema(responses={200: PlanSerializer, 401: ERROR, 403: ERROR, 404: ERROR})
    def get(self, request: Request, pk: UUID) -> Response:
        user = _require(request, rules.VIEW_PLANS)
        access = _plan_access(user, pk)
        # The basis and grant the plan was opened on: a look under a declared or break-glass grant is listed in that
        # grant's IG review (governance.selectors.viewed_under).
        audit.record_access(
            user=user,
            person_id=access.plan.person_id,
            what=f"GET {request.path}",
            basis=access.basis,
            grant_id=access.grant.pk if access.grant else None,
            kind=AccessKind.API,
        )
        return Response(PlanSerializer(access.plan).data)

    @extend_schema(
        request=PlanUpdateSerializer, responses={200: PlanSerializer, 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR}
    )
    def patch(self, request: Request, pk: UUID) -> Response:
        user = _require(request, rules.PLAN_MOVES)
        plan = _plan(user, pk)
        serializer = PlanUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "coordinator" in data:
            coordinator = selectors.plan_coordinator_by_email(plan, data["coordinator"])
            if coordinator is None:
                raise serializers.ValidationError(
                    {"coordinator": "Nobody on the council staff of the plan's team has this email address"}
                )
            data["coordinator"] = coordinator
        services.update_plan(plan=plan, by=user, data=data)
        return Response(_detail(user, pk))


class StepCreateApi(APIView):
    """Add a step (what happens next and who does it)."""

    @extend_schema(
        request=StepInputSerializer, responses={201: PlanSerializer, 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR}
    )
    def post(self, request: Request, pk: UUID) -> Response:
        user = _require(request, rules.PLAN_MOVES)
        plan = _plan(user, pk)
        serializer = StepInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.add_step(
            plan=plan, by=user, description=data["description"], owner=_owner(data), due_on=data["due_on"]
        )
        return Response(_detail(user, pk), status=status.HTTP_201_CREATED)


class ItemUpdateApi(APIView):
    """Update a step or arrangement: owner, due date, status. Partners: only items their organisation owns."""

    @extend_schema(
        operation_id="transitions_plan_item_update",
        request=ItemUpdateSerializer,
        parameters=[OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=["step", "arrangement"])],
        responses={200: PlanSerializer, 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR},
    )
    def patch(self, request: Request, pk: UUID, kind: str, item_pk: UUID) -> Response:
        user = _require(request, rules.FOLLOW_PLANS)
        if kind not in ("step", "arrangement"):
            raise Http404
        plan = _plan(user, pk)
        items = plan.steps.all() if kind == "step" else plan.arrangements.all()
        found = next((i for i in items if i.pk == item_pk), None)
        if found is None:
            raise Http404
        serializer = ItemUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if user.is_council_staff:
            owner = _owner(data)
        else:
            if found.owner_organisation_id not in user.organisation_ids:
                raise PermissionDenied("Only items your organisation owns")
            owner = services.Owner(found.owner_name, found.owner_organisation, found.owner_role, found.owner_phone)
        services.update_item(
            plan=plan,
            by=user,
            kind=kind,
            item_id=found.pk,
            owner=owner,
            due_on=data["due_on"] if "due_on" in request.data else found.due_on,
            status=data["status"],
            note=data["note"],
        )
        return Response(_detail(user, pk))


class ArrangementInputSerializer(OwnerInputSerializer):
    label = serializers.CharField(max_length=200)  # type: ignore[assignment]  # DRF takes it as a field, not Field.label
    is_essential = serializers.BooleanField(required=False, default=True)


class RiskInputSerializer(serializers.Serializer[dict[str, Any]]):
    risk = serializers.CharField()
    contingency = serializers.CharField()
    owner_name = serializers.CharField(max_length=200)
    owner_organisation = serializers.UUIDField(required=False, allow_null=True, default=None)
    owner_phone = serializers.CharField(max_length=40, allow_blank=True, required=False, default="")


class ReadyInputSerializer(serializers.Serializer[dict[str, Any]]):
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Only a team manager of the plan's team, and only while essential arrangements are open",
    )


class ReasonInputSerializer(serializers.Serializer[dict[str, Any]]):
    reason = serializers.CharField()


class MoveInputSerializer(serializers.Serializer[dict[str, Any]]):
    moved_on = serializers.DateField()


class CheckInputSerializer(serializers.Serializer[dict[str, Any]]):
    spoke_to = serializers.CharField(max_length=200)
    went_as_planned = serializers.BooleanField()
    problems = serializers.CharField(required=False, allow_blank=True, default="")
    feedback_to = serializers.CharField(required=False, allow_blank=True, default="")


class ShareInputSerializer(serializers.Serializer[dict[str, Any]]):
    organisation = serializers.UUIDField(help_text="A partner organisation's id")


def _organisation(pk: UUID | None) -> Organisation | None:
    return Organisation.objects.filter(pk=pk).first() if pk else None


class _PlanActionApi(APIView, ABC):
    """One action on a plan by council staff, through the service the web page uses; answers the plan.
    Each subclass names its input and what it does (`act`)."""

    input: type[serializers.Serializer[dict[str, Any]]]
    created = False

    @abstractmethod
    def act(self, plan: Plan, data: dict[str, Any], user: User) -> None:
        """Call the service for this action with the validated input."""

    def post(self, request: Request, pk: UUID) -> Response:
        user = _require(request, rules.PLAN_MOVES)
        if not user.is_council_staff:
            raise PermissionDenied("Only council staff change plans")
        plan = _plan(user, pk)
        serializer = self.input(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.act(plan, dict(serializer.validated_data), user)
        return Response(_detail(user, pk), status=status.HTTP_201_CREATED if self.created else status.HTTP_200_OK)


_View = TypeVar("_View", bound=Callable[..., Response])


def _action_schema(
    input: type[serializers.Serializer[dict[str, Any]]], *, created: bool = False
) -> Callable[[_View], _View]:
    ok = 201 if created else 200
    return extend_schema(request=input, responses={ok: PlanSerializer, 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR})


class ArrangementCreateApi(_PlanActionApi):
    """Add a practical arrangement (essential unless said otherwise) with its owner and due date."""

    input, created = ArrangementInputSerializer, True

    @_action_schema(ArrangementInputSerializer, created=True)
    def post(self, request: Request, pk: UUID) -> Response:
        return super().post(request, pk)

    def act(self, plan: Plan, data: dict[str, Any], user: User) -> None:
        services.add_arrangement(
            plan=plan,
            by=user,
            label=data["label"],
            owner=_owner(data),
            due_on=data["due_on"],
            is_essential=data["is_essential"],
        )


class RiskCreateApi(_PlanActionApi):
    """Add a risk of the move and the contingency if it happens."""

    input, created = RiskInputSerializer, True

    @_action_schema(RiskInputSerializer, created=True)
    def post(self, request: Request, pk: UUID) -> Response:
        return super().post(request, pk)

    def act(self, plan: Plan, data: dict[str, Any], user: User) -> None:
        organisation = _organisation(data["owner_organisation"])
        if data["owner_organisation"] and organisation is None:
            raise serializers.ValidationError({"owner_organisation": "No organisation has this id"})
        owner = services.Owner(name=data["owner_name"], organisation=organisation, phone=data["owner_phone"])
        services.add_risk(plan=plan, by=user, risk=data["risk"], contingency=data["contingency"], owner=owner)


class ReadyApi(_PlanActionApi):
    """Mark the move ready: refused while an essential arrangement is open, unless the team's manager overrides."""

    input = ReadyInputSerializer

    @_action_schema(ReadyInputSerializer)
    def post(self, request: Request, pk: UUID) -> Response:
        return super().post(request, pk)

    def act(self, plan: Plan, data: dict[str, Any], user: User) -> None:
        services.mark_ready(plan=plan, by=user, override_reason=data["override_reason"])


class ReopenApi(_PlanActionApi):
    """Take a ready plan back into planning, saying what changed."""

    input = ReasonInputSerializer

    @_action_schema(ReasonInputSerializer)
    def post(self, request: Request, pk: UUID) -> Response:
        return super().post(request, pk)

    def act(self, plan: Plan, data: dict[str, Any], user: User) -> None:
        services.reopen_planning(plan=plan, by=user, reason=data["reason"])


class MoveApi(_PlanActionApi):
    """Record that the move happened; the check after it falls due at the configured interval."""

    input = MoveInputSerializer

    @_action_schema(MoveInputSerializer)
    def post(self, request: Request, pk: UUID) -> Response:
        return super().post(request, pk)

    def act(self, plan: Plan, data: dict[str, Any], user: User) -> None:
        services.record_move(plan=plan, by=user, moved_on=data["moved_on"])


class CheckApi(_PlanActionApi):
    """Record the check after the move: who was spoken to, whether it went as planned, problems and feedback."""

    input = CheckInputSerializer

    @_action_schema(CheckInputSerializer)
    def post(self, request: Request, pk: UUID) -> Response:
        return super().post(request, pk)

    def act(self, plan: Plan, data: dict[str, Any], user: User) -> None:
        services.record_check(
            plan=plan,
            by=user,
            spoke_to=data["spoke_to"],
            went_as_planned=data["went_as_planned"],
            problems=data["problems"],
            feedback_to=data["feedback_to"],
        )


class CancelApi(_PlanActionApi):
    """Cancel the move, saying why."""

    input = ReasonInputSerializer

    @_action_schema(ReasonInputSerializer)
    def post(self, request: Request, pk: UUID) -> Response:
        return super().post(request, pk)

    def act(self, plan: Plan, data: dict[str, Any], user: User) -> None:
        services.cancel_plan(plan=plan, by=user, reason=data["reason"])


class ShareApi(_PlanActionApi):
    """Share the plan with a partner organisation, which then sees it and updates the items it owns."""

    input = ShareInputSerializer

    @_action_schema(ShareInputSerializer)
    def post(self, request: Request, pk: UUID) -> Response:
        return super().post(request, pk)

    def act(self, plan: Plan, data: dict[str, Any], user: User) -> None:
        organisation = _organisation(data["organisation"])
        if organisation is None:
            raise serializers.ValidationError({"organisation": "No organisation has this id"})
        services.share_plan(plan=plan, by=user, organisation=organisation)


class UnshareApi(APIView):
    """Stop sharing the plan with a partner organisation: its staff no longer see it."""

    @extend_schema(request=None, responses={200: PlanSerializer, 401: ERROR, 403: ERROR, 404: ERROR})
    def delete(self, request: Request, pk: UUID, organisation_pk: UUID) -> Response:
        user = _require(request, rules.PLAN_MOVES)
        if not user.is_council_staff:
            raise PermissionDenied("Only council staff change plans")
        plan = _plan(user, pk)
        organisation = next((o for o in plan.shared_with.all() if o.pk == organisation_pk), None)
        if organisation is None:
            raise Http404
        services.unshare_plan(plan=plan, by=user, organisation=organisation)
        return Response(_detail(user, pk))


class GapListApi(APIView):
    """Open continuity gaps, longest first."""

    @extend_schema(
        parameters=[
            OpenApiParameter("rule", str),
            OpenApiParameter("team", str, description="A team's slug: only that team's gaps"),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses={200: GapSerializer(many=True), 400: ERROR, 401: ERROR, 403: ERROR},
    )
    def get(self, request: Request) -> Response:
        _require(request, rules.VIEW_CONTINUITY)
        team_id = None
        if slug := request.query_params.get("team", ""):
            team = Team.objects.filter(slug=slug).first()
            if team is None:
                raise serializers.ValidationError({"team": "No team has this slug"})
            team_id = team.pk
        paginator = Pagination()
        rule = request.query_params.get("rule", "")
        rows = selectors.open_gaps(selectors.GapFilter(rule=rule, team_id=team_id))
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(GapSerializer(page, many=True).data)
