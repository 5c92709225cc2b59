"""Provider oversight pages: the dashboard, provider concerns and their escalation, suspensions, vacancies, import."""

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from safepathways.accounts.http import AuthenticatedHttpRequest
from safepathways.core.decorators import permission_required
from safepathways.core.errors import ApplicationError
from safepathways.oversight import imports, presenters, rules, selectors, services
from safepathways.oversight.forms import (
    ConcernFilterForm,
    EscalateForm,
    ImportForm,
    RaiseConcernForm,
    RatingForm,
    ReasonForm,
    SuspendForm,
    VacancyFilterForm,
    VacancyForm,
)
from safepathways.oversight.models import PlacementSuspension, VacancySource
from safepathways.providers.models import Location, ProviderConcern, ProviderConcernSource

PAGE_SIZE = 50


def _context(**extra: Any) -> dict[str, Any]:
    return {**presenters.TEMPLATE_HELPERS, **extra}


def _apply_error(form: forms.Form, error: ApplicationError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _concern(pk: UUID) -> ProviderConcern:
    concern = selectors.concern_detail(pk)
    if concern is None:
        raise Http404
    return concern


def _location(pk: UUID) -> Location:
    location = selectors.location_detail(pk)
    if location is None:
        raise Http404
    return location


# --- /oversight/ ------------------------------------------------------------------------------------------------------


@require_GET
@permission_required(rules.VIEW_OVERSIGHT)
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(request, "oversight/dashboard.html", _context(board=selectors.dashboard(today), today=today))


# --- /oversight/concerns/ ---------------------------------------------------------------------------------------------


@require_GET
@permission_required(rules.VIEW_OVERSIGHT)
def concerns(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ConcernFilterForm(request.GET or {"status": "open"})
    data = form.cleaned_data if form.is_valid() else {"status": "open"}
    filters = selectors.ConcernFilter(
        level=data.get("level", ""), status=data.get("status", ""), provider=data.get("provider", "")
    )
    page = Paginator(selectors.concerns(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in request.GET.items() if k != "page"})
    return render(
        request,
        "oversight/concerns.html",
        _context(form=form, page=page, query=query, today=timezone.localdate()),
    )


@require_http_methods(["GET", "POST"])
@permission_required(rules.RAISE_CONCERN)
def raise_concern(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = RaiseConcernForm(request.POST if request.method == "POST" else None, is_staff=request.user.is_council_staff)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            concern = services.raise_concern(
                provider=data["provider"],
                location=data["location"],
                source=data.get("source", ProviderConcernSource.PARTNER),
                category=data["category"],
                summary=data["summary"],
                people=data["people"],
                by=request.user,
            )
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, "Concern raised. The provider quality team has been told.")
            if request.user.has_perm(rules.VIEW_OVERSIGHT):
                return redirect("oversight:concern", pk=concern.pk)
            return redirect("oversight:raise_concern")
    return render(request, "oversight/concern_form.html", {"form": form})


@require_GET
@permission_required(rules.VIEW_OVERSIGHT)
def concern(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    found = _concern(pk)
    form = EscalateForm(default_owner=str(request.user.pk)) if request.user.has_perm(rules.MANAGE_CONCERNS) else None
    return render(request, "oversight/concern.html", _detail_context(request, found, form))


def _detail_context(
    request: AuthenticatedHttpRequest, found: ProviderConcern, form: EscalateForm | None
) -> dict[str, Any]:
    today = timezone.localdate()
    return _context(
        concern=found,
        case=selectors.case_of(found),
        form=form,
        suspension=selectors.current_suspension(found.location, today) if found.location else None,
        can_manage=request.user.has_perm(rules.MANAGE_CONCERNS),
        today=today,
    )


@require_http_methods(["POST"])
@permission_required(rules.MANAGE_CONCERNS)
def escalate(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    found = _concern(pk)
    form = EscalateForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            outcome = services.escalate_concern(
                concern=found,
                level=form.levels[data["level"]],
                reason=data["reason"],
                owner=form.owners[data["owner"]],
                review_on=data["review_on"],
                actions_agreed=data["actions_agreed"],
                suspend_placements=data["suspend_placements"],
                by=request.user,
            )
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            done = f"Concern now at {outcome.case.level.name}"
            if outcome.suspension is not None:
                done += f". New placements at {outcome.suspension.location.name} are suspended"
            messages.success(request, done)
            return redirect("oversight:concern", pk=found.pk)
    return render(request, "oversight/concern.html", _detail_context(request, found, form), status=400)


@require_http_methods(["GET", "POST"])
@permission_required(rules.MANAGE_CONCERNS)
def close_concern(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    found = _concern(pk)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    form.fields["reason"].label = "Why is the concern being closed?"
    if request.method == "POST" and form.is_valid():
        try:
            services.close_concern(concern=found, reason=form.cleaned_data["reason"], by=request.user)
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, "Concern closed")
            return redirect("oversight:concern", pk=found.pk)
    return render(
        request,
        "oversight/reason_form.html",
        {
            "form": form,
            "title": "Close the concern",
            "caption": f"Concern about {found.location or found.provider}",
            "button": "Close the concern",
            "back": ("oversight:concern", found.pk),
        },
    )


# --- /oversight/locations/<id>/ ---------------------------------------------------------------------------------------


@require_GET
@permission_required(rules.VIEW_OVERSIGHT)
def location(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    found = _location(pk)
    today = timezone.localdate()
    suspensions: list[PlacementSuspension] = list(found.placement_suspensions.all())
    current = next((s for s in suspensions if s.is_current_on(today)), None)
    return render(
        request,
        "oversight/location.html",
        _context(
            location=found,
            suspensions=suspensions,
            current=current,
            can_manage=request.user.has_perm(rules.MANAGE_CONCERNS),
            today=today,
        ),
    )


@require_http_methods(["GET", "POST"])
@permission_required(rules.MANAGE_CONCERNS)
def suspend(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    found = _location(pk)
    form = SuspendForm(request.POST if request.method == "POST" else None, initial={"starts_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.suspend_placements_at(location=found, by=request.user, **form.cleaned_data)
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, f"New placements at {found.name} are suspended")
            return redirect("oversight:location", pk=found.pk)
    return render(
        request,
        "oversight/suspend_form.html",
        {"form": form, "location": found},
    )


@require_http_methods(["GET", "POST"])
@permission_required(rules.MANAGE_CONCERNS)
def lift(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    found = _location(pk)
    current = selectors.current_suspension(found, timezone.localdate())
    if current is None:
        raise Http404
    form = ReasonForm(request.POST if request.method == "POST" else None)
    form.fields["reason"].label = "Why is the suspension being lifted?"
    if request.method == "POST" and form.is_valid():
        try:
            services.lift_suspension(suspension=current, reason=form.cleaned_data["reason"], by=request.user)
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, f"Suspension lifted: new placements at {found.name} can be made")
            return redirect("oversight:location", pk=found.pk)
    return render(
        request,
        "oversight/reason_form.html",
        {
            "form": form,
            "title": "Lift the suspension of new placements",
            "caption": found.name,
            "button": "Lift the suspension",
            "back": ("oversight:location", found.pk),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(rules.MANAGE_CONCERNS)
def rating(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    found = _location(pk)
    initial = {"cqc_rating": found.cqc_rating, "cqc_rated_on": found.cqc_rated_on}
    form = RatingForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_cqc_rating(
                location=found,
                rating=form.cleaned_data["cqc_rating"],
                rated_on=form.cleaned_data["cqc_rated_on"],
                by=request.user,
            )
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, "CQC rating recorded")
            return redirect("oversight:location", pk=found.pk)
    return render(request, "oversight/rating_form.html", {"form": form, "location": found})


# --- /oversight/vacancies/ --------------------------------------------------------------------------------------------


@require_GET
@permission_required(rules.VIEW_VACANCIES)
def vacancies(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = VacancyFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.VacancyFilter(
        bed_type=data.get("bed_type", ""), name=data.get("name", ""), available_only=bool(data.get("available_only"))
    )
    page = Paginator(selectors.vacancy_board(request.user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in request.GET.items() if k != "page"})
    today = timezone.localdate()
    return render(
        request,
        "oversight/vacancies.html",
        _context(
            form=form,
            page=page,
            query=query,
            suspended=selectors.suspended_location_ids(today),
            can_update=request.user.has_perm(rules.UPDATE_VACANCIES),
            can_import=request.user.has_perm(rules.IMPORT_CAPACITY),
            is_staff=request.user.has_perm(rules.VIEW_OVERSIGHT),
        ),
    )


@require_http_methods(["GET", "POST"])
@permission_required(rules.UPDATE_VACANCIES)
def edit_vacancies(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    found = selectors.scoped_location(request.user, pk)
    if found is None:
        raise Http404
    current = {v.bed_type: v.available for v in found.vacancies.all()}
    form = VacancyForm(request.POST if request.method == "POST" else None, current=current)
    if request.method == "POST" and form.is_valid():
        source = VacancySource.STAFF if request.user.is_council_staff else VacancySource.PROVIDER
        try:
            services.record_vacancies(location=found, figures=form.figures(), by=request.user, source=source)
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, f"Vacancies at {found.name} updated")
            return redirect("oversight:vacancies")
    return render(
        request,
        "oversight/vacancy_form.html",
        _context(form=form, location=found, history=selectors.vacancy_history(found)),
    )


@require_http_methods(["GET", "POST"])
@permission_required(rules.IMPORT_CAPACITY)
def import_capacity(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        check = imports.check_file(form.cleaned_data["file"].read())
        if check.is_valid:
            count = services.import_capacity(rows=check.rows, by=request.user)
            messages.success(request, f"Imported {count} vacancy figure{'s' if count != 1 else ''}")
            return redirect("oversight:vacancies")
        problems = check.errors
        form.add_error("file", f"Nothing was imported: {len(problems)} problem{'s' if len(problems) != 1 else ''}")
    return render(
        request,
        "oversight/import.html",
        {"form": form, "problems": problems, "columns": imports.COLUMNS, "required": imports.REQUIRED},
        status=400 if problems else 200,
    )
