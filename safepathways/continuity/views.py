"""Incident pages (everyone affected, steps and clocks, placements, outcomes, review), the protocol's flow chart,
business continuity plans and emergency mode."""

from datetime import datetime
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safepathways.accounts.http import AuthenticatedHttpRequest
from safepathways.accounts.models import User
from safepathways.audit import services as audit
from safepathways.audit.models import AccessBasis, AccessKind
from safepathways.continuity import rules, selectors, services
from safepathways.continuity.forms import (
    ActivityForm,
    AffectedForm,
    ContinuityPlanForm,
    EmergencyFilterForm,
    EmergencyForm,
    IncidentForm,
    OutcomeForm,
    ProtocolStepForm,
    ReserveForm,
    ReviewForm,
    ScenarioForm,
    StepForm,
    TestedForm,
    UpdateAffectedForm,
)
from safepathways.continuity.models import AffectedPerson, Incident, duty_note
from safepathways.core.decorators import permission_required
from safepathways.core.errors import ApplicationError
from safepathways.core.exports import export_response, parse_format
from safepathways.providers.models import Location


def _apply_error(form: forms.Form, error: ApplicationError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _council_only(request: AuthenticatedHttpRequest) -> None:
    if not request.user.is_council_staff:
        raise Http404


def _incident(pk: UUID) -> Incident:
    found = selectors.incident(pk)
    if found is None:
        raise Http404
    return found


# --- /continuity/ ----------------------------------------------------------------------------------------------------


@require_GET
@permission_required(rules.VIEW_INCIDENTS)
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    return render(
        request,
        "continuity/home.html",
        {
            "incidents": list(selectors.incidents(status)),
            "status": status,
            "emergency": selectors.active_emergency(),
            "can_open": request.user.has_perm(rules.OPEN_INCIDENT),
        },
    )


def _leads() -> Any:
    return (
        User.objects.filter(is_active=True, memberships__team__organisation__is_this_council=True)
        .distinct()
        .order_by("full_name")
    )


@require_http_methods(["GET", "POST"])
@permission_required(rules.OPEN_INCIDENT)
def new_incident(request: AuthenticatedHttpRequest) -> HttpResponse:
    now = timezone.localtime()
    form = IncidentForm(
        request.POST or None,
        leads=_leads(),
        initial={"started_on": now.date(), "started_time": now.strftime("%H:%M"), "lead": request.user.pk},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        location: Location | None = data["location"]
        started_at = timezone.make_aware(datetime.combine(data["started_on"], data["started_time"]))
        try:
            incident = services.open_incident(
                kind=data["kind"],
                title=data["title"],
                what_happened=data["what_happened"],
                started_at=started_at,
                lead=data["lead"],
                by=request.user,
                provider=location.provider if location else None,
                location=location,
                area=data["area"],
            )
        except ApplicationError as error:
            if error.field == "started_at":
                form.add_error("started_time", error.message)
            else:
                _apply_error(form, error)
        else:
            messages.success(request, f"{incident.reference} opened: everyone affected is listed below")
            return redirect("continuity:incident", pk=incident.pk)
    return render(request, "continuity/incident_form.html", {"form": form})


@require_GET
@permission_required(rules.VIEW_INCIDENTS)
def incident(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    _council_only(request)
    found = _incident(pk)
    page = selectors.incident_page(found)
    person_ids = [row.affected.person_id for row in page.rows if row.affected.person_id]
    if person_ids:
        audit.record_accesses(
            user=request.user,
            person_ids=person_ids,
            what=f"incident {found.reference}",
            basis=AccessBasis.INCIDENT,
            kind=AccessKind.VIEW,
        )
    return render(
        request,
        "continuity/incident.html",
        {
            "page": page,
            "incident": found,
            "now": timezone.now(),
            "duty_note": duty_note(found.kind),
            "can_record": request.user.has_perm(rules.RECORD_INCIDENT_WORK),
            "can_lead": request.user.has_perm(rules.LEAD_INCIDENTS),
            "reserve_form": ReserveForm(),
            "step_form": StepForm(),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(rules.RECORD_INCIDENT_WORK)
def add_affected(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    found = _incident(pk)
    form = AffectedForm(request.POST or None, initial={"funding": "self_funded"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_affected(incident=found, by=request.user, details=services.AffectedDetails(**data))
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, f"{data['name']} added to {found.reference}")
            return redirect("continuity:incident", pk=found.pk)
    return render(request, "continuity/affected_form.html", {"form": form, "incident": found})


@require_POST
@permission_required(rules.LEAD_INCIDENTS)
def close_incident(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    found = _incident(pk)
    try:
        services.close_incident(incident=found, by=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{found.reference} closed. Write the review while it is fresh.")
    return redirect("continuity:incident", pk=found.pk)


@require_http_methods(["GET", "POST"])
@permission_required(rules.LEAD_INCIDENTS)
def review(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    found = _incident(pk)
    steps = selectors.protocol_steps()
    form = ReviewForm(request.POST or None, prefix="review")
    wants_change = request.POST.get("change-code", "").strip() != ""
    change = ProtocolStepForm(request.POST if wants_change else None, prefix="change", steps=steps)
    if request.method == "POST" and form.is_valid() and (not wants_change or change.is_valid()):
        definition = _definition(change.cleaned_data) if wants_change else None
        try:
            services.write_review(incident=found, by=request.user, change=definition, **form.cleaned_data)
        except ApplicationError as error:
            _apply_error(change if wants_change and error.field in change.fields else form, error)
        else:
            messages.success(request, "Review saved" + (" and the protocol changed" if definition else ""))
            return redirect("continuity:incident", pk=found.pk)
    return render(
        request,
        "continuity/review_form.html",
        {"form": form, "change": change, "incident": found, "wants_change": wants_change},
    )


# --- one person affected ---------------------------------------------------------------------------------------------


def _affected(request: AuthenticatedHttpRequest, pk: UUID) -> AffectedPerson:
    _council_only(request)
    found = selectors.affected_person(pk)
    if found is None:
        raise Http404
    return found


def _render_affected(request: AuthenticatedHttpRequest, affected: AffectedPerson, **bound: forms.Form) -> HttpResponse:
    options = (
        selectors.placement_options(affected.incident, [affected]).get(affected.pk, [])
        if affected.incident.is_open
        else []
    )
    update_form = bound.get("update_form") or UpdateAffectedForm(
        initial={
            "needs": affected.needs,
            "bed_type": affected.bed_type,
            "next_of_kin": affected.next_of_kin,
            "family_postcode": affected.family_postcode,
            "status_note": affected.status_note,
        },
        prefix="update",
    )
    return render(
        request,
        "continuity/affected.html",
        {
            "a": affected,
            "incident": affected.incident,
            "options": options,
            "now": timezone.now(),
            "update_form": update_form,
            "outcome_form": bound.get("outcome_form") or OutcomeForm(prefix="outcome"),
            "step_form": StepForm(),
            "can_record": request.user.has_perm(rules.RECORD_INCIDENT_WORK),
        },
        status=400 if any(f.errors for f in bound.values()) else 200,
    )


@require_GET
@permission_required(rules.VIEW_INCIDENTS)
def affected(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    found = _affected(request, pk)
    if found.person_id:
        audit.record_access(
            user=request.user,
            person_id=found.person_id,
            what=f"incident {found.incident.reference}",
            basis=AccessBasis.INCIDENT,
        )
    return _render_affected(request, found)


@require_POST
@permission_required(rules.RECORD_INCIDENT_WORK)
def update_affected(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    found = _affected(request, pk)
    form = UpdateAffectedForm(request.POST, prefix="update")
    if form.is_valid():
        try:
            services.update_affected(affected=found, by=request.user, **form.cleaned_data)
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, "Saved")
            return redirect("continuity:affected", pk=found.pk)
    return _render_affected(request, found, update_form=form)


@require_POST
@permission_required(rules.RECORD_INCIDENT_WORK)
def reserve(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    found = _affected(request, pk)
    form = ReserveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a placement from the list")
        return redirect("continuity:affected", pk=found.pk)
    location = selectors.location(form.cleaned_data["location"])
    if location is None:
        raise Http404
    try:
        services.reserve_bed(affected=found, location=location, bed_type=form.cleaned_data["bed_type"], by=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Bed held at {location.name} for {found.name}")
    return redirect("continuity:affected", pk=found.pk)


@require_POST
@permission_required(rules.RECORD_INCIDENT_WORK)
def outcome(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    found = _affected(request, pk)
    form = OutcomeForm(request.POST, prefix="outcome")
    if form.is_valid():
        try:
            services.record_outcome(affected=found, by=request.user, **form.cleaned_data)
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, f"Outcome confirmed for {found.name}")
            return redirect("continuity:affected", pk=found.pk)
    return _render_affected(request, found, outcome_form=form)


@require_POST
@permission_required(rules.RECORD_INCIDENT_WORK)
def complete_step(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    _council_only(request)
    found = selectors.step(pk)
    if found is None:
        raise Http404
    form = StepForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.complete_step(step=found, by=request.user, note=note)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Done: {found.title}")
    if found.affected_id:
        return redirect("continuity:affected", pk=found.affected_id)
    return redirect("continuity:incident", pk=found.incident_id)


# --- the protocol ----------------------------------------------------------------------------------------------------


def _definition(data: dict[str, Any]) -> services.StepDefinition:
    return services.StepDefinition(
        code=data["code"],
        title=data["title"],
        scope=data["scope"],
        owner_role=data["owner_role"],
        clock_hours=data["clock_hours"],
        clock_from=data["clock_from"],
        after=data["after"],
        guidance=data["guidance"],
        is_active=data["is_active"] == "yes",
    )


@require_GET
@permission_required(rules.VIEW_INCIDENTS)
def protocol(request: AuthenticatedHttpRequest) -> HttpResponse:
    steps = selectors.protocol_steps()
    return render(
        request,
        "continuity/protocol.html",
        {
            "steps": steps,
            "chart": selectors.flow_chart([s for s in steps if s.is_active]),
            "can_lead": request.user.has_perm(rules.LEAD_INCIDENTS),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(rules.LEAD_INCIDENTS)
def protocol_step(request: AuthenticatedHttpRequest, code: str = "") -> HttpResponse:
    steps = selectors.protocol_steps()
    existing = next((s for s in steps if s.code == code), None)
    if code and existing is None:
        raise Http404
    initial: dict[str, Any] = {"scope": "person", "clock_from": "start", "is_active": "yes"}
    if existing is not None:
        initial = {
            "code": existing.code,
            "title": existing.title,
            "scope": existing.scope,
            "owner_role": existing.owner_role,
            "clock_hours": existing.clock_hours,
            "clock_from": existing.clock_from,
            "after": existing.after_id or "",
            "guidance": existing.guidance,
            "is_active": "yes" if existing.is_active else "no",
        }
    form = ProtocolStepForm(request.POST or None, initial=initial, steps=[s for s in steps if s.code != code])
    if existing is not None:
        form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.save_protocol_step(
                by=request.user, definition=_definition(form.cleaned_data), reason=form.cleaned_data["reason"]
            )
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, "Protocol saved. Incidents already open keep the steps they started with.")
            return redirect("continuity:protocol")
    return render(request, "continuity/protocol_step_form.html", {"form": form, "existing": existing})


# --- business continuity plans ---------------------------------------------------------------------------------------


@require_GET
@permission_required(rules.VIEW_INCIDENTS)
def plans(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "continuity/plans.html",
        {
            "plans": list(selectors.continuity_plans()),
            "today": timezone.localdate(),
            "can_manage": request.user.has_perm(rules.MANAGE_PLANS),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(rules.MANAGE_PLANS)
def new_plan(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ContinuityPlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.save_continuity_plan(by=request.user, owner=request.user, **form.cleaned_data)
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, "Plan saved: add its scenarios and critical activities")
            return redirect("continuity:plan", pk=plan.pk)
    return render(request, "continuity/plan_form.html", {"form": form})


PLAN_FORMS: dict[str, type[forms.Form]] = {"scenario": ScenarioForm, "activity": ActivityForm, "tested": TestedForm}


@require_http_methods(["GET", "POST"])
@permission_required(rules.VIEW_INCIDENTS)
def plan(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    found = selectors.continuity_plan(pk)
    if found is None:
        raise Http404
    bound: dict[str, forms.Form] = {}
    if request.method == "POST":
        if not request.user.has_perm(rules.MANAGE_PLANS):
            raise Http404
        which = request.POST.get("form", "")
        if which not in PLAN_FORMS:
            raise Http404
        form = PLAN_FORMS[which](request.POST, prefix=which)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if which == "scenario":
                    services.add_scenario(plan=found, by=request.user, **data)
                elif which == "activity":
                    services.add_critical_activity(plan=found, by=request.user, **data)
                else:
                    services.record_test(plan=found, by=request.user, **data)
            except ApplicationError as error:
                _apply_error(form, error)
            else:
                messages.success(request, "Saved")
                return redirect("continuity:plan", pk=found.pk)
        bound[which] = form
    forms_ = {name: bound.get(name) or cls(prefix=name) for name, cls in PLAN_FORMS.items()}
    return render(
        request,
        "continuity/plan.html",
        {
            "plan": found,
            "forms": forms_,
            "can_manage": request.user.has_perm(rules.MANAGE_PLANS),
            "today": timezone.localdate(),
        },
        status=400 if bound else 200,
    )


# --- emergency mode --------------------------------------------------------------------------------------------------


def _at_risk(request: AuthenticatedHttpRequest) -> tuple[EmergencyFilterForm, list[Any]]:
    form = EmergencyFilterForm(request.GET or None)
    team = form.cleaned_data.get("team") if form.is_valid() else None
    people = selectors.people_most_at_risk(team.pk if team else None, timezone.localdate())
    return form, people


@require_http_methods(["GET", "POST"])
@permission_required(rules.VIEW_INCIDENTS)
def emergency(request: AuthenticatedHttpRequest) -> HttpResponse:
    _council_only(request)
    declare_form = EmergencyForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm(rules.DECLARE_EMERGENCY):
            raise Http404
        try:
            if request.POST.get("action") == "end":
                services.end_emergency(by=request.user)
                messages.success(request, "Emergency mode ended")
                return redirect("continuity:emergency")
            if declare_form.is_valid():
                services.declare_emergency(by=request.user, **declare_form.cleaned_data)
                messages.success(request, "Emergency mode is on. Every member of staff has been told.")
                return redirect("continuity:emergency")
        except ApplicationError as error:
            _apply_error(declare_form, error)
    mode = selectors.active_emergency()
    filter_form, people = _at_risk(request) if mode else (EmergencyFilterForm(), [])
    if people:
        audit.record_accesses(
            user=request.user,
            person_ids=[p.pk for p in people],
            what="emergency: people most at risk",
            basis=AccessBasis.INCIDENT,
            kind=AccessKind.VIEW,
        )
    return render(
        request,
        "continuity/emergency.html",
        {
            "mode": mode,
            "declare_form": declare_form,
            "filter_form": filter_form,
            "people": people,
            "activities": selectors.critical_activities() if mode else [],
            "can_declare": request.user.has_perm(rules.DECLARE_EMERGENCY),
            "query": request.GET.urlencode(),
        },
        status=400 if declare_form.errors else 200,
    )


@require_GET
@permission_required(rules.VIEW_INCIDENTS)
def emergency_print(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The lists a team needs if systems go down: print them, or download them as a spreadsheet."""
    _council_only(request)
    form, people = _at_risk(request)
    fmt = parse_format(request.GET.get("format"))
    audit.record_accesses(
        user=request.user,
        person_ids=[p.pk for p in people],
        what="emergency lists" + (f" ({fmt})" if fmt else " (print)"),
        basis=AccessBasis.INCIDENT,
        kind=AccessKind.EXPORT,
    )
    if fmt:
        rows = [
            [
                p.reference,
                p.full_name,
                p.date_of_birth,
                ", ".join(x for x in (p.address_line_1, p.postcode) if x),
                p.phone,
                "; ".join(a.get_kind_display() for a in p.active_alerts),
                "; ".join(f"{c.name} ({c.relationship}) {c.phone}" for c in p.main_contacts),
            ]
            for p in people
        ]
        headers = ["Reference", "Name", "Date of birth", "Address", "Phone", "Alerts", "Main contact"]
        return export_response(
            filename=f"emergency-lists-{timezone.localdate().isoformat()}", headers=headers, rows=rows, fmt=fmt
        )
    return render(
        request,
        "continuity/emergency_print.html",
        {
            "people": people,
            "filter_form": form,
            "activities": selectors.critical_activities(),
            "printed_at": timezone.now(),
        },
    )
