"""Mutual aid pages for contingency leads (directors read): the requests in and out, sending a request, offering,
accepting or declining offers, withdrawing, recording fulfilment, sharing details after acceptance, and partners."""

from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safepathways.accounts.http import AuthenticatedHttpRequest
from safepathways.core.decorators import permission_required
from safepathways.core.errors import ApplicationError
from safepathways.mutual_aid import rules, selectors, services
from safepathways.mutual_aid.forms import DisclosureForm, OfferForm, ReasonForm, RequestForm
from safepathways.mutual_aid.models import Direction, OfferStatus, RequestStatus
from safepathways.mutual_aid.presenters import TEMPLATE_HELPERS


def _context(**extra: Any) -> dict[str, Any]:
    return {**TEMPLATE_HELPERS, **extra}


def _apply_error(form: forms.Form, error: ApplicationError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


# --- /mutual-aid/ ----------------------------------------------------------------------------------------------------


@require_GET
@permission_required(rules.VIEW_MUTUAL_AID)
def requests(request: AuthenticatedHttpRequest) -> HttpResponse:
    direction = request.GET.get("direction", "")
    show_closed = request.GET.get("show") == "all"
    found = list(selectors.requests(direction=direction, show_closed=show_closed)[:200])
    return render(
        request,
        "mutual_aid/requests.html",
        _context(
            requests=found,
            direction=direction if direction in Direction.values else "",
            show_closed=show_closed,
            can_manage=request.user.has_perm(rules.MANAGE_MUTUAL_AID),
        ),
    )


@require_http_methods(["GET", "POST"])
@permission_required(rules.MANAGE_MUTUAL_AID)
def new_request(request: AuthenticatedHttpRequest) -> HttpResponse:
    partnerships = selectors.active_partnerships()
    form = RequestForm(request.POST or None, partnerships=partnerships)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            aid_request = services.send_request(
                partnerships=data["partnerships"],
                kind=data["kind"],
                quantity=data["quantity"],
                needed_from=data["needed_from"],
                needed_until=data["needed_until"],
                detail=data["detail"],
                by=request.user,
            )
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, "Request sent. Offers will appear on this page.")
            return redirect("mutual_aid:request", pk=aid_request.pk)
    status = 400 if form.errors else 200
    return render(
        request, "mutual_aid/request_form.html", _context(form=form, has_partners=partnerships.exists()), status=status
    )


# --- /mutual-aid/requests/<id>/ --------------------------------------------------------------------------------------


@require_GET
@permission_required(rules.VIEW_MUTUAL_AID)
def request_detail(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    aid_request = selectors.request_detail(pk)
    can_manage = request.user.has_perm(rules.MANAGE_MUTUAL_AID)
    return render(
        request,
        "mutual_aid/request.html",
        _context(
            aid_request=aid_request,
            can_manage=can_manage,
            can_read_details=request.user.has_perm(rules.VIEW_DISCLOSED_DETAILS),
            is_outgoing=aid_request.direction == Direction.OUTGOING,
            OfferStatus=OfferStatus,
            RequestStatus=RequestStatus,
        ),
    )


@require_http_methods(["GET", "POST"])
@permission_required(rules.MANAGE_MUTUAL_AID)
def offer(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    aid_request = selectors.aid_request(pk)
    form = OfferForm(request.POST or None, initial={"quantity": aid_request.quantity})
    if request.method == "POST" and form.is_valid():
        try:
            services.make_offer(aid_request=aid_request, by=request.user, **form.cleaned_data)
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, f"Offer sent to {aid_request.partnership}")
            return redirect("mutual_aid:request", pk=aid_request.pk)
    status = 400 if form.errors else 200
    return render(request, "mutual_aid/offer_form.html", _context(form=form, aid_request=aid_request), status=status)


def _reason_page(
    request: AuthenticatedHttpRequest,
    *,
    title: str,
    button: str,
    back: str,
    action: Any,
    success: str,
    required: bool = True,
    label: str = "Reason",
) -> HttpResponse:
    form = ReasonForm(request.POST or None, required=required, label=label)
    if request.method == "POST" and form.is_valid():
        try:
            action(form.cleaned_data["reason"])
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, success)
            return redirect(back)
    status = 400 if form.errors else 200
    return render(
        request,
        "mutual_aid/reason_form.html",
        _context(form=form, title=title, button=button, back=back),
        status=status,
    )


@require_http_methods(["GET", "POST"])
@permission_required(rules.MANAGE_MUTUAL_AID)
def decline_request(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    aid_request = selectors.aid_request(pk)
    return _reason_page(
        request,
        title=f"Tell {aid_request.partnership} you cannot help",
        button="Send",
        back=services.request_link(aid_request),
        action=lambda reason: services.decline_request(aid_request=aid_request, reason=reason, by=request.user),
        success="They have been told you cannot help",
        required=False,
    )


@require_http_methods(["GET", "POST"])
@permission_required(rules.MANAGE_MUTUAL_AID)
def withdraw_request(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    aid_request = selectors.aid_request(pk)
    return _reason_page(
        request,
        title="Withdraw this request",
        button="Withdraw the request",
        back=services.request_link(aid_request),
        action=lambda reason: services.withdraw_request(aid_request=aid_request, reason=reason, by=request.user),
        success="Request withdrawn; the councils asked are being told",
        label="Why is the help no longer needed?",
    )


@require_POST
@permission_required(rules.MANAGE_MUTUAL_AID)
def fulfil(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    aid_request = selectors.aid_request(pk)
    try:
        services.fulfil_request(aid_request=aid_request, by=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Recorded that the help was given")
    return redirect("mutual_aid:request", pk=aid_request.pk)


# --- /mutual-aid/offers/<id>/ ----------------------------------------------------------------------------------------


@require_POST
@permission_required(rules.MANAGE_MUTUAL_AID)
def accept_offer(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    found = selectors.offer(pk)
    try:
        services.accept_offer(offer=found, by=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Offer from {found.partnership} accepted. Any other offers have been declined.")
    return redirect("mutual_aid:request", pk=found.request_id)


@require_http_methods(["GET", "POST"])
@permission_required(rules.MANAGE_MUTUAL_AID)
def decline_offer(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    found = selectors.offer(pk)
    return _reason_page(
        request,
        title=f"Decline the offer from {found.partnership}",
        button="Decline the offer",
        back=services.request_link(found.request),
        action=lambda reason: services.decline_offer(offer=found, reason=reason, by=request.user),
        success="Offer declined",
        required=False,
    )


@require_http_methods(["GET", "POST"])
@permission_required(rules.MANAGE_MUTUAL_AID)
def withdraw_offer(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    found = selectors.offer(pk)
    return _reason_page(
        request,
        title="Withdraw your offer",
        button="Withdraw the offer",
        back=services.request_link(found.request),
        action=lambda reason: services.withdraw_offer(offer=found, reason=reason, by=request.user),
        success="Offer withdrawn",
    )


@require_http_methods(["GET", "POST"])
@permission_required(rules.MANAGE_MUTUAL_AID)
def disclose(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    found = selectors.offer(pk)
    if found.direction != Direction.INCOMING or found.status != OfferStatus.ACCEPTED:
        # Before acceptance there is nothing to share, and no form to fill in.
        raise PermissionDenied
    form = DisclosureForm(request.POST or None, kind=found.request.kind)
    if not form.fields:
        messages.error(request, "Nothing about a person is shared for this kind of help")
        return redirect("mutual_aid:request", pk=found.request_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        details = services.PersonDetails(
            full_name=data["full_name"],
            date_of_birth=data.get("date_of_birth"),
            needs_summary=data["needs_summary"],
            address=data.get("address", ""),
        )
        try:
            services.disclose(offer=found, details=details, by=request.user)
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, f"Details sent to {found.partnership}")
            return redirect("mutual_aid:request", pk=found.request_id)
    status = 400 if form.errors else 200
    return render(request, "mutual_aid/disclosure_form.html", _context(form=form, offer=found), status=status)


# --- /mutual-aid/partnerships/ ---------------------------------------------------------------------------------------


@require_GET
@permission_required(rules.VIEW_MUTUAL_AID)
def partnerships(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "mutual_aid/partnerships.html", _context(partnerships=list(selectors.partnerships())))
