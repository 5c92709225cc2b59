"""Hospital discharge pages: the ward referral form, the daily board, one referral and its decisions, the
out-of-hours starts, the metrics, and unsafe discharge reports with their review.

A referral outside the user's scope is a 404 (partners: their trust's and those shared with them). Looking at a
referral is a look at the person's record: council staff go through people.selectors.resolve_access (a
relationship, or declare one), partners through the referral's share with their trust; each GET is logged.
The out-of-hours team records support starts from a narrower page that shows only the arrangement, logged as
a look under the team's cover of those starts. A person's page of moves and hospital discharges is scoped as the
person's record (people.decorators.person_record); an unsafe discharge may also be reported from a hospital
discharge transition plan, scoped as the plan (a care provider the plan is shared with sees nothing more).
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safepathways.accounts.http import AuthenticatedHttpRequest
from safepathways.audit import services as audit
from safepathways.audit.models import AccessBasis, AccessKind
from safepathways.core.decorators import permission_required
from safepathways.core.errors import ApplicationError
from safepathways.core.exports import export_response, parse_format
from safepathways.core.paging import CountedPaginator, PagedRows
from safepathways.discharges import rules, selectors, services
from safepathways.discharges.forms import (
    BoardFilterForm,
    CloseForm,
    DelayForm,
    MetricsForm,
    NextActionForm,
    OutcomeForm,
    PathwayForm,
    ReadmissionForm,
    ReadyDateForm,
    ReferralForm,
    ReviewCloseForm,
    ShareForm,
    SupportForm,
    SupportStartForm,
    UnsafeReportForm,
)
from safepathways.discharges.models import Pathway, Referral, ReferralStatusName
from safepathways.discharges.presenters import TEMPLATE_HELPERS, pathway_short
from safepathways.people.decorators import declare_first, log_look, person_record, resolve_or_declare
from safepathways.people.models import Person
from safepathways.people.selectors import PersonAccess, RelationshipRequiredError
from safepathways.transitions import selectors as transitions_selectors
from safepathways.transitions.models import Plan, PlanKind
from safepathways.work.models import WorkItem

# Rows per page of the unsafe discharge reports list.
PAGE_SIZE = 50
# Errors a service names by a field the form does not have are shown at the top of the form.
FIELD_ALIASES = {"person": None, "referral": None, "work_item": None, "started_at": "started_on"}


def _context(**extra: Any) -> dict[str, Any]:
    return {**TEMPLATE_HELPERS, **extra}


def _apply_error(form: forms.Form, error: ApplicationError) -> None:
    field = FIELD_ALIASES.get(error.field or "", error.field)
    form.add_error(field if field in form.fields else None, error.message)


def _log_look(request: AuthenticatedHttpRequest, person_id: UUID, what: str, basis: str, grant_id: Any = None) -> None:
    if request.method == "GET":
        audit.record_access(user=request.user, person_id=person_id, what=what, basis=basis, grant_id=grant_id)


def _person_access(request: AuthenticatedHttpRequest, person_id: UUID, what: str) -> Person | HttpResponse:
    """The person in scope with the look logged (people.decorators.resolve_or_declare)."""
    access = resolve_or_declare(request, person_id, what)
    return access if isinstance(access, HttpResponse) else access.person


def _scoped(request: AuthenticatedHttpRequest, pk: UUID) -> Referral | HttpResponse:
    """The referral in the user's scope, with the look at the person logged; 404 outside it."""
    referral = selectors.referral_detail(request.user, pk)
    if referral is None:
        raise Http404
    if not request.user.is_council_staff:
        # The referral is the partner's own trust's (or shared with it): the look is logged as a partner share.
        _log_look(request, referral.person_id, "Hospital discharge referral", AccessBasis.PARTNER_SHARE)
        return referral
    person = _person_access(request, referral.person_id, "Hospital discharge referral")
    if isinstance(person, HttpResponse):
        return person
    return referral


def _plan_url(referral: Referral) -> str:
    """The transition plan's page, once the transitions app serves one (it may not yet)."""
    if referral.plan_id is None:
        return ""
    try:
        return reverse("transitions:plan", args=[referral.plan_id])
    except NoReverseMatch:
        return ""


# --- /discharge/ (the board) ----------------------------------------------------------------------------------------


BOARD_HEADERS = [
    "Reference",
    "Person",
    "NHS number",
    "Hospital",
    "Ward",
    "Admitted",
    "Discharge-ready",
    "Days since ready",
    "Pathway",
    "Status",
    "Next action",
    "Owner",
    "Due",
    "Delay reason",
    "Support start",
    "Essential arrangements open",
]


def _filters(form: BoardFilterForm, hospitals: list[Any]) -> tuple[UUID | None, int | None]:
    if not form.is_valid():
        return None, None
    hospital = form.cleaned_data["hospital"]
    pathway = form.cleaned_data["pathway"]
    hospital_id = next((h.pk for h in hospitals if str(h.pk) == hospital), None)
    return hospital_id, int(pathway) if pathway in {str(v) for v in Pathway.values} else None


@require_GET
@permission_required(rules.VIEW_BOARD)
def board(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The daily discharge meeting: everyone open, longest since discharge-ready first; filters by trust, pathway."""
    today = timezone.localdate()
    hospitals = selectors.trusts(request.user)
    form = BoardFilterForm(request.GET or None, hospitals=hospitals)
    hospital_id, pathway = _filters(form, hospitals)
    data = selectors.board(request.user, today=today, hospital_id=hospital_id, pathway=pathway, hospitals=hospitals)
    fmt = parse_format(request.GET.get("format"))
    if fmt is not None:
        audit.record_accesses(
            user=request.user,
            person_ids=[row.person_id for row in data.rows],
            what="Discharge board export",
            basis=AccessBasis.RELATIONSHIP if request.user.is_council_staff else AccessBasis.PARTNER_SHARE,
            kind=AccessKind.EXPORT,
        )
        return export_response(
            filename=f"discharge-board-{today.isoformat()}",
            headers=BOARD_HEADERS,
            rows=(
                [
                    row.reference,
                    row.person_name,
                    row.nhs_number,
                    row.hospital_name,
                    row.ward,
                    row.admitted_on,
                    row.discharge_ready_on,
                    row.days_since_ready,
                    pathway_short(row.pathway),
                    ReferralStatusName(row.status).label,
                    row.next_action,
                    row.next_action_owner if row.next_action else "",
                    row.next_action_due,
                    row.delay_reason,
                    row.support,
                    data.open_essentials.get(row.pk, 0),
                ]
                for row in data.rows
            ),
            fmt=fmt,
        )
    can_plan = request.user.has_perm(rules.PLAN_DISCHARGE)
    front_door, front_door_truncated = selectors.waiting_discharge_work() if can_plan else ([], False)
    return render(
        request,
        "discharges/board.html",
        _context(
            board=data,
            can_plan=can_plan,
            front_door=front_door,
            front_door_truncated=front_door_truncated,
            form=form,
            query=request.GET.urlencode(),
            can_refer=request.user.has_perm(rules.REFER),
            can_view_metrics=request.user.has_perm(rules.VIEW_METRICS),
            can_view_out_of_hours=request.user.has_perm(rules.VIEW_OUT_OF_HOURS),
            can_view_reviews=request.user.has_perm(rules.VIEW_UNSAFE_REVIEWS),
        ),
    )


# --- /discharge/referrals/ ----------------------------------------------------------------------------------------


def _work_to_take_over(request: AuthenticatedHttpRequest, work_id: str) -> WorkItem | HttpResponse:
    """`?work=<id>`: discharge work the front door opened, for the hospital team to take over.

    Anyone else, and work unknown or closed, gets a 404 (as DoLS's `?work=`); work a referral has already taken
    over leads to that referral. Looking at the work's person and story is a look at their record (logged, or a
    relationship declared first). On POST the service checks the work again and refuses it with a field error.
    """
    if not request.user.has_perm(rules.PLAN_DISCHARGE):
        raise Http404
    try:
        pk = UUID(work_id)
    except ValueError as error:
        raise Http404 from error
    item = selectors.front_door_work(pk)
    if item is None:
        raise Http404
    if request.method == "GET":
        taken = getattr(item, "discharge_referral", None)  # None when no referral has taken it over
        if taken is not None:
            messages.info(request, f"Discharge referral {taken.reference} has already taken over this work")
            return redirect("discharges:referral", pk=taken.pk)
        if item.closed_at is not None:
            raise Http404
    person = _person_access(request, item.person_id, "Hospital discharge work from the front door")
    if isinstance(person, HttpResponse):
        return person
    return item


@require_http_methods(["GET", "POST"])
@permission_required(rules.REFER)
def new_referral(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A ward refers an inpatient: identity, admission, discharge-ready date if known, proposed pathway, needs.

    `?work=<id>` (the hospital team): take over the discharge work the front door opened, starting from its person
    and story, so the referral reuses that work instead of opening a second piece.
    """
    work = _work_to_take_over(request, request.GET["work"]) if request.GET.get("work") else None
    if isinstance(work, HttpResponse):
        return work
    hospitals = selectors.trusts(request.user)
    initial: dict[str, Any] = {"hospital": hospitals[0].pk} if len(hospitals) == 1 else {}
    if work is not None:
        initial["needs"] = work.story
    form = ReferralForm(request.POST or None, hospitals=hospitals, initial=initial, person_known=work is not None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        details = services.WardReferral(
            hospital=data["hospital"],
            ward=data["ward"],
            ward_contact=data["ward_contact"],
            admitted_on=data["admitted_on"],
            discharge_ready_on=data["discharge_ready_on"],
            proposed_pathway=data["proposed_pathway"],
            needs=data["needs"],
            nhs_number=data.get("nhs_number", ""),
            given_name=data.get("given_name", ""),
            family_name=data.get("family_name", ""),
            date_of_birth=data.get("date_of_birth"),
            person=work.person if work is not None else None,
        )
        try:
            referral = services.create_referral(details=details, by=request.user, work_item=work)
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, f"Referral {referral.reference} sent to the hospital social work team")
            return redirect("discharges:referral", pk=referral.pk)
    return render(request, "discharges/referral_form.html", _context(form=form, work=work))


FORMS: dict[str, Callable[[], forms.Form]] = {
    "ready_form": lambda: ReadyDateForm(prefix="ready"),
    "pathway_form": lambda: PathwayForm(prefix="pathway"),
    "action_form": lambda: NextActionForm(prefix="action", organisations=selectors.partner_organisations()),
    "delay_form": lambda: DelayForm(prefix="delay", reasons=selectors.active_delay_reasons()),
    "support_form": lambda: SupportForm(prefix="support"),
    "outcome_form": lambda: OutcomeForm(prefix="outcome"),
    "readmission_form": lambda: ReadmissionForm(prefix="readmission"),
    "close_form": lambda: CloseForm(prefix="close"),
    "share_form": lambda: ShareForm(prefix="share", organisations=selectors.partner_organisations()),
}


def _detail_context(request: AuthenticatedHttpRequest, referral: Referral, **bound: forms.Form) -> dict[str, Any]:
    context: dict[str, Any] = {name: bound.get(name) or make() for name, make in FORMS.items()}
    if "action_form" not in bound and referral.next_action:
        context["action_form"] = NextActionForm(
            prefix="action",
            organisations=selectors.partner_organisations(),
            initial={
                "next_action": referral.next_action,
                "next_action_owner_name": referral.next_action_owner_name,
                "next_action_owner_organisation": referral.next_action_owner_organisation_id,
                "next_action_due": referral.next_action_due,
            },
        )
    if "delay_form" not in bound:
        context["delay_form"] = DelayForm(
            prefix="delay", reasons=selectors.active_delay_reasons(), initial={"delay_reason": referral.delay_reason_id}
        )
    user = request.user
    return _context(
        referral=referral,
        today=timezone.localdate(),
        plan_url=_plan_url(referral),
        open_essentials=selectors.open_essentials(referral.plan_id),
        can_update=user.has_perm(rules.UPDATE_REFERRAL),
        can_plan=user.has_perm(rules.PLAN_DISCHARGE),
        can_record_start=user.has_perm(rules.RECORD_SUPPORT_START),
        can_report=user.has_perm(rules.REPORT_UNSAFE),
        **context,
    )


@require_GET
@permission_required(rules.VIEW_BOARD)
def referral(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    found = _scoped(request, pk)
    if isinstance(found, HttpResponse):
        return found
    return render(request, "discharges/referral_detail.html", _detail_context(request, found))


def _act(
    request: AuthenticatedHttpRequest,
    pk: UUID,
    name: str,
    form: forms.Form,
    call: Callable[[Referral, dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    """Scope, bind, call one service; redirect on success or show the page again with the errors."""
    found = _scoped(request, pk)
    if isinstance(found, HttpResponse):
        return found
    if form.is_valid():
        try:
            call(found, form.cleaned_data)
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, done)
            return redirect("discharges:referral", pk=found.pk)
    context = _detail_context(request, found, **{name: form})
    return render(request, "discharges/referral_detail.html", context, status=400)


@require_POST
@permission_required(rules.UPDATE_REFERRAL)
def set_ready_date(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "ready_form",
        ReadyDateForm(request.POST, prefix="ready"),
        lambda r, d: services.set_discharge_ready_date(
            referral=r, discharge_ready_on=d["discharge_ready_on"], by=request.user
        ),
        "Discharge-ready date recorded",
    )


@require_POST
@permission_required(rules.PLAN_DISCHARGE)
def agree_pathway(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "pathway_form",
        PathwayForm(request.POST, prefix="pathway"),
        lambda r, d: services.agree_pathway(
            referral=r,
            pathway=d["pathway"],
            planned_discharge_on=d["planned_discharge_on"],
            moving_to=d["moving_to"],
            by=request.user,
        ),
        "Pathway agreed",
    )


@require_POST
@permission_required(rules.UPDATE_REFERRAL)
def next_action(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "action_form",
        NextActionForm(request.POST, prefix="action", organisations=selectors.partner_organisations()),
        lambda r, d: services.set_next_action(
            referral=r,
            action=d["next_action"],
            owner_name=d["next_action_owner_name"],
            owner_organisation=d["next_action_owner_organisation"],
            due_on=d["next_action_due"],
            by=request.user,
        ),
        "Next action recorded",
    )


@require_POST
@permission_required(rules.UPDATE_REFERRAL)
def delay_reason(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "delay_form",
        DelayForm(request.POST, prefix="delay", reasons=selectors.active_delay_reasons()),
        lambda r, d: services.set_delay_reason(referral=r, delay_reason=d["delay_reason"], by=request.user),
        "Delay reason recorded",
    )


@require_POST
@permission_required(rules.PLAN_DISCHARGE)
def support_start(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "support_form",
        SupportForm(request.POST, prefix="support"),
        lambda r, d: services.plan_support_start(
            referral=r,
            kind=d["support_kind"],
            provider=d["support_provider"],
            start_on=d["support_start_on"],
            start_time=d["support_start_time"],
            by=request.user,
        ),
        "Support start recorded",
    )


@require_POST
@permission_required(rules.UPDATE_REFERRAL)
def outcome(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "outcome_form",
        OutcomeForm(request.POST, prefix="outcome"),
        lambda r, d: services.record_discharge(
            referral=r,
            discharged_on=d["discharged_on"],
            discharged_to=d["discharged_to"],
            destination_detail=d["discharged_to_detail"],
            support=d["discharge_support"],
            no_support_reason=d["no_support_reason"],
            open_essentials_reason=d["open_essentials_reason"],
            by=request.user,
        ),
        "Discharge recorded",
    )


@require_POST
@permission_required(rules.UPDATE_REFERRAL)
def readmission(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "readmission_form",
        ReadmissionForm(request.POST, prefix="readmission"),
        lambda r, d: services.record_readmission(
            referral=r, readmitted_on=d["readmitted_on"], note=d["note"], by=request.user
        ),
        "Readmission recorded",
    )


@require_POST
@permission_required(rules.PLAN_DISCHARGE)
def close(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "close_form",
        CloseForm(request.POST, prefix="close"),
        lambda r, d: services.close_referral(referral=r, status=d["status"], reason=d["reason"], by=request.user),
        "Referral closed",
    )


@require_POST
@permission_required(rules.PLAN_DISCHARGE)
def share(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    form = ShareForm(request.POST, prefix="share", organisations=selectors.partner_organisations())
    return _act(
        request,
        pk,
        "share_form",
        form,
        lambda r, d: services.share_referral(referral=r, organisation=d["organisation"], by=request.user),
        "Referral shared",
    )


@require_POST
@permission_required(rules.PLAN_DISCHARGE)
def unshare(request: AuthenticatedHttpRequest, pk: UUID, organisation_pk: UUID) -> HttpResponse:
    found = _scoped(request, pk)
    if isinstance(found, HttpResponse):
        return found
    organisation = next((o for o in found.shared_with.all() if o.pk == organisation_pk), None)
    if organisation is None:
        raise Http404
    services.unshare_referral(referral=found, organisation=organisation, by=request.user)
    messages.success(request, f"The referral is no longer shared with {organisation.name}")
    return redirect("discharges:referral", pk=found.pk)


# --- /discharge/out-of-hours/ -------------------------------------------------------------------------------------


@require_GET
@permission_required(rules.VIEW_OUT_OF_HOURS)
def out_of_hours(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What must start at weekends, on bank holidays and out of office hours, and what is not yet confirmed."""
    today = timezone.localdate()
    rows, truncated = selectors.out_of_hours_starts(today)
    return render(
        request,
        "discharges/out_of_hours.html",
        _context(
            rows=rows,
            truncated=truncated,
            limit=selectors.OUT_OF_HOURS_LIMIT,
            today=today,
            can_record=request.user.has_perm(rules.RECORD_SUPPORT_START),
        ),
    )


def _record_start(request: AuthenticatedHttpRequest, found: Referral, data: dict[str, Any]) -> str:
    if data["happened"] == "not_started":
        services.record_support_not_started(referral=found, reason=data["reason"] or "", by=request.user)
        return "Recorded that the support did not start; the hospital team has been told"
    if data["started_on"] is None:
        raise ApplicationError("Enter the date it started", field="started_on")
    if data["started_time"] is None:
        raise ApplicationError("Enter the time it started", field="started_time")
    started_at = timezone.make_aware(datetime.combine(data["started_on"], data["started_time"]))
    services.record_support_started(
        referral=found, started_at=started_at, confirmed_with=data["confirmed_with"] or "", by=request.user
    )
    return "Support start recorded"


@require_http_methods(["GET", "POST"])
@permission_required(rules.RECORD_SUPPORT_START)
def record_start(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    """Record that the support started (when, confirmed with whom), or that it did not and why."""
    today = timezone.localdate()
    found = selectors.support_start_referral(pk, today)
    if found is None or not request.user.is_council_staff:
        raise Http404
    _log_look(request, found.person_id, "Out-of-hours support start", AccessBasis.RELATIONSHIP)
    form = SupportStartForm(request.POST or None, initial={"started_on": today})
    if request.method == "POST" and form.is_valid():
        try:
            done = _record_start(request, found, form.cleaned_data)
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, done)
            return redirect("discharges:out_of_hours")
    return render(
        request,
        "discharges/record_start.html",
        _context(referral=found, form=form, today=today),
        status=400 if form.is_bound else 200,
    )


# --- /discharge/metrics/ ------------------------------------------------------------------------------------------


@require_GET
@permission_required(rules.VIEW_METRICS)
def metrics(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Delays per pathway, days from discharge-ready to discharge, shares by pathway, unsafe discharge reports."""
    today = timezone.localdate()
    default_start = today - timedelta(days=90)
    form = MetricsForm(request.GET or None, initial={"start": default_start, "end": today})
    start, end = default_start, today
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        if end < start:
            form.add_error("end", "The end of the period must be on or after its start")
            start, end = default_start, today
    return render(
        request,
        "discharges/metrics.html",
        _context(form=form, metrics=selectors.metrics(start=start, end=end, today=today), today=today),
    )


# --- unsafe discharge reports ---------------------------------------------------------------------------------------


def _report_form(
    request: AuthenticatedHttpRequest,
    person: Person,
    found: Referral | None,
    *,
    done_url: str,
    plan: Plan | None = None,
) -> HttpResponse:
    """The report form; on success back to `done_url` (a page the reporter may open)."""
    form = UnsafeReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        details = services.UnsafeReportDetails(
            reporter_name=data["reporter_name"],
            reporter_relationship=data["reporter_relationship"],
            reporter_contact=data["reporter_contact"],
            what_happened=data["what_happened"],
            occurred_on=data["occurred_on"],
        )
        try:
            services.report_unsafe_discharge(person=person, referral=found, details=details, by=request.user)
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, "Unsafe discharge reported: a team manager will review it")
            return redirect(done_url)
    return render(
        request,
        "discharges/unsafe_report_form.html",
        _context(form=form, person=person, referral=found if plan is None else None, plan=plan),
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
@permission_required(rules.REPORT_UNSAFE)
def report_unsafe(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    """Report an unsafe discharge about a referral the user can see (partners: their trust's)."""
    found = _scoped(request, pk)
    if isinstance(found, HttpResponse):
        return found
    return _report_form(request, found.person, found, done_url=reverse("discharges:referral", args=[found.pk]))


@require_http_methods(["GET", "POST"])
@permission_required(rules.REPORT_UNSAFE)
def report_unsafe_for_person(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    """Report an unsafe discharge about a person the user can see, with no referral on the record."""
    person = _person_access(request, pk, "Unsafe discharge report")
    if isinstance(person, HttpResponse):
        return person
    return _report_form(request, person, None, done_url=reverse("discharges:person", args=[person.pk]))


@require_http_methods(["GET", "POST"])
@permission_required(rules.REPORT_UNSAFE)
def report_unsafe_for_plan(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    """Report an unsafe discharge about the person of a hospital discharge transition plan the user can see.

    A care provider the plan is shared with (reablement, a care home) follows the plan and nothing else: neither
    the referral nor the person's record. The plan is its way in (transitions.selectors.plan_access: partners by
    the plan's share, staff as for the plan page); the report is tied to the plan's referral, if any, so that
    referral's team reviews it. Plans of other kinds of move are not hospital discharges: 404.
    """
    try:
        access = transitions_selectors.plan_access(request.user, pk)
    except RelationshipRequiredError as needed:
        return declare_first(request, needed.person.pk)
    plan = access.plan
    if plan.kind != PlanKind.HOSPITAL_DISCHARGE:
        raise Http404
    log_look(request, PersonAccess(plan.person, access.basis, access.grant), "Unsafe discharge report")
    return _report_form(
        request,
        plan.person,
        selectors.plan_referral(plan.pk),
        done_url=reverse("transitions:plan", args=[plan.pk]),
        plan=plan,
    )


# --- /discharge/people/<id>/ ----------------------------------------------------------------------------------------


@require_GET
@permission_required(rules.VIEW_PERSON_MOVES)
@person_record("Moves and hospital discharges")
def person(request: AuthenticatedHttpRequest, access: PersonAccess) -> HttpResponse:
    """The person's hospital discharge referrals and transition plans (partners: those shared with them), each
    linked, and where to report an unsafe discharge."""
    user = request.user
    return render(
        request,
        "discharges/person.html",
        _context(
            person=access.person,
            moves=selectors.person_moves(user, access.person.pk),
            can_open_referrals=user.has_perm(rules.VIEW_BOARD),
            can_report=user.has_perm(rules.REPORT_UNSAFE),
        ),
    )


@require_GET
@permission_required(rules.VIEW_UNSAFE_REVIEWS)
def unsafe_reports(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every report, under review first, a page at a time with the total (the count also gives the pager)."""
    counts = selectors.unsafe_report_counts()
    rows = PagedRows(lambda offset, limit: selectors.unsafe_report_page(offset=offset, limit=limit))
    page = CountedPaginator(rows, PAGE_SIZE, count=counts.total).get_page(request.GET.get("page"))
    return render(request, "discharges/unsafe_reports.html", _context(page=page, counts=counts))


def _report_page(request: AuthenticatedHttpRequest, pk: UUID, form: ReviewCloseForm | None = None) -> HttpResponse:
    report = selectors.unsafe_report(pk)
    if report is None:
        raise Http404
    person = _person_access(request, report.person_id, "Unsafe discharge report")
    if isinstance(person, HttpResponse):
        return person
    if form is not None and form.is_valid():
        try:
            services.close_review(
                report=report,
                outcome=form.cleaned_data["outcome"],
                findings=form.cleaned_data["findings"],
                by=request.user,
            )
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, "Review closed")
            return redirect("discharges:unsafe_report", pk=report.pk)
    return render(
        request,
        "discharges/unsafe_report.html",
        _context(
            report=report,
            form=form or ReviewCloseForm(),
            can_close=request.user.has_perm(rules.CLOSE_UNSAFE_REVIEW),
        ),
        status=400 if form is not None else 200,
    )


@require_GET
@permission_required(rules.VIEW_UNSAFE_REVIEWS)
def unsafe_report(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    """One report and its review."""
    return _report_page(request, pk)


@require_POST
@permission_required(rules.CLOSE_UNSAFE_REVIEW)
def close_review(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    """A team manager closes the review with its outcome and findings."""
    return _report_page(request, pk, ReviewCloseForm(request.POST))
