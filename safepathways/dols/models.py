"""Deprivation of liberty: DoLS requests and their assessments and authorisations (MCA 2005 Sch A1),
best interests assessors, and community cases at the Court of Protection (Re X, COPDOL11).

Every due date is derived by dols.clocks from a date someone recorded; none is typed.
"""

from datetime import date
from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import F, Prefetch, Q

from safepathways.core.models import BaseModel
from safepathways.dols import clocks


class DolsSettings(models.Model):
    """Local choices for DoLS and the data return. One row, seeded by migration 0002."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    # The 3-digit CASSR code of the data return. UNCONFIRMED for this council (domain-reference §12.6):
    # "000" is a placeholder, and the return refuses to export until an administrator sets it.
    la_code = models.CharField("LA (CASSR) code", max_length=3, default="000")
    renewal_window_days = models.PositiveSmallIntegerField(
        default=clocks.DEFAULT_RENEWAL_WINDOW_DAYS, help_text="Days before expiry a further request may be made"
    )
    conditions_review_days = models.PositiveSmallIntegerField(
        default=28, help_text="Days after an authorisation starts to check its conditions are met (local practice)"
    )
    court_reminder_days = models.PositiveSmallIntegerField(
        default=56, help_text="Days before a Court of Protection review is due to send a reminder"
    )
    team_slug = models.SlugField(max_length=80, default="dols", help_text="The DoLS team's slug")

    class Meta:
        verbose_name = "DoLS settings"
        verbose_name_plural = "DoLS settings"

    def __str__(self) -> str:
        return f"LA code {self.la_code}"

    @property
    def has_placeholder_la_code(self) -> bool:
        return self.la_code == "000"


class PriorityLevel(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


PRIORITY_RANK = {PriorityLevel.HIGH: 0, PriorityLevel.MEDIUM: 1, PriorityLevel.LOW: 2}
# The tracker's order of waiting requests: high, then medium or not yet screened, then low. The index
# dols_request_waiting_order is built on this very expression.
WAITING_PRIORITY_RANK = models.Case(
    models.When(priority=PriorityLevel.HIGH, then=models.Value(0)),
    models.When(priority=PriorityLevel.LOW, then=models.Value(2)),
    default=models.Value(1),
    output_field=models.IntegerField(),
)


class ScreeningCriterion(models.Model):
    """One item of the screening checklist, in the style of the ADASS priority tool, edited by administrators.

    The highest level ticked sets the priority; weights order requests within a level.
    """

    code = models.SlugField(max_length=40, primary_key=True)
    label = models.CharField(max_length=200)
    level = models.CharField(max_length=10, choices=PriorityLevel.choices)
    weight = models.PositiveSmallIntegerField(default=1)
    is_active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "label"]
        verbose_name_plural = "screening criteria"

    def __str__(self) -> str:
        return self.label


class RequestType(models.TextChoices):
    STANDARD = "standard", "Standard authorisation"
    URGENT = "urgent", "Urgent authorisation with a standard request"
    FURTHER = "further", "Further request (renewal)"
    REVIEW = "review", "Review (Part 8)"
    UNAUTHORISED = "unauthorised", "Request to decide whether there is an unauthorised deprivation of liberty"


class RequestStatusName(models.TextChoices):
    RECEIVED = "received", "Received"
    SCREENED = "screened", "Screened"
    ALLOCATED = "allocated", "Allocated"
    ASSESSING = "assessing", "Assessing"
    SIGNED_OFF = "signed_off", "Signed off"
    GRANTED = "granted", "Granted"
    NOT_GRANTED = "not_granted", "Not granted"
    WITHDRAWN = "withdrawn", "Withdrawn"
    SUSPENDED = "suspended", "Suspended"
    REINSTATED = "reinstated", "Reinstated"
    TERMINATED = "terminated", "Terminated"
    EXPIRED = "expired", "Expired"


_CLOSING = {RequestStatusName.NOT_GRANTED, RequestStatusName.WITHDRAWN}
# ADR-009: the moves a DoLS request may make, declared once; dols.services checks every change against it.
# A request may close without assessment (not granted: died, change of circumstances) or be withdrawn at any
# point before sign-off; a granted authorisation ends by suspension then termination, or by expiry.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    RequestStatusName.RECEIVED: frozenset({RequestStatusName.SCREENED, *_CLOSING}),
    RequestStatusName.SCREENED: frozenset({RequestStatusName.ALLOCATED, *_CLOSING}),
    RequestStatusName.ALLOCATED: frozenset({RequestStatusName.ASSESSING, *_CLOSING}),
    RequestStatusName.ASSESSING: frozenset({RequestStatusName.SIGNED_OFF, *_CLOSING}),
    RequestStatusName.SIGNED_OFF: frozenset({RequestStatusName.GRANTED, RequestStatusName.NOT_GRANTED}),
    RequestStatusName.GRANTED: frozenset(
        {RequestStatusName.SUSPENDED, RequestStatusName.TERMINATED, RequestStatusName.EXPIRED}
    ),
    RequestStatusName.SUSPENDED: frozenset({RequestStatusName.REINSTATED, RequestStatusName.TERMINATED}),
    RequestStatusName.REINSTATED: frozenset(
        {RequestStatusName.SUSPENDED, RequestStatusName.TERMINATED, RequestStatusName.EXPIRED}
    ),
    RequestStatusName.NOT_GRANTED: frozenset(),
    RequestStatusName.WITHDRAWN: frozenset(),
    RequestStatusName.TERMINATED: frozenset(),
    RequestStatusName.EXPIRED: frozenset(),
}
# Waiting for a decision: the statutory assessment clock runs.
WAITING_STATUSES = (
    RequestStatusName.RECEIVED,
    RequestStatusName.SCREENED,
    RequestStatusName.ALLOCATED,
    RequestStatusName.ASSESSING,
    RequestStatusName.SIGNED_OFF,
)
# An authorisation is in force (or suspended and not yet terminated).
IN_FORCE_STATUSES = (RequestStatusName.GRANTED, RequestStatusName.REINSTATED, RequestStatusName.SUSPENDED)


class NotGrantedReason(models.TextChoices):
    """Published outcome categories (NHS Digital 2023-24); exact return codes UNCONFIRMED (domain-reference §11)."""

    CHANGE_OF_CIRCUMSTANCES = "change_of_circumstances", "Change in circumstances"
    DIED = "died", "The person died"
    AGE_NOT_MET = "age", "Age requirement not met"
    MENTAL_HEALTH_NOT_MET = "mental_health", "Mental health requirement not met"
    HAS_CAPACITY = "mental_capacity", "Has capacity (mental capacity requirement not met)"
    BEST_INTERESTS_NOT_MET = "best_interests", "Best interests requirement not met"
    INELIGIBLE = "eligibility", "Eligibility requirement not met"
    REFUSAL = "no_refusals", "No refusals requirement not met"
    CLOSED_WITHOUT_ASSESSMENT = "closed_without_assessment", "Closed without assessment"


class DolsRequestQuerySet(models.QuerySet["DolsRequest"]):
    def waiting(self) -> Self:
        return self.filter(status__in=WAITING_STATUSES)

    def in_force(self) -> Self:
        return self.filter(status__in=IN_FORCE_STATUSES)

    def breached(self, today: date) -> Self:
        """Waiting past the statutory assessment deadline."""
        return self.waiting().filter(assessments_due_on__lt=today)

    def expiring_between(self, start: date, end: date) -> Self:
        return self.in_force().filter(authorisation__ends_on__gte=start, authorisation__ends_on__lte=end)

    def made_by(self, organisation_ids: list[object]) -> Self:
        return self.filter(submitted_by_organisation_id__in=organisation_ids)

    def active_in_year(self, start: date, end: date) -> Self:
        """The data return's scope: active at any point in the year (received by its end, not closed before it)."""
        return self.filter(received_on__lte=end).filter(Q(closed_on__isnull=True) | Q(closed_on__gte=start))

    def with_history(self) -> Self:
        return self.prefetch_related(
            Prefetch("statuses", queryset=DolsRequestStatus.objects.select_related("created_by").order_by("created_at"))
        )


class DolsRequest(BaseModel):
    """A managing authority's request to the supervisory body, from receipt to decision and, if granted, to its end.

    One-to-one with the work item the DoLS (or a chosen) team holds, so scoping and allocation come from work.
    """

    reference = models.CharField(max_length=12, unique=True)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="dols_requests")
    managing_authority = models.ForeignKey(
        "providers.Location", on_delete=models.PROTECT, related_name="dols_requests", help_text="Care home or hospital"
    )
    submitted_by_organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dols_requests",
        help_text="The organisation that sent the request: its partners see only their own",
    )
    work_item = models.OneToOneField("work.WorkItem", on_delete=models.PROTECT, related_name="dols_request")
    request_type = models.CharField(max_length=20, choices=RequestType.choices)
    # Index of this DoLS for the person, for the data return's application reference.
    person_index = models.PositiveSmallIntegerField(default=1)
    received_on = models.DateField()
    purpose = models.TextField("Purpose of the authorisation", blank=True)
    proposed_restrictions = models.TextField(blank=True)
    sought_from = models.DateField("Date from which authorisation is sought", null=True, blank=True)
    contact_name = models.CharField("Managing authority contact", max_length=200, blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    # An urgent authorisation the managing authority gave itself (Sch A1 para 76).
    is_urgent = models.BooleanField(default=False)
    urgent_starts_on = models.DateField(null=True, blank=True)
    urgent_period_days = models.PositiveSmallIntegerField(null=True, blank=True)
    urgent_extension_days = models.PositiveSmallIntegerField(null=True, blank=True)
    urgent_extension_reason = models.TextField(blank=True)
    urgent_expires_on = models.DateField(null=True, blank=True, editable=False)
    # Derived by dols.clocks: 21 days, or sooner while an urgent authorisation runs.
    assessments_due_on = models.DateField(editable=False)
    renews = models.ForeignKey(
        "dols.Authorisation", null=True, blank=True, on_delete=models.PROTECT, related_name="further_requests"
    )
    # Screening.
    priority = models.CharField(max_length=10, choices=PriorityLevel.choices, blank=True)
    priority_score = models.PositiveSmallIntegerField(default=0)
    priority_reasons = models.JSONField(default=list, blank=True)
    screening_criteria = models.JSONField(default=list, blank=True)
    # Sign-off and decision.
    signed_off_on = models.DateField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    not_granted_reason = models.CharField(max_length=40, choices=NotGrantedReason.choices, blank=True)
    not_granted_detail = models.TextField(blank=True)
    closed_on = models.DateField(null=True, blank=True)
    # Mirrors the newest DolsRequestStatus row, so the tracker filters on one indexed column.
    status = models.CharField(max_length=20, choices=RequestStatusName.choices, default=RequestStatusName.RECEIVED)

    objects = DolsRequestQuerySet.as_manager()

    class Meta:
        ordering = ["assessments_due_on", "received_on"]
        verbose_name = "DoLS request"
        indexes = [
            # selectors.tracker: waiting requests by due date.
            models.Index(fields=["status", "assessments_due_on"], name="dols_request_by_status_due"),
            # selectors.partner_requests and the API list: a managing authority's own requests.
            models.Index(fields=["submitted_by_organisation", "-received_on"], name="dols_request_by_org"),
            # selectors.tracker: a page of the waiting requests by priority then due date, read from the index
            # instead of sorting every waiting request (about 10,000 at county scale).
            models.Index(
                WAITING_PRIORITY_RANK,
                models.F("assessments_due_on"),
                models.F("received_on"),
                models.F("id"),
                condition=Q(status__in=WAITING_STATUSES),
                name="dols_request_waiting_order",
            ),
        ]
        constraints = [
            # services.create_request: an urgent request always has its start date and period.
            models.CheckConstraint(
                name="dols_urgent_has_start",
                condition=Q(is_urgent=False) | Q(urgent_starts_on__isnull=False, urgent_period_days__isnull=False),
            ),
            models.CheckConstraint(
                name="dols_urgent_period_1_to_7",
                condition=Q(urgent_period_days__isnull=True) | Q(urgent_period_days__gte=1, urgent_period_days__lte=7),
            ),
            models.CheckConstraint(
                name="dols_extension_1_to_7",
                condition=Q(urgent_extension_days__isnull=True)
                | Q(urgent_extension_days__gte=1, urgent_extension_days__lte=7),
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("dols:detail", args=[self.pk])

    @property
    def is_waiting(self) -> bool:
        return self.status in WAITING_STATUSES

    @property
    def is_in_force(self) -> bool:
        return self.status in IN_FORCE_STATUSES

    def days_waiting(self, today: date) -> int:
        return (today - self.received_on).days

    def is_breached(self, today: date) -> bool:
        return self.is_waiting and self.assessments_due_on < today


class DolsRequestStatus(BaseModel):
    """One step in a request's life: what it became, who moved it and why. Never changed once written."""

    request = models.ForeignKey(DolsRequest, on_delete=models.CASCADE, related_name="statuses")
    name = models.CharField(max_length=20, choices=RequestStatusName.choices)
    reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = "DoLS request statuses"

    def __str__(self) -> str:
        return f"{self.request_id}: {self.name}"


class OversightBy(models.TextChoices):
    LINE_MANAGER = "line_manager", "Line manager"
    DOLS_TEAM = "dols_team", "DoLS team"


class Oversight(BaseModel):
    """A discussion of a request with the line manager or the DoLS team: who, when and what was decided."""

    request = models.ForeignKey(DolsRequest, on_delete=models.CASCADE, related_name="oversights")
    discussed_with = models.CharField(max_length=20, choices=OversightBy.choices)
    discussed_on = models.DateField()
    decision = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-discussed_on", "-created_at"]

    def __str__(self) -> str:
        return f"{self.get_discussed_with_display()} on {self.discussed_on}"


class Requirement(models.TextChoices):
    """The six qualifying requirements (MCA 2005 Sch A1 para 12), in the order of the data return."""

    AGE = "age", "Age"
    MENTAL_HEALTH = "mental_health", "Mental health"
    MENTAL_CAPACITY = "mental_capacity", "Mental capacity"
    NO_REFUSALS = "no_refusals", "No refusals"
    ELIGIBILITY = "eligibility", "Eligibility"
    BEST_INTERESTS = "best_interests", "Best interests"


class RequirementOutcome(models.IntegerChoices):
    """The data return's codes for each requirement (NHS Digital "codes for completion")."""

    NOT_ASSESSED = 0, "Not assessed"
    SATISFIED = 1, "Satisfied"
    NOT_SATISFIED = 2, "Not Satisfied"
    EQUIVALENT = 3, "Equivalent Assessment"


MET_OUTCOMES = (RequirementOutcome.SATISFIED, RequirementOutcome.EQUIVALENT)


class Assessment(BaseModel):
    """One of the six assessments of a request: who assesses it, when, and the outcome code."""

    request = models.ForeignKey(DolsRequest, on_delete=models.CASCADE, related_name="assessments")
    requirement = models.CharField(max_length=20, choices=Requirement.choices)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="dols_assessments"
    )
    # A mental health assessor is often a s12 doctor outside the council.
    assessor_name = models.CharField(max_length=200, blank=True)
    assigned_on = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    outcome = models.PositiveSmallIntegerField(
        choices=RequirementOutcome.choices, default=RequirementOutcome.NOT_ASSESSED
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["request", "requirement"]
        indexes = [
            # selectors.bia_roster: each assessor's open assessments.
            models.Index(fields=["assessor"], condition=Q(completed_on__isnull=True), name="dols_open_by_assessor"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["request", "requirement"], name="one_assessment_per_requirement"),
            # services.record_assessment: an outcome needs a completion date, and no date without an outcome.
            models.CheckConstraint(
                name="dols_outcome_has_date",
                condition=Q(outcome=0, completed_on__isnull=True) | (~Q(outcome=0) & Q(completed_on__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_requirement_display()} ({self.request_id})"


class AuthorisationQuerySet(models.QuerySet["Authorisation"]):
    def in_force(self) -> Self:
        return self.filter(request__status__in=IN_FORCE_STATUSES)


class Authorisation(BaseModel):
    """A standard authorisation granted: its period (at most 12 months), conditions and the person's representative."""

    request = models.OneToOneField(DolsRequest, on_delete=models.PROTECT, related_name="authorisation")
    starts_on = models.DateField()
    ends_on = models.DateField()
    conditions = models.TextField(blank=True)
    conditions_review_on = models.DateField(null=True, blank=True, editable=False)
    representative_name = models.CharField("Relevant person's representative", max_length=200)
    representative_relationship = models.CharField(max_length=100, blank=True)
    representative_is_paid = models.BooleanField(default=False)
    suspended_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = AuthorisationQuerySet.as_manager()

    class Meta:
        ordering = ["ends_on"]
        indexes = [models.Index(fields=["ends_on"], name="dols_authorisation_ends")]
        constraints = [
            # services.grant_authorisation refuses these with a field message first.
            models.CheckConstraint(name="authorisation_ends_after_start", condition=Q(ends_on__gte=F("starts_on"))),
        ]

    def __str__(self) -> str:
        return f"{self.starts_on} to {self.ends_on}"

    def renewal_opens(self, window_days: int) -> date:
        return clocks.renewal_opens(self.ends_on, window_days)

    @property
    def suspension_ends(self) -> date | None:
        return clocks.suspension_ends(self.suspended_on) if self.suspended_on else None


class BestInterestsAssessor(BaseModel):
    """A best interests assessor on the roster: training current until when, capacity a month, areas covered."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bia_profile")
    trained_on = models.DateField(null=True, blank=True)
    current_until = models.DateField(help_text="Refresher training due by")
    monthly_capacity = models.PositiveSmallIntegerField(default=4, help_text="Assessments a month")
    neighbourhoods = models.ManyToManyField("people.Neighbourhood", blank=True, related_name="+")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["user__full_name"]
        verbose_name = "best interests assessor"

    def __str__(self) -> str:
        return str(self.user)

    def is_current(self, today: date) -> bool:
        return self.is_active and self.current_until >= today


class CourtSetting(models.TextChoices):
    SUPPORTED_LIVING = "supported_living", "Supported living"
    SHARED_LIVES = "shared_lives", "Shared Lives"
    OWN_HOME = "own_home", "Own home"
    EXTRA_CARE = "extra_care", "Extra care housing"
    CHILDRENS_SETTING = "childrens_setting", "Placement of a 16 or 17 year old"
    OTHER = "other", "Other community setting"


class CourtRoute(models.TextChoices):
    RE_X = "re_x", "Re X streamlined procedure (COPDOL11)"
    FULL_HEARING = "full_hearing", "Contested or full hearing"
    S21A = "s21a", "s21A challenge"


class CourtStatusName(models.TextChoices):
    PREPARING = "preparing", "Preparing the application"
    SUBMITTED = "submitted", "Submitted to the court"
    ORDER_MADE = "order_made", "Order made"
    CLOSED = "closed", "Closed"


# ADR-009: the moves of a Court of Protection case. A review keeps the case at "order made" with a new date.
COURT_TRANSITIONS: dict[str, frozenset[str]] = {
    CourtStatusName.PREPARING: frozenset({CourtStatusName.SUBMITTED, CourtStatusName.CLOSED}),
    CourtStatusName.SUBMITTED: frozenset({CourtStatusName.ORDER_MADE, CourtStatusName.CLOSED}),
    CourtStatusName.ORDER_MADE: frozenset({CourtStatusName.CLOSED}),
    CourtStatusName.CLOSED: frozenset(),
}


class Copdol11Item(models.TextChoices):
    """What a COPDOL11 application needs before it goes to the court (PD 11A; Re X safeguards)."""

    CAPACITY_EVIDENCE = "capacity_evidence", "Evidence the person lacks capacity to decide on their care"
    CARE_PLAN = "care_plan", "Care plan and the restrictions that amount to a deprivation of liberty"
    BEST_INTERESTS = "best_interests", "Best interests assessment of the restrictions"
    LEAST_RESTRICTIVE = "least_restrictive", "Less restrictive options considered"
    PERSON_CONSULTED = "person_consulted", "The person consulted, and their wishes recorded"
    RELEVANT_PEOPLE = "relevant_people", "Relevant people consulted, with no objections"
    REPRESENTATIVE = "representative", "A suitable person to act as the person's representative"


class CourtCaseQuerySet(models.QuerySet["CourtCase"]):
    def open(self) -> Self:
        return self.exclude(status=CourtStatusName.CLOSED)

    def review_reminders(self, today: date) -> Self:
        return self.filter(status=CourtStatusName.ORDER_MADE, review_reminder_on__lte=today)


class CourtCase(BaseModel):
    """A community deprivation of liberty authorised by the Court of Protection (MCA s16(2)(a), s4A(3)-(4)).

    For settings outside care homes and hospitals, and for 16-17 year olds. Kept out of the DoLS return.
    """

    reference = models.CharField(max_length=12, unique=True)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="court_cases")
    work_item = models.OneToOneField("work.WorkItem", on_delete=models.PROTECT, related_name="court_case")
    setting = models.CharField(max_length=30, choices=CourtSetting.choices)
    route = models.CharField(max_length=20, choices=CourtRoute.choices, default=CourtRoute.RE_X)
    restrictions = models.TextField()
    checklist = models.JSONField(default=list, blank=True, help_text="COPDOL11 items done")
    submitted_on = models.DateField(null=True, blank=True)
    court_reference = models.CharField(max_length=40, blank=True)
    order_made_on = models.DateField(null=True, blank=True)
    review_months = models.PositiveSmallIntegerField(default=clocks.COURT_REVIEW_MAX_MONTHS)
    review_due_on = models.DateField(null=True, blank=True, editable=False)
    review_reminder_on = models.DateField(null=True, blank=True, editable=False)
    status = models.CharField(max_length=20, choices=CourtStatusName.choices, default=CourtStatusName.PREPARING)

    objects = CourtCaseQuerySet.as_manager()

    class Meta:
        ordering = ["review_due_on", "created_at"]
        constraints = [
            models.CheckConstraint(
                name="court_review_1_to_12_months", condition=Q(review_months__gte=1, review_months__lte=12)
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("dols:court_case", args=[self.pk])


class Consultation(BaseModel):
    """The person, or a relevant person, consulted about a Court of Protection application (Re X)."""

    court_case = models.ForeignKey(CourtCase, on_delete=models.CASCADE, related_name="consultations")
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=100)
    consulted_on = models.DateField()
    views = models.TextField()
    objects_to_application = models.BooleanField(default=False)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["consulted_on"]

    def __str__(self) -> str:
        return f"{self.name} on {self.consulted_on}"
