"""Information governance: who looked at a record, what a user looked at, and access to review."""

from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from safepathways.accounts import rules as perms
from safepathways.accounts.http import AuthenticatedHttpRequest
from safepathways.accounts.models import User
from safepathways.audit import services as audit
from safepathways.audit.models import AccessBasis, AccessEvent, AccessKind
from safepathways.core.decorators import permission_required
from safepathways.core.errors import ApplicationError
from safepathways.core.exports import export_response, parse_format
from safepathways.governance import selectors
from safepathways.governance.forms import LookupForm, ReviewForm
from safepathways.people import services as people_services
from safepathways.people.models import AccessGrant, Person


@require_http_methods(["GET"])
@permission_required(perms.REVIEW_ACCESS)
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = LookupForm(request.GET or None)
    if request.GET and form.is_valid():
        if form.cleaned_data["reference"]:
            person = Person.objects.filter(reference=form.cleaned_data["reference"].strip().upper()).first()
            if person:
                return redirect("governance:person_access", pk=person.pk)
            form.add_error("reference", "No person has that reference")
        elif form.cleaned_data["email"]:
            user = User.objects.filter(email=form.cleaned_data["email"].lower()).first()
            if user:
                return redirect("governance:user_access", pk=user.pk)
            form.add_error("email", "No user has that email address")
        else:
            form.add_error("reference", "Enter a person's reference or a user's email address")
    page = Paginator(selectors.grants_awaiting_review(), selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    grants = list(page.object_list)
    context = {"grants": grants, "viewed_counts": selectors.pages_viewed(grants), "page": page, "form": form}
    return render(request, "governance/home.html", context)


@require_http_methods(["GET"])
@permission_required(perms.REVIEW_ACCESS)
def person_access(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk)
    fmt = parse_format(request.GET.get("format"))
    what = f"access log export ({fmt})" if fmt else "access log"
    audit.record_access(user=request.user, person_id=person.pk, what=what, basis=AccessBasis.GOVERNANCE)
    if fmt:
        # The whole log, oldest to newest as the page lists it newest first: e.g. for a subject access request.
        rows = (
            [e.occurred_at, e.user.full_name if e.user else "", e.user.email if e.user else "", _what(e), _basis(e)]
            for e in selectors.access_to_person(person.pk).iterator(chunk_size=2000)
        )
        filename = f"access-to-{person.reference}-{timezone.localdate().isoformat()}"
        return export_response(filename=filename, headers=PERSON_LOG_HEADERS, rows=rows, fmt=fmt)
    page = Paginator(selectors.access_to_person(person.pk), selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"person": person, "events": page.object_list, "page": page}
    return render(request, "governance/person_access.html", context)


@require_http_methods(["GET"])
@permission_required(perms.REVIEW_ACCESS)
def user_access(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    subject = get_object_or_404(User, pk=pk)
    fmt = parse_format(request.GET.get("format"))
    if fmt:
        # No person's record is shown, only references: the export is of this user's activity, as the page is.
        events = list(selectors.access_by_user(subject.pk))
        references = selectors.references([e.person_id for e in events])
        # The download names every person the user looked at, so it is a look at each of them, as other exports are
        # (one event per person, in one insert); the page shows a page of references and is the review itself.
        audit.record_accesses(
            user=request.user,
            person_ids=[e.person_id for e in events],
            what=f"access log of {subject.email} export ({fmt})",
            basis=AccessBasis.GOVERNANCE,
            kind=AccessKind.EXPORT,
        )
        rows = [[e.occurred_at, references.get(e.person_id, str(e.person_id)), _what(e), _basis(e)] for e in events]
        filename = f"access-by-{subject.email}-{timezone.localdate().isoformat()}"
        return export_response(filename=filename, headers=USER_LOG_HEADERS, rows=rows, fmt=fmt)
    page = Paginator(selectors.access_by_user(subject.pk), selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    people = Person.objects.in_bulk([e.person_id for e in page.object_list])
    return render(
        request,
        "governance/user_access.html",
        {"subject": subject, "events": page.object_list, "people": people, "page": page},
    )


PERSON_LOG_HEADERS = ["When", "Who", "Email", "What", "Basis"]
USER_LOG_HEADERS = ["When", "Record", "What", "Basis"]


def _what(event: AccessEvent) -> str:
    return f"{event.get_kind_display()}: {event.what}"


def _basis(event: AccessEvent) -> str:
    return str(event.get_basis_display())


@require_http_methods(["GET", "POST"])
@permission_required(perms.REVIEW_ACCESS)
def review(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    grant = get_object_or_404(AccessGrant.objects.awaiting_review().select_related("user", "person"), pk=pk)
    form = ReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            people_services.review_access_grant(grant=grant, by=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Review recorded")
            return redirect("governance:home")
    page = Paginator(selectors.viewed_under(grant), selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"grant": grant, "viewed": page.object_list, "page": page, "form": form}
    return render(request, "governance/review.html", context)
