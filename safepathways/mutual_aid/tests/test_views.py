"""Mutual aid pages: who may see and do what, the main journey on one instance, and pinned query counts."""

import uuid
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from safepathways.accounts.models import Role, Team
from safepathways.conftest import Persona
from safepathways.mutual_aid import services
from safepathways.mutual_aid.models import (
    AidOffer,
    AidRequest,
    Disclosure,
    MessageType,
    OfferStatus,
    OutboxMessage,
    Partnership,
    RequestStatus,
)
from safepathways.mutual_aid.tests.conftest import PostAsPartner, envelope, request_data, send

pytestmark = pytest.mark.django_db


def _offer(barnet: Partnership, aid_request: AidRequest, post: PostAsPartner) -> AidOffer:
    data = {"offer_id": str(uuid.uuid4()), "request_id": str(aid_request.pk), "quantity": 2, "detail": "Two beds"}
    assert post(barnet, envelope(barnet, MessageType.OFFER, data)).status_code == 200
    return AidOffer.objects.get(pk=data["offer_id"])


class TestAccess:
    @pytest.mark.parametrize(
        ("who", "list_status", "new_status"),
        [
            ("anonymous", 302, 302),
            ("partner", 403, 403),
            ("social_worker", 403, 403),
            ("director", 200, 403),
            ("contingency_lead", 200, 200),
        ],
    )
    def test_contingency_leads_act_directors_read_and_nobody_else_sees(
        self, request: pytest.FixtureRequest, who: str, list_status: int, new_status: int, barnet: Partnership
    ) -> None:
        fixture = request.getfixturevalue(who)
        client: Client = fixture if isinstance(fixture, Client) else fixture.http
        assert client.get(reverse("mutual_aid:requests")).status_code == list_status
        assert client.get(reverse("mutual_aid:partnerships")).status_code == list_status
        assert client.get(reverse("mutual_aid:new_request")).status_code == new_status

    def test_a_director_cannot_accept_and_nothing_changes(
        self, director: Persona, contingency_lead: Persona, barnet: Partnership, post_as_partner: PostAsPartner
    ) -> None:
        aid_request = send([barnet], contingency_lead.user)
        offer = _offer(barnet, aid_request, post_as_partner)
        outbox_before = OutboxMessage.objects.count()
        assert director.http.post(reverse("mutual_aid:accept_offer", args=[offer.pk])).status_code == 403
        offer.refresh_from_db()
        assert offer.status == OfferStatus.OFFERED
        assert OutboxMessage.objects.count() == outbox_before
        page = director.http.get(reverse("mutual_aid:request", args=[aid_request.pk]))
        assert page.status_code == 200
        assert b"Accept" not in page.content

    def test_an_unknown_request_is_404(self, contingency_lead: Persona) -> None:
        assert contingency_lead.http.get(reverse("mutual_aid:request", args=[uuid.uuid4()])).status_code == 404


class TestJourney:
    def test_send_accept_and_share_details_through_the_pages(
        self, contingency_lead: Persona, barnet: Partnership, post_as_partner: PostAsPartner
    ) -> None:
        start = timezone.localdate() + timedelta(days=1)
        end = start + timedelta(days=7)
        form = {
            "partnerships": [str(barnet.pk)],
            "kind": "beds",
            "quantity": "2",
            "needed_from_day": start.day,
            "needed_from_month": start.month,
            "needed_from_year": start.year,
            "needed_until_day": end.day,
            "needed_until_month": end.month,
            "needed_until_year": end.year,
            "detail": "Mrs A, NHS 943 476 5919",
        }
        refused = contingency_lead.http.post(reverse("mutual_aid:new_request"), form)
        assert refused.status_code == 400
        assert b"Remove an NHS number" in refused.content
        assert not AidRequest.objects.exists()

        response = contingency_lead.http.post(reverse("mutual_aid:new_request"), {**form, "detail": "Two beds"})
        aid_request = AidRequest.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("mutual_aid:request", args=[aid_request.pk])

        offer = _offer(barnet, aid_request, post_as_partner)
        disclose_url = reverse("mutual_aid:disclose", args=[offer.pk])
        assert contingency_lead.http.get(disclose_url).status_code == 403  # not accepted yet

        page = contingency_lead.http.get(reverse("mutual_aid:request", args=[aid_request.pk]))
        assert b"Accept" in page.content
        contingency_lead.http.post(reverse("mutual_aid:accept_offer", args=[offer.pk]))
        aid_request.refresh_from_db()
        assert aid_request.status == RequestStatus.ACCEPTED

        form_page = contingency_lead.http.get(disclose_url)
        assert form_page.status_code == 200
        assert b"Address where the help is needed" not in form_page.content  # a bed does not need it
        sent = contingency_lead.http.post(
            disclose_url,
            {
                "full_name": "Ann Example",
                "date_of_birth_day": "1",
                "date_of_birth_month": "2",
                "date_of_birth_year": "1940",
                "needs_summary": "Nursing care",
            },
        )
        assert sent.status_code == 302
        assert Disclosure.objects.get().full_name == "Ann Example"
        detail = contingency_lead.http.get(reverse("mutual_aid:request", args=[aid_request.pk]))
        assert b"Ann Example" in detail.content

    def test_a_director_sees_that_details_were_shared_but_not_the_details(
        self, director: Persona, contingency_lead: Persona, barnet: Partnership, post_as_partner: PostAsPartner
    ) -> None:
        aid_request = send([barnet], contingency_lead.user)
        offer = _offer(barnet, aid_request, post_as_partner)
        services.accept_offer(offer=offer, by=contingency_lead.user)
        services.disclose(
            offer=offer,
            details=services.PersonDetails("Ann Example", date(1940, 2, 1), "Needs"),
            by=contingency_lead.user,
        )
        page = director.http.get(reverse("mutual_aid:request", args=[aid_request.pk]))
        assert b"Details of one person shared" in page.content
        assert b"Ann Example" not in page.content

    def test_an_incoming_request_can_be_offered_against(
        self, contingency_lead: Persona, barnet: Partnership, post_as_partner: PostAsPartner
    ) -> None:
        data = request_data()
        post_as_partner(barnet, envelope(barnet, MessageType.REQUEST, data))
        url = reverse("mutual_aid:offer", args=[data["request_id"]])
        assert contingency_lead.http.get(url).status_code == 200
        response = contingency_lead.http.post(url, {"quantity": "1", "detail": "One bed at Heath View"})
        assert response.status_code == 302
        assert AidOffer.objects.get().quantity == 1
        assert OutboxMessage.objects.get().type == MessageType.OFFER


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
    lead.http.get(reverse("mutual_aid:requests"))
    # session, user with memberships; requests with open offers counted; their recipients with partnerships;
    # savepoint, session save, release (SESSION_SAVE_EVERY_REQUEST).
    with django_assert_num_queries(4):
        response = lead.http.get(reverse("mutual_aid:requests"))
    assert response.content.count(b"London Borough of Enfield") == count


def test_the_detail_query_count_does_not_grow_with_offers(
    contingency_lead: Persona,
    make_partnership: Callable[..., Partnership],
    post_as_partner: PostAsPartner,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    partners = [make_partnership() for _ in range(3)]
    aid_request = send(partners, contingency_lead.user)
    url = reverse("mutual_aid:request", args=[aid_request.pk])
    _offer(partners[0], aid_request, post_as_partner)
    contingency_lead.http.get(url)
    # session, user with memberships; the request; status rows; recipients; offers; their disclosures; outbox; its
    # partners; inbox; its partners.
    with django_assert_num_queries(11):
        contingency_lead.http.get(url)
    for partner in partners[1:]:
        _offer(partner, aid_request, post_as_partner)
    with django_assert_num_queries(11):
        contingency_lead.http.get(url)
