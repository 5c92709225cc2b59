"""The staff-facing mutual aid API: who may read, what a director sees of disclosures, pinned query counts."""

import uuid
from collections.abc import Callable
from datetime import date

import pytest
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from safepathways.accounts.models import Role, Team, User
from safepathways.conftest import Persona
from safepathways.mutual_aid import services
from safepathways.mutual_aid.models import AidOffer, MessageType, Partnership
from safepathways.mutual_aid.tests.conftest import PostAsPartner, envelope, send

pytestmark = pytest.mark.django_db


def _api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize(("who", "status"), [("partner", 403), ("social_worker", 403), ("director", 200)])
def test_only_contingency_roles_read(
    request: pytest.FixtureRequest, who: str, status: int, barnet: Partnership
) -> None:
    persona: Persona = request.getfixturevalue(who)
    assert _api(persona.user).get(reverse("api:mutual_aid_requests")).status_code == status


def test_anonymous_is_refused() -> None:
    assert APIClient().get(reverse("api:mutual_aid_requests")).status_code in (401, 403)


def test_detail_shows_the_trail_and_hides_details_from_directors(
    contingency_lead: Persona, director: Persona, barnet: Partnership, post_as_partner: PostAsPartner
) -> None:
    aid_request = send([barnet], contingency_lead.user)
    data = {"offer_id": str(uuid.uuid4()), "request_id": str(aid_request.pk), "quantity": 2, "detail": "Two beds"}
    post_as_partner(barnet, envelope(barnet, MessageType.OFFER, data))
    offer = AidOffer.objects.get()
    services.accept_offer(offer=offer, by=contingency_lead.user)
    services.disclose(
        offer=offer,
        details=services.PersonDetails("Ann Example", date(1940, 2, 1), "Nursing care"),
        by=contingency_lead.user,
    )
    url = reverse("api:mutual_aid_request", args=[aid_request.pk])
    body = _api(contingency_lead.user).get(url).json()
    assert [s["status"] for s in body["statuses"]] == ["sent", "offered", "accepted"]
    assert body["partners"] == [{"name": "London Borough of Barnet", "ons_code": "E09000003"}]
    assert body["offers"][0]["disclosures"][0]["full_name"] == "Ann Example"
    directors_view = _api(director.user).get(url).json()
    disclosure = directors_view["offers"][0]["disclosures"][0]
    assert "full_name" not in disclosure
    assert disclosure["fields_shared"] == ["full_name", "date_of_birth", "needs_summary"]
    assert _api(director.user).get(reverse("api:mutual_aid_request", args=[uuid.uuid4()])).status_code == 404


@pytest.mark.parametrize("count", [1, 20])
def test_the_list_query_count_does_not_grow(
    make_persona: Callable[..., Persona],
    team: Team,
    barnet: Partnership,
    enfield: Partnership,
    django_assert_num_queries: DjangoAssertNumQueries,
    count: int,
) -> None:
    lead = make_persona(team, Role.CONTINGENCY_LEAD)
    for _ in range(count):
        send([barnet, enfield], lead.user)
    client = _api(lead.user)
    client.get(reverse("api:mutual_aid_requests"))
    # count; the page of requests with open offers counted; their recipients with partnerships
    # (force_authenticate: no session or token lookup; memberships cached on the user).
    with django_assert_num_queries(3):
        response = client.get(reverse("api:mutual_aid_requests"))
    assert response.json()["count"] == count
