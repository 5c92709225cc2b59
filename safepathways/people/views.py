"""Pages for finding a person, opening their record and recording what matters about them."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from safepathways.accounts import rules as perms
from safepathways.accounts.http import AuthenticatedHttpRequest
from safepathways.accounts.models import User
from safepathways.core.decorators import permission_required
from safepathways.core.errors import ApplicationError
from safepathways.core.formatting import format_date
from safepathways.people import presenters, selectors, services
from safepathways.people.decorators import person_record
from safepathways.people.forms import (
    AlertForm,
    AlertReviewForm,
    ContactForm,
    DeclareRelationshipForm,
    EndAlertForm,
    EndInvolvementForm,
    InvolvementForm,
    PersonForm,
    RiskForm,
    RiskReviewForm,
    SearchForm,
    ShareForm,
)
from safepathways.people.models import AccessGrantKind, Person
from safepathways.people.selectors import PersonAccess, SearchQuery


def _colleagues(user: User, *, also: object = None) -> QuerySet[User]:
    """Active members of the user's teams, and `also` (the current owner of what is being reviewed) if given."""
    colleagues = Q(memberships__team_id__in=user.team_ids, is_active=True)
    if also is not None:
        colleagues |= Q(pk=also)
    return User.objects.filter(colleagues).distinct().order_by("full_name")


def _apply_error(form: Any, error: ApplicationError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _record_form(
    request: AuthenticatedHttpRequest,
    person: Person,
    form: forms.Form,
    *,
    save: Callable[[dict[str, Any]], object],
    done: str,
    title: str,
    button: str,
    anchor: str = "",
    intro: str = "",
) -> HttpResponse:
    """One of the person page's record forms: on a valid post, `save` (a service) runs and the user goes back to the
    person page (at `anchor`); a refusal is answered on its field and the form is shown again, as typed."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, done)
            return redirect(reverse("people:detail", args=[person.pk]) + anchor)
    context: dict[str, Any] = {"form": form, "person": person, "title": title, "button": button}
    if intro:
        context["intro"] = intro
    return render(request, "people/record_form.html", context)


@require_http_methods(["GET"])
@permission_required(perms.SEARCH_PEOPLE)
def search(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    results: list[selectors.SearchResult] = []
    searched = False
    if request.GET and form.is_valid():
        searched = True
        query = SearchQuery(
            text=form.cleaned_data.get("q") or "",
            date_of_birth=form.cleaned_data.get("date_of_birth"),
            postcode=form.cleaned_data.get("postcode") or "",
        )
        results = selectors.search_people(request.user, query)
    template = "people/_search_results.html" if request.htmx else "people/search.html"
    return render(
        request,
        template,
        {
            "form": form,
            "results": results,
            "searched": searched,
            "can_create": request.user.has_perm(perms.CREATE_PERSON),
            "limit": selectors.SEARCH_LIMIT,
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(perms.CREATE_PERSON)
def create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PersonForm(request.POST if request.method == "POST" else None)
    del form.fields["date_of_death"]
    existing = None
    if request.method == "POST" and form.is_valid():
        try:
            person = services.create_person(by=request.user, data=form.cleaned_data)
        except services.DuplicateNHSNumberError as error:
            existing = error.existing
            _apply_error(form, error)
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, f"{person.full_name} has been added ({person.reference})")
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/person_form.html", {"form": form, "existing": existing, "person": None})


@require_http_methods(["GET"])
@permission_required(perms.VIEW_PERSON)
@person_record("person page")
def detail(request: AuthenticatedHttpRequest, access: PersonAccess) -> HttpResponse:
    category = request.GET.get("category", "")
    before = _chronology_cursor(request.GET.get("before", ""))
    before_id = _uuid_or_none(request.GET.get("before_id", "")) if before else None
    page = selectors.person_page(access.person, category=category, before=before, before_id=before_id)
    return render(
        request,
        "people/person_detail.html",
        {
            "page": page,
            "person": access.person,
            "access": access,
            "category": category,
            "can_edit": request.user.has_perm(perms.EDIT_PERSON),
            "can_record": request.user.has_perm(perms.RECORD_ALERTS),
            "category_label": presenters.chronology_category_label,
            "chronology_items": presenters.chronology_items,
        },
    )


def _uuid_or_none(raw: str) -> UUID | None:
    try:
        return UUID(raw) if raw else None
    except ValueError:
        return None


def _chronology_cursor(raw: str) -> datetime | None:
    """The "show older entries" cursor from the query string, or None (the newest entries) if it is not a real
    date and time: a hand-edited or truncated link shows the start of the chronology rather than an error."""
    if not raw:
        return None
    try:
        value = parse_datetime(raw)  # None when badly formed; ValueError when well formed but not real (30 February)
        if value is not None and timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value.astimezone(UTC) if value is not None else None
    except (ValueError, OverflowError):  # OverflowError: a time that moved to UTC falls outside year 1 to 9999
        return None


@require_http_methods(["GET", "POST"])
@permission_required(perms.EDIT_PERSON)
@person_record("edit details form")
def edit(request: AuthenticatedHttpRequest, access: PersonAccess) -> HttpResponse:
    person = access.person
    initial = {name: getattr(person, name) for name in services.PERSON_FIELDS}
    form = PersonForm(request.POST if request.method == "POST" else None, initial=initial)
    if not services.may_change_restriction(access.basis):
        form.fields["is_restricted"].help_text = f"Only a team that works with {person.full_name} can change this"
    existing = None
    if request.method == "POST" and form.is_valid():
        try:
            services.update_person(person=person, by=request.user, data=form.cleaned_data, basis=access.basis)
        except services.DuplicateNHSNumberError as error:
            existing = error.existing
            _apply_error(form, error)
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, "Details updated")
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/person_form.html", {"form": form, "existing": existing, "person": person})


@require_http_methods(["GET", "POST"])
@permission_required(perms.DECLARE_RELATIONSHIP)
def declare(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk)
    next_url = request.GET.get("next") or request.POST.get("next") or person.get_absolute_url()
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = person.get_absolute_url()
    kind = AccessGrantKind.BREAK_GLASS if person.is_restricted else AccessGrantKind.DECLARED
    form = DeclareRelationshipForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.grant_access(person=person, user=request.user, kind=kind, **form.cleaned_data)
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            return redirect(next_url)
    return render(
        request,
        "people/declare.html",
        {"form": form, "person": person, "is_break_glass": kind == AccessGrantKind.BREAK_GLASS, "next": next_url},
    )


@require_http_methods(["GET", "POST"])
@permission_required(perms.RECORD_ALERTS)
@person_record("add alert form")
def alert_add(request: AuthenticatedHttpRequest, access: PersonAccess) -> HttpResponse:
    person = access.person
    data = request.POST if request.method == "POST" else None
    form = AlertForm(data, owners=_colleagues(request.user), initial={"owner": request.user.pk})
    return _record_form(
        request,
        person,
        form,
        save=lambda d: services.raise_alert(person=person, by=request.user, **d),
        done="Alert added",
        title="Add an alert",
        button="Add alert",
    )


@require_http_methods(["GET", "POST"])
@permission_required(perms.RECORD_ALERTS)
@person_record("end alert form")
def alert_end(request: AuthenticatedHttpRequest, access: PersonAccess, alert_pk: UUID) -> HttpResponse:
    person = access.person
    alert = get_object_or_404(person.alerts.active(), pk=alert_pk)
    return _record_form(
        request,
        person,
        EndAlertForm(request.POST if request.method == "POST" else None),
        save=lambda d: services.end_alert(alert=alert, by=request.user, reason=d["reason"]),
        done="Alert ended",
        title="End an alert",
        button="End alert",
        intro=f"{alert.get_kind_display()}: {alert.reason}",
    )


@require_http_methods(["GET", "POST"])
@permission_required(perms.RECORD_ALERTS)
@person_record("review alert form")
def alert_review(request: AuthenticatedHttpRequest, access: PersonAccess, alert_pk: UUID) -> HttpResponse:
    person = access.person
    alert = get_object_or_404(person.alerts.active().select_related("owner"), pk=alert_pk)
    form = AlertReviewForm(
        request.POST if request.method == "POST" else None,
        owners=_colleagues(request.user, also=alert.owner_id),
        initial={"reason": alert.reason, "owner": alert.owner_id},
    )
    return _record_form(
        request,
        person,
        form,
        save=lambda d: services.review_alert(alert=alert, by=request.user, **d),
        done=f"Alert reviewed: {alert.get_kind_display()}",
        title="Review an alert",
        button="Save review",
        anchor="#alerts",
        intro=f"{alert.get_kind_display()}: owned by {alert.owner.full_name}, review by {format_date(alert.review_on)}",
    )


@require_http_methods(["GET", "POST"])
@permission_required(perms.RECORD_RISKS)
@person_record("add risk form")
def risk_add(request: AuthenticatedHttpRequest, access: PersonAccess) -> HttpResponse:
    person = access.person
    data = request.POST if request.method == "POST" else None
    form = RiskForm(data, owners=_colleagues(request.user), initial={"owner": request.user.pk})
    return _record_form(
        request,
        person,
        form,
        save=lambda d: services.record_risk(person=person, by=request.user, **d),
        done="Risk recorded",
        title="Record a risk",
        button="Record risk",
        anchor="#risks",
    )


@require_http_methods(["GET", "POST"])
@permission_required(perms.RECORD_RISKS)
@person_record("review risk form")
def risk_review(request: AuthenticatedHttpRequest, access: PersonAccess, risk_pk: UUID) -> HttpResponse:
    person = access.person
    risk = get_object_or_404(person.risks.open(), pk=risk_pk)
    initial = {name: getattr(risk, name) for name in services.RISK_REVIEW_FIELDS if name != "owner"}
    initial["owner"] = risk.owner_id
    form = RiskReviewForm(
        request.POST if request.method == "POST" else None,
        owners=_colleagues(request.user, also=risk.owner_id),
        initial=initial,
    )
    return _record_form(
        request,
        person,
        form,
        save=lambda d: services.review_risk(risk=risk, by=request.user, **d),
        done=f"Risk reviewed: {risk.title}",
        title="Review or edit a risk",
        button="Save review",
        anchor="#risks",
        intro=f"{risk.title}: {risk.description}",
    )


@require_http_methods(["POST"])
@permission_required(perms.RECORD_RISKS)
@person_record("close risk")
def risk_close(request: AuthenticatedHttpRequest, access: PersonAccess, risk_pk: UUID) -> HttpResponse:
    risk = get_object_or_404(access.person.risks.open(), pk=risk_pk)
    services.close_risk(risk=risk, by=request.user)
    messages.success(request, f"Risk closed: {risk.title}")
    return redirect(reverse("people:detail", args=[access.person.pk]) + "#risks")


@require_http_methods(["GET", "POST"])
@permission_required(perms.RECORD_NETWORK)
@person_record("add contact form")
def contact_add(request: AuthenticatedHttpRequest, access: PersonAccess) -> HttpResponse:
    return _record_form(
        request,
        access.person,
        ContactForm(request.POST if request.method == "POST" else None),
        save=lambda d: services.add_contact(person=access.person, by=request.user, data=d),
        done="Contact added",
        title="Add someone in their network",
        button="Add contact",
        anchor="#network",
    )


@require_http_methods(["GET", "POST"])
@permission_required(perms.RECORD_NETWORK)
@person_record("change contact form")
def contact_edit(request: AuthenticatedHttpRequest, access: PersonAccess, contact_pk: UUID) -> HttpResponse:
    contact = get_object_or_404(access.person.contacts.filter(ended_at__isnull=True), pk=contact_pk)
    initial = {name: getattr(contact, name) for name in services.CONTACT_FIELDS}
    return _record_form(
        request,
        access.person,
        ContactForm(request.POST if request.method == "POST" else None, initial=initial),
        save=lambda d: services.update_contact(contact=contact, by=request.user, data=d),
        done=f"Details of {contact.name} updated",
        title=f"Change the details of {contact.name}",
        button="Save changes",
        anchor="#network",
    )


@require_http_methods(["GET", "POST"])
@permission_required(perms.RECORD_NETWORK)
@person_record("end contact form")
def contact_end(request: AuthenticatedHttpRequest, access: PersonAccess, contact_pk: UUID) -> HttpResponse:
    contact = get_object_or_404(access.person.contacts.filter(ended_at__isnull=True), pk=contact_pk)
    if request.method == "POST":
        try:
            services.end_contact(contact=contact, by=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"{contact.name} is no longer involved")
        return redirect(reverse("people:detail", args=[access.person.pk]) + "#network")
    return render(
        request,
        "people/record_form.html",
        {
            "form": forms.Form(),
            "person": access.person,
            "title": f"Is {contact.name} no longer involved?",
            "intro": f"{contact.get_kind_display()}{f' ({contact.relationship})' if contact.relationship else ''}. "
            "They will no longer be listed on the record; the chronology keeps that they were involved.",
            "button": "No longer involved",
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(perms.RECORD_NETWORK)
@person_record("add professional form")
def involvement_add(request: AuthenticatedHttpRequest, access: PersonAccess) -> HttpResponse:
    return _record_form(
        request,
        access.person,
        InvolvementForm(request.POST if request.method == "POST" else None),
        save=lambda d: services.add_involvement(person=access.person, by=request.user, data=d),
        done="Professional added",
        title="Add a professional or agency",
        button="Add professional",
        anchor="#network",
    )


@require_http_methods(["GET", "POST"])
@permission_required(perms.RECORD_NETWORK)
@person_record("change professional form")
def involvement_edit(request: AuthenticatedHttpRequest, access: PersonAccess, involvement_pk: UUID) -> HttpResponse:
    today = timezone.localdate()
    current = access.person.involvements.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))
    involvement = get_object_or_404(current.select_related("organisation"), pk=involvement_pk)
    initial = {name: getattr(involvement, name) for name in services.INVOLVEMENT_FIELDS if name != "organisation"}
    initial["organisation"] = involvement.organisation_id
    return _record_form(
        request,
        access.person,
        InvolvementForm(request.POST if request.method == "POST" else None, initial=initial),
        save=lambda d: services.update_involvement(involvement=involvement, by=request.user, data=d),
        done=f"Details updated: {involvement.get_role_display()}",
        title="Change the details of a professional or agency",
        button="Save changes",
        anchor="#network",
        intro=str(involvement),
    )


@require_http_methods(["GET", "POST"])
@permission_required(perms.RECORD_NETWORK)
@person_record("end professional form")
def involvement_end(request: AuthenticatedHttpRequest, access: PersonAccess, involvement_pk: UUID) -> HttpResponse:
    involvement = get_object_or_404(access.person.involvements.select_related("organisation"), pk=involvement_pk)
    form = EndInvolvementForm(
        request.POST if request.method == "POST" else None, initial={"ended_on": timezone.localdate()}
    )
    return _record_form(
        request,
        access.person,
        form,
        save=lambda d: services.end_involvement(involvement=involvement, by=request.user, **d),
        done=f"Involvement ended: {involvement}",
        title="End involvement",
        button="End involvement",
        anchor="#network",
        intro=str(involvement),
    )


@require_http_methods(["GET", "POST"])
@permission_required(perms.VIEW_SHARES)
@person_record("sharing page")
def sharing(request: AuthenticatedHttpRequest, access: PersonAccess) -> HttpResponse:
    """Who the record is shared with outside the council, and a form to share it with a partner organisation."""
    can_share = request.user.has_perm(perms.SHARE_RECORD)
    if request.method == "POST" and not can_share:
        raise PermissionDenied
    form = ShareForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.share_with_organisation(person=access.person, by=request.user, **form.cleaned_data)
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, f"Record shared with {form.cleaned_data['organisation']}")
            return redirect("people:sharing", pk=access.person.pk)
    return render(
        request,
        "people/sharing.html",
        {
            "form": form,
            "person": access.person,
            "shares": list(selectors.current_shares(access.person)),
            "can_share": can_share,
        },
    )


@require_http_methods(["POST"])
@permission_required(perms.SHARE_RECORD)
@person_record("stop sharing")
def share_revoke(request: AuthenticatedHttpRequest, access: PersonAccess, share_pk: UUID) -> HttpResponse:
    share = get_object_or_404(selectors.current_shares(access.person), pk=share_pk)
    services.revoke_share(share=share, by=request.user)
    messages.success(request, f"The record is no longer shared with {share.organisation}")
    return redirect("people:sharing", pk=access.person.pk)
