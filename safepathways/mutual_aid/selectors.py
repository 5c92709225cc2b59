"""Screen-shaped reads of mutual aid requests: the list in and out, one request with its trail, the partners.

Mutual aid is council business, not case work: every contingency lead and director of this council sees every
request (the permission is the scope), and nobody else reaches these selectors.
"""

from uuid import UUID

from django.db.models import Count, Min, Prefetch, Q, QuerySet
from django.http import Http404

from safepathways.mutual_aid.models import (
    OPEN_REQUEST_STATUSES,
    AidOffer,
    AidRequest,
    AidRequestStatus,
    Direction,
    OfferStatus,
    Partnership,
    Recipient,
)


def requests(*, direction: str = "", show_closed: bool = False) -> QuerySet[AidRequest]:
    """Requests for the list and the API: who asked or was asked, and how many offers are open."""
    found = AidRequest.objects.select_related("partnership").prefetch_related(
        Prefetch("recipients", queryset=Recipient.objects.select_related("partnership"))
    )
    if direction in Direction.values:
        found = found.filter(direction=direction)
    if not show_closed:
        found = found.filter(status__in=OPEN_REQUEST_STATUSES)
    return found.annotate(open_offers=Count("offers", filter=Q(offers__status=OfferStatus.OFFERED))).order_by(
        "-created_at"
    )


def request_detail(pk: UUID) -> AidRequest:
    """One request with its status rows, recipients, offers and their disclosures, and its messages; 404 if none."""
    found = (
        AidRequest.objects.select_related("partnership", "requested_by")
        .prefetch_related(
            Prefetch("status_changes", queryset=AidRequestStatus.objects.select_related("by")),
            Prefetch("recipients", queryset=Recipient.objects.select_related("partnership")),
            Prefetch(
                "offers",
                queryset=AidOffer.objects.select_related("partnership", "offered_by").prefetch_related(
                    "disclosures__sent_by"
                ),
            ),
            "outbox_messages__partnership",
            "inbox_messages__partnership",
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def offer(pk: UUID) -> AidOffer:
    found = AidOffer.objects.select_related("request", "partnership").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def aid_request(pk: UUID) -> AidRequest:
    found = AidRequest.objects.select_related("partnership").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def active_partnerships() -> QuerySet[Partnership]:
    return Partnership.objects.active().order_by("name")


def partnerships() -> QuerySet[Partnership]:
    """Every partner, with how many messages to it wait and how many of those have failed."""
    pending = Q(outbox__delivered_at__isnull=True, outbox__rejected_at__isnull=True)
    return Partnership.objects.annotate(
        waiting=Count("outbox", filter=pending),
        failing=Count("outbox", filter=pending & Q(outbox__attempts__gt=0)),
        refused=Count("outbox", filter=Q(outbox__rejected_at__isnull=False)),
        oldest_waiting=Min("outbox__created_at", filter=pending),
    ).order_by("name")
