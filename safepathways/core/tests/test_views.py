from unittest import mock

import pytest
from django.db.utils import OperationalError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

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


@pytest.mark.parametrize("rows", [1, 20])
def test_home_query_count_is_constant(
    social_worker: Persona, rows: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    from safepathways.people.tests.factories import AlertFactory
    from safepathways.work.tests.factories import WorkItemFactory

    for _ in range(rows):
        WorkItemFactory(team=social_worker.team, allocated_to=social_worker.user)
        AlertFactory(owner=social_worker.user, raised_by=social_worker.user, review_on=timezone.localdate())
    # session, user, work with people, alerts due with people, memberships (menu),
    # session save (3)
    with django_assert_num_queries(4):
        response = social_worker.http.get(reverse("core:home"))
    body = response.content.decode()
    assert body.count("Care Act assessment") == rows


@pytest.mark.parametrize(("persona", "expected"), [("anonymous_client", 302), ("partner", 200), ("social_worker", 200)])
def test_account_page_access_matrix(persona: str, expected: int, request: pytest.FixtureRequest) -> None:
    client: Client = (
        request.getfixturevalue("anonymous") if persona == "anonymous_client" else request.getfixturevalue(persona).http
    )
    assert client.get(reverse("accounts:account")).status_code == expected
