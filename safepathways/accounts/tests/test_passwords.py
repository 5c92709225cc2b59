"""Changing a password, and setting a new one from an emailed link after forgetting it."""

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries, DjangoCaptureOnCommitCallbacks

from safepathways.accounts import services
from safepathways.accounts.models import Role, Team, User
from safepathways.audit.models import AuditEvent
from safepathways.conftest import Persona
from safepathways.core.errors import ApplicationError

PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "seven-purple-lanterns-drift"


@pytest.fixture
def worker(make_persona: Callable[..., Persona], team: Team) -> Persona:
    return make_persona(team, Role.SOCIAL_WORKER)


def _sign_in(email: str, password: str = PASSWORD) -> Client:
    client = Client(HTTP_HOST="127.0.0.1")
    client.post(reverse("accounts:sign_in"), {"email": email, "password": password})
    return client


def _change(client: Client, old: str = PASSWORD, new: str = NEW_PASSWORD, again: str | None = None) -> Any:
    data = {"old_password": old, "new_password1": new, "new_password2": new if again is None else again}
    return client.post(reverse("accounts:change_password"), data)


@pytest.mark.parametrize(("persona", "expected"), [("anonymous", 302), ("partner", 200), ("social_worker", 200)])
def test_change_password_access(persona: str, expected: int, request: pytest.FixtureRequest) -> None:
    client = request.getfixturevalue("anonymous") if persona == "anonymous" else request.getfixturevalue(persona).http
    response = client.get(reverse("accounts:change_password"))
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith(reverse("accounts:sign_in"))


def test_change_password_page_query_count(worker: Persona, django_assert_num_queries: DjangoAssertNumQueries) -> None:
    # session, user with memberships
    with django_assert_num_queries(2):
        response = worker.http.get(reverse("accounts:change_password"))
    assert response.status_code == 200


def test_changing_the_password_keeps_this_session_and_ends_the_others(worker: Persona) -> None:
    laptop, phone = _sign_in(worker.user.email), _sign_in(worker.user.email)
    assert phone.get(reverse("core:home")).status_code == 200
    response = _change(laptop)
    assert response["Location"] == reverse("accounts:account")
    assert laptop.get(reverse("core:home")).status_code == 200
    assert phone.get(reverse("core:home")).status_code == 302
    user = User.objects.get(pk=worker.user.pk)
    assert user.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="user.password_changed", target_id=str(user.pk)).count() == 1
    assert _sign_in(user.email, NEW_PASSWORD).get(reverse("core:home")).status_code == 200
    assert _sign_in(user.email, PASSWORD).get(reverse("core:home")).status_code == 302


def test_change_password_answers_field_by_field(worker: Persona) -> None:
    body = worker.http.post(reverse("accounts:change_password"), {}).content.decode()
    assert "There is a problem" in body
    assert "Enter your current password" in body
    assert "Enter a new password" in body
    assert "Enter the new password again" in body
    body = _change(worker.http, old="not-my-password").content.decode()
    assert "Your current password is not right" in body
    body = _change(worker.http, again="something-else-entirely").content.decode()
    assert "The two new passwords do not match" in body
    body = _change(worker.http, new="short").content.decode()
    assert "at least 12 characters" in body
    assert User.objects.get(pk=worker.user.pk).check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="user.password_changed").exists()


def test_change_password_service_applies_the_validators(worker: Persona) -> None:
    with pytest.raises(ApplicationError) as raised:
        services.change_password(user=worker.user, new_password="password123")
    assert raised.value.field == "new_password1"


def test_the_account_page_links_to_change_password(worker: Persona) -> None:
    body = worker.http.get(reverse("accounts:account")).content.decode()
    assert reverse("accounts:change_password") in body


def _link(message: str) -> str:
    found = re.search(r"https?://\S+/account/set-password/\S+/", message)
    assert found, message
    return urlsplit(found.group(0)).path


def test_a_forgotten_password_is_reset_from_the_emailed_link(
    anonymous: Client, worker: Persona, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    assert reverse("accounts:forgotten_password") in anonymous.get(reverse("accounts:sign_in")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = anonymous.post(reverse("accounts:forgotten_password"), {"email": worker.user.email.upper()})
    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [worker.user.email]
    link = _link(mail.outbox[0].body)
    assert anonymous.get(link).status_code == 200
    response = anonymous.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == reverse("accounts:sign_in")
    assert User.objects.get(pk=worker.user.pk).check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="user.password_link_sent").count() == 1
    event = AuditEvent.objects.get(action="user.password_set")
    assert (event.actor, event.target_id, event.snapshot) == (worker.user, str(worker.user.pk), {"via": "emailed link"})
    assert NEW_PASSWORD not in str(event.snapshot)
    # The link works once, and the old session is over.
    assert anonymous.get(link).status_code == 400
    assert worker.http.get(reverse("core:home")).status_code == 302


def test_the_answer_does_not_say_whether_the_address_has_an_account(
    anonymous: Client, worker: Persona, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        known = anonymous.post(reverse("accounts:forgotten_password"), {"email": worker.user.email})
        unknown = anonymous.post(reverse("accounts:forgotten_password"), {"email": "nobody@example.test"})
    assert known.status_code == unknown.status_code == 200

    def page(response: Any, email: str) -> str:
        return re.sub(r'nonce="[^"]*"', "", response.content.decode()).replace(email, "X")

    assert page(known, worker.user.email) == page(unknown, "nobody@example.test")
    assert len(mail.outbox) == 1


def test_no_link_for_an_account_that_is_switched_off(
    anonymous: Client, worker: Persona, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    User.objects.filter(pk=worker.user.pk).update(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = anonymous.post(reverse("accounts:forgotten_password"), {"email": worker.user.email})
    assert "Check your email" in response.content.decode()
    assert not mail.outbox


def test_password_links_are_rate_limited_per_address(
    anonymous: Client, worker: Persona, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            response = anonymous.post(reverse("accounts:forgotten_password"), {"email": worker.user.email})
            assert "Check your email" in response.content.decode()
    assert len(mail.outbox) == 3


def test_forgotten_password_answers_a_bad_address(anonymous: Client, db: None) -> None:
    body = anonymous.post(reverse("accounts:forgotten_password"), {"email": "not an address"}).content.decode()
    assert "There is a problem" in body
    assert "Enter an email address like name@council.gov.uk" in body
    assert not mail.outbox


def test_forgotten_password_page_query_count(
    anonymous: Client, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_num_queries(0):
        response = anonymous.get(reverse("accounts:forgotten_password"))
    assert response.status_code == 200


def test_lockout_text_follows_the_settings(anonymous: Client, worker: Persona, settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 4
    settings.AXES_COOLOFF_TIME = timedelta(minutes=30)
    body = anonymous.get(reverse("accounts:sign_in")).content.decode()
    assert "After 4 wrong attempts your account is locked for 30 minutes." in body
    for _ in range(4):
        anonymous.post(reverse("accounts:sign_in"), {"email": worker.user.email, "password": "wrong-password-here"})
    locked = anonymous.post(reverse("accounts:sign_in"), {"email": worker.user.email, "password": PASSWORD})
    assert locked.status_code == 429
    assert "Wait 30 minutes and try again" in locked.content.decode()
    assert "15 minutes" not in locked.content.decode()


def test_the_emailed_link_refuses_a_weak_password_and_changes_nothing(anonymous: Client, worker: Persona) -> None:
    link = urlsplit(services.set_password_link(worker.user)).path
    response = anonymous.post(link, {"new_password1": "password123", "new_password2": "password123"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert User.objects.get(pk=worker.user.pk).check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="user.password_set").exists()


def test_set_password_from_link_validates_audits_and_ends_other_sessions(worker: Persona) -> None:
    with pytest.raises(ApplicationError) as raised:
        services.set_password_from_link(user=worker.user, new_password="short")
    assert raised.value.field == "new_password1"
    assert not AuditEvent.objects.exists()
    services.set_password_from_link(user=worker.user, new_password=NEW_PASSWORD)
    assert User.objects.get(pk=worker.user.pk).check_password(NEW_PASSWORD)
    assert AuditEvent.objects.get().action == "user.password_set"
    assert worker.http.get(reverse("core:home")).status_code == 302  # signed out everywhere


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short-pass", "too short"),
        ("password1234", "too common"),
        ("new.worker@example.test", "too similar"),
    ],
)
def test_add_user_refuses_a_weak_password_from_the_environment(
    team: Team, monkeypatch: pytest.MonkeyPatch, password: str, problem: str
) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    monkeypatch.setenv("SAFEPATHWAYS_NEW_USER_PASSWORD", password)
    with pytest.raises(CommandError, match=f"SAFEPATHWAYS_NEW_USER_PASSWORD: .*{problem}"):
        call_command("add_user", "new.worker@example.test", "--team", team.slug, "--role", "social_worker")
    assert not User.objects.filter(email="new.worker@example.test").exists()
    assert not AuditEvent.objects.exists()


def test_add_user_checks_a_new_password_for_an_existing_user_and_audits_it(worker: Persona, team: Team) -> None:
    with pytest.raises(ApplicationError) as raised:
        services.add_user(
            email=worker.user.email, full_name="", team=team, role=Role.SOCIAL_WORKER, password="abc", by=None
        )
    assert raised.value.field == "password"
    assert User.objects.get(pk=worker.user.pk).check_password(PASSWORD)
    services.add_user(
        email=worker.user.email, full_name="", team=team, role=Role.SOCIAL_WORKER, password=NEW_PASSWORD, by=None
    )
    assert User.objects.get(pk=worker.user.pk).check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get()
    assert (event.action, event.actor_label, event.snapshot) == (
        "user.password_set",
        "manage.py add_user",
        {"via": "add_user"},
    )
