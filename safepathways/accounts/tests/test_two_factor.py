"""Replacing or removing an authenticator needs a code from it: a password alone must not defeat the second factor."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from safepathways.accounts import services
from safepathways.accounts.models import Role, Team, User
from safepathways.audit.models import AuditEvent
from safepathways.conftest import Persona
from safepathways.core.errors import ApplicationError

PASSWORD = "correct-horse-battery"
SET_UP = "/account/two-factor/set-up/"
REMOVE = "/account/two-factor/remove/"


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _signed_in_with_password(user: User) -> Client:
    """A session that has passed the password only, as someone who knows it but not the phone would have."""
    client = Client(HTTP_HOST="127.0.0.1")
    client.post(reverse("accounts:sign_in"), {"email": user.email, "password": PASSWORD})
    return client


def _signed_in_with_code(user: User, device: TOTPDevice) -> Client:
    client = _signed_in_with_password(user)
    response = client.post(reverse("accounts:mfa_verify"), {"token": _code(device), "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    return client


@pytest.fixture
def worker(make_persona: Callable[..., Persona], team: Team) -> Persona:
    return make_persona(team, Role.SOCIAL_WORKER)


@pytest.fixture
def authenticator(worker: Persona) -> TOTPDevice:
    return TOTPDevice.objects.create(user=worker.user, name="Authenticator app", confirmed=True)


def _asked_for_a_code(response: Any, then: str) -> bool:
    """Sent to enter a code, and then on to `then`."""
    return bool(response.status_code == 302 and response["Location"] == f"{reverse('accounts:mfa_verify')}?next={then}")


# Password only: refused.


def test_a_password_alone_cannot_open_set_up_when_an_authenticator_exists(
    worker: Persona, authenticator: TOTPDevice
) -> None:
    client = _signed_in_with_password(worker.user)
    assert _asked_for_a_code(client.get(SET_UP), then=SET_UP)
    assert not TOTPDevice.objects.filter(user=worker.user, confirmed=False).exists()  # no new secret shown


def test_a_password_alone_cannot_replace_the_authenticator(worker: Persona, authenticator: TOTPDevice) -> None:
    client = _signed_in_with_password(worker.user)
    intruder = TOTPDevice.objects.create(user=worker.user, name="Authenticator app", confirmed=False)
    response = client.post(SET_UP, {"token": _code(intruder)})
    assert _asked_for_a_code(response, then=SET_UP)
    assert list(TOTPDevice.objects.filter(user=worker.user, confirmed=True)) == [authenticator]
    assert not AuditEvent.objects.filter(action="user.mfa_enabled").exists()
    # Still not past the second factor.
    assert client.get(reverse("core:home"))["Location"].startswith(reverse("accounts:mfa_verify"))


def test_a_password_alone_cannot_remove_the_authenticator(worker: Persona, authenticator: TOTPDevice) -> None:
    client = _signed_in_with_password(worker.user)
    response = client.post(REMOVE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:mfa_verify"))
    assert TOTPDevice.objects.filter(pk=authenticator.pk).exists()
    assert not AuditEvent.objects.filter(action="user.mfa_removed").exists()


def test_a_session_from_before_the_authenticator_was_added_must_enter_a_code_first(
    worker: Persona, authenticator: TOTPDevice
) -> None:
    # The persona's session was signed in before the authenticator existed, so the middleware does not stop it:
    # the set-up and remove views must.
    assert _asked_for_a_code(worker.http.get(SET_UP), then=SET_UP)
    assert _asked_for_a_code(worker.http.post(REMOVE), then=reverse("accounts:account"))
    assert TOTPDevice.objects.filter(pk=authenticator.pk, confirmed=True).exists()


def test_the_services_refuse_a_session_that_has_not_entered_a_code(worker: Persona, authenticator: TOTPDevice) -> None:
    new = services.start_totp(user=worker.user)
    with pytest.raises(ApplicationError, match="current authenticator"):
        services.confirm_totp(user=worker.user, device=new, token=_code(new), session_verified=False)
    with pytest.raises(ApplicationError, match="current authenticator"):
        services.remove_totp(user=worker.user, session_verified=False)
    assert TOTPDevice.objects.filter(pk=authenticator.pk, confirmed=True).exists()


# Code entered: allowed.


def test_a_session_that_entered_a_code_can_replace_the_authenticator(
    worker: Persona, authenticator: TOTPDevice
) -> None:
    client = _signed_in_with_code(worker.user, authenticator)
    assert client.get(SET_UP).status_code == 200
    new = TOTPDevice.objects.get(user=worker.user, confirmed=False)
    response = client.post(SET_UP, {"token": _code(new)})
    assert response["Location"] == reverse("accounts:account")
    assert list(TOTPDevice.objects.filter(user=worker.user, confirmed=True)) == [new]
    assert client.get(reverse("core:home")).status_code == 200


def test_a_session_that_entered_a_code_can_remove_the_authenticator(worker: Persona, authenticator: TOTPDevice) -> None:
    client = _signed_in_with_code(worker.user, authenticator)
    response = client.post(REMOVE)
    assert response["Location"] == reverse("accounts:account")
    assert not TOTPDevice.objects.filter(user=worker.user).exists()
    assert AuditEvent.objects.filter(action="user.mfa_removed").count() == 1


def test_a_first_authenticator_needs_no_earlier_code(worker: Persona) -> None:
    assert worker.http.get(SET_UP).status_code == 200
    device = TOTPDevice.objects.get(user=worker.user, confirmed=False)
    assert worker.http.post(SET_UP, {"token": _code(device)})["Location"] == reverse("accounts:account")
    assert TOTPDevice.objects.filter(pk=device.pk, confirmed=True).exists()


def test_an_administrator_cannot_remove_their_authenticator_even_after_a_code(
    make_persona: Callable[..., Persona], team: Team
) -> None:
    admin = make_persona(team, Role.ADMINISTRATOR)
    device = TOTPDevice.objects.create(user=admin.user, name="Authenticator app", confirmed=True)
    client = _signed_in_with_code(admin.user, device)
    response = client.post(REMOVE, follow=True)
    assert "Administrators must keep two-factor authentication switched on" in response.content.decode()
    assert TOTPDevice.objects.filter(pk=device.pk, confirmed=True).exists()


def test_an_administrator_with_only_a_password_cannot_replace_their_authenticator(
    make_persona: Callable[..., Persona], team: Team
) -> None:
    admin = make_persona(team, Role.ADMINISTRATOR)
    device = TOTPDevice.objects.create(user=admin.user, name="Authenticator app", confirmed=True)
    client = _signed_in_with_password(admin.user)
    assert _asked_for_a_code(client.get(SET_UP), then=SET_UP)
    assert _asked_for_a_code(client.post(SET_UP, {"token": "123456"}), then=SET_UP)
    assert list(TOTPDevice.objects.filter(user=admin.user)) == [device]
