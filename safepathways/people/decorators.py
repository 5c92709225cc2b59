"""A decorator that every view about one person uses, in this app and in others."""

from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from safepathways.accounts.http import AuthenticatedHttpRequest
from safepathways.audit import services as audit
from safepathways.people import selectors
from safepathways.people.selectors import PersonAccess, RelationshipRequiredError

PersonView = Callable[..., HttpResponse]


def declare_first(request: AuthenticatedHttpRequest, person_id: UUID, next_url: str = "") -> HttpResponse:
    """Send staff without a working relationship to declare one, then back to where they were going (or to
    `next_url`, for a form posted to an action that cannot be opened by itself)."""
    target = reverse("people:declare", args=[person_id])
    return redirect(f"{target}?next={next_url or request.get_full_path()}")


def log_look(request: AuthenticatedHttpRequest, access: PersonAccess, what: str) -> None:
    """Every GET of a person's record is an access event."""
    if request.method == "GET":
        audit.record_access(
            user=request.user,
            person_id=access.person.pk,
            what=what,
            basis=access.basis,
            grant_id=access.grant.pk if access.grant else None,
        )


def resolve_or_declare(request: AuthenticatedHttpRequest, person_id: UUID, what: str) -> PersonAccess | HttpResponse:
    """What person_record does, for views whose URL names another record: the person in scope with the look
    logged, a 404 outside scope, or the redirect to declare a relationship first."""
    try:
        access = selectors.resolve_access(request.user, person_id)
    except RelationshipRequiredError as needed:
        return declare_first(request, needed.person.pk)
    log_look(request, access, what)
    return access


def person_record(what: str) -> Callable[[PersonView], PersonView]:
    """Resolve the person in the user's scope, log the look, and send staff without a relationship to declare one."""

    def decorator(view: PersonView) -> PersonView:
        @wraps(view)
        def wrapped(request: AuthenticatedHttpRequest, pk: UUID, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                access = selectors.resolve_access(request.user, pk)
            except RelationshipRequiredError as needed:
                if needed.person.merged_into_id is not None:
                    # Everything moved to the record it was merged into, so that is where to look.
                    messages.info(request, f"{needed.person.reference} was merged into another record: this is it.")
                    return redirect("people:detail", pk=needed.person.merged_into_id)
                return declare_first(request, needed.person.pk)
            log_look(request, access, what)
            return view(request, access, *args, **kwargs)

        return wrapped

    return decorator
