"""Young people pages: the transitions tracker, one young person, and the children's services upload.

Who may open a young person's page: the transitions team works with every young person on the tracker (their
caseload), so its members and the allocated worker open it on a working relationship. Other council staff go
through people.selectors.resolve_access like any record (declare a relationship first); restricted records always
do. Partners see nothing here (rules.py). Each look at a young person's page is written to the access log.
"""

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safepathways.accounts.http import AuthenticatedHttpRequest
from safepathways.audit import services as audit
from safepathways.core.decorators import permission_required
from safepathways.core.errors import ApplicationError
from safepathways.people.decorators import declare_first
from safepathways.people.selectors import RelationshipRequiredError
from safepathways.transitions.models import Plan
from safepathways.young_people import imports, rules, selectors, services
from safepathways.young_people.forms import (
    CareLeaverForm,
    ContinuingHealthcareForm,
    HousingReferralForm,
    ImportForm,
    MilestoneForm,
    PlanningMeetingForm,
    SignificantBenefitForm,
    TrackerFilterForm,
    WorkerForm,
    WorkshopForm,
)
from safepathways.young_people.models import YoungPeopleSettings, YoungPerson
from safepathways.young_people.presenters import TEMPLATE_HELPERS

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def _context(**extra: Any) -> dict[str, Any]:
    return {**TEMPLATE_HELPERS, **extra}


def _apply_error(form: forms.Form, error: ApplicationError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


# --- /young-people/ -----------------------------------------------------------------------------------------------


@require_GET
@permission_required(rules.VIEW_TRACKER)
def tracker(request: AuthenticatedHttpRequest) -> HttpResponse:
    workers = selectors.transitions_workers()
    form = TrackerFilterForm(request.GET or None, workers=workers)
    data = form.cleaned_data if form.is_valid() else {}
    page = request.GET.get("page", "1")
    filters = selectors.TrackerFilters(
        age_band=data.get("age_band", ""),
        alarms_only=bool(data.get("alarms")),
        care_leavers_only=bool(data.get("care_leavers")),
        worker=data.get("worker", ""),
        page=int(page) if page.isdigit() else 1,
    )
    board = selectors.tracker(timezone.localdate(), filters, YoungPeopleSettings.current(), shown_to=request.user)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "young_people/tracker.html",
        _context(
            board=board,
            form=form,
            query=query.urlencode(),
            can_import=request.user.has_perm(rules.IMPORT_RECORDS),
        ),
    )


# --- /young-people/import/ ----------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_required(rules.IMPORT_RECORDS)
def upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upload a children's services file: every row is checked, and nothing is written unless all are good."""
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        if uploaded.size > MAX_UPLOAD_BYTES:
            form.add_error("file", "The file must be smaller than 5MB")
        else:
            check = imports.check_file(uploaded.name, uploaded.read())
            if check.is_valid:
                result = services.import_records(records=check.records, by=request.user)
                messages.success(
                    request,
                    f"Imported {result.created + result.updated} young people: {result.created} new, "
                    f"{result.updated} updated",
                )
                return redirect("young_people:tracker")
            problems = check.errors
            form.add_error("file", f"The file has {len(problems)} problem{'s' if len(problems) != 1 else ''}")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "young_people/import.html",
        _context(form=form, problems=problems, columns=imports.COLUMNS, required=imports.REQUIRED),
        status=status,
    )


# --- /young-people/<id>/ ------------------------------------------------------------------------------------------


def _scoped(request: AuthenticatedHttpRequest, pk: UUID) -> YoungPerson | HttpResponse:
    """The young person if the user may open them: 404 when not found, declare a relationship when needed."""
    if not request.user.is_council_staff:
        raise Http404
    young_person = selectors.young_person_detail(pk)
    if young_person is None:
        raise Http404
    try:
        basis, grant_id = selectors.access_basis(request.user, young_person)
    except RelationshipRequiredError as needed:
        return declare_first(request, needed.person.pk, reverse("young_people:detail", args=[pk]))
    if request.method == "GET":
        audit.record_access(
            user=request.user, person_id=young_person.person_id, what="Young person", basis=basis, grant_id=grant_id
        )
    return young_person


FORMS: dict[str, type[forms.Form]] = {
    "milestone_form": MilestoneForm,
    "benefit_form": SignificantBenefitForm,
    "health_form": ContinuingHealthcareForm,
    "meeting_form": PlanningMeetingForm,
    "workshop_form": WorkshopForm,
    "housing_form": HousingReferralForm,
}


def _prefix(name: str) -> str:
    return name.removesuffix("_form")


def _detail_context(request: AuthenticatedHttpRequest, young_person: YoungPerson, **bound: Any) -> dict[str, Any]:
    today = timezone.localdate()
    config = YoungPeopleSettings.current()
    can_record = request.user.has_perm(rules.RECORD_WORK)
    context: dict[str, Any] = {
        name: bound.get(name) or form_class(prefix=_prefix(name)) for name, form_class in FORMS.items()
    }
    context["care_leaver_form"] = bound.get("care_leaver_form") or CareLeaverForm(
        prefix="care_leaver",
        initial={
            name: getattr(young_person, name)
            for name in (
                "personal_adviser_name",
                "personal_adviser_phone",
                "accommodation_status",
                "planned_move_on",
                "homelessness_risk",
            )
        },
    )
    context["worker_form"] = bound.get("worker_form") or (
        WorkerForm(prefix="worker", workers=selectors.transitions_workers()) if can_record else None
    )
    return _context(
        yp=young_person,
        person=young_person.person,
        today=today,
        assessed=selectors.assess(young_person, today, config.timescales),
        plans=list(selectors.plans_for(young_person.person_id)),
        can_record=can_record,
        **context,
    )


@require_GET
@permission_required(rules.VIEW_TRACKER)
def detail(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    young_person = _scoped(request, pk)
    if isinstance(young_person, HttpResponse):
        return young_person
    return render(request, "young_people/detail.html", _detail_context(request, young_person))


def _act(
    request: AuthenticatedHttpRequest,
    pk: UUID,
    name: str,
    form: forms.Form,
    call: Callable[[YoungPerson, dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    """Scope, bind, call one service; redirect on success or show the page again with the errors."""
    young_person = _scoped(request, pk)
    if isinstance(young_person, HttpResponse):
        return young_person
    if form.is_valid():
        try:
            call(young_person, form.cleaned_data)
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, done)
            return redirect("young_people:detail", pk=young_person.pk)
    context = _detail_context(request, young_person, **{name: form})
    return render(request, "young_people/detail.html", context, status=400)


@require_POST
@permission_required(rules.RECORD_WORK)
def record_milestone(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "milestone_form",
        MilestoneForm(request.POST, prefix="milestone"),
        lambda yp, d: services.record_milestone(young_person=yp, by=request.user, **d),
        "Milestone recorded",
    )


@require_POST
@permission_required(rules.RECORD_WORK)
def allocate(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "worker_form",
        WorkerForm(request.POST, prefix="worker", workers=selectors.transitions_workers()),
        lambda yp, d: services.allocate_transitions_worker(young_person=yp, worker=d["worker"], by=request.user),
        "Transitions worker allocated",
    )


@require_POST
@permission_required(rules.RECORD_WORK)
def significant_benefit(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "benefit_form",
        SignificantBenefitForm(request.POST, prefix="benefit"),
        lambda yp, d: services.decide_significant_benefit(young_person=yp, by=request.user, **d),
        "Decision recorded",
    )


@require_POST
@permission_required(rules.RECORD_WORK)
def continuing_healthcare(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "health_form",
        ContinuingHealthcareForm(request.POST, prefix="health"),
        lambda yp, d: services.decide_continuing_healthcare(young_person=yp, by=request.user, **d),
        "Decision recorded",
    )


@require_POST
@permission_required(rules.RECORD_WORK)
def planning_meeting(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "meeting_form",
        PlanningMeetingForm(request.POST, prefix="meeting"),
        lambda yp, d: services.record_planning_meeting(
            young_person=yp,
            held_on=d["held_on"],
            attendees=d["attendees"],
            agreed=d["agreed"],
            young_person_took_part=d["took_part"] == "yes",
            by=request.user,
        ),
        "Planning together meeting recorded",
    )


@require_POST
@permission_required(rules.RECORD_WORK)
def workshop(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "workshop_form",
        WorkshopForm(request.POST, prefix="workshop"),
        lambda yp, d: services.record_workshop(young_person=yp, by=request.user, **d),
        "Workshop offer recorded",
    )


@require_POST
@permission_required(rules.RECORD_WORK)
def workshop_attendance(request: AuthenticatedHttpRequest, pk: UUID, workshop_pk: UUID) -> HttpResponse:
    """Whether the parent or carer came to a workshop offered earlier (buttons on the young person's page)."""
    young_person = _scoped(request, pk)
    if isinstance(young_person, HttpResponse):
        return young_person
    workshop = selectors.workshop_of(young_person, workshop_pk)
    if workshop is None:
        raise Http404
    try:
        services.record_workshop_attendance(
            workshop=workshop, attendance=request.POST.get("attendance", ""), by=request.user
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Attendance recorded")
    return redirect(reverse("young_people:detail", args=[young_person.pk]) + "#workshops")


@require_POST
@permission_required(rules.RECORD_WORK)
def care_leaver(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "care_leaver_form",
        CareLeaverForm(request.POST, prefix="care_leaver"),
        lambda yp, d: services.update_young_person(young_person=yp, by=request.user, data=d),
        "Care leaver details saved",
    )


@require_POST
@permission_required(rules.RECORD_WORK)
def housing_referral(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "housing_form",
        HousingReferralForm(request.POST, prefix="housing"),
        lambda yp, d: services.record_housing_referral(young_person=yp, by=request.user, **d),
        "Housing duty referral recorded",
    )


def _start_plan(
    request: AuthenticatedHttpRequest, pk: UUID, start: Callable[[YoungPerson], Plan], done: str
) -> HttpResponse:
    young_person = _scoped(request, pk)
    if isinstance(young_person, HttpResponse):
        return young_person
    try:
        plan = start(young_person)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("young_people:detail", pk=young_person.pk)
    messages.success(request, done)
    return redirect("transitions:plan", pk=plan.pk)


@require_POST
@permission_required(rules.RECORD_WORK)
def plan_adult_move(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    """Start the transition plan for the move to adult services, then go to it."""
    return _start_plan(
        request,
        pk,
        lambda yp: services.plan_move_to_adult_services(young_person=yp, by=request.user),
        "Plan for the move to adult services started",
    )


@require_POST
@permission_required(rules.RECORD_WORK)
def plan_accommodation_move(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    """Start the transition plan for a care leaver's accommodation move, then go to it."""
    return _start_plan(
        request,
        pk,
        lambda yp: services.plan_accommodation_move(young_person=yp, by=request.user),
        "Plan for the accommodation move started",
    )
