"""A request type whose user is signed in, for typed views."""

from django.http import HttpRequest

from safepathways.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User  # type: ignore[assignment]
