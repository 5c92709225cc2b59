"""A request type whose user is signed in, for typed views."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from safepathways.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
    htmx: HtmxDetails
