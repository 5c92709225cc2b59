"""Work a team owns for a person: risk triage, keep-in-touch, allocation and every hand-off.

The central waiting list, the duty view and breach detection all read WorkItem rows; each
capability (front door, DoLS, safeguarding, discharge…) opens work through work.services.
"""

from datetime import date
from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q

from safepathways.accounts.models import TeamKind
from safepathways.core.models import BaseModel

# The teams that hold work: the waiting list's and duty view's teams, and the teams work can move to. The out-of-hours
# team holds the handovers the front door's out-of-hours route opens (referrals migration 0002), and picks them up
# from its duty view.
WORK_TEAM_KINDS = (
    TeamKind.NEIGHBOURHOOD,
    TeamKind.OT_DUTY,
    TeamKind.FRONT_DOOR,
    TeamKind.HOSPITAL_SOCIAL_WORK,
    TeamKind.TRANSITIONS,
    TeamKind.OUT_OF_HOURS,
)


class WorkKind(models.TextChoices):
    ASSESSMENT = "assessment", "Care Act assessment"
    OT_ASSESSMENT = "ot_assessment", "Occupational therapy assessment"
    REVIEW = "review", "Review of care and support plan"
    CARERS_ASSESSMENT = "carers_assessment", "Carer's assessment"
    SAFEGUARDING = "safeguarding", "Safeguarding concern"
    DOLS = "dols", "DoLS request"
    DISCHARGE = "discharge", "Hospital discharge"
    TRANSITION = "transition", "Transition to adult services"
    OUT_OF_HOURS = "out_of_hours", "Out-of-hours handover"
    CASE_MANAGEMENT = "case_management", "Ongoing case management"


# The kinds that wait on the central waiting list (the others are picked up by their own capability).
WAITING_LIST_KINDS = (
    WorkKind.ASSESSMENT,
    WorkKind.OT_ASSESSMENT,
    WorkKind.REVIEW,
    WorkKind.CARERS_ASSESSMENT,
)


class Priority(models.TextChoices):
    RED = "red", "Red – high risk"
    AMBER = "amber", "Amber – medium risk"
    GREEN = "green", "Green – low risk"


PRIORITY_ORDER = {Priority.RED: 0, Priority.AMBER: 1, Priority.GREEN: 2}
# Red first: the waiting list's sort key. The index work_waiting_rank is built on this very expression.
PRIORITY_RANK = models.Case(
    models.When(priority=Priority.RED, then=models.Value(0)),
    models.When(priority=Priority.AMBER, then=models.Value(1)),
    default=models.Value(2),
    output_field=models.IntegerField(),
)


class PriorityPolicy(models.Model):
    """Local timescales for each priority: how often to keep in touch, how soon to allocate.

    Defaults (data migration): red weekly contact and allocation within 2 working days, amber
    fortnightly and 10 working days, green monthly and 20 working days. These are local choices,
    not statute (Care Act s9 sets no deadline for assessment), so administrators edit them. The
    supervision limits (default 84 days open, 28 days without contact) say when a worker's allocated
    work is raised at supervision.
    """

    priority = models.CharField(max_length=10, choices=Priority.choices, primary_key=True)
    contact_interval_days = models.PositiveSmallIntegerField(help_text="Days between keep-in-touch contacts")
    allocation_working_days = models.PositiveSmallIntegerField(help_text="Working days to allocate a worker")
    # When supervision raises a worker's allocated work (work.selectors.supervision_highlights): local practice.
    supervision_open_days = models.PositiveSmallIntegerField(
        default=84, help_text="Raise allocated work at supervision once it has been open longer than this many days"
    )
    supervision_no_contact_days = models.PositiveSmallIntegerField(
        default=28,
        help_text="Raise allocated work at supervision when no contact has been recorded for longer than this many "
        "days since it was allocated or last contacted",
    )

    class Meta:
        verbose_name_plural = "priority policies"

    def __str__(self) -> str:
        return self.get_priority_display()


class RiskMatrix(models.Model):
    """Where the likelihood × impact score (1–25) turns amber and red. One row."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    amber_from = models.PositiveSmallIntegerField(default=8)
    red_from = models.PositiveSmallIntegerField(default=15)

    class Meta:
        verbose_name_plural = "risk matrix"
        constraints = [models.CheckConstraint(name="red_above_amber", condition=Q(red_from__gt=models.F("amber_from")))]

    def __str__(self) -> str:
        return f"Amber from {self.amber_from}, red from {self.red_from}"


class RiskFlag(models.Model):
    """A circumstance that sets a minimum priority, e.g. carer breakdown → at least amber."""

    code = models.SlugField(max_length=40, primary_key=True)
    label = models.CharField(max_length=100)
    minimum_priority = models.CharField(max_length=10, choices=Priority.choices)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


class CaseloadCap(models.Model):
    """How many open items a worker may hold in a team: a team default (no user) or one worker's."""

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="caseload_caps")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    cap = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="one_cap_per_worker_and_team"),
            # The constraint above does not stop two team defaults: a null user never equals another.
            models.UniqueConstraint(fields=["team"], condition=Q(user__isnull=True), name="one_default_cap_per_team"),
        ]

    def __str__(self) -> str:
        return f"{self.team}: {self.cap}"


class WorkItemQuerySet(models.QuerySet["WorkItem"]):
    def open(self) -> Self:
        return self.filter(closed_at__isnull=True)

    def unallocated(self) -> Self:
        return self.open().filter(allocated_to__isnull=True)

    def waiting(self) -> Self:
        """The central waiting list: open, unallocated assessments and reviews."""
        return self.unallocated().filter(kind__in=WAITING_LIST_KINDS)

    def overdue(self, today: date) -> Self:
        return self.open().filter(due_on__lt=today)

    # The waiting-list timescales apply to waiting-list work only: DoLS, safeguarding and the other
    # capabilities keep their own statutory clocks (due_on) and must not be breached by these.
    def contact_overdue(self, today: date) -> Self:
        return self.waiting().filter(next_contact_due__lt=today)

    def allocation_overdue(self, today: date) -> Self:
        return self.waiting().filter(allocation_due__lt=today)


class WorkItem(BaseModel):
    """One piece of work a team owns for a person; unallocated work is never invisible."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="work_items")
    kind = models.CharField(max_length=30, choices=WorkKind.choices)
    title = models.CharField(max_length=200)
    # The person's story as told at the front door, carried with the work so nobody retypes it.
    story = models.TextField(blank=True)
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="work_items")
    allocated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="work_items"
    )
    allocated_at = models.DateTimeField(null=True, blank=True)
    first_allocated_at = models.DateTimeField(null=True, blank=True)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.GREEN)
    priority_reasons = models.JSONField(default=list, blank=True)
    likelihood = models.PositiveSmallIntegerField(null=True, blank=True)
    impact = models.PositiveSmallIntegerField(null=True, blank=True)
    risk_flags = models.JSONField(default=list, blank=True)
    opened_at = models.DateTimeField()
    due_on = models.DateField(null=True, blank=True)
    allocation_due = models.DateField(null=True, blank=True)
    next_contact_due = models.DateField(null=True, blank=True)
    last_contact_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True)

    objects = WorkItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "opened_at"]
        indexes = [
            # Scoping (people.PersonQuerySet.with_relationship_to) and the waiting list read open work by team.
            models.Index(fields=["team", "person"], condition=Q(closed_at__isnull=True), name="work_open_by_team"),
            models.Index(fields=["allocated_to"], condition=Q(closed_at__isnull=True), name="work_open_by_worker"),
            # The waiting list and duty view: unallocated open work by team, priority and age.
            models.Index(
                fields=["team", "priority", "opened_at"],
                condition=Q(closed_at__isnull=True, allocated_to__isnull=True),
                name="work_waiting",
            ),
            # The waiting list's order (red first, then longest waiting): its first page is read from the
            # index, not by sorting every waiting item with its person.
            models.Index(
                PRIORITY_RANK,
                models.F("opened_at"),
                models.F("id"),
                condition=Q(closed_at__isnull=True, allocated_to__isnull=True),
                name="work_waiting_rank",
            ),
            # The discharge board's list of open discharge work no referral has taken over yet, oldest first.
            models.Index(
                fields=["opened_at", "id"],
                condition=Q(closed_at__isnull=True, kind="discharge"),
                name="work_open_discharge",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="work_likelihood_1_to_5",
                condition=Q(likelihood__isnull=True) | Q(likelihood__gte=1, likelihood__lte=5),
            ),
            models.CheckConstraint(
                name="work_impact_1_to_5", condition=Q(impact__isnull=True) | Q(impact__gte=1, impact__lte=5)
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_waiting(self) -> bool:
        return self.closed_at is None and self.allocated_to_id is None


class Triage(BaseModel):
    """A risk rating given to a piece of work, by whom and why: the history of its priority."""

    work_item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="triages")
    likelihood = models.PositiveSmallIntegerField()
    impact = models.PositiveSmallIntegerField()
    risk_flags = models.JSONField(default=list, blank=True)
    priority = models.CharField(max_length=10, choices=Priority.choices)
    reasons = models.JSONField(default=list)
    why = models.TextField(help_text="Why the rating was given or changed")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.priority} for {self.work_item_id}"


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone call"
    VISIT = "visit", "Visit"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"
    TEXT = "text", "Text message"
    VIDEO = "video", "Video call"
    NO_ANSWER = "no_answer", "Tried but could not reach"


class KeepInTouch(BaseModel):
    """A "waiting well" contact with a person on the waiting list: who, how, what changed."""

    work_item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="keep_in_touch")
    method = models.CharField(max_length=20, choices=ContactMethod.choices)
    summary = models.TextField()
    situation_changed = models.BooleanField(default=False)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    contacted_at = models.DateTimeField()

    class Meta:
        ordering = ["-contacted_at"]
        verbose_name_plural = "keep-in-touch contacts"

    def __str__(self) -> str:
        return f"{self.get_method_display()} on {self.contacted_at:%Y-%m-%d}"


class HandoffKind(models.TextChoices):
    WORKER = "worker", "Worker"
    TEAM = "team", "Team"
    ORGANISATION = "organisation", "Organisation"


class Handoff(BaseModel):
    """A change of the worker, team or organisation responsible for a person, so hand-offs can be counted.

    Most worker and team hand-offs belong to a piece of work (allocation, return to the waiting list, transfer to
    another team). An organisation hand-off comes from the services a person receives: a service that takes over
    from an earlier one with another provider, or another responsible team (work.handoffs.on_service_recorded).
    Some belong to the person alone: a new transitions worker for a young person, a new coordinator of a move
    (work.services.record_handoff)."""

    kind = models.CharField(max_length=20, choices=HandoffKind.choices, default=HandoffKind.WORKER)
    work_item = models.ForeignKey(WorkItem, null=True, blank=True, on_delete=models.CASCADE, related_name="handoffs")
    service = models.ForeignKey(
        "providers.Service", null=True, blank=True, on_delete=models.CASCADE, related_name="handoffs"
    )
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="handoffs")
    from_team = models.ForeignKey("accounts.Team", null=True, on_delete=models.PROTECT, related_name="+")
    to_team = models.ForeignKey("accounts.Team", null=True, on_delete=models.PROTECT, related_name="+")
    from_worker = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    to_worker = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    from_provider = models.ForeignKey("providers.Provider", null=True, on_delete=models.PROTECT, related_name="+")
    to_provider = models.ForeignKey("providers.Provider", null=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=300)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["person", "created_at"], name="handoff_by_person")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} hand-off for {self.person_id}"


class BreachKind(models.TextChoices):
    CONTACT_OVERDUE = "contact_overdue", "Keep-in-touch contact overdue"
    ALLOCATION_OVERDUE = "allocation_overdue", "Waiting past the allocation timescale"


class BreachQuerySet(models.QuerySet["Breach"]):
    def open(self) -> Self:
        return self.filter(resolved_at__isnull=True)


class Breach(BaseModel):
    """A timescale missed by unallocated work; escalated once to the team's managers (or their cover).

    Allocated work has no breach rows (allocation resolves them): supervision raises its missed timescales from the
    work item's own dates (work.selectors.item_highlights)."""

    work_item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="breaches")
    kind = models.CharField(max_length=30, choices=BreachKind.choices)
    due_on = models.DateField()
    detected_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = BreachQuerySet.as_manager()

    class Meta:
        ordering = ["-detected_at"]
        constraints = [
            # The sweep is idempotent: one open breach per item, kind and due date.
            models.UniqueConstraint(fields=["work_item", "kind", "due_on"], name="one_breach_per_due_date"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.work_item_id})"


class SupervisionRecord(BaseModel):
    """A supervision session: the dashboard highlights for a worker's cases, notes and agreed actions."""

    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervisions")
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField()
    highlights = models.JSONField(default=list, blank=True, help_text="The highlights discussed, as shown at the time")
    notes = models.TextField(blank=True)
    agreed_actions = models.TextField(blank=True)

    class Meta:
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"Supervision of {self.worker} on {self.held_on}"
