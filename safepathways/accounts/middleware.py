"""Make users with an authenticator, and every administrator, pass the second factor."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device

ALLOWED_PREFIXES = ("/account/two-factor/", "/account/sign-out", "/account/set-password/", "/static/", "/healthz")


class SecondFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        needs_check = user.is_authenticated and not request.path.startswith(ALLOWED_PREFIXES)
        # django-otp's OTPMiddleware adds is_verified() to the user.
        if needs_check and not getattr(user, "is_verified", lambda: False)():
            if user_has_device(user, confirmed=True):
                return redirect(f"{reverse('accounts:mfa_verify')}?next={request.get_full_path()}")
            if getattr(user, "is_administrator", False):
                return redirect("accounts:mfa_setup")
        return self.get_response(request)
