"""Make users with an authenticator, and every administrator, pass the second factor."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device

ALLOWED_PREFIXES = ("/account/two-factor/", "/account/sign-out", "/account/set-password/", "/static/", "/healthz")
# Whether this session's user must pass a second factor: kept in the session so the device
# lookup runs once per sign-in, not on every request. Set again whenever the user's devices change.
SESSION_KEY = "safepathways_second_factor"


def remember_second_factor(request: HttpRequest, *, required: bool) -> None:
    request.session[SESSION_KEY] = "required" if required else "not_required"


class SecondFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        needs_check = user.is_authenticated and not request.path.startswith(ALLOWED_PREFIXES)
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
