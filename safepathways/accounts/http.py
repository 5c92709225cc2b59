"""A request type whose user is signed in, for typed views; and the address a request came from."""

from django.conf import settings
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from safepathways.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
    htmx: HtmxDetails


def client_address(request: HttpRequest) -> str:
    """The network address of the client, for limits kept per address (password links, sign-in lockout).

    With no trusted proxy (SAFEPATHWAYS["TRUSTED_PROXIES"] 0, the default) it is REMOTE_ADDR and X-Forwarded-For is
    ignored: anyone can write that header. Behind N proxies, each appends the address it was reached from, so the
    N-th entry from the right was written by the outermost trusted proxy: the client as it saw it. Entries to the
    left of it came from the client and are not believed. With fewer entries than proxies (a request that did not
    come through them all), REMOTE_ADDR.
    """
    remote = str(request.META.get("REMOTE_ADDR", ""))
    proxies = int(settings.SAFEPATHWAYS.get("TRUSTED_PROXIES", 0))
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]
