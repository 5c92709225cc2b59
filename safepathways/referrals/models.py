"""The front door: contacts taken once, matched to a person, triaged and routed."""

from typing import Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Prefetch, Q

from safepathways.accounts.models import Role, Team, User
from safepathways.core.models import BaseModel
from safepathways.work.models import WAITING_LIST_KINDS, WorkKind


class ReferrerType(models.TextChoices):
    SELF = "self", "The person themselves"
    FAMILY_OR_CARER = "family_or_carer", "Family member or carer"
    GP = "gp", "GP"
    HOSPITAL = "hospital", "Hospital"
    POLICE = "police", "Police"
    PROVIDER = "provider", "Care provider"
    OTHER_COUNCIL = "other_council", "Another council"
    ANONYMOUS = "anonymous", "Anonymous"
    OTHER_PROFESSIONAL = "other_professional", "Other professional"


class Channel(models.TextChoices):
    PHONE = "phone", "Phone"
    EMAIL = "email", "Email"
    WEB_FORM = "web_form", "Web form"
    API = "api", "From another system (API)"
    IN_PERSON = "in_person", "In person"
    LETTER = "letter", "Letter"


class Urgency(models.TextChoices):
    URGENT = "urgent", "Urgent – needs action today"
    SOON = "soon", "Soon – within a few days"
    ROUTINE = "routine", "Routine"


URGENCY_ORDER = {Urgency.URGENT: 0, Urgency.SOON: 1, Urgency.ROUTINE: 2}


class Consent(models.TextChoices):
    """Whether the person agreed to their information being shared (UK GDPR, Care Act 2014 s42 guidance)."""

    YES = "yes", "Yes, they agree to information being shared"
    NO = "no", "No, they do not agree"
    NOT_ASKED = "not_asked", "Not asked yet"
    BEST_INTERESTS = "best_interests", "They lack capacity to decide: shared in their best interests"


class ContactStatusName(models.TextChoices):
    RECEIVED = "received", "Awaiting triage"
    TRIAGED = "triaged", "Triaged"
    CLOSED = "closed", "Closed"


# ADR-009: the moves a contact may make, declared once. referrals.services checks every change against it.
# Received -> closed is information and advice given at the first contact (or a contact withdrawn).
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    ContactStatusName.RECEIVED: frozenset({ContactStatusName.TRIAGED, ContactStatusName.CLOSED}),
    ContactStatusName.TRIAGED: frozenset({ContactStatusName.CLOSED}),
    ContactStatusName.CLOSED: frozenset(),
}


class Route(models.TextChoices):
    """Where triage sends a contact. Every route but information and advice opens work for a team."""

    INFORMATION_AND_ADVICE = "information_and_advice", "Information and advice (close the contact)"
    OT_ASSESSMENT = "ot_assessment", "Occupational therapy assessment"
    SOCIAL_WORK_ASSESSMENT = "social_work_assessment", "Social work (Care Act) assessment"
    REVIEW = "review", "Review of care and support"
    CARERS_ASSESSMENT = "carers_assessment", "Carer's assessment"
    SAFEGUARDING = "safeguarding", "Safeguarding concern"
    DOLS = "dols", "DoLS request"
    HOSPITAL_DISCHARGE = "hospital_discharge", "Hospital discharge"
    TRANSITION = "transition", "Transition to adult services"
    OUT_OF_HOURS = "out_of_hours", "Out-of-hours handover"


# The routes that join the central waiting list: triage rates their risk (likelihood, impact, flags).
WAITING_LIST_ROUTES = frozenset(
    {Route.OT_ASSESSMENT, Route.SOCIAL_WORK_ASSESSMENT, Route.REVIEW, Route.CARERS_ASSESSMENT}
)


# The routes whose work another capability picks up by its kind (safeguarding, DoLS, discharge, transitions, out of
# hours): their kind of work is fixed, or that capability would never see it.
CAPABILITY_ROUTE_KINDS = {
    Route.SAFEGUARDING: WorkKind.SAFEGUARDING,
    Route.DOLS: WorkKind.DOLS,
    Route.HOSPITAL_DISCHARGE: WorkKind.DISCHARGE,
    Route.TRANSITION: WorkKind.TRANSITION,
    Route.OUT_OF_HOURS: WorkKind.OUT_OF_HOURS,
}


class FrontDoorSettings(models.Model):
    """Local timescales and the fallback team of the front door. One row, seeded by migration 0002.

    Screening within one working day is a local standard, not statute: administrators change it here.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    screening_working_days = models.PositiveSmallIntegerField(
        default=1, help_text="Working days to triage a contact that is not urgent"
    )
    urgent_screening_working_days = models.PositiveSmallIntegerField(
        default=0, help_text="Working days to triage an urgent contact (0 means the day it arrives)"
    )
    default_team_slug = models.SlugField(
        max_length=80,
        default="front-door",
        help_text="The team that takes routed work when the route names no team and the person has no "
        "neighbourhood team",
    )

    class Meta:
        verbose_name = "front door settings"
        verbose_name_plural = "front door settings"

    def __str__(self) -> str:
        return f"Screen within {self.screening_working_days} working day(s)"


class RouteSetting(models.Model):
    """Which kind of work a triage route opens, and for which team. Seeded by migration 0002.

    A blank team slug sends the work to the person's neighbourhood team, or else to the default team.
    """

    route = models.CharField(max_length=30, choices=Route.choices, primary_key=True)
    work_kind = models.CharField(max_length=30, choices=WorkKind.choices)
    team_slug = models.SlugField(max_length=80, blank=True, help_text="Blank: the person's neighbourhood team")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["route"]

    def __str__(self) -> str:
        return self.get_route_display()

    def clean(self) -> None:
        """A waiting-list route opens a kind of work the waiting list shows; a capability's route, its own kind."""
        errors: dict[str, str] = {}
        fixed = CAPABILITY_ROUTE_KINDS.get(Route(self.route)) if self.route in Route.values else None
        if fixed is not None and self.work_kind != fixed:
            errors["work_kind"] = (
                f"The {self.get_route_display().lower()} route opens {fixed.label.lower()} work, which that part of "
                "the service picks up: it cannot open another kind"
            )
        elif self.route in WAITING_LIST_ROUTES and self.work_kind not in WAITING_LIST_KINDS:
            kinds = ", ".join(kind.label.lower() for kind in WAITING_LIST_KINDS)
            errors["work_kind"] = (
                f"The {self.get_route_display().lower()} route puts work on the central waiting list: choose a kind "
                f"the list shows ({kinds})"
            )
        if self.team_slug and not Team.objects.filter(slug=self.team_slug).exists():
            errors["team_slug"] = f"No team has the slug “{self.team_slug}”: leave it blank for the neighbourhood team"
        if errors:
            raise ValidationError(errors)


def partner_organisation_ids(user: User) -> list[object]:
    """Organisations, other than this council, in which the user works as a partner."""
    ids = {
        m.team.organisation_id
        for m in user.memberships_cached
        if m.role == Role.PARTNER and not m.team.organisation.is_this_council
    }
    return sorted(ids, key=str)


class ContactQuerySet(models.QuerySet["Contact"]):
    def awaiting_triage(self) -> Self:
        return self.filter(status=ContactStatusName.RECEIVED)

    def made_by(self, organisation_ids: list[object]) -> Self:
        return self.filter(organisation_id__in=organisation_ids)

    def visible_to(self, user: User) -> Self:
        """Council staff see every contact; a partner sees only those its own organisation made."""
        if not user.is_authenticated:
            return self.none()
        if user.is_council_staff:
            return self.all()
        return self.made_by(partner_organisation_ids(user))

    def with_history(self) -> Self:
        """Status rows (oldest first) and the work each route opened, for timelines and the API."""
        return self.prefetch_related(
            Prefetch("statuses", queryset=ContactStatus.objects.select_related("created_by").order_by("created_at")),
            Prefetch("routes", queryset=ContactRoute.objects.select_related("work_item__team").order_by("created_at")),
        )

    def with_revisions(self) -> Self:
        """The corrections made since the contact was taken (oldest first), with who made them."""
        return self.prefetch_related(
            Prefetch("revisions", queryset=ContactRevision.objects.select_related("created_by").order_by("created_at"))
        )


class Contact(BaseModel):
    """A contact with the front door, taken once: who got in touch, why, what the person wants, and about whom.

    A contact that does not yet identify anyone is kept with `person` empty (unidentified), never lost.
    """

    reference = models.CharField(max_length=12, unique=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="front_door_contacts",
        help_text="The organisation that made the contact: partners see only their own",
    )
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Who got in touch, and how.
    referrer_type = models.CharField(max_length=30, choices=ReferrerType.choices)
    referrer_name = models.CharField(max_length=200, blank=True)
    referrer_organisation = models.CharField(max_length=200, blank=True)
    referrer_phone = models.CharField(max_length=40, blank=True)
    channel = models.CharField("How they got in touch", max_length=20, choices=Channel.choices)
    received_at = models.DateTimeField()
    # Why, and what the person wants.
    reason = models.TextField("Why they got in touch")
    urgency = models.CharField(max_length=10, choices=Urgency.choices)
    persons_wishes = models.TextField("What the person wants, in their own words", blank=True)
    consent = models.CharField("Consent to share", max_length=20, choices=Consent.choices)
    has_immediate_risk = models.BooleanField(default=False)
    immediate_risk_details = models.TextField(blank=True)
    # The identity the referrer gave, kept as given; matching reads it.
    given_name = models.CharField("First name", max_length=100, blank=True)
    family_name = models.CharField("Last name", max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    nhs_number = models.CharField("NHS number", max_length=10, blank=True)
    address_line = models.CharField(max_length=200, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="front_door_contacts"
    )
    # The screening clock: the working day by which triage is due (set when the contact is taken).
    screening_due_on = models.DateField()
    # Mirrors the newest ContactStatus row, so the awaiting-triage list is one indexed filter.
    status = models.CharField(max_length=10, choices=ContactStatusName.choices, default=ContactStatusName.RECEIVED)
    # The triage decision.
    route = models.CharField(max_length=30, choices=Route.choices, blank=True)
    triage_reason = models.TextField(blank=True)
    advice_given = models.TextField("Information and advice given", blank=True)
    triaged_at = models.DateTimeField(null=True, blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        verbose_name = "front-door contact"
        indexes = [
            # selectors.awaiting_triage: contacts waiting, oldest due first.
            models.Index(
                fields=["screening_due_on", "received_at"],
                condition=Q(status="received"),
                name="contact_awaiting_triage",
            ),
            # selectors.partner_contacts and the API list: a partner's own contacts, newest first.
            models.Index(fields=["organisation", "-received_at"], name="contact_by_organisation"),
        ]
        constraints = [
            # services.take_contact asks for the details whenever there is an immediate risk.
            models.CheckConstraint(
                name="immediate_risk_has_details",
                condition=Q(has_immediate_risk=False) | ~Q(immediate_risk_details=""),
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("referrals:detail", args=[self.pk])

    @property
    def is_identified(self) -> bool:
        return self.person_id is not None

    @property
    def identity_name(self) -> str:
        return " ".join(part for part in (self.given_name, self.family_name) if part)


class ContactStatus(BaseModel):
    """One step in a contact's life: what it became, who moved it and why. Never changed once written."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="statuses")
    name = models.CharField(max_length=10, choices=ContactStatusName.choices)
    reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = "contact statuses"

    def __str__(self) -> str:
        return f"{self.contact_id}: {self.name}"


class ContactRoute(BaseModel):
    """The work a triage decision opened for a team, linked back to the contact it came from."""

    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="routes")
    route = models.CharField(max_length=30, choices=Route.choices)
    work_item = models.OneToOneField("work.WorkItem", on_delete=models.PROTECT, related_name="front_door_route")

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.contact_id} → {self.route}"


class ContactRevision(BaseModel):
    """A correction to a contact after it was saved: each changed detail as it was and as it became, who and why.

    `changes` maps a Contact field name to {"from": ..., "to": ...} (dates and times as ISO strings), so the
    previous values are kept even though the contact row holds only the corrected ones. Never changed once written.
    """

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="revisions")
    changes = models.JSONField()
    reason = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.contact_id}: {', '.join(self.changes)}"


class NotDuplicateQuerySet(models.QuerySet["NotDuplicate"]):
    def active(self) -> Self:
        return self.filter(undone_at__isnull=True)


class NotDuplicate(BaseModel):
    """Two records that someone checked and found to be different people, so they are not suggested as duplicates.

    The pair is stored once whichever way round it was given: `first` is the record with the lower id
    (services.dismiss_duplicate orders them). Undoing keeps the row, with who undid it and when.

    The foreign keys have no reverse accessor ("+"), so people.merge.person_links() does not see them and a
    merge leaves the decision about the two records as they were: a merged record is never suggested anyway,
    and undoing the merge brings the decision back with the record.
    """

    first = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    second = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = NotDuplicateQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "not-a-duplicate decision"
        constraints = [
            # services.dismiss_duplicate stores the pair in one order, so (a, b) and (b, a) are one pair.
            models.CheckConstraint(name="not_duplicate_pair_in_order", condition=Q(first__lt=F("second"))),
            # matching.find_duplicate_pairs skips active pairs; one active decision per pair.
            models.UniqueConstraint(
                fields=["first", "second"], condition=Q(undone_at__isnull=True), name="one_active_not_duplicate"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_id} is not {self.second_id}"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None
