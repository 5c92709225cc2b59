"""Safeguarding pages: the dashboard and SAC tables, raising a concern, the decision, the enquiry."""

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from safepathways.accounts.http import AuthenticatedHttpRequest
from safepathways.audit import services as audit
from safepathways.audit.models import AccessBasis
from safepathways.core.decorators import permission_required
from safepathways.core.errors import ApplicationError
from safepathways.core.exports import ExportTable, export_tables_response, parse_format
from safepathways.people.decorators import person_record
from safepathways.people.selectors import PersonAccess
from safepathways.safeguarding import rules, selectors, services
from safepathways.safeguarding.forms import (
    ActionForm,
    CloseForm,
    CompleteActionForm,
    ConcernForm,
    DecisionForm,
    OpenEnquiryForm,
    OutcomeForm,
    PersonalForm,
    RevokeShareForm,
    ShareForm,
    StrategyDiscussionForm,
)
from safepathways.safeguarding.models import Concern, ConcernStatusName, Enquiry
from safepathways.safeguarding.presenters import TEMPLATE_HELPERS

LIST_LIMIT = 50


def _context(**extra: Any) -> dict[str, Any]:
    return {**TEMPLATE_HELPERS, **extra}


def _apply_error(form: forms.Form, error: ApplicationError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _concern(request: AuthenticatedHttpRequest, pk: UUID) -> Concern:
    """A concern in the user's scope, its look logged on GET; outside the scope it does not exist (404)."""
    concern = selectors.visible_concern(request.user, pk)
    if concern is None:
        raise Http404
    if request.method == "GET":
        audit.record_access(
            user=request.user,
            person_id=concern.person_id,
            what=f"safeguarding concern {concern.reference}",
            # Seen as the safeguarding team, the enquiry officer or a named partner: never on a working relationship.
            basis=AccessBasis.SAFEGUARDING,
        )
    return concern


def _enquiry(concern: Concern) -> Enquiry:
    enquiry = selectors.enquiry_of(concern)
    if enquiry is None:
        raise Http404
    return enquiry


def _form_page(
    request: AuthenticatedHttpRequest,
    form: forms.Form,
    *,
    title: str,
    concern: Concern | None = None,
    button: str = "Save",
    intro: str = "",
    story: str = "",
) -> HttpResponse:
    return render(
        request,
        "safeguarding/form.html",
        _context(form=form, title=title, concern=concern, button=button, intro=intro, story=story),
    )


# /safeguarding/ ---------------------------------------------------------------------------------------


@require_GET
@permission_required(rules.VIEW_AGGREGATES)
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    can_see_cases = request.user.has_perm(rules.VIEW_WORKLIST)
    return render(
        request,
        "safeguarding/dashboard.html",
        _context(
            tiles=selectors.dashboard(),
            can_see_cases=can_see_cases,
            awaiting=list(selectors.awaiting_decision()[:LIST_LIMIT]) if can_see_cases else [],
            front_door=list(selectors.front_door_work_awaiting_concern()[:LIST_LIMIT]) if can_see_cases else [],
            enquiries=list(selectors.open_enquiries()[:LIST_LIMIT]) if can_see_cases else [],
            today=timezone.localdate(),
        ),
    )


@require_GET
@permission_required(rules.VIEW_AGGREGATES)
def collection(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The Safeguarding Adults Collection tables for a year; ?format=csv or xlsx downloads them (counts only)."""
    default_year = selectors.financial_year_of(timezone.localdate())
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() and 2000 <= int(year_text) <= 2100 else default_year
    result = selectors.sac_return(year)
    fmt = parse_format(request.GET.get("format"))
    if fmt is not None:
        return export_tables_response(
            filename=f"safeguarding-adults-collection-{result.label}",
            tables=[ExportTable(title=t.title, headers=t.headers, rows=t.rows) for t in result.tables],
            fmt=fmt,
        )
    return render(
        request,
        "safeguarding/collection.html",
        _context(result=result, years=range(default_year, default_year - 5, -1)),
    )


# /safeguarding/people/<id>/ ------------------------------------------------------------------------------


@require_GET
@permission_required(rules.VIEW_PERSON_CONCERNS)
@person_record("safeguarding concerns")
def person_concerns(request: AuthenticatedHttpRequest, access: PersonAccess) -> HttpResponse:
    return render(
        request,
        "safeguarding/person_concerns.html",
        _context(
            person=access.person,
            concerns=selectors.person_concerns(request.user, access.person),
            can_raise=request.user.has_perm(rules.RAISE_CONCERN),
        ),
    )


def _concern_form(request: AuthenticatedHttpRequest, initial: dict[str, Any] | None = None) -> ConcernForm:
    return ConcernForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        providers=selectors.providers(),
        locations=selectors.provider_locations(),
    )


def _details(form: ConcernForm) -> services.ConcernDetails:
    data = form.cleaned_data
    return services.ConcernDetails(
        summary=data["summary"],
        abuse_types=data["abuse_types"],
        location_of_risk=data["location_of_risk"],
        source_of_risk=data["source_of_risk"],
        immediate_actions=data.get("immediate_actions") or "",
        raised_by_description=data.get("raised_by_description") or "",
        provider=data.get("provider"),
        provider_location=data.get("provider_location"),
        primary_support_reason=data.get("primary_support_reason") or "",
    )


@require_http_methods(["GET", "POST"])
@permission_required(rules.RAISE_CONCERN)
@person_record("raise a safeguarding concern")
def raise_concern(request: AuthenticatedHttpRequest, access: PersonAccess) -> HttpResponse:
    form = _concern_form(request)
    if form.is_valid():
        try:
            concern = services.raise_concern(person=access.person, by=request.user, details=_details(form))
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, f"Safeguarding concern {concern.reference} sent to the safeguarding team")
            if selectors.visible_concern(request.user, concern.pk) is None:
                return redirect("safeguarding:person", pk=access.person.pk)
            return redirect("safeguarding:concern", pk=concern.pk)
    return _form_page(
        request, form, title=f"Raise a safeguarding concern about {access.person.full_name}", button="Send concern"
    )


@require_http_methods(["GET", "POST"])
@permission_required(rules.DECIDE_CONCERN)
def from_work(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    """Record the concern for safeguarding work the front door opened, starting from the story it carried."""
    work_item = selectors.work_for_concern(pk)
    if work_item is None:
        raise Http404
    form = _concern_form(request, initial={"summary": work_item.story})
    if form.is_valid():
        try:
            concern = services.record_concern_from_work(work_item=work_item, by=request.user, details=_details(form))
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, f"Safeguarding concern {concern.reference} recorded")
            return redirect("safeguarding:concern", pk=concern.pk)
    return _form_page(
        request,
        form,
        title=f"Record the safeguarding concern about {work_item.person.full_name}",
        button="Record concern",
        story=work_item.story,
    )


# /safeguarding/concerns/<id>/ ----------------------------------------------------------------------------


@require_GET
@permission_required(rules.VIEW_CONCERN)
def concern(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    found = _concern(request, pk)
    user = request.user
    page = selectors.concern_page(found)
    may_decide = user.has_perm(rules.DECIDE_CONCERN)
    may_run = page.enquiry is not None and (may_decide or page.enquiry.officer_id == user.pk)
    status = found.status
    return render(
        request,
        "safeguarding/concern.html",
        _context(
            page=page,
            concern=found,
            enquiry=page.enquiry,
            can_decide=may_decide and status == ConcernStatusName.RECEIVED,
            can_open_enquiry=may_decide and status == ConcernStatusName.DECIDED and found.is_enquiry,
            can_run=may_run and status == ConcernStatusName.ENQUIRY_OPEN,
            can_close=may_decide and status == ConcernStatusName.ENQUIRY_CONCLUDED,
            can_share=may_decide and status != ConcernStatusName.CLOSED,
            can_see_shares=may_decide,
            is_partner=not user.is_council_staff,
        ),
    )


def _post(
    request: AuthenticatedHttpRequest,
    form: forms.Form,
    concern: Concern,
    action: Callable[[dict[str, Any]], object],
    done: str,
    anchor: str = "",
) -> HttpResponse | None:
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        action(form.cleaned_data)
    except ApplicationError as error:
        _apply_error(form, error)
        return None
    messages.success(request, done)
    return redirect(reverse("safeguarding:concern", args=[concern.pk]) + anchor)


def _data(request: AuthenticatedHttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


@require_http_methods(["GET", "POST"])
@permission_required(rules.DECIDE_CONCERN)
def decide(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    found = _concern(request, pk)
    form = DecisionForm(_data(request))

    def act(data: dict[str, Any]) -> object:
        tests = services.Section42Tests(
            has_care_and_support_needs=data["has_care_and_support_needs"],
            care_and_support_needs_reason=data["care_and_support_needs_reason"],
            is_experiencing_or_at_risk=data["is_experiencing_or_at_risk"],
            experiencing_or_at_risk_reason=data["experiencing_or_at_risk_reason"],
            is_unable_to_protect_self=data["is_unable_to_protect_self"],
            unable_to_protect_self_reason=data["unable_to_protect_self_reason"],
        )
        return services.decide_concern(
            concern=found,
            by=request.user,
            tests=tests,
            decision=data["decision"],
            decision_reason=data["decision_reason"],
        )

    done = _post(request, form, found, act, "Decision recorded")
    return done or _form_page(
        request,
        form,
        concern=found,
        title="Decide whether the section 42 duty applies",
        intro="Care Act 2014 s42(1): answer each test and give your reason. A section 42 enquiry needs all three.",
        button="Record decision",
    )


@require_http_methods(["GET", "POST"])
@permission_required(rules.DECIDE_CONCERN)
def open_enquiry(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    found = _concern(request, pk)
    form = OpenEnquiryForm(_data(request), officers=selectors.enquiry_officers())
    done = _post(
        request,
        form,
        found,
        lambda d: services.open_enquiry(
            concern=found, by=request.user, officer=d["officer"], started_on=d["started_on"]
        ),
        "Enquiry opened",
    )
    return done or _form_page(request, form, concern=found, title="Open the enquiry", button="Open enquiry")


@require_http_methods(["GET", "POST"])
@permission_required(rules.RUN_ENQUIRY)
def strategy_discussion(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    found = _concern(request, pk)
    enquiry = _enquiry(found)
    form = StrategyDiscussionForm(_data(request))
    done = _post(
        request,
        form,
        found,
        lambda d: services.record_strategy_discussion(enquiry=enquiry, by=request.user, **d),
        "Strategy discussion recorded",
        "#strategy",
    )
    return done or _form_page(request, form, concern=found, title="Record a strategy discussion")


@require_http_methods(["GET", "POST"])
@permission_required(rules.RUN_ENQUIRY)
def add_action(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    found = _concern(request, pk)
    enquiry = _enquiry(found)
    form = ActionForm(_data(request), organisations=selectors.partner_organisations())
    done = _post(
        request,
        form,
        found,
        lambda d: services.add_enquiry_action(enquiry=enquiry, by=request.user, **d),
        "Action added to the enquiry plan",
        "#plan",
    )
    return done or _form_page(request, form, concern=found, title="Add an action to the enquiry plan")


@require_http_methods(["GET", "POST"])
@permission_required(rules.COMPLETE_ACTION)
def complete_action(request: AuthenticatedHttpRequest, pk: UUID, action_pk: UUID) -> HttpResponse:
    """Mark an action in the enquiry plan done, with the result (the same service as the API)."""
    found = _concern(request, pk)
    action = selectors.completable_action(request.user, action_pk)
    if action is None or action.enquiry.concern_id != found.pk:
        raise Http404
    form = CompleteActionForm(_data(request))
    done = _post(
        request,
        form,
        found,
        lambda d: services.complete_enquiry_action(
            action=action, by=request.user, completed_on=d["completed_on"], result=d["result"]
        ),
        "Action marked complete",
        "#plan",
    )
    return done or _form_page(
        request, form, concern=found, title="Mark an action complete", intro=action.description, button="Save"
    )


@require_http_methods(["GET", "POST"])
@permission_required(rules.RUN_ENQUIRY)
def personal(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    found = _concern(request, pk)
    enquiry = _enquiry(found)
    initial = {
        "msp_asked": enquiry.msp_asked,
        "desired_outcomes": enquiry.desired_outcomes,
        "advocate_name": enquiry.advocate_name,
        "supported_by": enquiry.supported_by,
    }
    form = PersonalForm(_data(request), initial=initial)
    done = _post(
        request,
        form,
        found,
        lambda d: services.record_making_safeguarding_personal(
            enquiry=enquiry, by=request.user, details=services.PersonalDetails(**d)
        ),
        "Making Safeguarding Personal recorded",
        "#personal",
    )
    return done or _form_page(request, form, concern=found, title="Making Safeguarding Personal, capacity and advocacy")


@require_http_methods(["GET", "POST"])
@permission_required(rules.RUN_ENQUIRY)
def outcome(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    found = _concern(request, pk)
    enquiry = _enquiry(found)
    form = OutcomeForm(_data(request))
    done = _post(
        request,
        form,
        found,
        lambda d: services.conclude_enquiry(
            enquiry=enquiry,
            by=request.user,
            outcome=services.Outcome(
                **{**d, "risk_result": d.get("risk_result") or "", "msp_achieved": d.get("msp_achieved") or ""}
            ),
        ),
        "Enquiry concluded",
    )
    return done or _form_page(
        request, form, concern=found, title="Record the outcome of the enquiry", button="Conclude enquiry"
    )


@require_http_methods(["GET", "POST"])
@permission_required(rules.DECIDE_CONCERN)
def close(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    found = _concern(request, pk)
    form = CloseForm(_data(request))
    done = _post(
        request,
        form,
        found,
        lambda d: services.close_concern(concern=found, by=request.user, reason=d["reason"]),
        "Concern closed",
    )
    return done or _form_page(request, form, concern=found, title="Close the concern", button="Close concern")


@require_http_methods(["GET", "POST"])
@permission_required(rules.DECIDE_CONCERN)
def share(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    found = _concern(request, pk)
    form = ShareForm(_data(request), organisations=selectors.partner_organisations())
    done = _post(
        request,
        form,
        found,
        lambda d: services.share_concern(
            concern=found, by=request.user, organisation=d["organisation"], purpose=d["purpose"]
        ),
        "Concern shared",
    )
    return done or _form_page(request, form, concern=found, title="Share the concern with a partner organisation")


# /safeguarding/concerns/<id>/shares/ ---------------------------------------------------------------------


@require_GET
@permission_required(rules.DECIDE_CONCERN)
def shares(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    """Every share of the concern, current, ended and revoked, with who did it, when and why."""
    found = _concern(request, pk)
    return render(
        request,
        "safeguarding/shares.html",
        _context(concern=found, shares=selectors.share_history(found), now=timezone.now()),
    )


@require_http_methods(["GET", "POST"])
@permission_required(rules.DECIDE_CONCERN)
def revoke_share(request: AuthenticatedHttpRequest, pk: UUID, share_pk: UUID) -> HttpResponse:
    found = _concern(request, pk)
    share = selectors.share_of(found, share_pk)
    if share is None:
        raise Http404
    form = RevokeShareForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.revoke_concern_share(share=share, by=request.user, reason=form.cleaned_data["reason"])
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, f"Share with {share.organisation.name} revoked")
            return redirect("safeguarding:shares", pk=found.pk)
    return _form_page(
        request,
        form,
        concern=found,
        title=f"Revoke the share with {share.organisation.name}",
        intro=f"Shared for: {share.purpose}. Once revoked, its partners can no longer see this concern.",
        button="Revoke share",
    )
