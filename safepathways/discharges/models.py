"""Hospital discharge: referrals from wards, the daily discharge board, support starting after discharge,
outcomes and readmissions, and reports of unsafe discharges with their review.

The rules come from the Hospital discharge and community support guidance (DHSC, 2022, updated 2024) and
NHS England's Discharge Ready Date (DRD) collection (domain-reference §3):

- The discharge-ready date is the day the person stopped meeting the criteria to reside. It is a fact that has
  happened, so it is never in the future, and never before admission.
- Pathways 0-3 come from Annex B of the guidance (`Pathway`); planning shares are `PLANNING_SHARES`.
- Delay reasons are rows (`DelayReason`): the six wordings confirmed from the NHS England sitrep are seeded as
  national, the legacy DTOC categories as local and editable; the full list of 37 codes is UNCONFIRMED.
- Local choices (readmission window, working hours for the out-of-hours view) live in `DischargeSettings`.

A referral's status is one of RECEIVED, ASSESSING, READY, DISCHARGED, WITHDRAWN, DIED. Services derive the move
between ASSESSING and READY from what is recorded (READY: pathway agreed, discharge-ready date known and, for
pathways 1-3, support start date set) and check every move against `ALLOWED_TRANSITIONS` (ADR-009).
"""

from datetime import date, datetime, time
from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import F, Prefetch, Q

from safepathways.core.clocks import is_working_day
from safepathways.core.models import BaseModel

# The issue asks for readmissions within 30 days to be noted; 30 days is also the window of NHS England's
# emergency readmission indicator (NHS Outcomes Framework 3b). Local setting, default 30.
DEFAULT_READMISSION_WINDOW_DAYS = 30


class DischargeSettings(models.Model):
    """Local choices for hospital discharge. One row, seeded by migration 0002."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    readmission_window_days = models.PositiveSmallIntegerField(
        default=DEFAULT_READMISSION_WINDOW_DAYS,
        help_text="A readmission this many days or fewer after discharge is counted as early (NHS OF 3b: 30)",
    )
    # The out-of-hours team covers what starts outside these hours or on a day that is not a working day.
    working_day_starts = models.TimeField(default=time(9, 0), help_text="Local practice: council office hours")
    working_day_ends = models.TimeField(default=time(17, 0))
    out_of_hours_horizon_days = models.PositiveSmallIntegerField(
        default=7, help_text="How many days ahead the out-of-hours view looks"
    )

    class Meta:
        verbose_name = "discharge settings"
        verbose_name_plural = "discharge settings"

    def __str__(self) -> str:
        return f"Readmission window {self.readmission_window_days} days"

    @classmethod
    def current(cls) -> "DischargeSettings":
        found = cls.objects.filter(pk=1).first()
        return found if found is not None else cls()

    def is_out_of_hours(self, day: date, at: time | None) -> bool:
        """A start on a weekend or bank holiday, or outside office hours on a working day."""
        if not is_working_day(day):
            return True
        return at is not None and not (self.working_day_starts <= at < self.working_day_ends)


class HospitalRoute(models.Model):
    """Which hospital social work team takes referrals from which NHS trust (without a row: the first such team)."""

    hospital = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="discharge_route", primary_key=True
    )
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.hospital} → {self.team}"


class Pathway(models.IntegerChoices):
    """Annex B of the Hospital discharge and community support guidance (domain-reference §3.2)."""

    HOME_NO_NEW_SUPPORT = 0, "Pathway 0: home, no new support"
    HOME_WITH_SUPPORT = 1, "Pathway 1: home with support"
    COMMUNITY_BED = 2, "Pathway 2: community bed for recovery"
    CARE_HOME = 3, "Pathway 3: care home"


# Planning proportions from the 2020-21 Hospital Discharge Service Policy and Operating Model (John Bolton model,
# people aged 65+; domain-reference §3.2): pathway -> (at least / at most, percentage).
PLANNING_SHARES: dict[int, tuple[str, int]] = {
    Pathway.HOME_NO_NEW_SUPPORT: ("at least", 50),
    Pathway.HOME_WITH_SUPPORT: ("at least", 45),
    Pathway.COMMUNITY_BED: ("at most", 4),
    Pathway.CARE_HOME: ("at most", 1),
}
# Where the person goes by pathway: the transition plan's "moving to" when the ward says nothing more.
PATHWAY_DESTINATIONS: dict[int, str] = {
    Pathway.HOME_NO_NEW_SUPPORT: "Home (usual place of residence)",
    Pathway.HOME_WITH_SUPPORT: "Home (usual place of residence) with support",
    Pathway.COMMUNITY_BED: "Community bed for recovery",
    Pathway.CARE_HOME: "Care home",
}
PATHWAYS_WITH_SUPPORT = (Pathway.HOME_WITH_SUPPORT, Pathway.COMMUNITY_BED, Pathway.CARE_HOME)


class DelayReason(models.Model):
    """A reason a person who is ready stays in hospital, edited by administrators; seeded by migration 0002."""

    code = models.SlugField(max_length=40, primary_key=True)
    label = models.CharField(max_length=200)
    is_national = models.BooleanField(
        default=False, help_text="Wording confirmed from NHS England's discharge sitrep (not a local category)"
    )
    is_legacy = models.BooleanField(default=False, help_text="A delayed transfer of care (DTOC) category, to 2020")
    source = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "label"]

    def __str__(self) -> str:
        return self.label


class ReferralStatusName(models.TextChoices):
    RECEIVED = "received", "Received"
    ASSESSING = "assessing", "Assessing and planning"
    READY = "ready", "Ready to go"
    DISCHARGED = "discharged", "Discharged"
    WITHDRAWN = "withdrawn", "Withdrawn"
    DIED = "died", "Died in hospital"


OPEN_STATUSES = (ReferralStatusName.RECEIVED, ReferralStatusName.ASSESSING, ReferralStatusName.READY)
_ENDINGS = {ReferralStatusName.DISCHARGED, ReferralStatusName.WITHDRAWN, ReferralStatusName.DIED}
# ADR-009: the moves a discharge referral may make, declared once; discharges.services checks every change.
# READY goes back to ASSESSING when a plan falls through (support start cleared, pathway changed).
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    ReferralStatusName.RECEIVED: frozenset({ReferralStatusName.ASSESSING, ReferralStatusName.READY, *_ENDINGS}),
    ReferralStatusName.ASSESSING: frozenset({ReferralStatusName.READY, *_ENDINGS}),
    ReferralStatusName.READY: frozenset({ReferralStatusName.ASSESSING, *_ENDINGS}),
    ReferralStatusName.DISCHARGED: frozenset(),
    ReferralStatusName.WITHDRAWN: frozenset(),
    ReferralStatusName.DIED: frozenset(),
}


class SupportKind(models.TextChoices):
    REABLEMENT = "reablement", "Reablement at home"
    HOME_CARE_RESTART = "home_care_restart", "Home care restarting"
    HOME_CARE_NEW = "home_care_new", "New home care"
    INTERMEDIATE_CARE_BED = "intermediate_care_bed", "Intermediate care bed"
    CARE_HOME = "care_home", "Care home placement"
    OTHER = "other", "Other support"


class Destination(models.TextChoices):
    USUAL_RESIDENCE = "usual_residence", "Usual place of residence"
    OTHER_HOME = "other_home", "Another private home (family or friends)"
    COMMUNITY_BED = "community_bed", "Community bed (intermediate care or rehabilitation)"
    CARE_HOME_SHORT = "care_home_short", "Care home, short term"
    CARE_HOME_LONG = "care_home_long", "Care home, long term"
    HOSPICE = "hospice", "Hospice"
    OTHER = "other", "Somewhere else"


class ReferralQuerySet(models.QuerySet["Referral"]):
    def open(self) -> Self:
        return self.filter(status__in=OPEN_STATUSES)

    def delayed(self, today: date) -> Self:
        """Open, and past the discharge-ready date: medically ready but still in hospital."""
        return self.open().filter(discharge_ready_on__lt=today)

    def for_partner(self, organisation_ids: list[object]) -> Self:
        """The referrals of the partner's own trust, and those shared with its organisation."""
        shared = Referral.shared_with.through.objects.filter(organisation_id__in=organisation_ids).values("referral_id")
        return self.filter(Q(hospital_id__in=organisation_ids) | Q(pk__in=shared))

    def support_due(self, start: date, end: date) -> Self:
        """Support planned to start between two dates (inclusive) that nobody has yet confirmed."""
        return self.filter(
            support_start_on__gte=start,
            support_start_on__lte=end,
            support_started_at__isnull=True,
        ).exclude(status__in=[ReferralStatusName.WITHDRAWN, ReferralStatusName.DIED])

    def with_history(self) -> Self:
        return self.prefetch_related(
            Prefetch("statuses", queryset=ReferralStatus.objects.select_related("created_by").order_by("created_at"))
        )


class Referral(BaseModel):
    """A ward's referral of one inpatient to the hospital social work team, from receipt to discharge and after.

    One-to-one with the work item the hospital team holds, so scoping and allocation come from work.
    """

    reference = models.CharField(max_length=12, unique=True)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="discharge_referrals")
    hospital = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="discharge_referrals",
        help_text="The NHS trust: its partners follow the referral",
    )
    ward = models.CharField(max_length=100)
    ward_contact = models.CharField("Ward contact and phone", max_length=200, blank=True)
    admitted_on = models.DateField()
    discharge_ready_on = models.DateField(
        "Discharge-ready date", null=True, blank=True, help_text="The day the person stopped meeting criteria to reside"
    )
    proposed_pathway = models.PositiveSmallIntegerField(choices=Pathway.choices)
    agreed_pathway = models.PositiveSmallIntegerField(choices=Pathway.choices, null=True, blank=True)
    planned_discharge_on = models.DateField("Planned discharge date", null=True, blank=True)
    moving_to = models.CharField("Going to", max_length=300, blank=True)
    needs = models.TextField()
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    shared_with = models.ManyToManyField("accounts.Organisation", blank=True, related_name="shared_discharges")
    work_item = models.OneToOneField("work.WorkItem", on_delete=models.PROTECT, related_name="discharge_referral")
    plan = models.OneToOneField(
        "transitions.Plan", null=True, blank=True, on_delete=models.SET_NULL, related_name="discharge_referral"
    )
    # Mirrors the newest ReferralStatus row, so the board filters on one indexed column.
    status = models.CharField(max_length=20, choices=ReferralStatusName.choices, default=ReferralStatusName.RECEIVED)
    # The daily meeting's next action: what, who (a name, and their organisation when not the council), by when.
    next_action = models.CharField(max_length=300, blank=True)
    next_action_owner_name = models.CharField("Who owns it", max_length=200, blank=True)
    next_action_owner_organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    next_action_due = models.DateField(null=True, blank=True)
    delay_reason = models.ForeignKey(DelayReason, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Support after discharge: what, who provides it, when it starts, and whether anyone confirmed it did.
    support_kind = models.CharField(max_length=30, choices=SupportKind.choices, blank=True)
    support_provider = models.CharField("Who provides it", max_length=200, blank=True)
    support_start_on = models.DateField(null=True, blank=True)
    support_start_time = models.TimeField(null=True, blank=True)
    support_started_at = models.DateTimeField(null=True, blank=True)
    support_started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    support_confirmed_with = models.CharField("Confirmed with", max_length=200, blank=True)
    support_not_started_reason = models.TextField(blank=True)
    support_not_started_at = models.DateTimeField(null=True, blank=True)
    # Outcome.
    discharged_on = models.DateField(null=True, blank=True)
    discharged_to = models.CharField(max_length=30, choices=Destination.choices, blank=True)
    discharged_to_detail = models.CharField(max_length=300, blank=True)
    discharge_support = models.TextField("Support on discharge", blank=True)
    # Pathways 1-3 discharged with no support start arranged: why (services.record_discharge requires it).
    no_support_reason = models.TextField("Why no support start was arranged", blank=True)
    # Discharged while essential arrangements of the transition plan were open (keys, medication, transport): why
    # (services.record_discharge requires it; gaps.discharged_with_essentials_open reports it until they are done).
    open_essentials_reason = models.TextField("Why the person left with essential arrangements open", blank=True)
    readmitted_on = models.DateField(null=True, blank=True)
    readmission_note = models.TextField(blank=True)
    is_early_readmission = models.BooleanField(
        default=False, help_text="Readmitted within the readmission window of the settings at the time"
    )
    closed_on = models.DateField(null=True, blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["discharge_ready_on", "admitted_on"]
        indexes = [
            # selectors.board: open referrals, longest since discharge-ready first.
            models.Index(fields=["status", "discharge_ready_on"], name="discharge_by_status_drd"),
            # selectors.visible_referrals for partners: a trust's own referrals.
            models.Index(fields=["hospital", "status"], name="discharge_by_hospital"),
            # gaps.discharged_without_support and the out-of-hours view: support due and not confirmed.
            models.Index(
                fields=["support_start_on"], condition=Q(support_started_at__isnull=True), name="discharge_support_due"
            ),
            # selectors.metrics: discharges in a period.
            models.Index(fields=["discharged_on"], name="discharge_by_date"),
        ]
        constraints = [
            # services refuse each of these first with a message naming the field.
            models.CheckConstraint(
                name="discharge_ready_after_admission",
                condition=Q(discharge_ready_on__isnull=True) | Q(discharge_ready_on__gte=F("admitted_on")),
            ),
            models.CheckConstraint(
                name="discharged_after_admission",
                condition=Q(discharged_on__isnull=True) | Q(discharged_on__gte=F("admitted_on")),
            ),
            models.CheckConstraint(
                name="readmitted_after_discharge",
                condition=Q(readmitted_on__isnull=True)
                | Q(discharged_on__isnull=False, readmitted_on__gte=F("discharged_on")),
            ),
            models.CheckConstraint(name="discharge_proposed_pathway_0_3", condition=Q(proposed_pathway__lte=3)),
            models.CheckConstraint(
                name="discharge_agreed_pathway_0_3",
                condition=Q(agreed_pathway__isnull=True) | Q(agreed_pathway__lte=3),
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("discharges:referral", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def pathway(self) -> int:
        """The agreed pathway, or the ward's proposal until one is agreed."""
        return self.agreed_pathway if self.agreed_pathway is not None else self.proposed_pathway

    def days_since_ready(self, today: date) -> int | None:
        """Days since the discharge-ready date: to discharge once discharged, else to today."""
        if self.discharge_ready_on is None:
            return None
        end = self.discharged_on or today
        return max((end - self.discharge_ready_on).days, 0)

    @property
    def support_is_due(self) -> bool:
        return self.support_start_on is not None and self.support_started_at is None

    def support_starts_out_of_hours(self, config: DischargeSettings) -> bool:
        if self.support_start_on is None:
            return False
        return config.is_out_of_hours(self.support_start_on, self.support_start_time)

    @property
    def support_start_moment(self) -> datetime | None:
        if self.support_start_on is None:
            return None
        return datetime.combine(self.support_start_on, self.support_start_time or time(0, 0))


class ReferralStatus(BaseModel):
    """One step in a referral's life: what it became, who moved it and why. Never changed once written."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="statuses")
    name = models.CharField(max_length=20, choices=ReferralStatusName.choices)
    reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = "referral statuses"

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.name}"


class ReporterRelationship(models.TextChoices):
    PROVIDER = "provider", "Care provider"
    FAMILY = "family", "Family member or carer"
    PERSON = "person", "The person themselves"
    STAFF = "staff", "Council or NHS staff"
    OTHER = "other", "Someone else"


class ReviewOutcome(models.TextChoices):
    NO_CONCERN = "no_concern", "Discharge was safe: no further action"
    LESSONS = "lessons", "Lessons fed back to the ward and the hospital team"
    PROVIDER_CONCERN = "provider_concern", "Concern raised about a provider"
    SAFEGUARDING = "safeguarding", "Safeguarding concern raised"


class UnsafeReportQuerySet(models.QuerySet["UnsafeDischargeReport"]):
    def under_review(self) -> Self:
        return self.filter(review_closed_at__isnull=True)


class UnsafeDischargeReport(BaseModel):
    """Someone (provider, family, staff) says a discharge was unsafe; reporting it opens a review by managers."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="unsafe_discharge_reports")
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.PROTECT, related_name="unsafe_reports"
    )
    reporter_name = models.CharField(max_length=200)
    reporter_relationship = models.CharField(max_length=20, choices=ReporterRelationship.choices)
    reporter_contact = models.CharField("How to contact them", max_length=200, blank=True)
    what_happened = models.TextField()
    occurred_on = models.DateField("Date of the discharge or of what happened")
    reported_at = models.DateTimeField()
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    work_item = models.OneToOneField("work.WorkItem", on_delete=models.PROTECT, related_name="unsafe_discharge_report")
    review_outcome = models.CharField(max_length=20, choices=ReviewOutcome.choices, blank=True)
    review_findings = models.TextField(blank=True)
    review_closed_at = models.DateTimeField(null=True, blank=True)
    review_closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = UnsafeReportQuerySet.as_manager()

    class Meta:
        ordering = ["-reported_at"]
        indexes = [models.Index(fields=["reported_at"], name="unsafe_report_by_date")]
        constraints = [
            # services.close_review: a closed review always has its outcome.
            models.CheckConstraint(
                name="unsafe_review_closed_has_outcome",
                condition=Q(review_closed_at__isnull=True) | ~Q(review_outcome=""),
            ),
        ]

    def __str__(self) -> str:
        return f"Unsafe discharge report for {self.person_id} on {self.reported_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("discharges:unsafe_report", args=[self.pk])

    @property
    def is_under_review(self) -> bool:
        return self.review_closed_at is None
