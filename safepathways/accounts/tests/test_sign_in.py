import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from safepathways.accounts.middleware import SEEN_KEY
from safepathways.accounts.models import ApiToken, Membership, Role, Team, User
from safepathways.audit.models import AuditEvent
from safepathways.conftest import Persona

PASSWORD = "correct-horse-battery"


@pytest.fixture
def worker(make_persona: Callable[..., Persona], team: Team) -> User:
    return make_persona(team, Role.SOCIAL_WORKER).user


def _sign_in(client: Client, email: str, password: str = PASSWORD) -> Any:
    return client.post(reverse("accounts:sign_in"), {"email": email, "password": password})


def test_sign_in_with_email_and_password(anonymous: Client, worker: User) -> None:
    response = _sign_in(anonymous, worker.email.upper())
    assert response.status_code == 302
    assert anonymous.get(reverse("core:home")).status_code == 200


def test_passwords_are_hashed_with_argon2_in_production_settings() -> None:
    from config.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_wrong_password_is_refused_with_one_message(anonymous: Client, worker: User) -> None:
    response = _sign_in(anonymous, worker.email, "wrong-password-here")
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.content.decode()


def test_empty_form_names_each_field(anonymous: Client, db: None) -> None:
    body = anonymous.post(reverse("accounts:sign_in"), {}).content.decode()
    assert "Enter your email address" in body
    assert "Enter your password" in body
    assert 'href="#id_email"' in body


def test_account_locks_after_repeated_failures(anonymous: Client, worker: User) -> None:
    for _ in range(3):  # AXES_FAILURE_LIMIT is 3 in test settings
        _sign_in(anonymous, worker.email, "wrong-password-here")
    response = _sign_in(anonymous, worker.email)
    assert response.status_code == 429
    assert "Your account is locked" in response.content.decode()
    assert anonymous.get(reverse("core:home")).status_code == 302


def test_next_is_followed_only_within_the_site(anonymous: Client, worker: User) -> None:
    response = anonymous.post(
        reverse("accounts:sign_in"), {"email": worker.email, "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_sign_out_everywhere_ends_other_sessions(worker: User) -> None:
    laptop, phone = Client(HTTP_HOST="127.0.0.1"), Client(HTTP_HOST="127.0.0.1")
    _sign_in(laptop, worker.email)
    _sign_in(phone, worker.email)
    assert phone.get(reverse("core:home")).status_code == 200
    laptop.post(reverse("accounts:sign_out_everywhere"))
    assert phone.get(reverse("core:home")).status_code == 302
    assert laptop.get(reverse("core:home")).status_code == 302
    assert AuditEvent.objects.filter(action="user.signed_out_everywhere").count() == 1


def test_sign_out_is_post_only(social_worker: Persona) -> None:
    assert social_worker.http.get(reverse("accounts:sign_out")).status_code == 405


def test_idle_sessions_expire() -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_REFRESH_SECONDS == 60


def _session_row(client: Client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def _last_written(client: Client, *, seconds_ago: int) -> None:
    """Pretend the session was last written that long ago (and expires SESSION_COOKIE_AGE after that)."""
    session = client.session
    session[SEEN_KEY] = int(time.time()) - seconds_ago
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=seconds_ago) + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    )


def test_a_used_session_is_written_at_most_once_a_minute(social_worker: Persona) -> None:
    client = social_worker.http
    _last_written(client, seconds_ago=30)
    before = _session_row(client).expire_date
    assert client.get(reverse("core:home")).status_code == 200
    assert _session_row(client).expire_date == before  # written 30 seconds ago: not written again


def test_a_used_session_is_kept_alive(social_worker: Persona) -> None:
    client = social_worker.http
    _last_written(client, seconds_ago=20 * 60)
    assert client.get(reverse("core:home")).status_code == 200
    renewed = _session_row(client).expire_date
    expected = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert abs((renewed - expected).total_seconds()) < 5


def test_a_session_left_alone_for_the_idle_timeout_is_signed_out(social_worker: Persona) -> None:
    client = social_worker.http
    assert client.get(reverse("core:home")).status_code == 200
    _last_written(client, seconds_ago=settings.SESSION_COOKIE_AGE + 1)
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert reverse("accounts:sign_in") in response["Location"]


def _current_token(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_administrator_must_set_up_two_factor(make_persona: Callable[..., Persona], team: Team) -> None:
    admin = make_persona(team, Role.ADMINISTRATOR)
    client = Client(HTTP_HOST="127.0.0.1")
    _sign_in(client, admin.user.email)
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:mfa_verify")) or response["Location"] == reverse(
        "accounts:mfa_setup"
    )
    setup = client.get(reverse("accounts:mfa_setup"))
    assert setup.status_code == 200
    device = TOTPDevice.objects.get(user=admin.user, confirmed=False)
    bad = client.post(reverse("accounts:mfa_setup"), {"token": "000000"})
    assert "not right" in bad.content.decode()
    device = TOTPDevice.objects.get(user=admin.user, confirmed=False)
    client.post(reverse("accounts:mfa_setup"), {"token": _current_token(device)})
    assert TOTPDevice.objects.filter(user=admin.user, confirmed=True).count() == 1
    assert client.get(reverse("core:home")).status_code == 200


def test_user_with_authenticator_enters_a_code_after_the_password(worker: User) -> None:
    device = TOTPDevice.objects.create(user=worker, name="app", confirmed=True)
    client = Client(HTTP_HOST="127.0.0.1")
    response = _sign_in(client, worker.email)
    assert response["Location"].startswith(reverse("accounts:mfa_verify"))
    assert client.get(reverse("core:home")).status_code == 302
    wrong = client.post(reverse("accounts:mfa_verify"), {"token": "12345"})
    assert "6-digit" in wrong.content.decode()
    client.post(reverse("accounts:mfa_verify"), {"token": _current_token(device), "next": "/"})
    assert client.get(reverse("core:home")).status_code == 200


def test_administrators_cannot_turn_two_factor_off(make_persona: Callable[..., Persona], team: Team) -> None:
    admin = make_persona(team, Role.ADMINISTRATOR)
    TOTPDevice.objects.create(user=admin.user, name="app", confirmed=True)
    from safepathways.accounts.services import remove_totp
    from safepathways.core.errors import ApplicationError

    with pytest.raises(ApplicationError):
        remove_totp(user=admin.user, session_verified=True)
    assert TOTPDevice.objects.filter(user=admin.user).exists()


def test_add_user_command_creates_user_and_membership(team: Team, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFEPATHWAYS_NEW_USER_PASSWORD", "a-long-enough-password")
    call_command(
        "add_user", "new.worker@example.test", "--team", team.slug, "--role", "social_worker", "--name", "New Worker"
    )
    user = User.objects.get(email="new.worker@example.test")
    assert user.check_password("a-long-enough-password")
    assert Membership.objects.filter(user=user, team=team, role="social_worker").exists()
    call_command("add_user", "new.worker@example.test", "--team", team.slug, "--role", "social_worker")
    assert Membership.objects.filter(user=user).count() == 1


def test_add_user_command_refuses_an_unknown_team(db: None) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No team"):
        call_command("add_user", "x@example.test", "--team", "nope", "--role", "social_worker")


def test_add_user_command_refuses_an_unknown_role(team: Team) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Role must be one of"):
        call_command("add_user", "x@example.test", "--team", team.slug, "--role", "wizard")


def test_issue_api_token_prints_the_key_once_and_keeps_a_hash(worker: User, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("issue_api_token", worker.email, "--name", "Trust EPR")
    key = capsys.readouterr().out.strip().splitlines()[-1].strip()
    token = ApiToken.objects.get(user=worker)
    assert token.key_hash == ApiToken.hash_key(key)
    assert key not in token.key_hash


def test_add_user_without_password_emails_a_link_that_sets_one(team: Team, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core import mail

    monkeypatch.delenv("SAFEPATHWAYS_NEW_USER_PASSWORD", raising=False)
    call_command("add_user", "linked@example.test", "--team", team.slug, "--role", "social_worker")
    assert len(mail.outbox) == 1
    link = next(word for word in mail.outbox[0].body.split() if "/account/set-password/" in word)
    path = link[link.index("/account/") :]
    client = Client(HTTP_HOST="127.0.0.1")
    assert client.get(path).status_code == 200
    response = client.post(
        path, {"new_password1": "four unrelated words here", "new_password2": "four unrelated words here"}
    )
    assert response.status_code == 302
    assert User.objects.get(email="linked@example.test").check_password("four unrelated words here")
    assert client.get(path).status_code == 400  # the link works once
