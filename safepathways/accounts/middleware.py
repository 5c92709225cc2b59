"""Keep signed-in sessions alive while they are used; make users with an authenticator, and every administrator,
pass the second factor."""

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY as USER_SESSION_KEY
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import LazyObject, empty
from django_otp import user_has_device

# Pages a signed-in session may open before it has passed the second factor. Only the code page and the set-up page
# (an administrator without an authenticator must reach it; the view itself asks anyone who already has one for a
# code first): not every /account/two-factor/ page, which let a password alone remove or replace the authenticator.
ALLOWED_PREFIXES = (
    "/account/two-factor/verify/",
    "/account/two-factor/set-up/",
    "/account/sign-out",
    "/account/set-password/",
    "/static/",
    "/healthz",
)
# Whether this session's user must pass a second factor: kept in the session so the device
# lookup runs once per sign-in, not on every request. Set again whenever the user's devices change.
SESSION_KEY = "safepathways_second_factor"


# When this session was last written, in whole seconds since the epoch.
SEEN_KEY = "safepathways_seen"


class SlidingSessionMiddleware:
    """The idle timeout: a signed-in session that is used stays alive; one left alone ends.

    The session row's expiry is set (SESSION_COOKIE_AGE ahead) whenever the session is saved. Saving it on every
    request would write the row on every page view, so it is saved when anything in it changed, or when the last
    save is SESSION_REFRESH_SECONDS old or more. A session therefore ends between SESSION_COOKIE_AGE minus that
    interval and SESSION_COOKIE_AGE after the last request. Sessions nobody signed in to are left alone.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a session this request read (a signed-in page does; a static file does not) and still signed in.
        if session is not None and session.accessed and USER_SESSION_KEY in session:
            now = int(time.time())
            if now - int(session.get(SEEN_KEY, 0)) >= settings.SESSION_REFRESH_SECONDS:
                session[SEEN_KEY] = now  # marks the session modified: SessionMiddleware saves it, expiry renewed
        return response


def remember_second_factor(request: HttpRequest, *, required: bool) -> None:
    request.session[SESSION_KEY] = "required" if required else "not_required"


class SecondFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        needs_check = request.user.is_authenticated and not request.path.startswith(ALLOWED_PREFIXES)
        # Loaded by now (is_authenticated loads it): the view and template read the user itself, not through the
        # two lazy proxies (authentication's, then django-otp's) that every attribute access would go through.
        loaded: Any = request.user
        while isinstance(loaded, LazyObject) and getattr(loaded, "_wrapped", empty) is not empty:
            loaded = getattr(loaded, "_wrapped")  # noqa: B009 - mypy does not know LazyObject's _wrapped
        request.user = user = loaded
        # django-otp's OTPMiddleware adds is_verified() to the user.
        if needs_check and not getattr(user, "is_verified", lambda: False)():
            state = request.session.get(SESSION_KEY)
            if state is None:
                has_device = user_has_device(user, confirmed=True)
                remember_second_factor(request, required=has_device or getattr(user, "is_administrator", False))
                state = request.session[SESSION_KEY]
                if has_device:
                    return redirect(f"{reverse('accounts:mfa_verify')}?next={request.get_full_path()}")
            if state == "required":
                if getattr(user, "is_administrator", False) and not user_has_device(user, confirmed=True):
                    return redirect("accounts:mfa_setup")
                return redirect(f"{reverse('accounts:mfa_verify')}?next={request.get_full_path()}")
        return self.get_response(request)
