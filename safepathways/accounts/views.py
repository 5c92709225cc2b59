"""Sign in (with lockout and an optional second factor), sign out, and the account page."""

import base64
from datetime import timedelta
from io import BytesIO
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from safepathways.accounts import services
from safepathways.accounts.forms import ChangePasswordForm, ForgottenPasswordForm, SignInForm, TokenForm
from safepathways.accounts.http import AuthenticatedHttpRequest, client_address
from safepathways.accounts.middleware import remember_second_factor
from safepathways.accounts.models import User
from safepathways.core.decorators import login_required
from safepathways.core.errors import ApplicationError


def _safe_next(request: HttpRequest, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def lockout_policy() -> dict[str, str]:
    """How many wrong attempts lock an account, and for how long, as configured for django-axes
    (SAFEPATHWAYS_LOCKOUT_ATTEMPTS and SAFEPATHWAYS_LOCKOUT_MINUTES)."""
    cooloff = settings.AXES_COOLOFF_TIME
    if not isinstance(cooloff, timedelta):  # django-axes reads a bare number as hours
        cooloff = timedelta(hours=float(cooloff))
    minutes = max(1, round(cooloff.total_seconds() / 60))
    return {
        "lockout_attempts": _plural(int(settings.AXES_FAILURE_LIMIT), "wrong attempt"),
        "lockout_time": _plural(minutes, "minute"),
    }


def locked_out(request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any) -> HttpResponse:
    """django-axes calls this after too many failed attempts."""
    return render(request, "accounts/locked_out.html", lockout_policy(), status=429)


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, email=form.cleaned_data["email"].lower(), password=form.cleaned_data["password"])
        if getattr(request, "axes_locked_out", False):
            return locked_out(request)
        if user is None:
            form.add_error(None, "Enter a correct email address and password")
        else:
            login(request, user)
            needs_second_factor = user_has_device(user, confirmed=True) or getattr(user, "is_administrator", False)
            remember_second_factor(request, required=needs_second_factor)
            if needs_second_factor:
                return redirect(f"/account/two-factor/verify/?next={_safe_next(request)}")
            return redirect(_safe_next(request))
    return render(request, "accounts/sign_in.html", {"form": form, "next": _safe_next(request), **lockout_policy()})


@require_http_methods(["GET", "POST"])
def forgotten_password(request: HttpRequest) -> HttpResponse:
    """Email a link to set a new password. The answer is the same whether or not the address has an account."""
    form = ForgottenPasswordForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        # Sent or not (no account, or over the limit for this address or this client), the answer is the same.
        services.request_password_link(email=email, client_address=client_address(request))
        return render(request, "accounts/forgotten_password_sent.html", {"email": email})
    return render(request, "accounts/forgotten_password.html", {"form": form})


@require_http_methods(["GET", "POST"])
@login_required
def change_password(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Change the password, staying signed in here; every other session is signed out."""
    form = ChangePasswordForm(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_password(user=request.user, new_password=form.cleaned_data["new_password1"])
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, "Your password has been changed. Any other devices have been signed out.")
            return redirect("accounts:account")
    return render(request, "accounts/change_password.html", {"form": form})


@require_http_methods(["GET", "POST"])
def set_password(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Set a first password from the emailed link (Django's one-time, time-limited token)."""
    try:
        user = User.objects.get(pk=int(urlsafe_base64_decode(uidb64).decode()))
    except (ValueError, User.DoesNotExist):
        user = None
    if user is None or not default_token_generator.check_token(user, token):
        return render(request, "accounts/set_password_invalid.html", status=400)
    form = SetPasswordForm(user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_password_from_link(user=user, new_password=form.cleaned_data["new_password1"])
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, "Your password is set. Sign in with it now.")
            return redirect("accounts:sign_in")
    return render(request, "accounts/set_password.html", {"form": form})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, "You have signed out")
    return redirect("accounts:sign_in")


@require_POST
@login_required
def sign_out_everywhere(request: AuthenticatedHttpRequest) -> HttpResponse:
    services.sign_out_everywhere(user=request.user)
    logout(request)
    messages.success(request, "You have been signed out on every device")
    return redirect("accounts:sign_in")


@require_http_methods(["GET"])
@login_required
def account(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/account.html",
        {"memberships": request.user.memberships_cached, "has_mfa": user_has_device(request.user, confirmed=True)},
    )


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _second_factor_passed(request: AuthenticatedHttpRequest) -> bool:
    """Whether this session has entered a code from one of the user's confirmed authenticators.

    django-otp's OTPMiddleware gives the user is_verified(); it is true only while the device that verified the
    session still exists, belongs to the user and is confirmed.
    """
    return bool(getattr(request.user, "is_verified", lambda: False)())


def _code_first(next_url: str) -> HttpResponse:
    """Send a session that has not passed the second factor to enter a code, then on to `next_url`."""
    return redirect(f"{reverse('accounts:mfa_verify')}?next={next_url}")


@require_http_methods(["GET", "POST"])
@login_required
def mfa_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    # The middleware lets this page through before the second factor, as an administrator without an authenticator
    # must reach it. A user who already has one must enter a code from it first: otherwise a password alone would be
    # enough to replace it with another app.
    passed = _second_factor_passed(request)
    if not passed and user_has_device(request.user, confirmed=True):
        return _code_first(reverse("accounts:mfa_setup"))
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None or request.method == "GET":
        device = services.start_totp(user=request.user)
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            confirmed = services.confirm_totp(
                user=request.user, device=device, token=form.cleaned_data["token"], session_verified=passed
            )
        except ApplicationError:
            # Another session confirmed an authenticator since this page opened: a code from it is needed now.
            return _code_first(reverse("accounts:mfa_setup"))
        if confirmed:
            otp_login(request, device)
            remember_second_factor(request, required=True)
            messages.success(request, "Two-factor authentication is on")
            return redirect("accounts:account")
        form.add_error("token", "The security code is not right: check your app and try again")
        device = services.start_totp(user=request.user)
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/mfa_setup.html",
        {
            "form": form,
            "qr": _qr_svg(device.config_url),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def mfa_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    devices = list(TOTPDevice.objects.filter(user=request.user, confirmed=True))
    if not devices:
        return redirect("accounts:mfa_setup")
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        for device in devices:
            if device.verify_is_allowed()[0] and device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                return redirect(_safe_next(request))
        form.add_error("token", "The security code is not right: check your app and try again")
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": _safe_next(request)})


@require_POST
@login_required
def mfa_remove(request: AuthenticatedHttpRequest) -> HttpResponse:
    passed = _second_factor_passed(request)
    if not passed and user_has_device(request.user, confirmed=True):
        # A password alone must not be enough to turn the second factor off.
        return _code_first(reverse("accounts:account"))
    try:
        services.remove_totp(user=request.user, session_verified=passed)
        remember_second_factor(request, required=False)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Two-factor authentication is off")
    return redirect("accounts:account")
