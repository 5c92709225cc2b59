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
from safepathways.people.selectors import RelationshipRequiredError

PersonView = Callable[..., HttpResponse]


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
                target = reverse("people:declare", args=[needed.person.pk])
                return redirect(f"{target}?next={request.get_full_path()}")
            if request.method == "GET":
                audit.record_access(
                    user=request.user,
                    person_id=access.person.pk,
                    what=what,
                    basis=access.basis,
                    grant_id=access.grant.pk if access.grant else None,
                )
            return view(request, access, *args, **kwargs)

        return wrapped

    return decorator
