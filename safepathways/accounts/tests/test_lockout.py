"""Sign-in lockout by account from every address (accounts.lockout), beside the lockout by account and address.

The test settings lock an account at one address after 3 failures there (AXES_FAILURE_LIMIT); the failures here are
2 from each address, so only the count for the account from every address can lock it.
"""

import runpy
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from safepathways.accounts.models import Role, Team, User
from safepathways.conftest import Persona

PASSWORD = "correct-horse-battery"
PER_ADDRESS = 2  # below the test settings' AXES_FAILURE_LIMIT of 3


@pytest.fixture
def worker(make_persona: Callable[..., Persona], team: Team) -> User:
    return make_persona(team, Role.SOCIAL_WORKER).user


def _sign_in(email: str, address: str, password: str = PASSWORD) -> Any:
    """A sign-in from a browser at this network address (a fresh client: no session, no cookies)."""
    client = Client(HTTP_HOST="127.0.0.1", REMOTE_ADDR=address)
    return client.post(reverse("accounts:sign_in"), {"email": email, "password": password})


def _guess(email: str, failures: int) -> list[int]:
    """`failures` wrong passwords, PER_ADDRESS from each of as many addresses as that takes: the status codes."""
    return [
        _sign_in(email, f"198.51.100.{n // PER_ADDRESS + 1}", "wrong-password-here").status_code
        for n in range(failures)
    ]


def _signed_in(response: Any) -> bool:
    return bool(response.status_code == 302 and response["Location"] == "/")


def _locked(response: Any) -> bool:
    return bool(response.status_code == 429 and "Your account is locked" in response.content.decode())


def test_the_default_is_20_failures_from_any_address() -> None:
    assert settings.ACCOUNT_LOCKOUT_ATTEMPTS == 20
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_failures_spread_over_addresses_lock_the_account_even_from_a_new_address(worker: User) -> None:
    limit = settings.ACCOUNT_LOCKOUT_ATTEMPTS
    # Each failure before the limit is answered as a wrong password; the one that reaches it locks the account.
    assert _guess(worker.email, limit) == [200] * (limit - 1) + [429]
    assert AccessAttempt.objects.filter(username=worker.email).count() == limit // PER_ADDRESS
    client = Client(HTTP_HOST="127.0.0.1", REMOTE_ADDR="203.0.113.50")
    response = client.post(reverse("accounts:sign_in"), {"email": worker.email, "password": PASSWORD})
    assert _locked(response)
    assert client.get(reverse("core:home")).status_code == 302  # not signed in
    body = response.content.decode()
    # What to do: wait, or have an administrator unlock it; and if the attempts were not theirs, say so.
    assert "Wait 15 minutes and try again, or ask your system administrator to unlock it." in body
    assert "someone else may be trying to guess your password" in body
    assert reverse("accounts:forgotten_password") in body


def test_fewer_failures_than_the_account_limit_do_not_lock_it(worker: User) -> None:
    _guess(worker.email, settings.ACCOUNT_LOCKOUT_ATTEMPTS - 1)
    assert _signed_in(_sign_in(worker.email, "203.0.113.50"))


def test_the_lock_is_the_accounts_own(worker: User, make_persona: Callable[..., Persona], team: Team) -> None:
    colleague = make_persona(team, Role.SOCIAL_WORKER).user
    _guess(worker.email, settings.ACCOUNT_LOCKOUT_ATTEMPTS)
    # The same addresses, and a new one, still let another account sign in.
    assert _signed_in(_sign_in(colleague.email, "198.51.100.1"))
    assert _signed_in(_sign_in(colleague.email, "203.0.113.50"))


def test_the_account_limit_follows_the_setting(worker: User, settings: Any) -> None:
    settings.ACCOUNT_LOCKOUT_ATTEMPTS = 4
    _guess(worker.email, 3)
    assert _signed_in(_sign_in(worker.email, "203.0.113.50"))
    _guess(worker.email, 4)
    assert _locked(_sign_in(worker.email, "203.0.113.51"))


def test_the_owner_signing_in_does_not_clear_guesses_made_elsewhere(worker: User, settings: Any) -> None:
    settings.ACCOUNT_LOCKOUT_ATTEMPTS = 6
    _guess(worker.email, 5)
    # Signed in from home: that clears the failures from home only (AXES_RESET_ON_SUCCESS).
    assert _signed_in(_sign_in(worker.email, "192.0.2.10"))
    _sign_in(worker.email, "198.51.100.40", "wrong-password-here")
    assert _locked(_sign_in(worker.email, "192.0.2.10"))


def test_the_account_lock_ends_after_the_cool_off_time(worker: User) -> None:
    _guess(worker.email, settings.ACCOUNT_LOCKOUT_ATTEMPTS)
    assert _locked(_sign_in(worker.email, "203.0.113.50"))
    cooled = timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    AccessAttempt.objects.update(attempt_time=cooled)
    assert _signed_in(_sign_in(worker.email, "203.0.113.50"))


def test_the_lock_by_account_and_address_is_unchanged(worker: User) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(worker.email, "198.51.100.1", "wrong-password-here")
    assert _locked(_sign_in(worker.email, "198.51.100.1"))
    # Three failures are far below the account's limit: from another address the right password still works.
    assert _signed_in(_sign_in(worker.email, "198.51.100.2"))


SETTINGS_DIR = Path(settings.BASE_DIR) / "config" / "settings"


def test_the_account_limit_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFEPATHWAYS_ACCOUNT_LOCKOUT_ATTEMPTS", "12")
    assert runpy.run_path(str(SETTINGS_DIR / "base.py"))["ACCOUNT_LOCKOUT_ATTEMPTS"] == 12
    monkeypatch.delenv("SAFEPATHWAYS_ACCOUNT_LOCKOUT_ATTEMPTS")
    assert runpy.run_path(str(SETTINGS_DIR / "base.py"))["ACCOUNT_LOCKOUT_ATTEMPTS"] == 20
    monkeypatch.setenv("SAFEPATHWAYS_ACCOUNT_LOCKOUT_ATTEMPTS", "0")
    with pytest.raises(ImproperlyConfigured, match="SAFEPATHWAYS_ACCOUNT_LOCKOUT_ATTEMPTS must be 1 or more"):
        runpy.run_path(str(SETTINGS_DIR / "base.py"))
