"""Mutual aid: what staff do (send, offer, accept, decline, withdraw, fulfil, disclose) and what partners' messages
do when they arrive. One transaction each (ADR-005): validate, write, record the status row and audit event, and
queue the message to the partner in the outbox; mutual_aid.delivery sends it later with back-off.

The same rules run on both sides. A message from a partner is applied through the same status table as a
member of staff's action, so a message that does not fit the current state is refused (400) and changes nothing.

Messages (`type`, then the keys of `data`):
    request     request_id, kind, quantity, needed_from, needed_until, detail, contact_name, contact_email
    offer       offer_id, request_id, quantity, detail
    acceptance  offer_id, request_id
    decline     request_id, offer_id (empty: the partner cannot help at all), reason
    withdrawal  request_id, offer_id (empty: the whole request), reason
    fulfilment  request_id
    disclosure  disclosure_id, offer_id, request_id, and the fields privacy.DISCLOSURE_FIELDS names for the kind
"""

import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from safepathways.accounts.models import Role, User
from safepathways.audit import services as audit
from safepathways.core.errors import ApplicationError
from safepathways.mutual_aid import privacy, signing
from safepathways.mutual_aid.models import (
    ALLOWED_TRANSITIONS,
    MESSAGES_PATH,
    OFFER_TRANSITIONS,
    AidKind,
    AidOffer,
    AidRequest,
    AidRequestStatus,
    Direction,
    Disclosure,
    InboxMessage,
    MessageType,
    OfferStatus,
    OutboxMessage,
    Partnership,
    Recipient,
    RequestStatus,
)
from safepathways.notifications.services import notify

MAX_QUANTITY = 10_000
MAX_TEXT = 2_000
MAX_BODY_BYTES = 64 * 1024


# --- shared helpers --------------------------------------------------------------------------------------------------


def request_link(aid_request: AidRequest) -> str:
    return reverse("mutual_aid:request", args=[aid_request.pk])


def this_council() -> dict[str, str]:
    return {
        "ons_code": str(settings.SAFEPATHWAYS["COUNCIL_ONS_CODE"]),
        "name": str(settings.SAFEPATHWAYS["COUNCIL_NAME"]),
    }


def contingency_leads() -> list[User]:
    """Who hears about mutual aid here: active contingency leads of this council."""
    return list(
        User.objects.filter(
            is_active=True,
            memberships__role=Role.CONTINGENCY_LEAD,
            memberships__team__organisation__is_this_council=True,
        ).distinct()
    )


def _notify_leads(message: str, aid_request: AidRequest, dedupe_key: str = "") -> None:
    notify(recipients=contingency_leads(), message=message, link=request_link(aid_request), dedupe_key=dedupe_key)


def _change_status(
    aid_request: AidRequest, status: str, *, by: User | None, by_label: str = "", reason: str = ""
) -> None:
    if status == aid_request.status:
        return
    if status not in ALLOWED_TRANSITIONS[aid_request.status]:
        raise ApplicationError(
            f"A request that is {aid_request.get_status_display().lower()} cannot become "
            f"{RequestStatus(status).label.lower()}"
        )
    aid_request.status = status
    aid_request.save(update_fields=["status", "updated_at"])
    AidRequestStatus.objects.create(request=aid_request, status=status, reason=reason, by=by, by_label=by_label)


def _decide_offer(offer: AidOffer, status: str, *, reason: str, now: datetime) -> None:
    if status not in OFFER_TRANSITIONS[offer.status]:
        raise ApplicationError(
            f"This offer is already {offer.get_status_display().lower()}; it cannot become "
            f"{OfferStatus(status).label.lower()}"
        )
    offer.status = status
    offer.decided_at = now
    offer.decision_reason = reason
    offer.save(update_fields=["status", "decided_at", "decision_reason", "updated_at"])


def _queue(
    *, partnership: Partnership, type: str, data: dict[str, Any], aid_request: AidRequest | None, now: datetime
) -> OutboxMessage:
    """Put a message for `partnership` in the outbox; mutual_aid.delivery sends it."""
    message_id = uuid.uuid4()
    body = {
        "id": str(message_id),
        "type": type,
        "sent_at": now.isoformat(),
        "from": this_council(),
        "to": partnership.ons_code,
        "data": data,
    }
    return OutboxMessage.objects.create(
        id=message_id, partnership=partnership, aid_request=aid_request, type=type, body=body, next_attempt_at=now
    )


def _check_text(text: str, field: str, *, today: date, required: bool = False, label: str = "detail") -> str:
    cleaned = text.strip()
    if required and not cleaned:
        raise ApplicationError(f"Enter the {label}", field=field)
    if len(cleaned) > MAX_TEXT:
        raise ApplicationError(f"The {label} must be {MAX_TEXT} characters or fewer", field=field)
    problem = privacy.check_free_text(cleaned, today=today)
    if problem:
        raise ApplicationError(problem, field=field)
    return cleaned


def _check_quantity(quantity: int) -> int:
    if quantity < 1 or quantity > MAX_QUANTITY:
        raise ApplicationError(f"Enter a number from 1 to {MAX_QUANTITY}", field="quantity")
    return quantity


def _lock_request(aid_request: AidRequest) -> AidRequest:
    return AidRequest.objects.select_for_update().get(pk=aid_request.pk)


def _lock_offer(offer: AidOffer) -> AidOffer:
    return AidOffer.objects.select_for_update(of=("self",)).select_related("request", "partnership").get(pk=offer.pk)


def _require_outgoing(aid_request: AidRequest) -> None:
    if aid_request.direction != Direction.OUTGOING:
        raise ApplicationError("Only the council that asked for help can do this")


def _require_incoming(aid_request: AidRequest) -> None:
    if aid_request.direction != Direction.INCOMING:
        raise ApplicationError("Only a council that was asked for help can do this")


# --- what staff do ---------------------------------------------------------------------------------------------------


@transaction.atomic
def send_request(
    *,
    partnerships: Iterable[Partnership],
    kind: str,
    quantity: int,
    needed_from: date,
    needed_until: date,
    detail: str,
    by: User,
    now: datetime | None = None,
) -> AidRequest:
    """Ask one or more partner councils for help; nothing about a person is sent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    chosen = list({p.pk: p for p in partnerships}.values())
    if not chosen:
        raise ApplicationError("Choose at least one council to ask", field="partnerships")
    if any(not p.is_active for p in chosen):
        raise ApplicationError("The arrangement with one of those councils is not active", field="partnerships")
    if kind not in AidKind.values:
        raise ApplicationError("Choose what kind of help is needed", field="kind")
    _check_quantity(quantity)
    if needed_from < today:
        raise ApplicationError("The date help is needed from must be today or in the future", field="needed_from")
    if needed_until < needed_from:
        raise ApplicationError("The end date must be the same as or after the start date", field="needed_until")
    detail = _check_text(detail, "detail", today=today)
    aid_request = AidRequest.objects.create(
        direction=Direction.OUTGOING,
        kind=kind,
        quantity=quantity,
        needed_from=needed_from,
        needed_until=needed_until,
        detail=detail,
        status=RequestStatus.SENT,
        requested_by=by,
        contact_name=by.full_name,
        contact_email=by.email,
    )
    AidRequestStatus.objects.create(
        request=aid_request,
        status=RequestStatus.SENT,
        reason="Sent to " + ", ".join(p.name for p in chosen),
        by=by,
    )
    data = {
        "request_id": str(aid_request.pk),
        "kind": kind,
        "quantity": quantity,
        "needed_from": needed_from.isoformat(),
        "needed_until": needed_until.isoformat(),
        "detail": detail,
        "contact_name": by.full_name,
        "contact_email": by.email,
    }
    for partnership in chosen:
        Recipient.objects.create(request=aid_request, partnership=partnership)
        _queue(partnership=partnership, type=MessageType.REQUEST, data=data, aid_request=aid_request, now=now)
    audit.record(
        actor=by,
        action="mutual_aid.request_sent",
        target=aid_request,
        snapshot={"kind": kind, "quantity": quantity, "to": ",".join(p.ons_code for p in chosen)},
    )
    return aid_request


@transaction.atomic
def make_offer(
    *, aid_request: AidRequest, quantity: int, detail: str, by: User, now: datetime | None = None
) -> AidOffer:
    """Offer help against a request received from a partner."""
    now = now or timezone.now()
    locked = _lock_request(aid_request)
    _require_incoming(locked)
    if locked.status not in (RequestStatus.RECEIVED, RequestStatus.OFFERED):
        raise ApplicationError(f"This request is {locked.get_status_display().lower()}; it no longer takes offers")
    _check_quantity(quantity)
    detail = _check_text(detail, "detail", today=timezone.localdate(now), required=True, label="offer")
    assert locked.partnership is not None  # the aid_request_incoming_has_requester constraint
    offer = AidOffer.objects.create(
        request=locked,
        direction=Direction.OUTGOING,
        partnership=locked.partnership,
        quantity=quantity,
        detail=detail,
        offered_by=by,
    )
    _change_status(locked, RequestStatus.OFFERED, by=by, reason=f"Offered {quantity} {locked.unit}")
    _queue(
        partnership=locked.partnership,
        type=MessageType.OFFER,
        data={"offer_id": str(offer.pk), "request_id": str(locked.pk), "quantity": quantity, "detail": detail},
        aid_request=locked,
        now=now,
    )
    audit.record(actor=by, action="mutual_aid.offer_made", target=offer, snapshot={"quantity": quantity})
    return offer


@transaction.atomic
def accept_offer(*, offer: AidOffer, by: User, now: datetime | None = None) -> AidOffer:
    """Take a partner's offer; every other open offer is declined and partners who did not offer are told."""
    now = now or timezone.now()
    locked = _lock_offer(offer)
    aid_request = _lock_request(locked.request)
    _require_outgoing(aid_request)
    if locked.direction != Direction.INCOMING:
        raise ApplicationError("Only an offer from a partner can be accepted here")
    _decide_offer(locked, OfferStatus.ACCEPTED, reason="", now=now)
    _change_status(
        aid_request, RequestStatus.ACCEPTED, by=by, reason=f"Accepted the offer from {locked.partnership.name}"
    )
    _queue(
        partnership=locked.partnership,
        type=MessageType.ACCEPTANCE,
        data={"offer_id": str(locked.pk), "request_id": str(aid_request.pk)},
        aid_request=aid_request,
        now=now,
    )
    reason = "Help was arranged with another offer"
    offered_by = {locked.partnership_id}
    for other in aid_request.offers.open().select_related("partnership").exclude(pk=locked.pk):
        _decide_offer(other, OfferStatus.DECLINED, reason=reason, now=now)
        offered_by.add(other.partnership_id)
        _queue(
            partnership=other.partnership,
            type=MessageType.DECLINE,
            data={"request_id": str(aid_request.pk), "offer_id": str(other.pk), "reason": reason},
            aid_request=aid_request,
            now=now,
        )
    # Partners that made no offer and have not said no still hold the request open: withdraw it from them.
    for recipient in aid_request.recipients.select_related("partnership").filter(declined_at__isnull=True):
        if recipient.partnership_id in offered_by:
            continue
        _queue(
            partnership=recipient.partnership,
            type=MessageType.WITHDRAWAL,
            data={"request_id": str(aid_request.pk), "offer_id": "", "reason": reason},
            aid_request=aid_request,
            now=now,
        )
    audit.record(actor=by, action="mutual_aid.offer_accepted", target=locked, snapshot={"quantity": locked.quantity})
    return locked


@transaction.atomic
def decline_offer(*, offer: AidOffer, reason: str, by: User, now: datetime | None = None) -> AidOffer:
    """Turn down a partner's offer; the request stays open for other offers."""
    now = now or timezone.now()
    locked = _lock_offer(offer)
    aid_request = _lock_request(locked.request)
    _require_outgoing(aid_request)
    if locked.direction != Direction.INCOMING:
        raise ApplicationError("Only an offer from a partner can be declined here")
    reason = _check_text(reason, "reason", today=timezone.localdate(now), label="reason")
    _decide_offer(locked, OfferStatus.DECLINED, reason=reason, now=now)
    if aid_request.status == RequestStatus.OFFERED and not aid_request.offers.open().exists():
        _change_status(aid_request, RequestStatus.SENT, by=by, reason="No open offers")
    _queue(
        partnership=locked.partnership,
        type=MessageType.DECLINE,
        data={"request_id": str(aid_request.pk), "offer_id": str(locked.pk), "reason": reason},
        aid_request=aid_request,
        now=now,
    )
    audit.record(actor=by, action="mutual_aid.offer_declined", target=locked, snapshot={"reason": reason})
    return locked


@transaction.atomic
def withdraw_offer(*, offer: AidOffer, reason: str, by: User, now: datetime | None = None) -> AidOffer:
    """Take back an offer this council made, before it is accepted."""
    now = now or timezone.now()
    locked = _lock_offer(offer)
    aid_request = _lock_request(locked.request)
    if locked.direction != Direction.OUTGOING:
        raise ApplicationError("Only the council that made an offer can withdraw it")
    reason = _check_text(reason, "reason", today=timezone.localdate(now), label="reason")
    _decide_offer(locked, OfferStatus.WITHDRAWN, reason=reason, now=now)
    if aid_request.status == RequestStatus.OFFERED and not aid_request.offers.open().exists():
        _change_status(aid_request, RequestStatus.RECEIVED, by=by, reason="Offer withdrawn")
    _queue(
        partnership=locked.partnership,
        type=MessageType.WITHDRAWAL,
        data={"request_id": str(aid_request.pk), "offer_id": str(locked.pk), "reason": reason},
        aid_request=aid_request,
        now=now,
    )
    audit.record(actor=by, action="mutual_aid.offer_withdrawn", target=locked, snapshot={"reason": reason})
    return locked


@transaction.atomic
def decline_request(*, aid_request: AidRequest, reason: str, by: User, now: datetime | None = None) -> AidRequest:
    """Tell the asking council this council cannot help."""
    now = now or timezone.now()
    locked = _lock_request(aid_request)
    _require_incoming(locked)
    if locked.status != RequestStatus.RECEIVED:
        raise ApplicationError("Only a request without an offer from this council can be declined")
    reason = _check_text(reason, "reason", today=timezone.localdate(now), label="reason")
    _change_status(locked, RequestStatus.DECLINED, by=by, reason=reason)
    assert locked.partnership is not None
    _queue(
        partnership=locked.partnership,
        type=MessageType.DECLINE,
        data={"request_id": str(locked.pk), "offer_id": "", "reason": reason},
        aid_request=locked,
        now=now,
    )
    audit.record(actor=by, action="mutual_aid.request_declined", target=locked, snapshot={"reason": reason})
    return locked


@transaction.atomic
def withdraw_request(*, aid_request: AidRequest, reason: str, by: User, now: datetime | None = None) -> AidRequest:
    """Call off a request this council sent; every partner asked is told and open offers lapse."""
    now = now or timezone.now()
    locked = _lock_request(aid_request)
    _require_outgoing(locked)
    reason = _check_text(reason, "reason", today=timezone.localdate(now), required=True, label="reason")
    _change_status(locked, RequestStatus.WITHDRAWN, by=by, reason=reason)
    for offer in locked.offers.open():
        _decide_offer(offer, OfferStatus.WITHDRAWN, reason=reason, now=now)
    for recipient in locked.recipients.select_related("partnership").filter(declined_at__isnull=True):
        _queue(
            partnership=recipient.partnership,
            type=MessageType.WITHDRAWAL,
            data={"request_id": str(locked.pk), "offer_id": "", "reason": reason},
            aid_request=locked,
            now=now,
        )
    audit.record(actor=by, action="mutual_aid.request_withdrawn", target=locked, snapshot={"reason": reason})
    return locked


@transaction.atomic
def fulfil_request(*, aid_request: AidRequest, by: User, now: datetime | None = None) -> AidRequest:
    """Record that the accepted help was given; the partner that gave it is told."""
    now = now or timezone.now()
    locked = _lock_request(aid_request)
    _require_outgoing(locked)
    _change_status(locked, RequestStatus.FULFILLED, by=by, reason="Help given")
    accepted = locked.offers.filter(status=OfferStatus.ACCEPTED).select_related("partnership").first()
    if accepted is not None:
        _queue(
            partnership=accepted.partnership,
            type=MessageType.FULFILMENT,
            data={"request_id": str(locked.pk)},
            aid_request=locked,
            now=now,
        )
    audit.record(actor=by, action="mutual_aid.request_fulfilled", target=locked)
    return locked


@dataclass(frozen=True)
class PersonDetails:
    """The most a disclosure can hold; privacy.DISCLOSURE_FIELDS says which of these the kind of help needs."""

    full_name: str
    date_of_birth: date | None
    needs_summary: str
    address: str = ""


def _checked_details(kind: str, details: PersonDetails, *, today: date) -> dict[str, Any]:
    needed = privacy.DISCLOSURE_FIELDS.get(kind, ())
    if not needed:
        raise ApplicationError("Nothing about a person is shared for this kind of help")
    values: dict[str, Any] = {}
    if not details.full_name.strip():
        raise ApplicationError("Enter the person's full name", field="full_name")
    values["full_name"] = details.full_name.strip()[:200]
    if "date_of_birth" in needed:
        if details.date_of_birth is None:
            raise ApplicationError("Enter the person's date of birth", field="date_of_birth")
        if details.date_of_birth > today:
            raise ApplicationError("Date of birth must be today or in the past", field="date_of_birth")
        values["date_of_birth"] = details.date_of_birth
    if not details.needs_summary.strip():
        raise ApplicationError("Enter a summary of their needs", field="needs_summary")
    values["needs_summary"] = details.needs_summary.strip()[:MAX_TEXT]
    if "address" in needed:
        if not details.address.strip():
            raise ApplicationError("Enter the address where the help is needed", field="address")
        values["address"] = details.address.strip()[:500]
    return values


@transaction.atomic
def disclose(*, offer: AidOffer, details: PersonDetails, by: User, now: datetime | None = None) -> Disclosure:
    """Send the offering council the details the accepted help needs; refused before acceptance."""
    now = now or timezone.now()
    locked = _lock_offer(offer)
    aid_request = locked.request
    _require_outgoing(aid_request)
    if locked.direction != Direction.INCOMING or locked.status != OfferStatus.ACCEPTED:
        raise ApplicationError("Personal details can be shared only after an offer is accepted")
    if aid_request.status != RequestStatus.ACCEPTED:
        raise ApplicationError(f"This request is {aid_request.get_status_display().lower()}; nothing more is shared")
    if aid_request.kind == AidKind.BEDS and locked.disclosures.count() >= locked.quantity:
        raise ApplicationError(f"Details of {locked.quantity} people have already been shared for this offer")
    values = _checked_details(aid_request.kind, details, today=timezone.localdate(now))
    disclosure = Disclosure.objects.create(offer=locked, direction=Direction.OUTGOING, sent_by=by, **values)
    data: dict[str, Any] = {
        "disclosure_id": str(disclosure.pk),
        "offer_id": str(locked.pk),
        "request_id": str(aid_request.pk),
        **{key: value.isoformat() if isinstance(value, date) else value for key, value in values.items()},
    }
    _queue(partnership=locked.partnership, type=MessageType.DISCLOSURE, data=data, aid_request=aid_request, now=now)
    audit.record(
        actor=by,
        action="mutual_aid.details_disclosed",
        target=disclosure,
        snapshot={"to": locked.partnership.ons_code, "fields": ",".join(sorted(values))},
    )
    return disclosure


# --- what partners' messages do --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    """What became of a message: applied now, or a duplicate of one applied before."""

    message_id: UUID
    is_duplicate: bool


def _text(data: dict[str, Any], key: str, *, max_length: int = MAX_TEXT, required: bool = False) -> str:
    value = data.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ApplicationError(f"{key} must be text", field=key)
    if required and not value.strip():
        raise ApplicationError(f"{key} is required", field=key)
    if len(value) > max_length:
        raise ApplicationError(f"{key} is too long", field=key)
    return value.strip()


def _uuid(data: dict[str, Any], key: str) -> UUID:
    try:
        return UUID(str(data.get(key)))
    except ValueError as error:
        raise ApplicationError(f"{key} must be a UUID", field=key) from error


def _optional_uuid(data: dict[str, Any], key: str) -> UUID | None:
    return _uuid(data, key) if data.get(key) else None


def _date(data: dict[str, Any], key: str) -> date:
    try:
        return date.fromisoformat(str(data.get(key)))
    except ValueError as error:
        raise ApplicationError(f"{key} must be a date (YYYY-MM-DD)", field=key) from error


def _optional_date(data: dict[str, Any], key: str) -> date | None:
    return _date(data, key) if data.get(key) else None


def _int(data: dict[str, Any], key: str) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ApplicationError(f"{key} must be a whole number", field=key)
    return _check_quantity(value)


def _partner_request(partnership: Partnership, request_id: UUID, *, direction: str) -> AidRequest:
    """A request that this partner may act on: one it sent us, or one we sent it."""
    found = AidRequest.objects.select_for_update().filter(pk=request_id, direction=direction).first()
    if found is None:
        raise ApplicationError("No such request", field="request_id")
    if direction == Direction.INCOMING and found.partnership_id != partnership.pk:
        raise ApplicationError("No such request", field="request_id")
    if direction == Direction.OUTGOING and not found.recipients.filter(partnership=partnership).exists():
        raise ApplicationError("No such request", field="request_id")
    return found


def _partner_offer(partnership: Partnership, offer_id: UUID, aid_request: AidRequest, *, direction: str) -> AidOffer:
    found = (
        AidOffer.objects.select_for_update()
        .filter(pk=offer_id, request=aid_request, partnership=partnership, direction=direction)
        .first()
    )
    if found is None:
        raise ApplicationError("No such offer", field="offer_id")
    return found


def _apply_request(partnership: Partnership, data: dict[str, Any], now: datetime) -> AidRequest:
    request_id = _uuid(data, "request_id")
    if AidRequest.objects.filter(pk=request_id).exists():
        raise ApplicationError("This request is already known", field="request_id")
    kind = _text(data, "kind", max_length=30)
    if kind not in AidKind.values:
        raise ApplicationError("Unknown kind of help", field="kind")
    needed_from = _date(data, "needed_from")
    needed_until = _date(data, "needed_until")
    if needed_until < needed_from:
        raise ApplicationError("needed_until is before needed_from", field="needed_until")
    # Checked again on arrival: the partner's instance may be older, or mistaken.
    detail = _check_text(_text(data, "detail"), "detail", today=timezone.localdate(now))
    contact_email = _text(data, "contact_email", max_length=254)
    if contact_email:
        try:
            validate_email(contact_email)
        except ValidationError as error:
            raise ApplicationError("contact_email is not an email address", field="contact_email") from error
    aid_request = AidRequest.objects.create(
        id=request_id,
        direction=Direction.INCOMING,
        partnership=partnership,
        kind=kind,
        quantity=_int(data, "quantity"),
        needed_from=needed_from,
        needed_until=needed_until,
        detail=detail,
        status=RequestStatus.RECEIVED,
        contact_name=_text(data, "contact_name", max_length=200),
        contact_email=contact_email,
    )
    AidRequestStatus.objects.create(
        request=aid_request, status=RequestStatus.RECEIVED, reason="Received", by_label=partnership.name
    )
    audit.record(
        actor=None,
        action="mutual_aid.request_received",
        target=aid_request,
        snapshot={"kind": kind, "quantity": aid_request.quantity, "from": partnership.ons_code},
        actor_label=partnership.name,
    )
    _notify_leads(f"{partnership.name} asks for mutual aid: {aid_request.quantity} {aid_request.unit}", aid_request)
    return aid_request


def _apply_offer(partnership: Partnership, data: dict[str, Any], now: datetime) -> AidRequest:
    aid_request = _partner_request(partnership, _uuid(data, "request_id"), direction=Direction.OUTGOING)
    offer_id = _uuid(data, "offer_id")
    if AidOffer.objects.filter(pk=offer_id).exists():
        raise ApplicationError("This offer is already known", field="offer_id")
    if aid_request.status not in (RequestStatus.SENT, RequestStatus.OFFERED):
        raise ApplicationError(f"The request is {aid_request.get_status_display().lower()}; it takes no offers")
    quantity = _int(data, "quantity")
    detail = _check_text(_text(data, "detail"), "detail", today=timezone.localdate(now))
    offer = AidOffer.objects.create(
        id=offer_id,
        request=aid_request,
        direction=Direction.INCOMING,
        partnership=partnership,
        quantity=quantity,
        detail=detail,
    )
    _change_status(
        aid_request, RequestStatus.OFFERED, by=None, by_label=partnership.name, reason=f"Offer of {quantity}"
    )
    audit.record(
        actor=None,
        action="mutual_aid.offer_received",
        target=offer,
        snapshot={"quantity": quantity},
        actor_label=partnership.name,
    )
    _notify_leads(f"{partnership.name} offers {quantity} {aid_request.unit}", aid_request)
    return aid_request


def _apply_acceptance(partnership: Partnership, data: dict[str, Any], now: datetime) -> AidRequest:
    aid_request = _partner_request(partnership, _uuid(data, "request_id"), direction=Direction.INCOMING)
    offer = _partner_offer(partnership, _uuid(data, "offer_id"), aid_request, direction=Direction.OUTGOING)
    _decide_offer(offer, OfferStatus.ACCEPTED, reason="", now=now)
    for other in aid_request.offers.open().exclude(pk=offer.pk):
        _decide_offer(other, OfferStatus.DECLINED, reason="Another offer was accepted", now=now)
    _change_status(
        aid_request, RequestStatus.ACCEPTED, by=None, by_label=partnership.name, reason="Our offer was accepted"
    )
    audit.record(actor=None, action="mutual_aid.offer_accepted", target=offer, actor_label=partnership.name)
    _notify_leads(f"{partnership.name} accepted your offer of {offer.quantity} {aid_request.unit}", aid_request)
    return aid_request


def _apply_decline(partnership: Partnership, data: dict[str, Any], now: datetime) -> AidRequest:
    reason = _text(data, "reason")
    offer_id = _optional_uuid(data, "offer_id")
    if offer_id is None:
        # The partner cannot help with a request this council sent.
        aid_request = _partner_request(partnership, _uuid(data, "request_id"), direction=Direction.OUTGOING)
        recipient = aid_request.recipients.get(partnership=partnership)
        if recipient.declined_at is None:
            recipient.declined_at = now
            recipient.decline_reason = reason
            recipient.save(update_fields=["declined_at", "decline_reason", "updated_at"])
        audit.record(
            actor=None,
            action="mutual_aid.partner_cannot_help",
            target=aid_request,
            actor_label=partnership.name,
            snapshot={"reason": reason},
        )
        _notify_leads(f"{partnership.name} cannot help with your request", aid_request)
        return aid_request
    # The asking council turned down an offer this council made.
    aid_request = _partner_request(partnership, _uuid(data, "request_id"), direction=Direction.INCOMING)
    offer = _partner_offer(partnership, offer_id, aid_request, direction=Direction.OUTGOING)
    _decide_offer(offer, OfferStatus.DECLINED, reason=reason, now=now)
    if aid_request.status == RequestStatus.OFFERED and not aid_request.offers.open().exists():
        _change_status(aid_request, RequestStatus.DECLINED, by=None, by_label=partnership.name, reason=reason)
    audit.record(
        actor=None,
        action="mutual_aid.offer_declined",
        target=offer,
        actor_label=partnership.name,
        snapshot={"reason": reason},
    )
    _notify_leads(f"{partnership.name} declined your offer", aid_request)
    return aid_request


def _apply_withdrawal(partnership: Partnership, data: dict[str, Any], now: datetime) -> AidRequest:
    reason = _text(data, "reason")
    offer_id = _optional_uuid(data, "offer_id")
    if offer_id is None:
        # The asking council called off its request.
        aid_request = _partner_request(partnership, _uuid(data, "request_id"), direction=Direction.INCOMING)
        for offer in aid_request.offers.open():
            _decide_offer(offer, OfferStatus.WITHDRAWN, reason=reason, now=now)
        if aid_request.is_open:
            _change_status(aid_request, RequestStatus.WITHDRAWN, by=None, by_label=partnership.name, reason=reason)
        audit.record(
            actor=None,
            action="mutual_aid.request_withdrawn",
            target=aid_request,
            actor_label=partnership.name,
            snapshot={"reason": reason},
        )
        _notify_leads(f"{partnership.name} withdrew its request", aid_request)
        return aid_request
    # A partner took back an offer it made to this council.
    aid_request = _partner_request(partnership, _uuid(data, "request_id"), direction=Direction.OUTGOING)
    offer = _partner_offer(partnership, offer_id, aid_request, direction=Direction.INCOMING)
    _decide_offer(offer, OfferStatus.WITHDRAWN, reason=reason, now=now)
    if aid_request.status == RequestStatus.OFFERED and not aid_request.offers.open().exists():
        _change_status(aid_request, RequestStatus.SENT, by=None, by_label=partnership.name, reason="Offer withdrawn")
    audit.record(
        actor=None,
        action="mutual_aid.offer_withdrawn",
        target=offer,
        actor_label=partnership.name,
        snapshot={"reason": reason},
    )
    _notify_leads(f"{partnership.name} withdrew its offer", aid_request)
    return aid_request


def _apply_fulfilment(partnership: Partnership, data: dict[str, Any], now: datetime) -> AidRequest:
    aid_request = _partner_request(partnership, _uuid(data, "request_id"), direction=Direction.INCOMING)
    _change_status(aid_request, RequestStatus.FULFILLED, by=None, by_label=partnership.name, reason="Help given")
    audit.record(actor=None, action="mutual_aid.request_fulfilled", target=aid_request, actor_label=partnership.name)
    return aid_request


def _apply_disclosure(partnership: Partnership, data: dict[str, Any], now: datetime) -> AidRequest:
    aid_request = _partner_request(partnership, _uuid(data, "request_id"), direction=Direction.INCOMING)
    offer = _partner_offer(partnership, _uuid(data, "offer_id"), aid_request, direction=Direction.OUTGOING)
    if offer.status != OfferStatus.ACCEPTED or aid_request.status != RequestStatus.ACCEPTED:
        raise ApplicationError("Personal details are accepted only for an accepted offer of an open request")
    disclosure_id = _uuid(data, "disclosure_id")
    if Disclosure.objects.filter(pk=disclosure_id).exists():
        raise ApplicationError("This disclosure is already known", field="disclosure_id")
    needed = privacy.DISCLOSURE_FIELDS.get(aid_request.kind, ())
    extra = sorted(key for key in privacy.PERSONAL_KEYS if data.get(key) and key not in needed)
    if extra:
        # More than the help needs: refuse rather than store it.
        raise ApplicationError(f"Not needed for this kind of help: {', '.join(extra)}", field=extra[0])
    details = PersonDetails(
        full_name=_text(data, "full_name", max_length=200),
        date_of_birth=_optional_date(data, "date_of_birth"),
        needs_summary=_text(data, "needs_summary"),
        address=_text(data, "address", max_length=500),
    )
    values = _checked_details(aid_request.kind, details, today=timezone.localdate(now))
    disclosure = Disclosure.objects.create(id=disclosure_id, offer=offer, direction=Direction.INCOMING, **values)
    audit.record(
        actor=None,
        action="mutual_aid.details_received",
        target=disclosure,
        snapshot={"from": partnership.ons_code, "fields": ",".join(sorted(values))},
        actor_label=partnership.name,
    )
    _notify_leads(f"{partnership.name} sent the details for the help you offered", aid_request)
    return aid_request


APPLY: dict[str, Callable[[Partnership, dict[str, Any], datetime], AidRequest]] = {
    MessageType.REQUEST: _apply_request,
    MessageType.OFFER: _apply_offer,
    MessageType.ACCEPTANCE: _apply_acceptance,
    MessageType.DECLINE: _apply_decline,
    MessageType.WITHDRAWAL: _apply_withdrawal,
    MessageType.FULFILMENT: _apply_fulfilment,
    MessageType.DISCLOSURE: _apply_disclosure,
}


def _parse(partnership: Partnership, body: bytes) -> tuple[UUID, str, dict[str, Any], dict[str, Any]]:
    if len(body) > MAX_BODY_BYTES:
        raise ApplicationError("The message is too large")
    try:
        envelope = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ApplicationError("The message is not JSON") from error
    if not isinstance(envelope, dict):
        raise ApplicationError("The message must be a JSON object")
    message_id = _uuid(envelope, "id")
    message_type = envelope.get("type")
    if message_type not in APPLY:
        raise ApplicationError("Unknown message type", field="type")
    sender = envelope.get("from")
    if not isinstance(sender, dict) or sender.get("ons_code") != partnership.ons_code:
        # The key is the partner's, but the message says it is from someone else (or is reflected back).
        raise ApplicationError("The message is not from the council that signed it", field="from")
    if envelope.get("to") != settings.SAFEPATHWAYS["COUNCIL_ONS_CODE"]:
        raise ApplicationError("The message is addressed to another council", field="to")
    data = envelope.get("data")
    if not isinstance(data, dict):
        raise ApplicationError("data must be a JSON object", field="data")
    return message_id, str(message_type), data, envelope


@transaction.atomic
def _apply(partnership: Partnership, body: bytes, now: datetime) -> Received:
    message_id, message_type, data, envelope = _parse(partnership, body)
    if InboxMessage.objects.filter(partnership=partnership, message_id=message_id).exists():
        return Received(message_id=message_id, is_duplicate=True)
    aid_request = APPLY[message_type](partnership, data, now)
    try:
        with transaction.atomic():
            InboxMessage.objects.create(
                partnership=partnership,
                message_id=message_id,
                aid_request=aid_request,
                type=message_type,
                body=privacy.redact_body(envelope),
            )
    except IntegrityError:
        # The same message arrived twice at once and the other delivery won: undo this one.
        transaction.set_rollback(True)
        return Received(message_id=message_id, is_duplicate=True)
    return Received(message_id=message_id, is_duplicate=False)


def receive_message(
    *, headers: Mapping[str, str], method: str, path: str, body: bytes, now: datetime | None = None
) -> Received:
    """Check the signature and apply a partner's message once.

    Raises signing.SignatureError (nothing written) when the request is not signed by an active partner, is
    outside the time window or reuses a nonce; ApplicationError when the message does not fit (its nonce is
    kept, the rest rolled back). The nonce is remembered in its own transaction so a replay is refused even
    when the message itself was refused.
    """
    now = now or timezone.now()
    signed = signing.read_headers(headers)
    if path != MESSAGES_PATH:
        raise signing.SignatureError("Messages are accepted at one address only")
    partnership = signing.verify(signed=signed, method=method, path=path, body=body, now=now)
    signing.remember_nonce(partnership=partnership, nonce=signed.nonce, now=now)
    return _apply(partnership, body, now)


# --- partnerships ----------------------------------------------------------------------------------------------------


@transaction.atomic
def add_partnership(
    *, name: str, ons_code: str, base_url: str, key_id: str, shared_secret: str = "", by: User | None = None
) -> tuple[Partnership, str]:
    """Record an arrangement with another council; returns it and the secret (new if none was given), which is
    shown once to be shared with the partner and never again."""
    secret = shared_secret.strip() or signing.new_secret()
    if len(secret) < 32:
        raise ApplicationError("The shared secret must be at least 32 characters", field="shared_secret")
    partnership = Partnership(
        name=name.strip(), ons_code=ons_code.strip().upper(), base_url=base_url.strip(), key_id=key_id.strip()
    )
    partnership.shared_secret = secret
    try:
        partnership.full_clean(exclude=["shared_secret"])
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise ApplicationError(messages[0], field=field) from error
    partnership.save()
    audit.record(
        actor=by,
        action="mutual_aid.partnership_added",
        target=partnership,
        snapshot={"ons_code": partnership.ons_code, "key_id": partnership.key_id},
        actor_label="" if by else "system",
    )
    return partnership, secret


@transaction.atomic
def set_partnership_secret(*, partnership: Partnership, shared_secret: str, by: User | None) -> None:
    """Replace the shared secret (key rotation); both councils change it together."""
    if len(shared_secret.strip()) < 32:
        raise ApplicationError("The shared secret must be at least 32 characters", field="shared_secret")
    partnership.shared_secret = shared_secret.strip()
    partnership.save(update_fields=["shared_secret", "updated_at"])
    audit.record(
        actor=by, action="mutual_aid.partnership_secret_changed", target=partnership, actor_label="" if by else "system"
    )
