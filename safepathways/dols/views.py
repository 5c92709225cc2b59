"""DoLS pages: the tracker, receiving a request, one request and its decisions, the roster, the return, court cases."""

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safepathways.accounts.http import AuthenticatedHttpRequest
from safepathways.accounts.models import User
from safepathways.audit import services as audit
from safepathways.audit.models import AccessBasis, AccessKind
from safepathways.core.decorators import permission_required
from safepathways.core.errors import ApplicationError
from safepathways.core.exports import export_response
from safepathways.dols import data_return, rules, selectors, services
from safepathways.dols.forms import (
    AllocateForm,
    AssessmentForm,
    ChecklistForm,
    ConsultationForm,
    CourtCaseForm,
    EndForm,
    ExtendForm,
    FurtherRequestForm,
    GrantForm,
    ManagingAuthorityRequestForm,
    OrderForm,
    OversightForm,
    RefuseForm,
    RequestForm,
    ScreenForm,
    SignOffForm,
    SubmitForm,
    SuspendForm,
)
from safepathways.dols.models import CourtCase, DolsRequest, RequestType, Requirement
from safepathways.dols.presenters import TEMPLATE_HELPERS
from safepathways.people.decorators import resolve_or_declare
from safepathways.people.models import Person
from safepathways.people.selectors import PersonAccess
from safepathways.work.models import WorkItem

# Errors a service names by its own field, shown against the form field that holds the value.
FIELD_ALIASES = {"person": None, "work_item": None, "renews": None, "days": "days"}


def _context(**extra: Any) -> dict[str, Any]:
    return {**TEMPLATE_HELPERS, **extra}


def _apply_error(form: forms.Form, error: ApplicationError) -> None:
    field = FIELD_ALIASES.get(error.field or "", error.field)
    form.add_error(field if field in form.fields else None, error.message)


def _access(request: AuthenticatedHttpRequest, person_id: UUID) -> PersonAccess | HttpResponse:
    return resolve_or_declare(request, person_id, "DoLS request")


def _scoped_request(request: AuthenticatedHttpRequest, pk: UUID) -> DolsRequest | HttpResponse:
    dols_request = selectors.request_detail(request.user, pk)
    if dols_request is None or not request.user.is_council_staff:
        raise Http404
    access = _access(request, dols_request.person_id)
    if isinstance(access, HttpResponse):
        return access
    return dols_request


# --- /dols/ ----------------------------------------------------------------------------------------------------------


@require_GET
@permission_required(rules.VIEW_TRACKER)
def tracker(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = request.GET.get("page", "1")
    board = selectors.tracker(timezone.localdate(), page=int(page) if page.isdigit() else 1)
    return render(request, "dols/tracker.html", _context(board=board))


@require_GET
@permission_required(rules.VIEW_TRACKER)
def roster(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "dols/roster.html", _context(roster=selectors.bia_roster(timezone.localdate())))


# --- /dols/requests/ ----------------------------------------------------------------------------------------------


def _front_door_work(request: AuthenticatedHttpRequest, work_id: str) -> WorkItem | None:
    try:
        pk = UUID(work_id)
    except ValueError as error:
        raise Http404 from error
    item = selectors.open_dols_work(pk)
    if item is None:
        raise Http404
    return item


@require_http_methods(["GET", "POST"])
@permission_required(rules.SUBMIT_REQUEST)
def new_request(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    """Receive a request for a person; `?work=<id>` takes over DoLS work the front door opened, with its story."""
    if not request.user.is_council_staff:
        raise Http404
    access = _access(request, pk)
    if isinstance(access, HttpResponse):
        return access
    work = _front_door_work(request, request.GET["work"]) if request.GET.get("work") else None
    if work is not None and work.person_id != access.person.pk:
        raise Http404
    initial = {"received_on": timezone.localdate(), "is_urgent": "no", "purpose": work.story if work else ""}
    form = RequestForm(
        request.POST or None, initial=initial, renewable=selectors.renewable_authorisations(access.person)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        is_urgent = data["is_urgent"] == "yes"
        details = services.RequestDetails(
            person=access.person,
            managing_authority=data["managing_authority"],
            request_type=data["request_type"],
            received_on=data["received_on"],
            purpose=data["purpose"],
            proposed_restrictions=data["proposed_restrictions"],
            contact_name=data["contact_name"],
            is_urgent=is_urgent,
            urgent_starts_on=data["urgent_starts_on"] if is_urgent else None,
            urgent_period_days=data["urgent_period_days"] if is_urgent else None,
            renews=data["renews"],  # the form allows one only on a further request; the service requires it there
        )
        try:
            dols_request = services.create_request(details=details, by=request.user, work_item=work)
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, f"DoLS request {dols_request.reference} received")
            return redirect("dols:detail", pk=dols_request.pk)
    return render(request, "dols/request_form.html", _context(form=form, person=access.person, work=work))


FORMS: dict[str, type[forms.Form]] = {
    "screen_form": ScreenForm,
    "oversight_form": OversightForm,
    "sign_off_form": SignOffForm,
    "grant_form": GrantForm,
    "refuse_form": RefuseForm,
    "extend_form": ExtendForm,
    "suspend_form": SuspendForm,
    "end_form": EndForm,
}


def _prefix(name: str) -> str:
    return name.removesuffix("_form")


def _detail_context(request: AuthenticatedHttpRequest, dols_request: DolsRequest, **bound: Any) -> dict[str, Any]:
    today = timezone.localdate()
    suggestions = selectors.suggest_assessors(dols_request, today) if dols_request.is_waiting else []
    user_ids = [row.assessor.user_id for row in suggestions]
    context: dict[str, Any] = {
        name: bound.get(name) or form_class(prefix=_prefix(name)) for name, form_class in FORMS.items()
    }
    context["allocate_form"] = bound.get("allocate_form") or AllocateForm(
        assessors=User.objects.filter(pk__in=user_ids), prefix="allocate"
    )
    failed = bound.get("failed_assessment")
    context["assessment_forms"] = {
        requirement: bound["assessment_form"] if failed == requirement else AssessmentForm(prefix=requirement)
        for requirement in Requirement.values
    }
    return _context(
        dols_request=dols_request,
        today=today,
        suggestions=suggestions,
        can_record=request.user.has_perm(rules.RECORD_WORK),
        can_decide=request.user.has_perm(rules.DECIDE),
        **context,
    )


@require_GET
@permission_required(rules.VIEW_REQUEST)
def detail(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    dols_request = _scoped_request(request, pk)
    if isinstance(dols_request, HttpResponse):
        return dols_request
    return render(request, "dols/request_detail.html", _detail_context(request, dols_request))


def _act(
    request: AuthenticatedHttpRequest,
    pk: UUID,
    name: str,
    form: forms.Form,
    call: Callable[[DolsRequest, dict[str, Any]], object],
    done: str,
    **bound: Any,
) -> HttpResponse:
    """Scope, bind, call one service; redirect on success or show the page again with the errors."""
    dols_request = _scoped_request(request, pk)
    if isinstance(dols_request, HttpResponse):
        return dols_request
    if form.is_valid():
        try:
            call(dols_request, form.cleaned_data)
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, done)
            return redirect("dols:detail", pk=dols_request.pk)
    context = _detail_context(request, dols_request, **{name: form}, **bound)
    return render(request, "dols/request_detail.html", context, status=400)


@require_POST
@permission_required(rules.RECORD_WORK)
def screen(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "screen_form",
        ScreenForm(request.POST, prefix="screen"),
        lambda r, d: services.screen_request(dols_request=r, criteria=d["criteria"], note=d["note"], by=request.user),
        "Screening recorded",
    )


@require_POST
@permission_required(rules.RECORD_WORK)
def oversight(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "oversight_form",
        OversightForm(request.POST, prefix="oversight"),
        lambda r, d: services.record_oversight(dols_request=r, by=request.user, **d),
        "Discussion recorded",
    )


@require_POST
@permission_required(rules.DECIDE)
def allocate(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    form = AllocateForm(request.POST, assessors=selectors.roster_users(), prefix="allocate")
    return _act(
        request,
        pk,
        "allocate_form",
        form,
        lambda r, d: services.allocate_request(
            dols_request=r, assessor=d["assessor"], reason=d["reason"], by=request.user
        ),
        "Best interests assessor allocated",
    )


@require_POST
@permission_required(rules.RECORD_WORK)
def assessment(request: AuthenticatedHttpRequest, pk: UUID, requirement: str) -> HttpResponse:
    def call(dols_request: DolsRequest, data: dict[str, Any]) -> object:
        target = next((a for a in dols_request.assessments.all() if a.requirement == requirement), None)
        if target is None:
            raise Http404
        return services.record_assessment(assessment=target, by=request.user, **data)

    return _act(
        request,
        pk,
        "assessment_form",
        AssessmentForm(request.POST, prefix=requirement),
        call,
        "Assessment recorded",
        failed_assessment=requirement,
    )


@require_POST
@permission_required(rules.DECIDE)
def sign_off(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "sign_off_form",
        SignOffForm(request.POST, prefix="sign_off"),
        lambda r, d: services.sign_off(dols_request=r, by=request.user, **d),
        "Assessments signed off",
    )


@require_POST
@permission_required(rules.DECIDE)
def grant(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "grant_form",
        GrantForm(request.POST, prefix="grant"),
        lambda r, d: services.grant_authorisation(
            dols_request=r, terms=services.AuthorisationTerms(**d), by=request.user
        ),
        "Standard authorisation granted",
    )


@require_POST
@permission_required(rules.DECIDE)
def refuse(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "refuse_form",
        RefuseForm(request.POST, prefix="refuse"),
        lambda r, d: services.refuse_authorisation(dols_request=r, by=request.user, **d),
        "Recorded as not granted",
    )


@require_POST
@permission_required(rules.RECORD_WORK)
def extend(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "extend_form",
        ExtendForm(request.POST, prefix="extend"),
        lambda r, d: services.extend_urgent(dols_request=r, by=request.user, **d),
        "Urgent authorisation extended",
    )


@require_POST
@permission_required(rules.DECIDE)
def suspend(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "suspend_form",
        SuspendForm(request.POST, prefix="suspend"),
        lambda r, d: services.suspend_authorisation(dols_request=r, by=request.user, **d),
        "Authorisation suspended",
    )


@require_POST
@permission_required(rules.DECIDE)
def reinstate(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "end_form",
        forms.Form(request.POST, prefix="end"),
        lambda r, d: services.reinstate_authorisation(dols_request=r, by=request.user),
        "Authorisation reinstated",
    )


@require_POST
@permission_required(rules.DECIDE)
def terminate(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "end_form",
        EndForm(request.POST, prefix="end"),
        lambda r, d: services.terminate_authorisation(
            dols_request=r, ended_on=timezone.localdate(), reason=d["reason"], by=request.user
        ),
        "Authorisation terminated",
    )


@require_POST
@permission_required(rules.RECORD_WORK)
def withdraw(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "end_form",
        EndForm(request.POST, prefix="end"),
        lambda r, d: services.withdraw_request(dols_request=r, reason=d["reason"], by=request.user),
        "Request withdrawn",
    )


# --- /dols/return/ ------------------------------------------------------------------------------------------------


def _year(request: AuthenticatedHttpRequest) -> int:
    value = request.GET.get("year", "")
    if value.isdigit() and 2009 <= int(value) <= 2100:
        return int(value)
    return data_return.current_return_year(timezone.localdate())


@require_GET
@permission_required(rules.VIEW_TRACKER)
def return_check(request: AuthenticatedHttpRequest) -> HttpResponse:
    report = data_return.build(_year(request))
    return render(
        request, "dols/return.html", _context(report=report, can_export=request.user.has_perm(rules.EXPORT_RETURN))
    )


@require_GET
@permission_required(rules.EXPORT_RETURN)
def return_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    report = data_return.build(_year(request))
    if not report.is_valid:
        messages.error(request, "Correct the errors listed before exporting the return")
        return redirect(f"{reverse('dols:return')}?year={report.year}")
    audit.record_accesses(
        user=request.user,
        person_ids=report.person_ids,
        what=f"DoLS data return {report.label}",
        basis=AccessBasis.SERVICE_OVERSIGHT,
        kind=AccessKind.EXPORT,
    )
    return export_response(
        filename=f"dols-return-{report.label}", headers=data_return.HEADERS, rows=report.rows, fmt="csv"
    )


# --- /dols/court/ -------------------------------------------------------------------------------------------------


def _scoped_court_case(request: AuthenticatedHttpRequest, pk: UUID) -> CourtCase | HttpResponse:
    court_case = selectors.visible_court_case(request.user, pk)
    if court_case is None:
        raise Http404
    access = _access(request, court_case.person_id)
    if isinstance(access, HttpResponse):
        return access
    return court_case


@require_GET
@permission_required(rules.VIEW_TRACKER)
def court_cases(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "dols/court_cases.html", _context(cases=selectors.court_cases()[:200]))


@require_http_methods(["GET", "POST"])
@permission_required(rules.RECORD_WORK)
def new_court_case(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    access = _access(request, pk)
    if isinstance(access, HttpResponse):
        return access
    person: Person = access.person
    form = CourtCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            court_case = services.open_court_case(
                person=person, by=request.user, team=services.dols_team(), **form.cleaned_data
            )
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, f"Court of Protection case {court_case.reference} opened")
            return redirect("dols:court_case", pk=court_case.pk)
    return render(request, "dols/court_case_form.html", _context(form=form, person=person))


COURT_FORMS: dict[str, type[forms.Form]] = {
    "checklist_form": ChecklistForm,
    "consultation_form": ConsultationForm,
    "submit_form": SubmitForm,
    "order_form": OrderForm,
}


def _court_render(
    request: AuthenticatedHttpRequest, court_case: CourtCase, status: int = 200, **bound: forms.Form
) -> HttpResponse:
    forms_context = {name: bound.get(name) or form_class() for name, form_class in COURT_FORMS.items()}
    if "checklist_form" not in bound:
        forms_context["checklist_form"] = ChecklistForm(initial={"done": court_case.checklist})
    return render(
        request,
        "dols/court_case.html",
        _context(court_case=court_case, can_record=request.user.has_perm(rules.RECORD_WORK), **forms_context),
        status=status,
    )


@require_GET
@permission_required(rules.VIEW_REQUEST)
def court_case(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    found = _scoped_court_case(request, pk)
    if isinstance(found, HttpResponse):
        return found
    return _court_render(request, found)


def _court_act(
    request: AuthenticatedHttpRequest,
    pk: UUID,
    name: str,
    form: forms.Form,
    call: Callable[[CourtCase, dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    found = _scoped_court_case(request, pk)
    if isinstance(found, HttpResponse):
        return found
    if form.is_valid():
        try:
            call(found, form.cleaned_data)
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, done)
            return redirect("dols:court_case", pk=found.pk)
    return _court_render(request, found, status=400, **{name: form})


@require_POST
@permission_required(rules.RECORD_WORK)
def court_checklist(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    return _court_act(
        request,
        pk,
        "checklist_form",
        ChecklistForm(request.POST),
        lambda c, d: services.update_checklist(court_case=c, done=d["done"], by=request.user),
        "Checklist saved",
    )


@require_POST
@permission_required(rules.RECORD_WORK)
def court_consultation(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    def call(court_case: CourtCase, data: dict[str, Any]) -> object:
        data = {**data, "objects": data["objects"] == "yes"}
        return services.record_consultation(court_case=court_case, by=request.user, **data)

    return _court_act(request, pk, "consultation_form", ConsultationForm(request.POST), call, "Consultation recorded")


@require_POST
@permission_required(rules.RECORD_WORK)
def court_submit(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    return _court_act(
        request,
        pk,
        "submit_form",
        SubmitForm(request.POST),
        lambda c, d: services.submit_court_application(court_case=c, by=request.user, **d),
        "Application submitted",
    )


@require_POST
@permission_required(rules.RECORD_WORK)
def court_order(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    return _court_act(
        request,
        pk,
        "order_form",
        OrderForm(request.POST),
        lambda c, d: services.record_court_order(court_case=c, by=request.user, **d),
        "Order recorded",
    )


# --- /dols/your-requests/: a managing authority's own requests -----------------------------------------------------


PAGE_SIZE = 50


def _apply_error_to_field(form: forms.Form, error: ApplicationError) -> None:
    """Show a service's message against the field it names when the form has it, else above the form."""
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _your_request(request: AuthenticatedHttpRequest, pk: UUID) -> DolsRequest:
    """One of the organisation's own requests; anyone else's does not exist (404), as in the API."""
    dols_request = selectors.managing_authority_request(request.user, pk)
    if dols_request is None:
        raise Http404
    return dols_request


@require_GET
@permission_required(rules.MANAGING_AUTHORITY)
def your_requests(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The requests the care home or hospital made, with where each has got to and its dates."""
    page = Paginator(selectors.managing_authority_requests(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "dols/your_requests.html",
        _context(
            page=page,
            today=timezone.localdate(),
            window_days=selectors.dols_settings().renewal_window_days,
        ),
    )


@require_http_methods(["GET", "POST"])
@permission_required(rules.MANAGING_AUTHORITY)
def submit_request(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Ask for a standard authorisation, with or without the urgent authorisation already given."""
    user = request.user
    form = ManagingAuthorityRequestForm(
        request.POST if request.method == "POST" else None,
        initial={"is_urgent": "no"},
        people=selectors.people_shared_with_managing_authority(user),
        locations=selectors.managing_authority_locations(user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        is_urgent = data["is_urgent"] == "yes"
        location = data["managing_authority"]
        details = services.RequestDetails(
            person=data["person"],
            managing_authority=location,
            request_type=RequestType.URGENT if is_urgent else RequestType.STANDARD,
            received_on=timezone.localdate(),
            purpose=data["purpose"],
            proposed_restrictions=data["proposed_restrictions"],
            sought_from=data["sought_from"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
            is_urgent=is_urgent,
            urgent_starts_on=data["urgent_starts_on"] if is_urgent else None,
            urgent_period_days=data["urgent_period_days"] if is_urgent else None,
        )
        try:
            dols_request = services.create_request(
                details=details, by=user, submitted_by_organisation=location.provider.organisation
            )
        except ApplicationError as error:
            _apply_error_to_field(form, error)
        else:
            messages.success(request, f"DoLS request {dols_request.reference} sent to the council")
            return redirect("dols:your_request", pk=dols_request.pk)
    has_locations = form.fields["managing_authority"].queryset.exists()  # type: ignore[attr-defined]
    has_people = form.fields["person"].queryset.exists()  # type: ignore[attr-defined]
    return render(
        request,
        "dols/your_request_form.html",
        _context(form=form, has_locations=has_locations, has_people=has_people),
    )


@require_GET
@permission_required(rules.MANAGING_AUTHORITY)
def your_request(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    """Where one request has got to: its status, history and dates, and the renewal window once granted."""
    dols_request = _your_request(request, pk)
    audit.record_access(
        user=request.user,
        person_id=dols_request.person_id,
        what=f"DoLS request {dols_request.reference}",
        basis=AccessBasis.PARTNER_SHARE,
    )
    today = timezone.localdate()
    authorisation = getattr(dols_request, "authorisation", None)
    window_days = selectors.dols_settings().renewal_window_days
    renewal_opens = authorisation.renewal_opens(window_days) if authorisation else None
    further = list(authorisation.further_requests.all()) if authorisation else []
    return render(
        request,
        "dols/your_request.html",
        _context(
            dols_request=dols_request,
            authorisation=authorisation,
            today=today,
            renewal_opens=renewal_opens,
            further_requests=further,
            can_renew=dols_request.is_in_force and not further,
        ),
    )


@require_http_methods(["GET", "POST"])
@permission_required(rules.MANAGING_AUTHORITY)
def further_request(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    """Ask for a further standard authorisation to follow one in force (the service checks the renewal window)."""
    dols_request = _your_request(request, pk)
    authorisation = getattr(dols_request, "authorisation", None)
    if authorisation is None:
        raise Http404
    form = FurtherRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        shared = selectors.people_shared_with_managing_authority(request.user).filter(pk=dols_request.person_id)
        details = services.RequestDetails(
            person=dols_request.person,
            managing_authority=dols_request.managing_authority,
            request_type=RequestType.FURTHER,
            received_on=timezone.localdate(),
            renews=authorisation,
            **data,
        )
        if not shared.exists():
            # As the API: a request is only about someone whose record the council shares with the organisation.
            form.add_error(
                None,
                f"The council no longer shares {dols_request.person.full_name}'s record with your organisation: "
                "contact the DoLS team",
            )
        else:
            try:
                further = services.create_request(
                    details=details, by=request.user, submitted_by_organisation=dols_request.submitted_by_organisation
                )
            except ApplicationError as error:
                _apply_error_to_field(form, error)
            else:
                messages.success(request, f"Further request {further.reference} sent to the council")
                return redirect("dols:your_request", pk=further.pk)
    return render(
        request,
        "dols/further_request_form.html",
        _context(
            form=form,
            dols_request=dols_request,
            authorisation=authorisation,
            renewal_opens=authorisation.renewal_opens(selectors.dols_settings().renewal_window_days),
        ),
    )
