"""The central waiting list, the duty view, and one piece of work: triage, keep in touch, allocate."""

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from safepathways.accounts.http import AuthenticatedHttpRequest
from safepathways.accounts.models import Role, Team, User
from safepathways.audit import services as audit
from safepathways.audit.models import AccessBasis, AccessKind
from safepathways.core.decorators import permission_required
from safepathways.core.errors import ApplicationError
from safepathways.core.exports import ExportFormat, export_response, parse_format
from safepathways.core.formatting import format_date
from safepathways.core.paging import CountedPaginator, PagedRows, filter_query
from safepathways.people import selectors as people_selectors
from safepathways.work import selectors, services
from safepathways.work.forms import (
    AllocateForm,
    BulkReassignForm,
    BulkTransferForm,
    CloseForm,
    KeepInTouchForm,
    ReasonForm,
    RetriageForm,
    TransferForm,
    WaitingListFilterForm,
)
from safepathways.work.models import WORK_TEAM_KINDS, WorkItem
from safepathways.work.presenters import waiting_rows
from safepathways.work.rules import MANAGE_TEAM_WORK, VIEW_WAITING_LIST, WORK_ON_ITEMS

PAGE_SIZE = 50


def _apply_error(form: Any, error: ApplicationError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@require_http_methods(["GET"])
@permission_required(VIEW_WAITING_LIST)
def waiting_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = WaitingListFilterForm(
        request.GET or None, teams=selectors.council_work_teams(), neighbourhoods=selectors.neighbourhoods()
    )
    filters = selectors.WaitingListFilter()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.WaitingListFilter(
            team_id=data["team"].pk if data.get("team") else None,
            neighbourhood_id=data["neighbourhood"].pk if data.get("neighbourhood") else None,
            kind=data.get("kind") or "",
            priority=data.get("priority") or "",
            wait_band=data.get("wait") or "",
        )
    fmt = parse_format(request.GET.get("format"))
    if fmt is not None:
        return _export(request, selectors.waiting_list(filters), "waiting-list", fmt)
    today = timezone.localdate()
    paginator = CountedPaginator(
        PagedRows(lambda offset, limit: selectors.waiting_page(filters, offset=offset, limit=limit, today=today)),
        PAGE_SIZE,
        count=selectors.waiting_count(filters, today),
    )
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "work/waiting_list.html",
        {
            "form": form,
            "page": page,
            "rows": waiting_rows(page.object_list, today),
            "today": today,
            "query": filter_query(form, request.GET),
        },
    )


def _managed_teams(user: User) -> list[Team]:
    """The teams the user is a team manager of: whose caseloads they may reassign."""
    return [m.team for m in user.memberships_cached if m.role == Role.TEAM_MANAGER]


@require_http_methods(["GET"])
@permission_required(VIEW_WAITING_LIST)
def duty(request: AuthenticatedHttpRequest) -> HttpResponse:
    teams = selectors.council_work_teams()
    mine = [m.team for m in request.user.memberships_cached if m.team.kind in WORK_TEAM_KINDS]
    wanted = request.GET.get("team")
    chosen = next((t for t in teams if t.slug == wanted), None) if wanted else None
    duty_teams = [chosen] if chosen else (mine or teams[:1])
    team_ids = [t.pk for t in duty_teams]
    today = timezone.localdate()
    queryset = selectors.duty_view(team_ids, today)
    fmt = parse_format(request.GET.get("format"))
    if fmt is not None:
        return _export(request, queryset, "duty", fmt)
    paginator = CountedPaginator(
        PagedRows(lambda offset, limit: list(queryset[offset : offset + limit])),
        PAGE_SIZE,
        count=selectors.duty_count(team_ids),
    )
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "work/duty.html",
        {
            "page": page,
            "teams": teams,
            "duty_teams": duty_teams,
            "today": today,
            "chosen": chosen,
            # The page links carry the chosen team and nothing else typed into the address.
            "query": urlencode({"team": chosen.slug}) if chosen else "",
            "managed_teams": _managed_teams(request.user),
        },
    )


EXPORT_HEADERS = [
    "Reference",
    "Name",
    "Date of birth",
    "Neighbourhood",
    "Work",
    "Team",
    "Priority",
    "Why",
    "Requested",
    "Waiting (days)",
    "Allocate by",
    "Next keep-in-touch",
    "Last contact",
]


def _export(
    request: AuthenticatedHttpRequest, queryset: QuerySet[WorkItem], name: str, fmt: ExportFormat
) -> HttpResponse:
    """Download a list; every person in it is logged as an export (a download is a look)."""
    today = timezone.localdate()
    items = list(queryset.select_related("person__neighbourhood", "team"))
    rows = [
        [
            item.person.reference,
            item.person.full_name,
            item.person.date_of_birth,
            item.person.neighbourhood.name if item.person.neighbourhood else "",
            item.get_kind_display(),
            item.team.name,
            item.priority,
            "; ".join(item.priority_reasons),
            item.opened_at,
            (today - timezone.localdate(item.opened_at)).days,
            item.allocation_due,
            item.next_contact_due,
            item.last_contact_at,
        ]
        for item in items
    ]
    audit.record_accesses(
        user=request.user,
        person_ids=[item.person_id for item in items],
        what=f"{name} export ({fmt})",
        basis=AccessBasis.WAITING_LIST,
        kind=AccessKind.EXPORT,
    )
    return export_response(filename=f"{name}-{today.isoformat()}", headers=EXPORT_HEADERS, rows=rows, fmt=fmt)


def _access_basis(request: AuthenticatedHttpRequest, item: WorkItem) -> tuple[str, UUID | None]:
    """Why the user may see the work: their relationship with the person, a declared or break-glass grant (whose
    id is returned too, so the look counts in the grant's IG review), or the shared waiting list."""
    try:
        access = people_selectors.resolve_access(request.user, item.person_id)
    except people_selectors.RelationshipRequiredError:
        if not item.is_waiting:
            raise
        return AccessBasis.WAITING_LIST, None
    return access.basis, access.grant.pk if access.grant else None


def _record_look(request: AuthenticatedHttpRequest, item: WorkItem, basis: str, grant_id: UUID | None) -> None:
    audit.record_access(
        user=request.user, person_id=item.person_id, what=f"work item {item.title}", basis=basis, grant_id=grant_id
    )


def _item_for(request: AuthenticatedHttpRequest, pk: UUID, may: Callable[[WorkItem], bool] | None = None) -> WorkItem:
    """The work item, if the user may see it: their relationship with the person, or the shared waiting list.

    `may(item)` False refuses the request (403) before the look is logged: a refused request records nothing."""
    item = get_object_or_404(WorkItem.objects.select_related("person", "team", "allocated_to"), pk=pk)
    basis, grant_id = _access_basis(request, item)
    if may is not None and not may(item):
        raise PermissionDenied
    if request.method == "GET":
        _record_look(request, item, basis, grant_id)
    return item


def item_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Staff who neither work with the person nor see the item on the waiting list declare why first."""

    @wraps(view)
    def wrapped(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
        try:
            return view(request, pk)
        except people_selectors.RelationshipRequiredError as needed:
            target = reverse("people:declare", args=[needed.person.pk])
            return redirect(f"{target}?next={reverse('work:detail', args=[pk])}")

    return wrapped


@require_http_methods(["GET"])
@permission_required(VIEW_WAITING_LIST)
@item_view
def detail(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    item = _item_for(request, pk)
    return _detail_page(request, item, AllocateForm(workers=selectors.team_workers(item.team)))


def _detail_page(request: AuthenticatedHttpRequest, item: WorkItem, allocate_form: AllocateForm) -> HttpResponse:
    """The work item's page; `allocate_form` is bound, with its errors, when an allocation is shown again."""
    is_manager = services.is_team_manager(request.user, item.team)
    return render(
        request,
        "work/detail.html",
        {
            "item": item,
            "triages": list(item.triages.select_related("by")[:20]),
            "contacts": list(item.keep_in_touch.select_related("by")[:20]),
            "handoffs": list(
                item.handoffs.select_related("from_worker", "to_worker", "from_team", "to_team", "by")[:20]
            ),
            "breaches": list(item.breaches.open()),
            "can_work": request.user.has_perm(WORK_ON_ITEMS),
            "is_manager": is_manager,
            "allocate_form": allocate_form,
            "is_member": any(m.team_id == item.team_id for m in request.user.memberships_cached),
            "today": timezone.localdate(),
        },
    )


def _expected_owner(raw: str) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


@require_POST
@permission_required(WORK_ON_ITEMS)
@item_view
def take(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    """Self-allocation: the worker takes the work (e.g. at the weekly MDT), within their caseload cap."""
    item = _item_for(request, pk)
    try:
        services.allocate(
            work_item=item,
            to_user=request.user,
            by=request.user,
            expected_owner_id=_expected_owner(request.POST.get("expected_owner", "")),
            reason="Self-allocated",
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"You now hold this work for {item.person.full_name}")
    return redirect("work:detail", pk=item.pk)


@require_POST
@permission_required(WORK_ON_ITEMS)
@item_view
def allocate(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    item = _item_for(request, pk)
    form = AllocateForm(request.POST, workers=selectors.team_workers(item.team))
    if form.is_valid():
        try:
            services.allocate(
                work_item=item,
                to_user=form.cleaned_data["to_user"],
                by=request.user,
                expected_owner_id=_expected_owner(form.cleaned_data["expected_owner"]),
                reason=form.cleaned_data["reason"],
                over_cap_reason=form.cleaned_data["over_cap_reason"],
            )
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, f"Allocated to {form.cleaned_data['to_user'].full_name}")
            return redirect("work:detail", pk=item.pk)
    # The page again, with what was typed and each error against its field. It shows the record, so it is a look.
    # `item` was read before the refused allocation, so the page (and the holder its form sends back as the one
    # the user saw) is as the work stands now: after "someone else changed this", sending again is deliberate.
    _record_look(request, item, *_access_basis(request, item))
    return _detail_page(request, item, form)


@require_http_methods(["GET", "POST"])
@permission_required(WORK_ON_ITEMS)
@item_view
def keep_in_touch(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    item = _item_for(request, pk)
    form = KeepInTouchForm(request.POST if request.method == "POST" else None, initial={"risk_flags": item.risk_flags})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_keep_in_touch(
                work_item=item,
                by=request.user,
                method=data["method"],
                summary=data["summary"],
                situation_changed=data["situation_changed"],
                likelihood=data.get("likelihood"),
                impact=data.get("impact"),
                flags=data["new_flags"],
                contacted_at=data["contacted_at"],
            )
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, "Keep-in-touch contact recorded")
            return redirect("work:detail", pk=item.pk)
    return render(
        request,
        "work/item_form.html",
        {"form": form, "item": item, "title": "Record a keep-in-touch contact", "button": "Record contact"},
    )


@require_http_methods(["GET", "POST"])
@permission_required(WORK_ON_ITEMS)
@item_view
def retriage(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    item = _item_for(request, pk)
    initial = {"likelihood": item.likelihood, "impact": item.impact, "risk_flags": item.risk_flags}
    form = RetriageForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.retriage(
                work_item=item,
                likelihood=data["likelihood"],
                impact=data["impact"],
                flags=data["risk_flags"],
                why=data["why"],
                by=request.user,
            )
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, "Rating updated")
            return redirect("work:detail", pk=item.pk)
    return render(
        request,
        "work/item_form.html",
        {"form": form, "item": item, "title": "Change the risk rating", "button": "Save rating"},
    )


@require_http_methods(["GET", "POST"])
@permission_required(WORK_ON_ITEMS)
@item_view
def return_to_waiting(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    item = _item_for(request, pk)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.return_to_waiting(work_item=item, by=request.user, reason=form.cleaned_data["reason"])
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, "Returned to the waiting list")
            return redirect("work:detail", pk=item.pk)
    return render(
        request,
        "work/item_form.html",
        {"form": form, "item": item, "title": "Return to the waiting list", "button": "Return it"},
    )


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE_TEAM_WORK)
@item_view
def transfer(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    """A team manager moves a piece of their team's work to another team; it keeps its place in the wait."""
    item = _item_for(
        request, pk, may=lambda it: it.closed_at is None and services.is_team_manager(request.user, it.team)
    )
    form = TransferForm(request.POST or None, teams=selectors.teams_work_can_move_to(item.team))
    if request.method == "POST" and form.is_valid():
        try:
            services.transfer_work(
                work_item=item,
                to_team=form.cleaned_data["to_team"],
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, f"Moved to {form.cleaned_data['to_team'].name}")
            return redirect("work:detail", pk=item.pk)
    return render(
        request,
        "work/item_form.html",
        {"form": form, "item": item, "title": "Move this work to another team", "button": "Move the work"},
    )


@require_http_methods(["GET", "POST"])
@permission_required(WORK_ON_ITEMS)
@item_view
def close(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    item = _item_for(request, pk)
    form = CloseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.close_work(work_item=item, by=request.user, outcome=form.cleaned_data["outcome"])
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, "Work closed")
            return redirect("people:detail", pk=item.person_id)
    return render(
        request, "work/item_form.html", {"form": form, "item": item, "title": "Close this work", "button": "Close work"}
    )


@require_http_methods(["GET"])
@permission_required(WORK_ON_ITEMS)
@item_view
def letter(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    """A plain-English letter telling the person they are waiting, who to call and what to do if worse."""
    item = _item_for(request, pk)
    policy_days = services.next_contact_on(timezone.localdate(), item.priority) - timezone.localdate()
    return render(
        request,
        "work/letter.html",
        {
            "item": item,
            "today": timezone.localdate(),
            "contact_every_days": policy_days.days,
            "out_of_hours_phone": settings.SAFEPATHWAYS["OUT_OF_HOURS_PHONE"],
            "contact_centre_phone": settings.SAFEPATHWAYS["CONTACT_CENTRE_PHONE"],
        },
    )


@require_POST
@permission_required(WORK_ON_ITEMS)
@item_view
def letter_sent(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    """Record that the waiting letter was sent: a keep-in-touch contact by letter, so the next contact date moves."""
    item = _item_for(request, pk)
    try:
        services.record_waiting_letter_sent(work_item=item, by=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("work:letter", pk=item.pk)
    item.refresh_from_db(fields=["next_contact_due"])
    messages.success(request, f"Letter recorded as sent. Next keep-in-touch by {format_date(item.next_contact_due)}")
    return redirect("work:detail", pk=item.pk)


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE_TEAM_WORK)
def transfer_team_work(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """A change of boundaries: a team manager moves the team's open work (or one neighbourhood's) to another team."""
    team = next((t for t in _managed_teams(request.user) if t.slug == slug), None)
    if team is None:
        return render(request, "errors/404.html", status=404)
    form = BulkTransferForm(request.POST or None, teams=selectors.teams_work_can_move_to(team))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            moved = services.bulk_transfer(
                team=team,
                to_team=data["to_team"],
                by=request.user,
                reason=data["reason"],
                neighbourhood=data["neighbourhood"],
            )
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            items = "item" if moved == 1 else "items"
            messages.success(request, f"Moved {moved} {items} of work from {team.name} to {data['to_team'].name}")
            return redirect("work:duty")
    return render(request, "work/transfer_team.html", {"form": form, "team": team})


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE_TEAM_WORK)
def reassign(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Bulk reassignment when a worker leaves or boundaries change (team managers of that team)."""
    team = next((t for t in _managed_teams(request.user) if t.slug == slug), None)
    if team is None:
        return render(request, "errors/404.html", status=404)
    form = BulkReassignForm(
        request.POST if request.method == "POST" else None,
        workers=selectors.team_workers(team),
        holders=selectors.caseload_holders(team),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            moved = services.bulk_reassign(
                team=team, from_user=data["from_user"], to_user=data["to_user"], by=request.user, reason=data["reason"]
            )
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            destination = data["to_user"].full_name if data["to_user"] else "the waiting list"
            messages.success(
                request, f"Moved {moved} items of work from {data['from_user'].full_name} to {destination}"
            )
            return redirect("work:duty")
    return render(request, "work/reassign.html", {"form": form, "team": team})
