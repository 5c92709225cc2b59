"""Safeguarding adults (Care Act 2014 s42): concerns, the decision on the duty to enquire, and enquiries.

Code lists follow domain-reference.md §2 and §11. Strings the reference marks UNCONFIRMED are
commented where they are declared; they are the labels of stored codes, so correcting a label
needs no data migration.
"""

from datetime import datetime
from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Prefetch, Q
from django.utils import timezone

from safepathways.accounts.models import Role, TeamKind, User
from safepathways.accounts.roles import PRACTITIONER_ROLES
from safepathways.core.models import BaseModel


class AbuseType(models.TextChoices):
    """Types of abuse and neglect: Care and Support Statutory Guidance para 14.17 (10), plus the SAC's 11th.

    Whether the SAC template reports Sexual Exploitation as its own row is UNCONFIRMED (§2.1, §12.3);
    the SG2 export keeps it as a separate row so it can be merged into Sexual if it is not.
    """

    PHYSICAL = "physical", "Physical"
    SEXUAL = "sexual", "Sexual"
    PSYCHOLOGICAL = "psychological", "Psychological"
    FINANCIAL = "financial", "Financial or Material"
    DISCRIMINATORY = "discriminatory", "Discriminatory"
    ORGANISATIONAL = "organisational", "Organisational"
    NEGLECT = "neglect", "Neglect and Acts of Omission"
    DOMESTIC = "domestic", "Domestic Abuse"
    SEXUAL_EXPLOITATION = "sexual_exploitation", "Sexual Exploitation"
    MODERN_SLAVERY = "modern_slavery", "Modern Slavery"
    SELF_NEGLECT = "self_neglect", "Self-Neglect"


class SourceOfRisk(models.TextChoices):
    """SAC SG2 source of risk. Service provider: anyone paid, contracted or commissioned to give social care."""

    SERVICE_PROVIDER = "service_provider", "Service Provider"
    KNOWN = "known", "Other – Known to Individual"
    UNKNOWN = "unknown", "Other – Unknown to Individual"


class LocationOfRisk(models.TextChoices):
    """SAC SG2 location of risk. The exact published strings are UNCONFIRMED (domain-reference.md §2.2)."""

    OWN_HOME = "own_home", "Own Home"
    COMMUNITY = "community", "In the community (excluding community services)"
    COMMUNITY_SERVICE = "community_service", "In a community service"
    CARE_HOME_NURSING = "care_home_nursing", "Care Home – Nursing"
    CARE_HOME_RESIDENTIAL = "care_home_residential", "Care Home – Residential"
    HOSPITAL_ACUTE = "hospital_acute", "Hospital – Acute"
    HOSPITAL_MENTAL_HEALTH = "hospital_mental_health", "Hospital – Mental Health"
    HOSPITAL_COMMUNITY = "hospital_community", "Hospital – Community"
    OTHER = "other", "Other"


class PrimarySupportReason(models.TextChoices):
    """CLD Primary_Support_Reason (domain-reference.md §5.3), needed by SG1.

    Kept on the concern until Person carries a primary support reason; then SG1 should read the person's.
    """

    ACCESS_MOBILITY = "Physical Support: Access & mobility only"
    PERSONAL_CARE = "Physical Support: Personal care support"
    VISUAL = "Sensory Support: Support for visual impairment"
    HEARING = "Sensory Support: Support for hearing impairment"
    DUAL_SENSORY = "Sensory Support: Support for dual impairment"
    MEMORY_COGNITION = "Support with Memory & Cognition"
    LEARNING_DISABILITY = "Learning Disability Support"
    MENTAL_HEALTH = "Mental Health Support"
    SUBSTANCE_MISUSE = "Social Support: Substance misuse support"
    ASYLUM_SEEKER = "Social Support: Asylum seeker support"
    SOCIAL_ISOLATION = "Social Support: Support for Social Isolation/Other"
    SUPPORT_TO_CARER = "Social Support: Support to Carer"
    NOT_KNOWN = "Not known"


class ConcernSource(models.TextChoices):
    FRONT_DOOR = "front_door", "Front door"
    STAFF = "staff", "Council staff"
    PARTNER = "partner", "Partner organisation"


class Decision(models.TextChoices):
    """The decision on a concern (SafeguardingCaseType, §11): which enquiry, or none."""

    SECTION_42 = "section_42", "Section 42 enquiry"
    OTHER_ENQUIRY = "other_enquiry", "Other safeguarding enquiry"
    NO_FURTHER_ACTION = "no_further_action", "No enquiry: no further safeguarding action"


ENQUIRY_DECISIONS = frozenset({Decision.SECTION_42, Decision.OTHER_ENQUIRY})


class ConcernStatusName(models.TextChoices):
    RECEIVED = "received", "Awaiting decision"
    DECIDED = "decided", "Decided"
    ENQUIRY_OPEN = "enquiry_open", "Enquiry open"
    ENQUIRY_CONCLUDED = "enquiry_concluded", "Enquiry concluded"
    CLOSED = "closed", "Closed"


# ADR-009: the moves a concern may make, declared once; safeguarding.services checks every change against it.
# Decided -> closed is "no further action"; an enquiry decision goes on to an open enquiry.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    ConcernStatusName.RECEIVED: frozenset({ConcernStatusName.DECIDED}),
    ConcernStatusName.DECIDED: frozenset({ConcernStatusName.ENQUIRY_OPEN, ConcernStatusName.CLOSED}),
    ConcernStatusName.ENQUIRY_OPEN: frozenset({ConcernStatusName.ENQUIRY_CONCLUDED}),
    ConcernStatusName.ENQUIRY_CONCLUDED: frozenset({ConcernStatusName.CLOSED}),
    ConcernStatusName.CLOSED: frozenset(),
}


class RiskFinding(models.TextChoices):
    """SAC SG3 risk assessment outcome, without the action part. Strings UNCONFIRMED (§2.2)."""

    IDENTIFIED = "identified", "Risk identified"
    INCONCLUSIVE = "inconclusive", "Risk – assessment inconclusive"
    NONE = "none", "No risk identified"
    CEASED = "ceased", "Enquiry ceased at individual's request"


class RiskResult(models.TextChoices):
    """Where action was taken: what happened to the risk. Definitions confirmed on the ASC glossary (§2.2)."""

    REMOVED = "removed", "Risk removed"
    REDUCED = "reduced", "Risk reduced"
    REMAINED = "remained", "Risk remained"


class MSPAsked(models.TextChoices):
    """Making Safeguarding Personal: were desired outcomes asked about? Strings UNCONFIRMED (§11)."""

    EXPRESSED = "expressed", "Yes – outcomes expressed"
    NONE_EXPRESSED = "none_expressed", "Yes – none expressed"
    NO = "no", "No"
    DONT_KNOW = "dont_know", "Don't know"
    NOT_RECORDED = "not_recorded", "Not recorded"


class MSPAchieved(models.TextChoices):
    """Making Safeguarding Personal: were the expressed outcomes achieved? Strings UNCONFIRMED (§11)."""

    FULLY = "fully", "Fully achieved"
    PARTIALLY = "partially", "Partially achieved"
    NOT_ACHIEVED = "not_achieved", "Not achieved"


class SafeguardingSettings(models.Model):
    """Local timescales and the team that takes concerns. One row, seeded by migration 0002.

    The Care Act sets no timescale for the s42 decision (domain-reference.md §2.1: London moved to
    "desired targets"); 2 working days is the local default, edited by administrators.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    decision_working_days = models.PositiveSmallIntegerField(
        default=2, help_text="Working days from receipt to decide whether the s42 duty applies"
    )
    alert_review_days = models.PositiveSmallIntegerField(
        default=28, help_text="Days after an enquiry opens to review the alert on the person's record"
    )
    team_slug = models.SlugField(
        max_length=80, default="safeguarding", help_text="The council team that takes safeguarding concerns"
    )

    class Meta:
        verbose_name = "safeguarding settings"
        verbose_name_plural = "safeguarding settings"

    def __str__(self) -> str:
        return f"Decide within {self.decision_working_days} working day(s)"


def is_safeguarding_practitioner(user: User) -> bool:
    """The safeguarding lead, or a practitioner in a safeguarding team: they decide and run enquiries."""
    if not user.is_authenticated or not user.is_council_staff:
        return False
    return any(
        m.team.organisation.is_this_council
        and (
            m.role == Role.SAFEGUARDING_LEAD or (m.team.kind == TeamKind.SAFEGUARDING and m.role in PRACTITIONER_ROLES)
        )
        for m in user.memberships_cached
    )


def partner_organisation_ids(user: User) -> list[object]:
    ids = {m.team.organisation_id for m in user.memberships_cached if not m.team.organisation.is_this_council}
    return sorted(ids, key=str)


class ConcernQuerySet(models.QuerySet["Concern"]):
    def awaiting_decision(self) -> Self:
        return self.filter(status=ConcernStatusName.RECEIVED)

    def decision_overdue(self, today: datetime | None = None) -> Self:
        day = timezone.localdate(today) if today else timezone.localdate()
        return self.awaiting_decision().filter(decision_due_on__lt=day)

    def shared_with(self, organisation_ids: list[object], now: datetime | None = None) -> Self:
        now = now or timezone.now()
        return self.filter(
            Q(shares__organisation_id__in=organisation_ids, shares__revoked_at__isnull=True)
            & (Q(shares__expires_at__isnull=True) | Q(shares__expires_at__gt=now))
        )

    def visible_to(self, user: User) -> Self:
        """Sensitivity (issue 4): the safeguarding team, the enquiry officer and named partners see the detail.

        Partners also see the concerns their organisation raised (their status). Everyone else sees nothing
        here: the person's record shows only that a concern exists (selectors.person_concerns).
        """
        if not user.is_authenticated:
            return self.none()
        if is_safeguarding_practitioner(user):
            return self.all()
        if user.is_council_staff:
            return self.filter(enquiry__officer=user)
        organisation_ids = partner_organisation_ids(user)
        if not organisation_ids:
            return self.none()
        shared = self.shared_with(organisation_ids).values("pk")
        return self.filter(Q(organisation_id__in=organisation_ids) | Q(pk__in=shared))

    def with_history(self) -> Self:
        return self.prefetch_related(
            Prefetch("statuses", queryset=ConcernStatus.objects.select_related("created_by").order_by("created_at"))
        )


class Concern(BaseModel):
    """A safeguarding concern about an adult: what happened, where, who is the risk, and the s42 decision.

    One-to-one with the work item the safeguarding team owns for it, so the team's scope and the
    waiting, allocation and breach machinery apply (ADR-011).
    """

    reference = models.CharField(max_length=12, unique=True)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="safeguarding_concerns")
    work_item = models.OneToOneField("work.WorkItem", on_delete=models.PROTECT, related_name="safeguarding_concern")
    source = models.CharField(max_length=20, choices=ConcernSource.choices)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="safeguarding_concerns_raised",
        help_text="The organisation that raised it: its partners may follow its status",
    )
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_by_description = models.CharField(
        "Who raised it", max_length=200, blank=True, help_text="For example: daughter, district nurse, anonymous"
    )
    received_at = models.DateTimeField()
    decision_due_on = models.DateField()
    summary = models.TextField("What happened")
    abuse_types = models.JSONField(default=list, help_text="AbuseType codes; one or more")
    location_of_risk = models.CharField(max_length=30, choices=LocationOfRisk.choices)
    source_of_risk = models.CharField(max_length=20, choices=SourceOfRisk.choices)
    provider = models.ForeignKey(
        "providers.Provider", null=True, blank=True, on_delete=models.PROTECT, related_name="safeguarding_concerns"
    )
    provider_location = models.ForeignKey(
        "providers.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="safeguarding_concerns"
    )
    immediate_actions = models.TextField("Immediate safety actions taken", blank=True)
    primary_support_reason = models.CharField(
        max_length=60, choices=PrimarySupportReason.choices, blank=True, help_text="For the SAC SG1 table"
    )
    # Mirrors the newest ConcernStatus row, so the dashboard lists are one indexed filter.
    status = models.CharField(max_length=20, choices=ConcernStatusName.choices, default=ConcernStatusName.RECEIVED)
    # The decision on the s42(1) duty: the three tests, each with its reason, then the decision.
    has_care_and_support_needs = models.BooleanField(null=True, blank=True)
    care_and_support_needs_reason = models.TextField(blank=True)
    is_experiencing_or_at_risk = models.BooleanField(null=True, blank=True)
    experiencing_or_at_risk_reason = models.TextField(blank=True)
    is_unable_to_protect_self = models.BooleanField(null=True, blank=True)
    unable_to_protect_self_reason = models.TextField(blank=True)
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ConcernQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            # selectors.awaiting_decision and the breach tile: concerns waiting, oldest due first.
            models.Index(
                fields=["decision_due_on", "received_at"], condition=Q(status="received"), name="concern_awaiting"
            ),
            # ConcernQuerySet.visible_to and the API list: a partner organisation's own concerns.
            models.Index(fields=["organisation", "-received_at"], name="concern_by_organisation"),
        ]
        constraints = [
            # services.raise_concern asks for the provider whenever the source of risk is a service provider.
            models.CheckConstraint(
                name="provider_source_names_provider",
                condition=~Q(source_of_risk="service_provider") | Q(provider__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("safeguarding:concern", args=[self.pk])

    @property
    def abuse_type_labels(self) -> list[str]:
        return [AbuseType(code).label for code in self.abuse_types if code in AbuseType.values]

    @property
    def is_enquiry(self) -> bool:
        return self.decision in ENQUIRY_DECISIONS


class ConcernStatus(BaseModel):
    """One step in a concern's life: what it became, who moved it and why. Never changed once written."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="statuses")
    name = models.CharField(max_length=20, choices=ConcernStatusName.choices)
    reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = "concern statuses"

    def __str__(self) -> str:
        return f"{self.concern_id}: {self.name}"


class ConcernShare(BaseModel):
    """A named partner organisation allowed to see a concern's detail (e.g. the police on a joint enquiry).

    Revoking keeps the row, with who revoked it, when and why: the safeguarding team reads the history of shares.
    """

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="shares")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=300)
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Set together by services.revoke_concern_share (revoked_by is empty only for a revocation by a system job).
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoke_reason = models.TextField("Why the share was revoked", blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.concern_id} shared with {self.organisation_id}"

    def is_current(self, now: datetime) -> bool:
        """Still giving the organisation sight of the concern: not revoked and not past its end."""
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class EnquiryQuerySet(models.QuerySet["Enquiry"]):
    def open(self) -> Self:
        return self.filter(concluded_on__isnull=True)


class Enquiry(BaseModel):
    """A s42 or other safeguarding enquiry: officer, Making Safeguarding Personal, capacity, outcome."""

    concern = models.OneToOneField(Concern, on_delete=models.PROTECT, related_name="enquiry")
    kind = models.CharField(max_length=20, choices=[(d.value, d.label) for d in Decision if d in ENQUIRY_DECISIONS])
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="safeguarding_enquiries"
    )
    started_on = models.DateField()
    # The "safeguarding enquiry open" alert raised on the person's record, ended when the concern closes.
    alert = models.OneToOneField(
        "people.Alert", null=True, blank=True, on_delete=models.PROTECT, related_name="safeguarding_enquiry"
    )
    # Making Safeguarding Personal.
    msp_asked = models.CharField(
        "Were desired outcomes asked about?", max_length=20, choices=MSPAsked.choices, blank=True
    )
    desired_outcomes = models.TextField("Desired outcomes, in the person's words", blank=True)
    msp_achieved = models.CharField(max_length=20, choices=MSPAchieved.choices, blank=True)
    # Mental capacity and advocacy (SAC SG3a; Care Act s68 independent advocate).
    lacks_capacity = models.BooleanField("Lacks capacity for decisions about the enquiry", null=True, blank=True)
    needs_advocate = models.BooleanField("Needs an independent advocate", null=True, blank=True)
    advocate_appointed = models.BooleanField(null=True, blank=True)
    advocate_name = models.CharField(max_length=200, blank=True)
    supported_by = models.CharField(
        max_length=200, blank=True, help_text="Advocate, family member or friend who supported them"
    )
    # Outcome.
    risk_finding = models.CharField(max_length=20, choices=RiskFinding.choices, blank=True)
    action_taken = models.BooleanField(null=True, blank=True)
    risk_result = models.CharField(max_length=20, choices=RiskResult.choices, blank=True)
    outcome_summary = models.TextField(blank=True)
    concluded_on = models.DateField(null=True, blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = EnquiryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "enquiries"
        constraints = [
            # services.conclude_enquiry refuses a conclusion dated before the enquiry started.
            models.CheckConstraint(
                name="enquiry_concluded_after_start",
                condition=Q(concluded_on__isnull=True) | Q(concluded_on__gte=models.F("started_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"Enquiry for {self.concern_id}"


class StrategyDiscussion(BaseModel):
    """A strategy discussion or meeting: when, who (people and agencies) and what was decided."""

    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="strategy_discussions")
    held_on = models.DateField()
    attendees = models.TextField(help_text="People and agencies who took part")
    decisions = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["held_on", "created_at"]

    def __str__(self) -> str:
        return f"Strategy discussion on {self.held_on}"


class EnquiryActionQuerySet(models.QuerySet["EnquiryAction"]):
    def completable_by(self, user: User) -> Self:
        """The actions `user` may mark complete: any (the safeguarding team), their enquiries' (the enquiry
        officer), or their organisation's on a concern they may see (a partner named as the action's owner)."""
        if not user.is_authenticated:
            return self.none()
        if is_safeguarding_practitioner(user):
            return self.all()
        if user.is_council_staff:
            return self.filter(enquiry__officer=user)
        organisation_ids = partner_organisation_ids(user)
        if not organisation_ids:
            return self.none()
        visible = Concern.objects.visible_to(user).values("pk")
        return self.filter(organisation_id__in=organisation_ids, enquiry__concern__in=visible)


class EnquiryAction(BaseModel):
    """An action in the enquiry plan, with its owner; s42(2) lets the council cause another agency to enquire.

    An action owned by a partner organisation can be marked complete by that organisation's partners, with its result.
    """

    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner_name = models.CharField(max_length=200, help_text="Who does it")
    agency = models.CharField(max_length=200, blank=True, help_text="Blank for the council")
    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The partner organisation that owns the action (blank for the council): its partners may complete it",
    )
    is_caused_enquiry = models.BooleanField(
        default=False, help_text="Another agency caused to make enquiries (Care Act 2014 s42(2))"
    )
    due_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    result = models.TextField("What was done and found", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = EnquiryActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "created_at"]

    def __str__(self) -> str:
        return self.description[:60]
