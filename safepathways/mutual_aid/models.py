"""Mutual aid between councils: requests for help sent to partner councils, their offers, and what crosses.

Each council runs its own Safe Pathways instance. A request, an offer and a disclosure carry the same UUID on
both instances, so each side refers to the same thing; `direction` says whether this instance sent it
(outgoing) or received it (incoming). Nothing about a person crosses until an offer is accepted; then a
`Disclosure` carries only the details the accepted help needs (mutual_aid.privacy.DISCLOSURE_FIELDS).

Every message to another instance is an `OutboxMessage`, delivered by mutual_aid.delivery.deliver_due with
back-off; every message received is an `InboxMessage`, so a message delivered twice is applied once.
`UsedNonce` keeps the nonces of signed requests for the replay window (mutual_aid.signing).

The terms of the NCL arrangement between Barnet, Camden, Enfield, Haringey and Islington are UNCONFIRMED
(domain-reference.md §6.3): the kinds of help and the partnerships are data, not code.
"""

from datetime import datetime
from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from safepathways.accounts.models import validate_ons_code
from safepathways.core.models import BaseModel, EncryptedTextField

MESSAGES_PATH = "/api/v1/mutual-aid/messages/"


class Direction(models.TextChoices):
    OUTGOING = "outgoing", "Sent by this council"
    INCOMING = "incoming", "Received from a partner"


class PartnershipQuerySet(models.QuerySet["Partnership"]):
    def active(self) -> Self:
        return self.filter(is_active=True)


class Partnership(BaseModel):
    """Another council with which this council has a mutual aid arrangement, and how its instance is reached.

    Both councils hold the same key id and shared secret for the pair; every message either way is signed with
    them (HMAC-SHA256). The secret is written once, by the admin form or `add_mutual_aid_partnership`, and never
    shown again: no page, admin screen or API renders it. It is kept encrypted (core.crypto, ADR-021).
    """

    name = models.CharField(max_length=200)
    # The partner council's GSS code, checked as the council's own is (accounts.models.validate_ons_code).
    ons_code = models.CharField(
        "ONS code", max_length=9, unique=True, validators=[validate_ons_code], help_text="For example E09000003"
    )
    base_url = models.URLField(
        "Address of its Safe Pathways", help_text="For example https://safepathways.barnet.example"
    )
    key_id = models.SlugField(
        "Key id", max_length=64, unique=True, help_text="Agreed by both councils, e.g. camden-barnet-2026"
    )
    shared_secret = EncryptedTextField(editable=False)
    is_active = models.BooleanField(default=True, help_text="Requests can be sent and received")
    contact_email = models.EmailField("Their duty contingency inbox", blank=True)

    objects = PartnershipQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def messages_url(self) -> str:
        return self.base_url.rstrip("/") + MESSAGES_PATH


class AidKind(models.TextChoices):
    BEDS = "beds", "Beds"
    HOME_CARE_HOURS = "home_care_hours", "Home-care hours"
    ASSESSORS = "assessors", "Assessors"
    OUT_OF_HOURS_COVER = "out_of_hours_cover", "Out-of-hours cover"


# What the quantity counts, for each kind of help.
AID_UNITS: dict[str, str] = {
    AidKind.BEDS: "beds",
    AidKind.HOME_CARE_HOURS: "hours a week",
    AidKind.ASSESSORS: "assessors",
    AidKind.OUT_OF_HOURS_COVER: "shifts",
}


class RequestStatus(models.TextChoices):
    SENT = "sent", "Sent"
    RECEIVED = "received", "Received"
    OFFERED = "offered", "Offered"
    ACCEPTED = "accepted", "Accepted"
    FULFILLED = "fulfilled", "Fulfilled"
    WITHDRAWN = "withdrawn", "Withdrawn"
    DECLINED = "declined", "Declined"


OPEN_REQUEST_STATUSES = (RequestStatus.SENT, RequestStatus.RECEIVED, RequestStatus.OFFERED, RequestStatus.ACCEPTED)
# ADR-009: the moves a request may make, declared once; mutual_aid.services checks every change against it.
# Outgoing requests start SENT and incoming ones RECEIVED. OFFERED goes back to SENT or RECEIVED when every open
# offer has been declined or withdrawn; DECLINED is the partner's side when it cannot help or its offers were
# not taken.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    RequestStatus.SENT: frozenset({RequestStatus.OFFERED, RequestStatus.WITHDRAWN}),
    RequestStatus.RECEIVED: frozenset({RequestStatus.OFFERED, RequestStatus.WITHDRAWN, RequestStatus.DECLINED}),
    RequestStatus.OFFERED: frozenset(
        {
            RequestStatus.SENT,
            RequestStatus.RECEIVED,
            RequestStatus.ACCEPTED,
            RequestStatus.WITHDRAWN,
            RequestStatus.DECLINED,
        }
    ),
    RequestStatus.ACCEPTED: frozenset({RequestStatus.FULFILLED, RequestStatus.WITHDRAWN}),
    RequestStatus.FULFILLED: frozenset(),
    RequestStatus.WITHDRAWN: frozenset(),
    RequestStatus.DECLINED: frozenset(),
}


class AidRequestQuerySet(models.QuerySet["AidRequest"]):
    def open(self) -> Self:
        return self.filter(status__in=OPEN_REQUEST_STATUSES)

    def outgoing(self) -> Self:
        return self.filter(direction=Direction.OUTGOING)

    def incoming(self) -> Self:
        return self.filter(direction=Direction.INCOMING)


class AidRequest(BaseModel):
    """A request for help: sent by this council to one or more partners, or received from one partner.

    The id is shared by both instances. `partnership` is the requesting council for an incoming request and
    empty for an outgoing one, whose partners are its `recipients`.
    """

    direction = models.CharField(max_length=10, choices=Direction.choices)
    partnership = models.ForeignKey(
        Partnership, null=True, blank=True, on_delete=models.PROTECT, related_name="requests_received"
    )
    kind = models.CharField(max_length=30, choices=AidKind.choices)
    quantity = models.PositiveIntegerField()
    needed_from = models.DateField()
    needed_until = models.DateField()
    detail = models.TextField(blank=True, help_text="No personal details: names, dates of birth, NHS numbers")
    status = models.CharField(max_length=12, choices=RequestStatus.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    contact_name = models.CharField("Officer to contact", max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)

    objects = AidRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                name="aid_request_ends_after_start", condition=Q(needed_until__gte=F("needed_from"))
            ),
            models.CheckConstraint(name="aid_request_quantity_positive", condition=Q(quantity__gt=0)),
            # mutual_aid.services relies on it: an incoming request always knows who asked.
            models.CheckConstraint(
                name="aid_request_incoming_has_requester",
                condition=Q(direction="outgoing") | Q(partnership__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["direction", "-created_at"], name="aid_request_by_direction"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.quantity} {self.unit}"

    @property
    def unit(self) -> str:
        return AID_UNITS.get(self.kind, "")

    @property
    def is_outgoing(self) -> bool:
        return self.direction == Direction.OUTGOING

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REQUEST_STATUSES


class Recipient(BaseModel):
    """A partner an outgoing request was sent to, and whether it said it cannot help."""

    request = models.ForeignKey(AidRequest, on_delete=models.CASCADE, related_name="recipients")
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="requests_sent")
    declined_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["partnership__name"]
        constraints = [models.UniqueConstraint(fields=["request", "partnership"], name="aid_recipient_once")]

    def __str__(self) -> str:
        return f"{self.request_id} to {self.partnership_id}"


class AidRequestStatus(BaseModel):
    """One change of a request's status, with who, when and why (ADR-009); `by_label` names a partner council
    when the change came in a message from its instance."""

    request = models.ForeignKey(AidRequest, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(max_length=12, choices=RequestStatus.choices)
    reason = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    by_label = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.request_id} → {self.status}"


class OfferStatus(models.TextChoices):
    OFFERED = "offered", "Offered"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


# ADR-009: an offer is decided once; only an open offer may be accepted, declined or withdrawn.
OFFER_TRANSITIONS: dict[str, frozenset[str]] = {
    OfferStatus.OFFERED: frozenset({OfferStatus.ACCEPTED, OfferStatus.DECLINED, OfferStatus.WITHDRAWN}),
    OfferStatus.ACCEPTED: frozenset(),
    OfferStatus.DECLINED: frozenset(),
    OfferStatus.WITHDRAWN: frozenset(),
}


class AidOfferQuerySet(models.QuerySet["AidOffer"]):
    def open(self) -> Self:
        return self.filter(status=OfferStatus.OFFERED)


class AidOffer(BaseModel):
    """An offer of help against a request; the id is shared. Outgoing: this council offered to `partnership`;
    incoming: `partnership` offered to this council."""

    request = models.ForeignKey(AidRequest, on_delete=models.CASCADE, related_name="offers")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="offers")
    quantity = models.PositiveIntegerField()
    detail = models.TextField(blank=True, help_text="No personal details")
    status = models.CharField(max_length=12, choices=OfferStatus.choices, default=OfferStatus.OFFERED)
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    objects = AidOfferQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        constraints = [models.CheckConstraint(name="aid_offer_quantity_positive", condition=Q(quantity__gt=0))]

    def __str__(self) -> str:
        return f"Offer of {self.quantity} from {self.partnership_id}"

    @property
    def is_open(self) -> bool:
        return self.status == OfferStatus.OFFERED


class Disclosure(BaseModel):
    """The personal details the accepted help needs, sent after acceptance only (mutual_aid.privacy).

    Outgoing: this council sent them to the offering council (the copy records exactly what was shared);
    incoming: received for an offer this council made.
    """

    offer = models.ForeignKey(AidOffer, on_delete=models.PROTECT, related_name="disclosures")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    full_name = models.CharField(max_length=200)
    date_of_birth = models.DateField(null=True, blank=True)
    needs_summary = models.TextField()
    address = models.TextField(blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Disclosure for offer {self.offer_id}"


class MessageType(models.TextChoices):
    REQUEST = "request", "Request"
    OFFER = "offer", "Offer"
    ACCEPTANCE = "acceptance", "Acceptance"
    DECLINE = "decline", "Decline"
    DISCLOSURE = "disclosure", "Disclosure"
    WITHDRAWAL = "withdrawal", "Withdrawal"
    FULFILMENT = "fulfilment", "Fulfilment"


class OutboxMessageQuerySet(models.QuerySet["OutboxMessage"]):
    def pending(self) -> Self:
        return self.filter(delivered_at__isnull=True, rejected_at__isnull=True)

    def failing(self) -> Self:
        return self.pending().filter(attempts__gt=0)


class OutboxMessage(BaseModel):
    """A message to a partner's instance; the id is the message id the partner uses to apply it once.

    Each attempt is signed afresh (a new timestamp and nonce); `last_signature` is the last one sent. A partner
    that is down or answers badly changes only the attempt fields here. A partner that refuses the message
    (400 or 409: it understood and said no) sets `rejected_at`, and the contingency leads are told.
    """

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="outbox")
    aid_request = models.ForeignKey(
        AidRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="outbox_messages"
    )
    type = models.CharField(max_length=12, choices=MessageType.choices)
    body = models.JSONField()
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_signature = models.CharField(max_length=64, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    rejected_at = models.DateTimeField(null=True, blank=True)

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        indexes = [
            # mutual_aid.delivery.deliver_due reads the pending messages of each partner in order.
            models.Index(
                fields=["partnership", "created_at"],
                condition=Q(delivered_at__isnull=True, rejected_at__isnull=True),
                name="outbox_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} to {self.partnership_id}"

    def is_due(self, now: datetime) -> bool:
        return self.delivered_at is None and self.rejected_at is None and self.next_attempt_at <= now


class InboxMessage(BaseModel):
    """A message applied from a partner; its id from the partner makes a second delivery a no-op."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="inbox")
    message_id = models.UUIDField()
    aid_request = models.ForeignKey(
        AidRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbox_messages"
    )
    type = models.CharField(max_length=12, choices=MessageType.choices)
    # Personal details of a disclosure are kept on the Disclosure row only (privacy.redact_body).
    body = models.JSONField()

    class Meta:
        ordering = ["created_at"]
        constraints = [
            # mutual_aid.services.receive_message relies on it to apply a message once.
            models.UniqueConstraint(fields=["partnership", "message_id"], name="inbox_message_once"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.message_id} from {self.partnership_id}"


class UsedNonce(models.Model):
    """A nonce seen on a signed request, kept while its timestamp is inside the replay window."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=64)
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            # mutual_aid.signing.remember_nonce relies on it: a nonce is accepted once per partner.
            models.UniqueConstraint(fields=["partnership", "nonce"], name="nonce_once"),
        ]

    def __str__(self) -> str:
        return self.nonce
