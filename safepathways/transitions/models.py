"""Transition plans for any move between services, settings or areas, and the gaps continuity detection finds.

A plan says what happens next and who does what (steps), which practical arrangements must be in place
(a checklist that fits the kind of move), the risks of the move with a contingency for each, the person's
and their carer's views in their own words, and, after the move, a check that it went as planned.
"""

from datetime import date
from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q

from safepathways.core.models import BaseModel

DEFAULT_POST_MOVE_CHECK_HOURS = 72


class TransitionSettings(models.Model):
    """Local choices for transition plans. One row, seeded by migration 0002."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    post_move_check_hours = models.PositiveSmallIntegerField(
        default=DEFAULT_POST_MOVE_CHECK_HOURS, help_text="Hours after a move to check that it went as planned"
    )
    service_gap_lookback_days = models.PositiveSmallIntegerField(
        default=90, help_text="How far back continuity looks for services that ended with nothing after them"
    )
    next_service_grace_days = models.PositiveSmallIntegerField(
        default=7, help_text="Days after a service ends within which the next service may start without a gap"
    )

    class Meta:
        verbose_name = "transition settings"
        verbose_name_plural = "transition settings"

    def __str__(self) -> str:
        return f"Post-move check after {self.post_move_check_hours} hours"

    @classmethod
    def current(cls) -> "TransitionSettings":
        found = cls.objects.filter(pk=1).first()
        return found if found is not None else cls()


class PlanKind(models.TextChoices):
    HOSPITAL_DISCHARGE = "hospital_discharge", "Hospital discharge"
    CHILD_TO_ADULT = "child_to_adult", "Child to adult services"
    CARE_LEAVER = "care_leaver", "Care leaver"
    BETWEEN_PROVIDERS = "between_providers", "Between providers"
    BETWEEN_AREAS = "between_areas", "Between areas or councils"
    INTO_CARE_HOME = "into_care_home", "Into a care home"
    OUT_OF_CARE_HOME = "out_of_care_home", "Out of a care home"
    EMERGENCY_MOVE = "emergency_move", "Out-of-hours emergency move"


class ArrangementTemplate(models.Model):
    """One practical arrangement that a kind of move needs, edited by administrators; seeded by migration 0002."""

    code = models.SlugField(max_length=40)
    kind = models.CharField(max_length=30, choices=PlanKind.choices)
    label = models.CharField(max_length=200)
    is_essential = models.BooleanField(
        default=True, help_text="A move cannot be marked ready while an essential arrangement is open"
    )
    after_move = models.BooleanField(
        "Done after the move",
        default=False,
        help_text=(
            "An essential arrangement that can only be put in place after the move (e.g. the day team's handover "
            "after an out-of-hours move): readiness does not wait for it, and it may fall due after the move date"
        ),
    )
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "order", "label"]
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="arrangement_template_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.label}"


class PlanStatus(models.TextChoices):
    PLANNING = "planning", "Planning"
    READY = "ready", "Ready"
    MOVED = "moved", "Moved, check due"
    CHECKED = "checked", "Moved and checked"
    CANCELLED = "cancelled", "Cancelled"


OPEN_PLAN_STATUSES = (PlanStatus.PLANNING, PlanStatus.READY)
# The steps, arrangements and risks stay open after the move until the check after it: an emergency move, or one a
# recorded hospital discharge made, happens with arrangements open, and the day team completes them afterwards.
CHECKLIST_OPEN_STATUSES = (*OPEN_PLAN_STATUSES, PlanStatus.MOVED)
# ADR-009: the moves a plan may make, declared once; transitions.services checks every change against it.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    PlanStatus.PLANNING: frozenset({PlanStatus.READY, PlanStatus.CANCELLED}),
    PlanStatus.READY: frozenset({PlanStatus.PLANNING, PlanStatus.MOVED, PlanStatus.CANCELLED}),
    PlanStatus.MOVED: frozenset({PlanStatus.CHECKED}),
    PlanStatus.CHECKED: frozenset(),
    PlanStatus.CANCELLED: frozenset(),
}


class Agreement(models.TextChoices):
    AGREED = "agreed", "Agreed the plan"
    DISAGREED = "disagreed", "Did not agree the plan"
    NOT_ASKED = "not_asked", "Not asked yet"
    UNABLE = "unable", "Unable to say (best interests decision recorded)"
    NO_CARER = "no_carer", "No carer"


class PlanQuerySet(models.QuerySet["Plan"]):
    def open(self) -> Self:
        return self.filter(status__in=OPEN_PLAN_STATUSES)

    def shared_with_organisations(self, organisation_ids: list[object]) -> Self:
        return self.filter(shared_with__in=organisation_ids).distinct()


class Plan(BaseModel):
    """A plan for one person's move: from where, to where, when, and who coordinates it."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="transition_plans")
    kind = models.CharField(max_length=30, choices=PlanKind.choices)
    moving_from = models.CharField("Moving from", max_length=300)
    moving_to = models.CharField("Moving to", max_length=300)
    planned_on = models.DateField("Planned move date")
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="transition_plans")
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coordinated_plans"
    )
    status = models.CharField(max_length=20, choices=PlanStatus.choices, default=PlanStatus.PLANNING)
    persons_views = models.TextField("The person's views, in their words", blank=True)
    what_matters = models.TextField("What matters to them about the move", blank=True)
    carers_views = models.TextField("Their carer's or family's views", blank=True)
    person_agreement = models.CharField(max_length=20, choices=Agreement.choices, default=Agreement.NOT_ASKED)
    carer_agreement = models.CharField(max_length=20, choices=Agreement.choices, default=Agreement.NOT_ASKED)
    ready_override_reason = models.TextField(blank=True)
    ready_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    moved_on = models.DateField(null=True, blank=True)
    check_due_at = models.DateTimeField(null=True, blank=True)
    shared_with = models.ManyToManyField("accounts.Organisation", blank=True, related_name="shared_plans")
    source_label = models.CharField(
        max_length=100, blank=True, help_text="Where the plan came from, e.g. a hospital discharge referral"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["planned_on", "created_at"]
        indexes = [
            models.Index(fields=["planned_on"], condition=Q(status__in=OPEN_PLAN_STATUSES), name="plan_open_by_date"),
            models.Index(fields=["check_due_at"], condition=Q(status="moved"), name="plan_check_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} plan for {self.person_id} on {self.planned_on}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_PLAN_STATUSES

    @property
    def checklist_open(self) -> bool:
        """Whether its steps and arrangements may still be updated (and risks added): open, or moved and not yet
        checked. Cancelled and checked plans are closed."""
        return self.status in CHECKLIST_OPEN_STATUSES

    def is_overdue(self, today: date) -> bool:
        return self.is_open and self.planned_on < today


class PlanStatusChange(BaseModel):
    """One change of a plan's status, with who, when and why (ADR-009)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(max_length=20, choices=PlanStatus.choices)
    reason = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.plan_id} → {self.status}"


class ItemStatus(models.TextChoices):
    OPEN = "open", "To do"
    DONE = "done", "Done"
    NOT_NEEDED = "not_needed", "Not needed"


class OwnedItem(BaseModel):
    """Something a named person in a named organisation will do (partners and family included)."""

    owner_name = models.CharField("Who will do it", max_length=200, blank=True)
    owner_organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner_role = models.CharField(
        "Their role or relationship", max_length=100, blank=True, help_text="For example ward nurse, daughter"
    )
    owner_phone = models.CharField("Their phone number", max_length=40, blank=True)
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=ItemStatus.choices, default=ItemStatus.OPEN)
    note = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True

    @property
    def owner_label(self) -> str:
        parts = [self.owner_name]
        if self.owner_role:
            parts.append(self.owner_role)
        if self.owner_organisation_id is not None:
            parts.append(str(self.owner_organisation))
        return ", ".join(parts)

    @property
    def is_open(self) -> bool:
        return self.status == ItemStatus.OPEN


class Step(OwnedItem):
    """What happens next and who does it."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="steps")
    description = models.CharField(max_length=300)

    class Meta:
        ordering = ["due_on", "created_at"]

    def __str__(self) -> str:
        return self.description


class Arrangement(OwnedItem):
    """A practical arrangement for the move (equipment, medication, keys, care start time, …)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="arrangements")
    code = models.SlugField(max_length=40, blank=True)
    label = models.CharField(max_length=200)
    is_essential = models.BooleanField(default=True)
    # Copied from the checklist's template (ArrangementTemplate.after_move): done after the move, so readiness does
    # not wait for it and its due date may be after the move date. It stays on the checklist, which is open until
    # the check after the move (Plan.checklist_open).
    after_move = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "created_at"]

    def __str__(self) -> str:
        return self.label

    @property
    def holds_readiness(self) -> bool:
        """Essential and done before the move: while it is open, the move is not ready (ADR-014)."""
        return self.is_essential and not self.after_move

    def is_past_due(self, today: date) -> bool:
        return self.is_open and self.due_on is not None and self.due_on < today


class MoveRisk(BaseModel):
    """A risk of the move and what happens if it comes about ("if the carer cannot come …")."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="risks")
    risk = models.TextField("What could go wrong")
    contingency = models.TextField("What happens if it does")
    owner_name = models.CharField("Who acts on it", max_length=200)
    owner_organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner_phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.risk[:60]


class PostMoveCheck(BaseModel):
    """The check after the move that it went as planned; problems are recorded and fed back."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="post_move_check")
    checked_at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    spoke_to = models.CharField("Who was spoken to", max_length=200)
    went_as_planned = models.BooleanField()
    problems = models.TextField(blank=True)
    feedback_to = models.CharField("Problems fed back to", max_length=300, blank=True)

    def __str__(self) -> str:
        return f"Check of {self.plan_id}"


class GapStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"
    EXPLAINED = "explained", "Explained"


class GapQuerySet(models.QuerySet["Gap"]):
    def open(self) -> Self:
        return self.filter(status=GapStatus.OPEN)


class Gap(BaseModel):
    """A place where someone may fall between services, found by the daily continuity sweep (transitions.gaps).

    One row per rule and subject (the service, plan, work item or birthday it is about). The sweep opens a gap
    when its rule finds it and resolves it when the rule stops finding it; staff explain one that is not a gap,
    and an explained gap stays closed while the same subject keeps matching.
    """

    rule = models.CharField(max_length=40)
    subject_key = models.CharField(max_length=80, help_text="What the gap is about, e.g. service:<id>")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="gaps")
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="continuity_gaps"
    )
    detail = models.CharField(max_length=300)
    since = models.DateField(help_text="When the gap began")
    found_on = models.DateField()
    status = models.CharField(max_length=12, choices=GapStatus.choices, default=GapStatus.OPEN)
    closed_on = models.DateField(null=True, blank=True)
    explanation = models.TextField(blank=True)
    explained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = GapQuerySet.as_manager()

    class Meta:
        ordering = ["since", "id"]
        constraints = [models.UniqueConstraint(fields=["rule", "subject_key"], name="gap_unique_subject")]
        indexes = [
            models.Index(fields=["rule", "since"], condition=Q(status="open"), name="gap_open_by_rule"),
            # The continuity view's order, longest first, when no kind of gap is chosen.
            models.Index(fields=["since", "id"], condition=Q(status="open"), name="gap_open_by_since"),
        ]

    def __str__(self) -> str:
        return f"{self.rule}: {self.detail}"
