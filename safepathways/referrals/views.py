"""Front-door pages: what awaits triage, taking and correcting a contact, one contact, a partner's referrals,
and duplicates (merge, or record that two records are different people)."""

import uuid
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safepathways.accounts.http import AuthenticatedHttpRequest
from safepathways.audit import services as audit
from safepathways.audit.models import AccessBasis, AccessKind
from safepathways.core.decorators import permission_required
from safepathways.core.errors import ApplicationError
from safepathways.core.exports import ExportFormat, export_response, parse_format
from safepathways.core.formatting import format_date
from safepathways.people import merge as people_merge
from safepathways.people.models import Person
from safepathways.referrals import matching, rules, selectors, services
from safepathways.referrals.forms import (
    NEW_RECORD,
    UNIDENTIFIED,
    CloseForm,
    ContactEditForm,
    ContactForm,
    LinkForm,
    MergeForm,
    NotDuplicateForm,
    TriageForm,
)
from safepathways.referrals.models import Channel, Contact, ContactStatusName
from safepathways.referrals.presenters import TEMPLATE_HELPERS

PAGE_SIZE = 50
DUPLICATE_PAGE_SIZE = 50
# Errors a service names by its own field, shown against the form field that holds the value.
FIELD_ALIASES = {"received_at": "received_time", "person": "match", "route": "routes"}


def _context(**extra: Any) -> dict[str, Any]:
    return {**TEMPLATE_HELPERS, **extra}


def _apply_error(form: Any, error: ApplicationError) -> None:
    field = FIELD_ALIASES.get(error.field or "", error.field)
    form.add_error(field if field in form.fields else None, error.message)


def _as_uuid(value: str) -> UUID | None:
    try:
        return uuid.UUID(value)
    except (TypeError, ValueError):
        return None


def _visible_contact(request: AuthenticatedHttpRequest, pk: UUID) -> Contact:
    """A contact in the user's scope; anything else, including another organisation's, is a 404."""
    contact = selectors.visible_contact(request.user, pk)
    if contact is None:
        raise Http404
    return contact


@require_GET
@permission_required(rules.VIEW_FRONT_DOOR)
def awaiting(request: AuthenticatedHttpRequest) -> HttpResponse:
    fmt = parse_format(request.GET.get("format"))
    if fmt:
        return _awaiting_export(request, fmt)
    page = Paginator(selectors.awaiting_triage(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "referrals/awaiting.html",
        _context(
            page=page,
            now=timezone.now(),
            can_take=request.user.has_perm(rules.TAKE_CONTACT),
            # The predicate itself: a refused has_perm falls through to Django's permission tables (2 queries).
            can_see_duplicates=people_merge.may_merge(request.user),
        ),
    )


AWAITING_EXPORT_HEADERS = [
    "Contact",
    "Received",
    "Referred by",
    "How",
    "Person",
    "Council reference",
    "Urgency",
    "Immediate risk",
    "Triage due",
    "Overdue",
]


def _unidentified(contact: Contact) -> str:
    return f"Unidentified (given as {contact.identity_name})" if contact.identity_name else "Unidentified"


def _awaiting_export(request: AuthenticatedHttpRequest, fmt: ExportFormat) -> HttpResponse:
    """Every contact awaiting triage (not only the page shown), in triage order; each person in it is logged."""
    today = timezone.localdate()
    contacts = list(selectors.awaiting_triage())
    rows = [
        [
            c.reference,
            c.received_at,
            c.get_referrer_type_display(),
            c.get_channel_display(),
            c.person.full_name
            if c.person
            else f"Unidentified{f' (given as {c.identity_name})' if c.identity_name else ''}",
            c.person.reference if c.person else "",
            c.get_urgency_display(),
            "Yes" if c.has_immediate_risk else "No",
            c.screening_due_on,
            "Yes" if c.screening_due_on < today else "No",
        ]
        for c in contacts
    ]
    audit.record_accesses(
        user=request.user,
        person_ids=[c.person_id for c in contacts if c.person_id],
        what=f"contacts awaiting triage export ({fmt})",
        basis=AccessBasis.FRONT_DOOR,
        kind=AccessKind.EXPORT,
    )
    filename = f"contacts-awaiting-triage-{today.isoformat()}"
    return export_response(filename=filename, headers=AWAITING_EXPORT_HEADERS, rows=rows, fmt=fmt)


MY_REFERRALS_HEADERS = ["Reference", "About", "Received", "Status", "Last update"]


def _last_update(contact: Contact) -> object:
    history = list(contact.statuses.all())  # prefetched, oldest first (ContactQuerySet.with_history)
    return history[-1].created_at if history else None


@require_GET
@permission_required(rules.VIEW_OWN_REFERRALS)
def my_referrals(request: AuthenticatedHttpRequest) -> HttpResponse:
    fmt = parse_format(request.GET.get("format"))
    if fmt:
        # The organisation's own referrals, as it made them: the names it gave, not the council's record.
        rows = [
            [c.reference, c.identity_name or "Not given", c.received_at, c.get_status_display(), _last_update(c)]
            for c in selectors.partner_contacts(request.user)
        ]
        filename = f"our-referrals-{timezone.localdate().isoformat()}"
        return export_response(filename=filename, headers=MY_REFERRALS_HEADERS, rows=rows, fmt=fmt)
    page = Paginator(selectors.partner_contacts(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "referrals/my_referrals.html", _context(page=page))


def _new_contact_form(request: AuthenticatedHttpRequest, *, for_partner: bool, can_link: bool) -> ContactForm:
    now = timezone.localtime()
    initial: dict[str, Any] = {"received_on": now.date(), "received_time": f"{now:%H:%M}"}
    if for_partner:
        organisation = services.organisation_of(request.user)
        initial |= {"referrer_name": request.user.full_name, "referrer_organisation": organisation.name}
    data = request.POST if request.method == "POST" else None
    return ContactForm(data, for_partner=for_partner, can_link=can_link, initial=initial)


def _save_contact(request: AuthenticatedHttpRequest, form: ContactForm, candidates: list[Any]) -> Contact | None:
    choice = form.cleaned_data.get("match") or ""
    person: Person | None = None
    if choice and choice not in (NEW_RECORD, UNIDENTIFIED):
        person_id = _as_uuid(choice)
        person = selectors.live_person(person_id) if person_id else None
        if person is None:
            form.add_error("match", "Choose one of the people listed, or another option")
            return None
    elif not choice and candidates:
        form.add_error("match", "Check whether this is one of the people listed, then choose an option")
        return None
    data = dict(form.cleaned_data)
    if form.for_partner:
        data["channel"] = Channel.WEB_FORM
    try:
        return services.take_contact(
            by=request.user,
            details=services.ContactDetails.from_data(data),
            person=person,
            create_person=choice == NEW_RECORD,
        )
    except ApplicationError as error:
        _apply_error(form, error)
        return None


@require_http_methods(["GET", "POST"])
@permission_required(rules.TAKE_CONTACT)
def create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Take a contact: any council staff member, or a partner (its own referral). Only those who may link
    contacts to records are shown the likely matches and asked who it is; anyone else's is saved unidentified."""
    for_partner = not request.user.is_council_staff
    can_link = not for_partner and request.user.has_perm(rules.LINK_PERSON)
    form = _new_contact_form(request, for_partner=for_partner, can_link=can_link)
    candidates: list[matching.Candidate] = []
    checked = False
    if request.method == "POST":
        is_valid = form.is_valid()
        if can_link:
            candidates = matching.find_candidates(form.identity())
            form.offer_candidates(candidates)
        if request.POST.get("action") == "check" and can_link:
            checked = True
            form.keep_identity_errors_only()
            if request.htmx:  # typed details checked as they change (static/js/app.js): only the matches
                context = _context(
                    form=form, candidates=candidates, checked=checked, for_partner=for_partner, can_link=can_link
                )
                return render(request, "referrals/_matches.html", context)
        elif is_valid and (contact := _save_contact(request, form, candidates)) is not None:
            messages.success(request, f"Contact {contact.reference} saved")
            return redirect("referrals:detail", pk=contact.pk)
    return render(
        request,
        "referrals/contact_form.html",
        _context(form=form, candidates=candidates, checked=checked, for_partner=for_partner, can_link=can_link),
    )


def _triage_form(data: Any = None) -> TriageForm:
    return TriageForm(
        data,
        routes=list(selectors.route_settings()),
        flags=selectors.active_risk_flags(),
        teams=selectors.routable_teams(),
    )


def _render_detail(
    request: AuthenticatedHttpRequest,
    contact: Contact,
    *,
    link_form: LinkForm | None = None,
    triage_form: TriageForm | None = None,
    close_form: CloseForm | None = None,
) -> HttpResponse:
    user = request.user
    is_waiting = contact.status == ContactStatusName.RECEIVED
    can_link = is_waiting and user.has_perm(rules.LINK_PERSON)
    candidates: list[matching.Candidate] = []
    if can_link:
        found = matching.find_candidates(matching.identity_of_contact(contact))
        candidates = [c for c in found if c.person.pk != contact.person_id]
    link_form = link_form or LinkForm(candidates=candidates)
    can_triage = is_waiting and user.has_perm(rules.TRIAGE_CONTACT)
    # The triage form reads the routes, risk flags and teams: only for a contact waiting to be triaged.
    triage_form = triage_form or (_triage_form() if can_triage else None)
    # What the person already has open, so triage does not open a second entry for the same need: one query,
    # on the triage page only.
    open_work = selectors.open_work_of(contact.person_id) if can_triage and contact.person_id else []
    close_form = close_form or CloseForm()
    forms = (link_form, triage_form, close_form)
    failed = next((f for f in forms if f is not None and f.is_bound and f.errors), None)
    return render(
        request,
        "referrals/contact_detail.html",
        _context(
            page=selectors.contact_page(contact),
            contact=contact,
            can_edit=_can_edit(request, contact),
            candidates=candidates,
            link_form=link_form,
            triage_form=triage_form,
            close_form=close_form,
            form=failed,
            can_link=can_link,
            can_triage=can_triage,
            open_work=open_work,
            can_close=contact.status == ContactStatusName.TRIAGED and user.has_perm(rules.TRIAGE_CONTACT),
            story=services.compose_story(contact),
            now=timezone.now(),
        ),
    )


@require_GET
@permission_required(rules.VIEW_CONTACTS)
def detail(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    contact = _visible_contact(request, pk)
    if not request.user.is_council_staff:
        return render(
            request,
            "referrals/partner_contact.html",
            _context(page=selectors.contact_page(contact), contact=contact, can_edit=_can_edit(request, contact)),
        )
    if contact.person_id is not None:
        audit.record_access(
            user=request.user,
            person_id=contact.person_id,
            what=f"front-door contact {contact.reference}",
            basis=AccessBasis.FRONT_DOOR,
        )
    return _render_detail(request, contact)


def _can_edit(request: AuthenticatedHttpRequest, contact: Contact) -> bool:
    return contact.status != ContactStatusName.CLOSED and rules.may_edit_contact(request.user, contact)


def _edit_form(request: AuthenticatedHttpRequest, contact: Contact) -> ContactEditForm:
    data = request.POST if request.method == "POST" else None
    return ContactEditForm(data, contact=contact, for_partner=not request.user.is_council_staff)


def _corrected_message(correction: services.ContactCorrection, *, can_link: bool) -> str:
    contact = correction.contact
    words = [f"Contact {contact.reference} updated."]
    if correction.screening_due_changed and contact.status == ContactStatusName.RECEIVED:
        words.append(f"Triage is now due {format_date(contact.screening_due_on)}.")
    if correction.identity_changed and can_link:
        words.append("The details of who it is about changed: check the likely matches.")
    return " ".join(words)


@require_http_methods(["GET", "POST"])
@permission_required(rules.VIEW_CONTACTS)
def edit(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    """Correct a saved contact: whoever took it, or front-door staff, until it is closed."""
    contact = _visible_contact(request, pk)
    if not rules.may_edit_contact(request.user, contact):
        raise PermissionDenied
    try:
        services.check_can_update(contact)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("referrals:detail", pk=contact.pk)
    form = _edit_form(request, contact)
    if form.is_valid():
        data = form.cleaned_data
        changes = {name: data[name] for name in services.EDITABLE_FIELDS if name in data}
        try:
            correction = services.update_contact(contact=contact, by=request.user, changes=changes, why=data["why"])
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            can_link = correction.contact.status == ContactStatusName.RECEIVED and request.user.has_perm(
                rules.LINK_PERSON
            )
            messages.success(request, _corrected_message(correction, can_link=can_link))
            anchor = "#person" if correction.identity_changed and can_link else ""
            return redirect(reverse("referrals:detail", args=[contact.pk]) + anchor)
    return render(
        request,
        "referrals/contact_edit.html",
        _context(form=form, contact=contact, for_partner=not request.user.is_council_staff),
    )


@require_POST
@permission_required(rules.LINK_PERSON)
def link(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    contact = _visible_contact(request, pk)
    form = LinkForm(request.POST, candidates=[])
    if form.is_valid():
        choice, reference = form.cleaned_data.get("match") or "", (form.cleaned_data.get("reference") or "").strip()
        try:
            if choice == NEW_RECORD:
                services.create_person_for_contact(contact=contact, by=request.user)
            else:
                person_id = _as_uuid(choice)
                person = (
                    selectors.live_person(person_id) if person_id else selectors.live_person_by_reference(reference)
                )
                if person is None:
                    form.add_error("match" if choice else "reference", "No current record matches: check and try again")
                else:
                    services.link_contact_to_person(contact=contact, person=person, by=request.user)
        except ApplicationError as error:
            _apply_error(form, error)
        if not form.errors:
            messages.success(request, "Contact linked to the person's record")
            return redirect(reverse("referrals:detail", args=[contact.pk]) + "#triage")
    return _render_detail(request, contact, link_form=form)


@require_POST
@permission_required(rules.TRIAGE_CONTACT)
def triage(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    contact = _visible_contact(request, pk)
    form = _triage_form(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.triage_contact(
                contact=contact,
                by=request.user,
                routes=data["routes"],
                reason=data["reason"],
                advice_given=data.get("advice_given") or "",
                likelihood=data.get("likelihood"),
                impact=data.get("impact"),
                flags=data.get("risk_flags") or [],
                team=data.get("team"),
                open_another=data.get("open_another") or False,
            )
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, f"Contact {contact.reference} triaged")
            return redirect("referrals:detail", pk=contact.pk)
    return _render_detail(request, contact, triage_form=form)


@require_POST
@permission_required(rules.TRIAGE_CONTACT)
def close(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    contact = _visible_contact(request, pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.close_contact(contact=contact, by=request.user, reason=form.cleaned_data["reason"])
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, f"Contact {contact.reference} closed")
            return redirect("referrals:detail", pk=contact.pk)
    return _render_detail(request, contact, close_form=form)


@require_GET
@permission_required(rules.VIEW_DUPLICATES)
def duplicates(request: AuthenticatedHttpRequest) -> HttpResponse:
    search = matching.search_duplicates()
    pairs = search.pairs
    fmt = parse_format(request.GET.get("format"))
    if fmt:
        # For a data-quality review away from the screen: every pair found (not just one page), both records of
        # each, why they look alike.
        audit.record_accesses(
            user=request.user,
            person_ids=[person.pk for pair in pairs for person in (pair.first, pair.second)],
            what=f"possible duplicates export ({fmt})",
            basis=AccessBasis.FRONT_DOOR,
            kind=AccessKind.EXPORT,
        )
        rows = [
            [*_duplicate_side(pair.first), *_duplicate_side(pair.second), "; ".join(pair.reasons), pair.score]
            for pair in pairs
        ]
        filename = f"possible-duplicates-{timezone.localdate().isoformat()}"
        return export_response(filename=filename, headers=DUPLICATE_EXPORT_HEADERS, rows=rows, fmt=fmt)
    return render(
        request,
        "referrals/duplicates.html",
        _context(
            # Every pair is already in memory (ranking needs them all), so paging is a slice: no more queries.
            page=Paginator(pairs, DUPLICATE_PAGE_SIZE).get_page(request.GET.get("page")),
            limited_by=search.limited_by,
            group_limit=matching.DUPLICATE_GROUP_LIMIT,
            merges=selectors.recent_merges(),
            dismissals=selectors.recent_dismissals(),
            can_unmerge=people_merge.may_unmerge(request.user),
            # Whoever may see the screen may record that a pair differs (both are may_merge).
            can_dismiss=people_merge.may_merge(request.user),
        ),
    )


DUPLICATE_EXPORT_HEADERS = [
    "First reference",
    "First name",
    "First born",
    "First postcode",
    "Second reference",
    "Second name",
    "Second born",
    "Second postcode",
    "Why they look the same",
    "Score",
]


def _duplicate_side(person: Person) -> list[object]:
    return [person.reference, person.full_name, person.date_of_birth, person.postcode]


@require_http_methods(["GET", "POST"])
@permission_required(rules.MERGE_PEOPLE)
def merge(request: AuthenticatedHttpRequest) -> HttpResponse:
    people = _pair_from_query(request)
    form = MergeForm(request.POST if request.method == "POST" else None, people=people)
    if form.is_valid():
        keep, remove = people if form.cleaned_data["keep"] == str(people[0].pk) else people[::-1]
        try:
            services.merge_duplicates(keep=keep, remove=remove, by=request.user, reason=form.cleaned_data["reason"])
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, f"{remove.reference} merged into {keep.reference}")
            return redirect("referrals:duplicates")
    comparison = matching.compare(matching.identity_of(people[0]), people[1])
    return render(request, "referrals/merge.html", _context(form=form, people=people, comparison=comparison))


def _pair_from_query(request: AuthenticatedHttpRequest) -> tuple[Person, Person]:
    """The two live records named by ?first=&second=; anything else is a 404."""
    first, second = _as_uuid(request.GET.get("first", "")), _as_uuid(request.GET.get("second", ""))
    people = selectors.people_to_merge(first, second) if first and second else None
    if people is None:
        raise Http404
    return people


@require_http_methods(["GET", "POST"])
@permission_required(rules.DISMISS_DUPLICATES)
def dismiss(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Record that two records which look alike are different people, so they are not suggested again."""
    people = _pair_from_query(request)
    form = NotDuplicateForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            services.dismiss_duplicate(
                first=people[0], second=people[1], by=request.user, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            messages.success(
                request,
                f"{people[0].reference} and {people[1].reference} recorded as different people: "
                "they will not be suggested as duplicates again",
            )
            return redirect("referrals:duplicates")
    comparison = matching.compare(matching.identity_of(people[0]), people[1])
    return render(request, "referrals/not_duplicate.html", _context(form=form, people=people, comparison=comparison))


@require_POST
@permission_required(rules.DISMISS_DUPLICATES)
def undo_dismissal(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    decision = selectors.dismissal(pk)
    if decision is None:
        raise Http404
    try:
        services.undo_dismissal(decision=decision, by=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Decision undone: the two records may be suggested as duplicates again")
    return redirect("referrals:duplicates")


@require_POST
@permission_required(rules.UNMERGE_PEOPLE)
def unmerge(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    record = selectors.merge_record(pk)
    if record is None:
        raise Http404
    try:
        people_merge.unmerge(merge_record=record, by=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Merge undone: the two records are separate again")
    return redirect("referrals:duplicates")
