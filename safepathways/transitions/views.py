"""Transition plan pages (the plan, its items, the printable copy and PDF) and the continuity view."""

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safepathways.accounts.http import AuthenticatedHttpRequest
from safepathways.accounts.models import Team, User
from safepathways.core.decorators import permission_required
from safepathways.core.errors import ApplicationError
from safepathways.core.paging import CountedPaginator, PagedRows, filter_query
from safepathways.people.decorators import declare_first, log_look, person_record
from safepathways.people.selectors import PersonAccess, RelationshipRequiredError
from safepathways.transitions import gaps, rules, selectors, services
from safepathways.transitions.forms import (
    ArrangementForm,
    CheckForm,
    DetailsForm,
    ExplainForm,
    GapFilterForm,
    ItemForm,
    MoveForm,
    PlanFilterForm,
    PlanForm,
    ReadyForm,
    ReasonForm,
    RiskForm,
    ShareForm,
    StepForm,
    ViewsForm,
)
from safepathways.transitions.models import Arrangement, Plan, PlanStatus, Step
from safepathways.transitions.presenters import TEMPLATE_HELPERS, hours_in_words

PAGE_SIZE = 50


def _context(**extra: Any) -> dict[str, Any]:
    return {**TEMPLATE_HELPERS, **extra}


def _apply_error(form: forms.Form, error: ApplicationError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _plan(
    request: AuthenticatedHttpRequest, pk: UUID, what: str = "transition plan"
) -> selectors.PlanAccess | HttpResponse:
    """The plan in the user's scope (404 outside it); staff without a relationship declare one first."""
    try:
        access = selectors.plan_access(request.user, pk)
    except RelationshipRequiredError as needed:
        return declare_first(request, needed.person.pk)
    log_look(request, PersonAccess(access.plan.person, access.basis, access.grant), what)
    return access


def _staff_plan(request: AuthenticatedHttpRequest, pk: UUID) -> Plan | HttpResponse:
    """A plan the user may change: council practitioners only (partners follow their own items)."""
    access = _plan(request, pk)
    if isinstance(access, HttpResponse):
        return access
    if not request.user.is_council_staff:
        raise Http404
    return access.plan


def _owner(data: dict[str, Any]) -> services.Owner:
    return services.Owner(
        name=data.get("owner_name") or "",
        organisation=data.get("owner_organisation"),
        role=data.get("owner_role") or "",
        phone=data.get("owner_phone") or "",
    )


# --- /transitions/ ---------------------------------------------------------------------------------------------------


@require_GET
@permission_required(rules.VIEW_PLANS)
def plans(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PlanFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.PlanFilter(kind=data.get("kind") or "", status=data.get("status") or "open")
    today = timezone.localdate()
    page = Paginator(selectors.plans(request.user, filters, today), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "transitions/plans.html",
        _context(form=form, page=page, today=today, query=query.urlencode(), filters=filters),
    )


def _coordinators(user: User) -> Any:
    return User.objects.filter(memberships__team_id__in=user.team_ids, is_active=True).distinct().order_by("full_name")


@require_http_methods(["GET", "POST"])
@permission_required(rules.PLAN_MOVES)
@person_record("new transition plan")
def new_plan(request: AuthenticatedHttpRequest, access: PersonAccess) -> HttpResponse:
    teams = Team.objects.filter(pk__in=request.user.team_ids).order_by("name")
    initial = {"coordinator": request.user.pk, "team": teams.first()}
    form = PlanForm(request.POST or None, initial=initial, teams=teams, coordinators=_coordinators(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.create_plan(
                person=access.person,
                kind=data["kind"],
                moving_from=data["moving_from"],
                moving_to=data["moving_to"],
                planned_on=data["planned_on"],
                team=data["team"],
                coordinator=data["coordinator"],
                by=request.user,
            )
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, "Transition plan started: add who does what and the practical arrangements")
            return redirect("transitions:plan", pk=plan.pk)
    return render(request, "transitions/plan_form.html", _context(form=form, person=access.person))


FORMS: dict[str, type[forms.Form]] = {
    "details_form": DetailsForm,
    "views_form": ViewsForm,
    "step_form": StepForm,
    "arrangement_form": ArrangementForm,
    "risk_form": RiskForm,
    "ready_form": ReadyForm,
    "reopen_form": ReasonForm,
    "move_form": MoveForm,
    "check_form": CheckForm,
    "cancel_form": ReasonForm,
    "share_form": ShareForm,
}


def _initial(name: str, plan: Plan) -> dict[str, Any]:
    if name == "details_form":
        return {
            "moving_from": plan.moving_from,
            "moving_to": plan.moving_to,
            "planned_on": plan.planned_on,
            "coordinator": plan.coordinator_id,
        }
    if name == "views_form":
        return {
            "persons_views": plan.persons_views,
            "what_matters": plan.what_matters,
            "carers_views": plan.carers_views,
            "person_agreement": plan.person_agreement,
            "carer_agreement": plan.carer_agreement,
        }
    if name == "move_form":
        return {"moved_on": timezone.localdate()}
    return {}


def _choices(name: str, plan: Plan) -> dict[str, Any]:
    """The choices a form takes from the plan: the details form's coordinators (read only if it is shown)."""
    return {"coordinators": selectors.plan_coordinators(plan)} if name == "details_form" else {}


def _render_plan(request: AuthenticatedHttpRequest, access: selectors.PlanAccess, **bound: forms.Form) -> HttpResponse:
    plan = access.plan
    today = timezone.localdate()
    arrangements = list(plan.arrangements.all())
    context: dict[str, Any] = {
        name: bound.get(name)
        or form_class(prefix=name.removesuffix("_form"), initial=_initial(name, plan), **_choices(name, plan))
        for name, form_class in FORMS.items()
    }
    user = request.user
    can_plan = user.is_council_staff and user.has_perm(rules.PLAN_MOVES)
    own_organisations = set(user.organisation_ids)
    status = 400 if any(form.errors for form in bound.values()) else 200
    return render(
        request,
        "transitions/plan.html",
        _context(
            plan=plan,
            today=today,
            can_plan=can_plan,
            is_partner=not user.is_council_staff,
            own_organisations=own_organisations,
            blocking=[a for a in arrangements if a.holds_readiness and a.is_open],
            after_move=[a for a in arrangements if a.is_essential and a.after_move and a.is_open],
            after_move_late=[a for a in arrangements if a.is_essential and a.after_move and a.is_past_due(today)],
            check=getattr(plan, "post_move_check", None) if plan.status == PlanStatus.CHECKED else None,
            **context,
        ),
        status=status,
    )


@require_GET
@permission_required(rules.VIEW_PLANS)
def plan(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    access = _plan(request, pk)
    if isinstance(access, HttpResponse):
        return access
    return _render_plan(request, access)


Action = Callable[[Plan, dict[str, Any], User], str]


def _plan_action(request: AuthenticatedHttpRequest, pk: UUID, form_name: str, action: Action) -> HttpResponse:
    """Validate one of the plan page's forms, run the service, and come back to the plan (or show the errors)."""
    access = _plan(request, pk)
    if isinstance(access, HttpResponse):
        return access
    if not request.user.is_council_staff:
        raise Http404
    form_class = FORMS[form_name]
    form = form_class(request.POST, prefix=form_name.removesuffix("_form"), **_choices(form_name, access.plan))
    if form.is_valid():
        try:
            message = action(access.plan, form.cleaned_data, request.user)
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, message)
            return redirect("transitions:plan", pk=access.plan.pk)
    fresh = selectors.plan_access(request.user, pk)
    return _render_plan(request, fresh, **{form_name: form})


@require_POST
@permission_required(rules.PLAN_MOVES)
def update_details(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    def action(plan: Plan, data: dict[str, Any], user: User) -> str:
        services.update_plan(plan=plan, by=user, data=data)
        return "Move details saved"

    return _plan_action(request, pk, "details_form", action)


@require_POST
@permission_required(rules.PLAN_MOVES)
def update_views(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    def action(plan: Plan, data: dict[str, Any], user: User) -> str:
        services.update_plan(plan=plan, by=user, data=data)
        return "Views and agreement saved"

    return _plan_action(request, pk, "views_form", action)


@require_POST
@permission_required(rules.PLAN_MOVES)
def add_step(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    def action(plan: Plan, data: dict[str, Any], user: User) -> str:
        services.add_step(
            plan=plan, by=user, description=data["description"], owner=_owner(data), due_on=data["due_on"]
        )
        return "Step added"

    return _plan_action(request, pk, "step_form", action)


@require_POST
@permission_required(rules.PLAN_MOVES)
def add_arrangement(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    def action(plan: Plan, data: dict[str, Any], user: User) -> str:
        services.add_arrangement(
            plan=plan,
            by=user,
            label=data["label"],
            owner=_owner(data),
            due_on=data["due_on"],
            is_essential=data["is_essential"] == "yes",
        )
        return "Arrangement added"

    return _plan_action(request, pk, "arrangement_form", action)


@require_POST
@permission_required(rules.PLAN_MOVES)
def add_risk(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    def action(plan: Plan, data: dict[str, Any], user: User) -> str:
        services.add_risk(
            plan=plan,
            by=user,
            risk=data["risk"],
            contingency=data["contingency"],
            owner=services.Owner(
                name=data["owner_name"], organisation=data["owner_organisation"], phone=data["owner_phone"]
            ),
        )
        return "Risk and contingency added"

    return _plan_action(request, pk, "risk_form", action)


@require_POST
@permission_required(rules.PLAN_MOVES)
def mark_ready(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    def action(plan: Plan, data: dict[str, Any], user: User) -> str:
        services.mark_ready(plan=plan, by=user, override_reason=data["override_reason"])
        return "The move is ready"

    return _plan_action(request, pk, "ready_form", action)


@require_POST
@permission_required(rules.PLAN_MOVES)
def reopen(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    def action(plan: Plan, data: dict[str, Any], user: User) -> str:
        services.reopen_planning(plan=plan, by=user, reason=data["reason"])
        return "The plan is back in planning"

    return _plan_action(request, pk, "reopen_form", action)


@require_POST
@permission_required(rules.PLAN_MOVES)
def record_move(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    def action(plan: Plan, data: dict[str, Any], user: User) -> str:
        moved = services.record_move(plan=plan, by=user, moved_on=data["moved_on"])
        assert moved.check_due_at is not None
        when = timezone.localtime(moved.check_due_at)
        return f"Move recorded. Check it went as planned by {when:%-d %B %Y at %H:%M}"

    return _plan_action(request, pk, "move_form", action)


@require_POST
@permission_required(rules.PLAN_MOVES)
def record_check(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    def action(plan: Plan, data: dict[str, Any], user: User) -> str:
        services.record_check(
            plan=plan,
            by=user,
            spoke_to=data["spoke_to"],
            went_as_planned=data["went_as_planned"] == "yes",
            problems=data["problems"],
            feedback_to=data["feedback_to"],
        )
        return "Check after the move recorded"

    return _plan_action(request, pk, "check_form", action)


@require_POST
@permission_required(rules.PLAN_MOVES)
def cancel(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    def action(plan: Plan, data: dict[str, Any], user: User) -> str:
        services.cancel_plan(plan=plan, by=user, reason=data["reason"])
        return "The move is cancelled"

    return _plan_action(request, pk, "cancel_form", action)


@require_POST
@permission_required(rules.PLAN_MOVES)
def share(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    def action(plan: Plan, data: dict[str, Any], user: User) -> str:
        services.share_plan(plan=plan, by=user, organisation=data["organisation"])
        return f"Plan shared with {data['organisation']}"

    return _plan_action(request, pk, "share_form", action)


@require_POST
@permission_required(rules.PLAN_MOVES)
def unshare(request: AuthenticatedHttpRequest, pk: UUID, organisation_pk: UUID) -> HttpResponse:
    """Stop sharing with one partner organisation (a button beside each organisation the plan is shared with)."""
    plan = _staff_plan(request, pk)
    if isinstance(plan, HttpResponse):
        return plan
    organisation = next((o for o in plan.shared_with.all() if o.pk == organisation_pk), None)
    if organisation is None:
        raise Http404
    services.unshare_plan(plan=plan, by=request.user, organisation=organisation)
    messages.success(request, f"The plan is no longer shared with {organisation.name}")
    return redirect("transitions:plan", pk=plan.pk)


@require_http_methods(["GET", "POST"])
@permission_required(rules.FOLLOW_PLANS)
def item(request: AuthenticatedHttpRequest, pk: UUID, kind: str, item_pk: UUID) -> HttpResponse:
    """Give a step or arrangement an owner and due date or mark it done. Partners only their own organisation's."""
    if kind not in ("step", "arrangement"):
        raise Http404
    access = _plan(request, pk, what="transition plan item")
    if isinstance(access, HttpResponse):
        return access
    plan = access.plan
    found: Step | Arrangement | None
    if kind == "step":
        found = next((i for i in plan.steps.all() if i.pk == item_pk), None)
    else:
        found = next((i for i in plan.arrangements.all() if i.pk == item_pk), None)
    if found is None:
        raise Http404
    user = request.user
    if not user.is_council_staff and found.owner_organisation_id not in user.organisation_ids:
        raise PermissionDenied
    initial = {
        "owner_name": found.owner_name,
        "owner_role": found.owner_role,
        "owner_organisation": found.owner_organisation_id,
        "owner_phone": found.owner_phone,
        "due_on": found.due_on,
        "status": found.status,
        "note": found.note,
    }
    form = ItemForm(request.POST or None, initial=initial)
    if not user.is_council_staff:
        # A partner records progress on their own item; who owns it is the council's to change.
        for name in ("owner_name", "owner_role", "owner_organisation", "owner_phone"):
            form.fields[name].disabled = True
    if request.method == "POST" and form.is_valid():
        data = {**initial, **form.cleaned_data} if not user.is_council_staff else form.cleaned_data
        if not user.is_council_staff:
            data["owner_organisation"] = found.owner_organisation
        try:
            services.update_item(
                plan=plan,
                by=user,
                kind=kind,
                item_id=found.pk,
                owner=_owner(data),
                due_on=data["due_on"],
                status=data["status"],
                note=data["note"],
            )
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, "Saved")
            return redirect("transitions:plan", pk=plan.pk)
    label = found.description if isinstance(found, Step) else found.label
    return render(
        request, "transitions/item_form.html", _context(form=form, plan=plan, item=found, label=label, kind=kind)
    )


# --- the plan for the person and family ------------------------------------------------------------------------------


def _family_copy_context(plan: Plan) -> dict[str, Any]:
    config = settings.SAFEPATHWAYS
    return _context(
        plan=plan,
        council_name=config["COUNCIL_NAME"],
        contact_phone=config.get("CONTACT_CENTRE_PHONE", ""),
        out_of_hours_phone=config.get("OUT_OF_HOURS_PHONE", ""),
        steps=list(plan.steps.all()),
        arrangements=[a for a in plan.arrangements.all() if a.status != "not_needed"],
        risks=list(plan.risks.all()),
        check_within=hours_in_words(selectors.post_move_check_hours()),
        printed_on=timezone.localdate(),
    )


@require_GET
@permission_required(rules.VIEW_PLANS)
def family_copy(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    access = _plan(request, pk, what="transition plan (family copy)")
    if isinstance(access, HttpResponse):
        return access
    return render(request, "transitions/family_copy.html", _family_copy_context(access.plan))


@require_GET
@permission_required(rules.VIEW_PLANS)
def family_copy_pdf(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    """The same plain-English copy as a tagged PDF (PDF/UA-1), for the public sector accessibility regulations."""
    from weasyprint import HTML  # imported here: loading pango takes a moment and most pages never need it

    access = _plan(request, pk, what="transition plan (PDF)")
    if isinstance(access, HttpResponse):
        return access
    html = render_to_string("transitions/family_copy_pdf.html", _family_copy_context(access.plan), request=request)
    pdf = HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="moving-plan-{access.plan.person.reference}.pdf"'
    return response


# --- /transitions/continuity/ ----------------------------------------------------------------------------------------


@require_GET
@permission_required(rules.VIEW_CONTINUITY)
def continuity(request: AuthenticatedHttpRequest) -> HttpResponse:
    rule_choices = [(rule.code, rule.label) for rule in gaps.all_rules()]
    form = GapFilterForm(request.GET or None, rules=rule_choices, teams=selectors.council_teams())
    data = form.cleaned_data if form.is_valid() else {}
    team = data.get("team")
    filters = selectors.GapFilter(rule=data.get("rule") or "", team_id=team.pk if team else None)
    counts = selectors.open_gap_counts(filters.team_id)
    # The counts by kind already say how many rows the filter lists: the pager need not count them again.
    total = counts.get(filters.rule, 0) if filters.rule else sum(counts.values())
    rows = PagedRows(lambda offset, limit: selectors.gap_page(filters, offset=offset, limit=limit))
    page = CountedPaginator(rows, PAGE_SIZE, count=total).get_page(request.GET.get("page"))
    labels = dict(rule_choices)
    can_explain = request.user.has_perm(rules.EXPLAIN_GAPS)
    return render(
        request,
        "transitions/continuity.html",
        _context(
            form=form,
            page=page,
            counts=selectors.gap_counts(filters.team_id, counts),
            labels=labels,
            query=filter_query(form, request.GET),
            can_explain=can_explain,
            may_explain=_gap_explainer(request.user) if can_explain else None,
        ),
    )


def _gap_explainer(user: User) -> Callable[[UUID | None], bool]:
    """rules.may_explain_gap for each row of the page, worked out once per team rather than once per row."""
    answers: dict[UUID | None, bool] = {}

    def may_explain(team_id: UUID | None) -> bool:
        if team_id not in answers:
            answers[team_id] = rules.may_explain_gap(user, team_id)
        return answers[team_id]

    return may_explain


@require_http_methods(["GET", "POST"])
@permission_required(rules.EXPLAIN_GAPS)
def explain_gap(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    gap = selectors.gap(pk)
    # Another team's gap is not the user's to close: 404, as for a record outside scope (ADR-004).
    if gap is None or not rules.may_explain_gap(request.user, gap.team_id):
        raise Http404
    form = ExplainForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.explain_gap(gap=gap, by=request.user, explanation=form.cleaned_data["explanation"])
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, "Gap explained and closed")
            return redirect("transitions:continuity")
    rule = gaps.get_rule(gap.rule)
    return render(request, "transitions/explain.html", _context(form=form, gap=gap, rule=rule))
