"""The prioritisation dashboard (page and download) and supervision: a manager's team and one worker."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from safepathways.accounts.http import AuthenticatedHttpRequest
from safepathways.audit import services as audit
from safepathways.audit.models import AccessBasis, AccessKind
from safepathways.core.decorators import permission_required
from safepathways.core.errors import ApplicationError
from safepathways.core.exports import ExportFormat, export_response, export_tables_response, parse_format
from safepathways.dashboards import presenters, selectors, services
from safepathways.dashboards.forms import DashboardForm, SupervisionForm
from safepathways.dashboards.rules import RECORD_SUPERVISION, VIEW_DASHBOARD, VIEW_SUPERVISION
from safepathways.work import selectors as work_selectors

# The basis logged when the dashboard download, or a supervision download, names people: a service oversight report.
EXPORT_BASIS = AccessBasis.SERVICE_OVERSIGHT


@require_http_methods(["GET"])
@permission_required(VIEW_DASHBOARD)
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    teams = selectors.dashboard_teams(request.GET.get("team", ""))
    form = DashboardForm(request.GET, teams=teams)
    if not form.is_valid():
        # An unknown team or format is a page that does not exist.
        raise Http404
    team = form.cleaned_data["team"]
    today = timezone.localdate()
    figures = work_selectors.dashboard(team.pk if team else None, today)
    fmt = parse_format(form.cleaned_data["format"])
    if fmt:
        for _, person_id, _ in figures.most_handed_off:
            audit.record_access(
                user=request.user,
                person_id=person_id,
                what="dashboard download: most hand-offs",
                basis=EXPORT_BASIS,
                kind=AccessKind.EXPORT,
            )
        return export_tables_response(
            filename=f"dashboard-{team.slug if team else 'whole-service'}-{today:%Y-%m-%d}",
            tables=presenters.export_tables(
                figures,
                scope=team.name if team else "Whole service",
                today=today,
                person_url=lambda pk: request.build_absolute_uri(reverse("people:detail", args=[pk])),
            ),
            fmt=fmt,
        )
    return render(
        request,
        "dashboards/dashboard.html",
        {
            "form": form,
            "team": team,
            "today": today,
            "figures": figures,
            "page": presenters.dashboard_page(figures),
            "team_query": f"team={team.slug}&" if team else "",
        },
    )


@require_http_methods(["GET"])
@permission_required(VIEW_SUPERVISION)
def supervision(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not selectors.managed_teams(request.user):
        # Staff who manage no team have only their own supervision to read.
        return redirect("dashboards:supervision_worker", user_id=request.user.pk)
    today = timezone.localdate()
    roster = selectors.supervision_roster(request.user, today)
    fmt = parse_format(request.GET.get("format"))
    if fmt:
        return _roster_export(request, roster, today, fmt)
    return render(
        request,
        "dashboards/supervision.html",
        {"roster": roster, "kinds": selectors.HIGHLIGHT_KINDS, "labels": presenters.HIGHLIGHT_LABELS},
    )


def _roster_export(
    request: AuthenticatedHttpRequest, roster: list[selectors.TeamRoster], today: date, fmt: ExportFormat
) -> HttpResponse:
    """The roster as a download: a row for each highlight (naming the person), each person's look logged."""
    person_ids = [
        highlight.person_id
        for entry in roster
        for summary in entry.workers
        for highlight in summary.highlights
        if highlight.person_id is not None
    ]
    audit.record_accesses(
        user=request.user,
        person_ids=person_ids,
        what=f"supervision roster export ({fmt})",
        basis=EXPORT_BASIS,
        kind=AccessKind.EXPORT,
    )
    return export_response(
        filename=f"supervision-{today:%Y-%m-%d}",
        headers=presenters.ROSTER_EXPORT_HEADERS,
        rows=presenters.roster_export_rows(
            roster,
            kinds=selectors.HIGHLIGHT_KINDS,
            work_url=lambda pk: request.build_absolute_uri(reverse("work:detail", args=[pk])),
        ),
        fmt=fmt,
    )


def _worker_page(
    request: AuthenticatedHttpRequest, access: selectors.SupervisionAccess, form: SupervisionForm | None
) -> HttpResponse:
    highlights = work_selectors.supervision_highlights(access.worker, timezone.localdate())
    # The page names the people in the worker's highlights: each look is logged, as any view of them is.
    audit.record_accesses(
        user=request.user,
        person_ids=[h.person_id for h in highlights if h.person_id is not None],
        what=f"supervision of {access.worker.full_name}"[:200],
        basis=EXPORT_BASIS,
        kind=AccessKind.VIEW,
    )
    return render(
        request,
        "dashboards/supervision_worker.html",
        {
            "worker": access.worker,
            "is_own": access.worker.pk == request.user.pk,
            "highlights": highlights,
            "kinds": selectors.HIGHLIGHT_KINDS,
            "labels": presenters.HIGHLIGHT_LABELS,
            "records": selectors.supervision_records(access),
            "form": form,
        },
    )


def _worker_export(
    request: AuthenticatedHttpRequest, access: selectors.SupervisionAccess, fmt: ExportFormat
) -> HttpResponse:
    """The worker's highlighted work as a download: a row for each piece of work, each person's look logged."""
    today = timezone.localdate()
    work = selectors.highlighted_work(access.worker, today)
    audit.record_accesses(
        user=request.user,
        person_ids=[entry.item.person_id for entry in work],
        what=f"supervision export ({fmt}) of {access.worker.full_name}"[:200],
        basis=EXPORT_BASIS,
        kind=AccessKind.EXPORT,
    )
    return export_response(
        filename=f"supervision-{access.worker.full_name}-{today:%Y-%m-%d}",
        headers=presenters.WORKER_EXPORT_HEADERS,
        rows=presenters.worker_export_rows(
            work,
            kinds=selectors.HIGHLIGHT_KINDS,
            work_url=lambda pk: request.build_absolute_uri(reverse("work:detail", args=[pk])),
        ),
        fmt=fmt,
    )


@require_http_methods(["GET"])
@permission_required(VIEW_SUPERVISION)
def supervision_worker(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    access = selectors.supervisable_worker(request.user, user_id)
    fmt = parse_format(request.GET.get("format"))
    if fmt:
        return _worker_export(request, access, fmt)
    can_record = bool(access.teams) and request.user.has_perm(RECORD_SUPERVISION)
    return _worker_page(request, access, SupervisionForm(teams=access.teams) if can_record else None)


@require_POST
@permission_required(RECORD_SUPERVISION)
def record_supervision(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    access = selectors.supervisable_worker(request.user, user_id)
    if not access.teams:
        # Nobody records their own supervision.
        raise PermissionDenied
    form = SupervisionForm(request.POST, teams=access.teams)
    if form.is_valid():
        try:
            services.record_supervision(worker=access.worker, supervisor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"Supervision with {access.worker.full_name} recorded")
            return redirect("dashboards:supervision_worker", user_id=access.worker.pk)
    return _worker_page(request, access, form)
