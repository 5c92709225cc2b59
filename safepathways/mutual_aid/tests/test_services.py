"""Mutual aid rules on one instance: what staff do, and what partners' signed messages do when they arrive."""

import json
import uuid
from datetime import date, timedelta

import pytest
from django.utils import timezone

from safepathways.audit.models import AuditEvent
from safepathways.conftest import Persona
from safepathways.core.errors import ApplicationError
from safepathways.mutual_aid import services, signing
from safepathways.mutual_aid.admin import PartnershipForm
from safepathways.mutual_aid.models import (
    AidKind,
    AidOffer,
    AidRequest,
    Direction,
    Disclosure,
    InboxMessage,
    MessageType,
    OfferStatus,
    OutboxMessage,
    Partnership,
    RequestStatus,
    UsedNonce,
)
from safepathways.mutual_aid.tests.conftest import PostAsPartner, envelope, request_data, send, signed_headers
from safepathways.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _offer_from(partner: Partnership, aid_request: AidRequest, post: PostAsPartner, quantity: int = 2) -> AidOffer:
    data = {"offer_id": str(uuid.uuid4()), "request_id": str(aid_request.pk), "quantity": quantity, "detail": "Beds"}
    response = post(partner, envelope(partner, MessageType.OFFER, data))
    assert response.status_code == 200, response.content
    return AidOffer.objects.get(pk=data["offer_id"])


class TestSendingARequest:
    def test_one_request_is_queued_for_each_council_asked(
        self, contingency_lead: Persona, barnet: Partnership, enfield: Partnership
    ) -> None:
        aid_request = send([barnet, enfield], contingency_lead.user)
        assert aid_request.status == RequestStatus.SENT
        assert aid_request.direction == Direction.OUTGOING
        messages = OutboxMessage.objects.order_by("partnership__name")
        assert [m.partnership for m in messages] == [barnet, enfield]
        assert all(m.body["data"]["request_id"] == str(aid_request.pk) for m in messages)
        assert all(m.next_attempt_at <= timezone.now() and m.attempts == 0 for m in messages)
        assert list(aid_request.status_changes.values_list("status", flat=True)) == [RequestStatus.SENT]
        assert AuditEvent.objects.filter(action="mutual_aid.request_sent").count() == 1

    @pytest.mark.parametrize(
        "detail", ["For Mr Smith, NHS number 943 476 5919", "Lives at N1 9GU", "DOB 01/02/1940, needs nursing"]
    )
    def test_personal_details_in_the_detail_are_refused_and_nothing_is_sent(
        self, contingency_lead: Persona, barnet: Partnership, detail: str
    ) -> None:
        with pytest.raises(ApplicationError) as refused:
            send([barnet], contingency_lead.user, detail=detail)
        assert refused.value.field == "detail"
        assert "must not hold personal details" in refused.value.message
        assert not AidRequest.objects.exists()
        assert not OutboxMessage.objects.exists()

    def test_a_council_must_be_chosen_and_dates_must_make_sense(
        self, contingency_lead: Persona, barnet: Partnership
    ) -> None:
        with pytest.raises(ApplicationError, match="at least one council"):
            send([], contingency_lead.user)
        with pytest.raises(ApplicationError, match="end date"):
            send([barnet], contingency_lead.user, needed_until=timezone.localdate())


class TestOffersOnOurRequest:
    def test_accepting_one_offer_declines_the_others_and_tells_everyone(
        self,
        contingency_lead: Persona,
        barnet: Partnership,
        enfield: Partnership,
        make_partnership: object,
        post_as_partner: PostAsPartner,
    ) -> None:
        haringey = make_partnership("London Borough of Haringey", "E09000014")  # type: ignore[operator]
        aid_request = send([barnet, enfield, haringey], contingency_lead.user)
        from_barnet = _offer_from(barnet, aid_request, post_as_partner)
        from_enfield = _offer_from(enfield, aid_request, post_as_partner, quantity=1)
        aid_request.refresh_from_db()
        assert aid_request.status == RequestStatus.OFFERED
        OutboxMessage.objects.all().delete()

        services.accept_offer(offer=from_barnet, by=contingency_lead.user)

        from_barnet.refresh_from_db()
        from_enfield.refresh_from_db()
        aid_request.refresh_from_db()
        assert from_barnet.status == OfferStatus.ACCEPTED
        assert from_enfield.status == OfferStatus.DECLINED
        assert aid_request.status == RequestStatus.ACCEPTED
        sent = {(m.partnership.ons_code, m.type) for m in OutboxMessage.objects.select_related("partnership")}
        assert sent == {
            ("E09000003", MessageType.ACCEPTANCE),
            ("E09000010", MessageType.DECLINE),
            ("E09000014", MessageType.WITHDRAWAL),
        }
        assert [s.status for s in aid_request.status_changes.all()] == [
            RequestStatus.SENT,
            RequestStatus.OFFERED,
            RequestStatus.ACCEPTED,
        ]

    def test_declining_the_only_offer_reopens_the_request(
        self, contingency_lead: Persona, barnet: Partnership, post_as_partner: PostAsPartner
    ) -> None:
        aid_request = send([barnet], contingency_lead.user)
        offer = _offer_from(barnet, aid_request, post_as_partner)
        services.decline_offer(offer=offer, reason="Too far away", by=contingency_lead.user)
        aid_request.refresh_from_db()
        assert aid_request.status == RequestStatus.SENT
        assert OutboxMessage.objects.filter(type=MessageType.DECLINE).get().body["data"]["offer_id"] == str(offer.pk)

    def test_details_are_refused_before_acceptance_and_limited_after(
        self, contingency_lead: Persona, barnet: Partnership, post_as_partner: PostAsPartner
    ) -> None:
        aid_request = send([barnet], contingency_lead.user)
        offer = _offer_from(barnet, aid_request, post_as_partner)
        details = services.PersonDetails("Ann Example", date(1940, 2, 1), "Nursing care, hoist", "1 Test Road")
        with pytest.raises(ApplicationError, match="only after an offer is accepted"):
            services.disclose(offer=offer, details=details, by=contingency_lead.user)
        assert not Disclosure.objects.exists()

        services.accept_offer(offer=offer, by=contingency_lead.user)
        disclosure = services.disclose(offer=offer, details=details, by=contingency_lead.user)

        # A bed needs name, date of birth and needs: the address is not sent.
        assert disclosure.address == ""
        message = OutboxMessage.objects.get(type=MessageType.DISCLOSURE)
        assert set(message.body["data"]) == {
            "disclosure_id",
            "offer_id",
            "request_id",
            "full_name",
            "date_of_birth",
            "needs_summary",
        }
        audit = AuditEvent.objects.get(action="mutual_aid.details_disclosed")
        assert audit.snapshot["fields"] == "date_of_birth,full_name,needs_summary"

    def test_nothing_about_a_person_crosses_for_out_of_hours_cover(
        self, contingency_lead: Persona, barnet: Partnership, post_as_partner: PostAsPartner
    ) -> None:
        aid_request = send([barnet], contingency_lead.user, kind=AidKind.OUT_OF_HOURS_COVER)
        offer = _offer_from(barnet, aid_request, post_as_partner)
        services.accept_offer(offer=offer, by=contingency_lead.user)
        details = services.PersonDetails("Ann Example", date(1940, 2, 1), "Needs")
        with pytest.raises(ApplicationError, match="Nothing about a person"):
            services.disclose(offer=offer, details=details, by=contingency_lead.user)

    def test_withdrawing_tells_every_council_asked(
        self, contingency_lead: Persona, barnet: Partnership, enfield: Partnership, post_as_partner: PostAsPartner
    ) -> None:
        aid_request = send([barnet, enfield], contingency_lead.user)
        offer = _offer_from(barnet, aid_request, post_as_partner)
        services.withdraw_request(aid_request=aid_request, reason="Residents went home", by=contingency_lead.user)
        offer.refresh_from_db()
        assert offer.status == OfferStatus.WITHDRAWN
        assert OutboxMessage.objects.filter(type=MessageType.WITHDRAWAL).count() == 2


class TestARequestFromAPartner:
    def test_it_is_received_offered_accepted_and_details_arrive(
        self, contingency_lead: Persona, barnet: Partnership, post_as_partner: PostAsPartner
    ) -> None:
        data = request_data()
        response = post_as_partner(barnet, envelope(barnet, MessageType.REQUEST, data))
        assert response.status_code == 200
        assert response.json()["status"] == "applied"
        aid_request = AidRequest.objects.get(pk=data["request_id"])
        assert aid_request.direction == Direction.INCOMING
        assert aid_request.status == RequestStatus.RECEIVED
        assert aid_request.partnership == barnet
        assert Notification.objects.filter(recipient=contingency_lead.user).count() == 1

        offer = services.make_offer(
            aid_request=aid_request, quantity=1, detail="One bed at Heath View", by=contingency_lead.user
        )
        assert OutboxMessage.objects.get(type=MessageType.OFFER).body["data"]["offer_id"] == str(offer.pk)

        # Details before acceptance are refused.
        details = {
            "disclosure_id": str(uuid.uuid4()),
            "offer_id": str(offer.pk),
            "request_id": data["request_id"],
            "full_name": "Ann Example",
            "date_of_birth": "1940-02-01",
            "needs_summary": "Nursing care",
        }
        early = post_as_partner(barnet, envelope(barnet, MessageType.DISCLOSURE, details))
        assert early.status_code == 400
        assert not Disclosure.objects.exists()

        accepted = envelope(
            barnet, MessageType.ACCEPTANCE, {"offer_id": str(offer.pk), "request_id": data["request_id"]}
        )
        assert post_as_partner(barnet, accepted).status_code == 200
        offer.refresh_from_db()
        aid_request.refresh_from_db()
        assert offer.status == OfferStatus.ACCEPTED
        assert aid_request.status == RequestStatus.ACCEPTED

        # More than a bed needs is refused; the minimum is stored, and kept out of the inbox copy.
        too_much = post_as_partner(barnet, envelope(barnet, MessageType.DISCLOSURE, {**details, "address": "1 Road"}))
        assert too_much.status_code == 400
        assert post_as_partner(barnet, envelope(barnet, MessageType.DISCLOSURE, details)).status_code == 200
        disclosure = Disclosure.objects.get()
        assert disclosure.direction == Direction.INCOMING
        assert disclosure.full_name == "Ann Example"
        inbox = InboxMessage.objects.get(type=MessageType.DISCLOSURE)
        assert "full_name" not in inbox.body["data"]

        fulfilled = envelope(barnet, MessageType.FULFILMENT, {"request_id": data["request_id"]})
        assert post_as_partner(barnet, fulfilled).status_code == 200
        aid_request.refresh_from_db()
        assert aid_request.status == RequestStatus.FULFILLED

    def test_a_message_delivered_twice_is_applied_once(
        self, contingency_lead: Persona, barnet: Partnership, post_as_partner: PostAsPartner
    ) -> None:
        message = envelope(barnet, MessageType.REQUEST, request_data())
        first = post_as_partner(barnet, message)
        second = post_as_partner(barnet, message)  # a retry: new nonce, same message id
        assert (first.status_code, second.status_code) == (200, 200)
        assert second.json() == {"id": message["id"], "status": "duplicate"}
        assert AidRequest.objects.count() == 1
        assert InboxMessage.objects.count() == 1
        assert Notification.objects.count() == 1

    def test_personal_details_from_a_partner_are_refused(
        self, barnet: Partnership, post_as_partner: PostAsPartner
    ) -> None:
        message = envelope(barnet, MessageType.REQUEST, request_data(detail="For Ann, NHS 943 476 5919"))
        response = post_as_partner(barnet, message)
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "detail"
        assert not AidRequest.objects.exists()
        assert not InboxMessage.objects.exists()

    def test_a_message_that_says_it_is_from_another_council_is_refused(
        self, barnet: Partnership, enfield: Partnership, post_as_partner: PostAsPartner
    ) -> None:
        message = envelope(enfield, MessageType.REQUEST, request_data())
        response = post_as_partner(barnet, message)  # signed with Barnet's key
        assert response.status_code == 400
        assert not AidRequest.objects.exists()

    def test_a_partner_cannot_act_on_another_partners_request(
        self, contingency_lead: Persona, barnet: Partnership, enfield: Partnership, post_as_partner: PostAsPartner
    ) -> None:
        aid_request = send([barnet], contingency_lead.user)
        data = {"offer_id": str(uuid.uuid4()), "request_id": str(aid_request.pk), "quantity": 1, "detail": "x"}
        assert post_as_partner(enfield, envelope(enfield, MessageType.OFFER, data)).status_code == 400
        assert not AidOffer.objects.exists()


class TestSignatures:
    def _message(self, barnet: Partnership) -> tuple[bytes, dict[str, object]]:
        message = envelope(barnet, MessageType.REQUEST, request_data())
        return json.dumps(message).encode(), message

    def test_an_unsigned_message_is_refused_with_nothing_written(
        self, barnet: Partnership, post_as_partner: PostAsPartner
    ) -> None:
        _, message = self._message(barnet)
        response = post_as_partner(barnet, message, headers={})
        assert response.status_code == 401
        assert not AidRequest.objects.exists()
        assert not UsedNonce.objects.exists()

    def test_a_bad_signature_is_refused_with_nothing_written(
        self, barnet: Partnership, post_as_partner: PostAsPartner
    ) -> None:
        body, message = self._message(barnet)
        headers = signed_headers(barnet, body)
        headers["HTTP_X_SAFEPATHWAYS_SIGNATURE"] = "0" * 64
        response = post_as_partner(barnet, message, headers=headers)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "SafePathways-HMAC"
        assert not AidRequest.objects.exists()
        assert not UsedNonce.objects.exists()
        assert not AuditEvent.objects.exclude(action="mutual_aid.partnership_added").exists()

    def test_a_changed_body_breaks_the_signature(self, barnet: Partnership, post_as_partner: PostAsPartner) -> None:
        body, message = self._message(barnet)
        headers = signed_headers(barnet, body)
        message["data"]["quantity"] = 20  # type: ignore[index]
        assert post_as_partner(barnet, message, headers=headers).status_code == 401

    def test_an_old_timestamp_is_refused(self, barnet: Partnership, post_as_partner: PostAsPartner) -> None:
        body, message = self._message(barnet)
        headers = signed_headers(barnet, body, now=timezone.now() - timedelta(minutes=6))
        assert post_as_partner(barnet, message, headers=headers).status_code == 401
        assert not AidRequest.objects.exists()

    def test_a_replayed_nonce_is_refused(self, barnet: Partnership, post_as_partner: PostAsPartner) -> None:
        body, message = self._message(barnet)
        headers = signed_headers(barnet, body)
        assert post_as_partner(barnet, message, headers=headers).status_code == 200
        replay = post_as_partner(barnet, message, headers=headers)
        assert replay.status_code == 401
        assert "nonce" in replay.json()["detail"]
        assert AidRequest.objects.count() == 1

    def test_an_inactive_partnership_is_refused(self, barnet: Partnership, post_as_partner: PostAsPartner) -> None:
        Partnership.objects.filter(pk=barnet.pk).update(is_active=False)
        _, message = self._message(barnet)
        assert post_as_partner(barnet, message).status_code == 401

    def test_the_signature_covers_method_path_time_nonce_and_body(self) -> None:
        base = {"secret": "k" * 32, "method": "POST", "path": "/p/", "timestamp": "1", "nonce": "n", "body": b"{}"}
        reference = signing.signature(**base)
        for key, other in [("method", "PUT"), ("path", "/q/"), ("timestamp", "2"), ("nonce", "m"), ("body", b"[]")]:
            assert signing.signature(**{**base, key: other}) != reference


@pytest.mark.parametrize("code", ["camden", "E0900000", "e09000003", "X09000003", "E0900000３"])
def test_a_partnerships_ons_code_must_be_one(code: str) -> None:
    form = PartnershipForm(
        data={"name": "Barnet", "ons_code": code, "base_url": "https://barnet.example", "key_id": "barnet"}
    )
    assert not form.is_valid()
    assert form.errors["ons_code"] == ["Enter an ONS code: a capital E, W, S or N and 8 digits, for example E09000007"]


def test_a_partnership_with_a_real_ons_code_is_accepted() -> None:
    form = PartnershipForm(
        data={"name": "Barnet", "ons_code": "E09000003", "base_url": "https://barnet.example", "key_id": "barnet"}
    )
    assert "ons_code" not in form.errors
