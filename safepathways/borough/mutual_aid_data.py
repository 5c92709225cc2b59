"""Synthetic mutual aid for the borough: the four other NCL councils as partners and a few past requests.

The partners' addresses are placeholders (https://safepathways.<borough>.example) and their secrets random, so
nothing is ever delivered; past requests are written as already settled, with no outbox messages. The NCL
arrangement's terms are UNCONFIRMED (domain-reference.md §6.3).
"""

import random
import uuid
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from safepathways.accounts.models import Role, User
from safepathways.mutual_aid import signing
from safepathways.mutual_aid.models import (
    AidKind,
    AidOffer,
    AidRequest,
    AidRequestStatus,
    Direction,
    OfferStatus,
    Partnership,
    Recipient,
    RequestStatus,
)

NCL_PARTNERS = [
    ("London Borough of Barnet", "E09000003", "barnet"),
    ("London Borough of Camden", "E09000007", "camden"),
    ("London Borough of Enfield", "E09000010", "enfield"),
    ("London Borough of Haringey", "E09000014", "haringey"),
    ("London Borough of Islington", "E09000019", "islington"),
]


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


@transaction.atomic
def generate_mutual_aid(*, rng: random.Random, today: date, log: Callable[[str], None]) -> int:
    """Add the NCL partners (not this council itself) and three settled requests; returns how many requests."""
    own_code = settings.SAFEPATHWAYS["COUNCIL_ONS_CODE"]
    own_slug = next((slug for _n, code, slug in NCL_PARTNERS if code == own_code), "camden")
    partners: list[Partnership] = []
    for name, code, slug in NCL_PARTNERS:
        if code == own_code:
            continue
        partnership = Partnership.objects.filter(ons_code=code).first()
        if partnership is None:
            partnership = Partnership(
                id=_uuid(rng),
                name=name,
                ons_code=code,
                base_url=f"https://safepathways.{slug}.example",
                key_id=f"{'-'.join(sorted([own_slug, slug]))}-demo",
                contact_email=f"contingency@{slug}.example",
            )
            partnership.shared_secret = signing.new_secret()
            partnership.save()
        partners.append(partnership)
    if not partners or AidRequest.objects.exists():
        return 0
    lead = User.objects.filter(memberships__role=Role.CONTINGENCY_LEAD, is_active=True).first()

    def status_rows(aid_request: AidRequest, rows: list[tuple[str, int, str, str]]) -> None:
        for status, days_after, reason, by_label in rows:
            row = AidRequestStatus.objects.create(
                id=_uuid(rng),
                request=aid_request,
                status=status,
                reason=reason,
                by=None if by_label else lead,
                by_label=by_label,
            )
            AidRequestStatus.objects.filter(pk=row.pk).update(
                created_at=_at(aid_request.needed_from, 9) + timedelta(days=days_after)
            )

    made = 0
    # Beds asked of two partners after a care home closure: one offered, accepted and given.
    barnet, enfield = partners[0], partners[1]
    start = today - timedelta(days=rng.randint(40, 60))
    beds = AidRequest.objects.create(
        id=_uuid(rng),
        direction=Direction.OUTGOING,
        kind=AidKind.BEDS,
        quantity=3,
        needed_from=start,
        needed_until=start + timedelta(days=28),
        detail="Nursing beds after an emergency care home closure",
        status=RequestStatus.FULFILLED,
        requested_by=lead,
        contact_name=lead.full_name if lead else "",
        contact_email=lead.email if lead else "",
    )
    for partner in (barnet, enfield):
        Recipient.objects.create(id=_uuid(rng), request=beds, partnership=partner)
    AidOffer.objects.create(
        id=_uuid(rng),
        request=beds,
        direction=Direction.INCOMING,
        partnership=barnet,
        quantity=2,
        detail="Two nursing beds in Edgware",
        status=OfferStatus.ACCEPTED,
        decided_at=_at(start, 15),
    )
    status_rows(
        beds,
        [
            (RequestStatus.SENT, 0, f"Sent to {barnet.name}, {enfield.name}", ""),
            (RequestStatus.OFFERED, 0, "Offer of 2", barnet.name),
            (RequestStatus.ACCEPTED, 0, f"Accepted the offer from {barnet.name}", ""),
            (RequestStatus.FULFILLED, 3, "Help given", ""),
        ],
    )
    made += 1
    # Out-of-hours cover asked of this council and given.
    haringey = partners[2] if len(partners) > 2 else barnet
    start = today - timedelta(days=rng.randint(10, 25))
    cover = AidRequest.objects.create(
        id=_uuid(rng),
        direction=Direction.INCOMING,
        partnership=haringey,
        kind=AidKind.OUT_OF_HOURS_COVER,
        quantity=4,
        needed_from=start,
        needed_until=start + timedelta(days=2),
        detail="Night shifts for the out-of-hours social work team during a staffing gap",
        status=RequestStatus.FULFILLED,
        contact_name="Duty contingency officer",
    )
    AidOffer.objects.create(
        id=_uuid(rng),
        request=cover,
        direction=Direction.OUTGOING,
        partnership=haringey,
        quantity=2,
        detail="Two night shifts from our out-of-hours team",
        status=OfferStatus.ACCEPTED,
        offered_by=lead,
        decided_at=_at(start, 12),
    )
    status_rows(
        cover,
        [
            (RequestStatus.RECEIVED, 0, "Received", haringey.name),
            (RequestStatus.OFFERED, 0, "Offered 2 shifts", ""),
            (RequestStatus.ACCEPTED, 0, "Our offer was accepted", haringey.name),
            (RequestStatus.FULFILLED, 3, "Help given", haringey.name),
        ],
    )
    made += 1
    # Assessors asked of this council, which could not help.
    islington = partners[-1]
    start = today - timedelta(days=rng.randint(3, 8))
    assessors = AidRequest.objects.create(
        id=_uuid(rng),
        direction=Direction.INCOMING,
        partnership=islington,
        kind=AidKind.ASSESSORS,
        quantity=2,
        needed_from=start,
        needed_until=start + timedelta(days=14),
        detail="Best interests assessors for a DoLS backlog",
        status=RequestStatus.DECLINED,
        contact_name="DoLS team manager",
    )
    status_rows(
        assessors,
        [
            (RequestStatus.RECEIVED, 0, "Received", islington.name),
            (RequestStatus.DECLINED, 1, "No assessor capacity this month", ""),
        ],
    )
    made += 1
    log(f"mutual aid: {len(partners)} partner councils, {made} past requests")
    return made
