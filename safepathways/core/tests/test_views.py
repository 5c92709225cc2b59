from collections.abc import Callable
from unittest import mock

import pytest
from django.db.utils import OperationalError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django import DjangoAssertNumQueries

from safepathways.accounts.models import Organisation, Role, Team, TeamKind
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


def _administrator(make_persona: Callable[..., Persona], council: Organisation) -> Client:
    """An administrator signed in as they must be: password, then a code from their authenticator."""
    team = Team.objects.create(organisation=council, name="Admin", slug="admin", kind=TeamKind.ADMINISTRATION)
    user = make_persona(team, Role.ADMINISTRATOR).user
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client(HTTP_HOST="127.0.0.1")
    client.post(reverse("accounts:sign_in"), {"email": user.email, "password": "correct-horse-battery"})
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    client.post(reverse("accounts:mfa_verify"), {"token": code, "next": "/"})
    return client


@pytest.mark.parametrize(("persona", "offered"), [("social_worker", True), ("director", True), ("administrator", True)])
def test_home_offers_the_front_door_pages_only_to_those_they_let_in(
    persona: str,
    offered: bool,
    make_persona: Callable[..., Persona],
    council: Organisation,
    request: pytest.FixtureRequest,
) -> None:
    client = (
        _administrator(make_persona, council) if persona == "administrator" else request.getfixturevalue(persona).http
    )
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Contacts awaiting triage" in body  # every council staff member may see the list and take a contact
    assert ("Take a new contact" in body) is offered
    # The links lead where the home page said they would.
    assert (client.get(reverse("referrals:create")).status_code == 200) is offered
    waiting_list = reverse("work:waiting_list")
    assert (f'href="{waiting_list}"' in body) is (client.get(waiting_list).status_code == 200)


def test_home_for_a_director_costs_no_more_queries(
    director: Persona, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    # session, user, work with people, alerts due with people: the links' permission checks read no tables
    with django_assert_num_queries(4):
        response = director.http.get(reverse("core:home"))
    assert "Take a new contact" in response.content.decode()
