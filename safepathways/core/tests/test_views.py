from unittest import mock

import pytest
from django.db.utils import OperationalError
from django.test import Client
from django.urls import reverse

from safepathways.conftest import Persona


def test_healthz_reports_database_ok(anonymous: Client) -> None:
    response = anonymous.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_healthz_answers_503_when_the_database_fails(anonymous: Client) -> None:
    with mock.patch("safepathways.core.views.connection.cursor", side_effect=OperationalError("down")):
        response = anonymous.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}


def test_home_requires_sign_in(anonymous: Client) -> None:
    response = anonymous.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign_in"))


def test_home_lists_my_work(social_worker: Persona) -> None:
    response = social_worker.http.get(reverse("core:home"))
    assert response.status_code == 200
    assert "Your open work" in response.content.decode()


@pytest.mark.django_db
def test_pages_send_a_csp_header_with_a_nonce(anonymous: Client) -> None:
    response = anonymous.get(reverse("accounts:sign_in"))
    header = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in header
    nonce = header.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.content.decode()


@pytest.mark.django_db
def test_accessibility_statement_is_public(anonymous: Client) -> None:
    assert anonymous.get(reverse("core:accessibility")).status_code == 200


@pytest.mark.django_db
def test_unknown_page_uses_the_service_404(anonymous: Client) -> None:
    response = anonymous.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
