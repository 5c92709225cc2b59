"""The forgotten-password limits: counted in the database every worker shares, per client address as the trusted
proxies report it, and never changing the page's answer."""

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from axes.helpers import get_client_ip_address
from django.core import mail
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from safepathways.accounts import services
from safepathways.accounts.http import client_address
from safepathways.accounts.models import PasswordLinkRequest, Role, Team, User
from safepathways.conftest import Persona

URL = "/account/forgotten-password/"


@pytest.fixture
def worker(make_persona: Callable[..., Persona], team: Team) -> Persona:
    return make_persona(team, Role.SOCIAL_WORKER)


@pytest.fixture
def proxies(settings: Any) -> Callable[[int], None]:
    def set_to(n: int) -> None:
        settings.SAFEPATHWAYS = {**settings.SAFEPATHWAYS, "TRUSTED_PROXIES": n}

    return set_to


def _ask(email: str, *, remote: str = "10.0.0.1", forwarded: str | None = None) -> Any:
    client = Client(HTTP_HOST="127.0.0.1", REMOTE_ADDR=remote)
    extra = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    return client.post(URL, {"email": email}, **extra)


def _page(response: Any, email: str) -> str:
    return re.sub(r'nonce="[^"]*"', "", response.content.decode()).replace(email, "X")


def test_the_url_is_the_forgotten_password_page() -> None:
    assert reverse("accounts:forgotten_password") == URL


def test_the_count_is_kept_in_the_database_not_in_one_workers_memory(
    worker: Persona, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(services.PASSWORD_LINKS_PER_ADDRESS + 2):
            cache.clear()  # as if each request reached another worker, with its own memory
            assert "Check your email" in _ask(worker.user.email).content.decode()
    assert len(mail.outbox) == services.PASSWORD_LINKS_PER_ADDRESS
    assert PasswordLinkRequest.objects.count() == services.PASSWORD_LINKS_PER_ADDRESS + 2
    # Only keyed hashes are kept: not the address, not the network address.
    stored = str(list(PasswordLinkRequest.objects.values("email_key", "client_key")))
    assert worker.user.email not in stored and "10.0.0.1" not in stored


def test_too_many_requests_from_one_client_send_nothing_and_answer_the_same(
    worker: Persona, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first_unknown = _ask("nobody0@example.test")
        for n in range(1, services.PASSWORD_LINKS_PER_CLIENT):
            _ask(f"nobody{n}@example.test")
        known = _ask(worker.user.email)
        unknown = _ask("nobody-else@example.test")
    assert not mail.outbox
    assert known.status_code == unknown.status_code == first_unknown.status_code == 200
    assert _page(known, worker.user.email) == _page(unknown, "nobody-else@example.test")
    assert _page(known, worker.user.email) == _page(first_unknown, "nobody0@example.test")


def test_with_no_trusted_proxy_x_forwarded_for_is_ignored(
    worker: Persona, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(services.PASSWORD_LINKS_PER_CLIENT):
            _ask(f"nobody{n}@example.test", forwarded=f"192.0.2.{n}")
        # A new X-Forwarded-For does not make a new client.
        _ask(worker.user.email, forwarded="198.51.100.7")
    assert not mail.outbox


def test_behind_a_load_balancer_each_client_is_counted_on_its_own(
    worker: Persona, proxies: Callable[[int], None], django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    proxies(1)
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(services.PASSWORD_LINKS_PER_CLIENT):
            _ask(f"nobody{n}@example.test", remote="10.0.0.2", forwarded="192.0.2.10")
        # The same client, whatever it writes to the left of what the load balancer added: still over the limit.
        _ask(worker.user.email, remote="10.0.0.2", forwarded="198.51.100.7, 192.0.2.10")
        assert not mail.outbox
        # Another client, through the same load balancer: its own count.
        _ask(worker.user.email, remote="10.0.0.2", forwarded="192.0.2.20")
    assert len(mail.outbox) == 1


def test_requests_older_than_the_window_no_longer_count_and_are_removed(
    worker: Persona, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    for _ in range(services.PASSWORD_LINKS_PER_ADDRESS):
        _ask(worker.user.email)
    PasswordLinkRequest.objects.update(requested_at=timezone.now() - services.PASSWORD_LINK_WINDOW - timedelta(1))
    with django_capture_on_commit_callbacks(execute=True):
        _ask(worker.user.email)
    assert len(mail.outbox) == 1
    assert PasswordLinkRequest.objects.count() == 1


def test_the_service_says_whether_it_sent_a_link(worker: Persona) -> None:
    assert services.request_password_link(email=worker.user.email.upper(), client_address="10.0.0.3")
    assert not services.request_password_link(email="nobody@example.test", client_address="10.0.0.3")
    for _ in range(services.PASSWORD_LINKS_PER_ADDRESS - 1):
        services.request_password_link(email=worker.user.email, client_address="10.0.0.3")
    assert not services.request_password_link(email=worker.user.email, client_address="10.0.0.4")
    assert User.objects.filter(email=worker.user.email).exists()


@pytest.mark.parametrize(
    ("trusted", "forwarded", "expected"),
    [
        (0, None, "10.0.0.1"),
        (0, "192.0.2.1", "10.0.0.1"),
        (1, None, "10.0.0.1"),
        (1, "192.0.2.1", "192.0.2.1"),
        (1, "203.0.113.9, 192.0.2.1", "192.0.2.1"),
        (2, "203.0.113.9, 192.0.2.1, 10.1.1.1", "192.0.2.1"),
        (2, "192.0.2.1", "10.0.0.1"),  # fewer entries than proxies: it did not come through them all
    ],
)
def test_client_address(
    trusted: int, forwarded: str | None, expected: str, proxies: Callable[[int], None], db: None
) -> None:
    proxies(trusted)
    extra = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    request = RequestFactory().post(URL, REMOTE_ADDR="10.0.0.1", **extra)
    assert client_address(request) == expected
    # The sign-in lockout (django-axes) reads the same address.
    assert get_client_ip_address(request) == expected
