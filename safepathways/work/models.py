"""Work a team owns for a person, who holds it, and every change of owner (a hand-off)."""

from datetime import date
from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q

from safepathways.core.models import BaseModel


class WorkKind(models.TextChoices):
    ASSESSMENT = "assessment", "Care Act assessment"
    OT_ASSESSMENT = "ot_assessment", "Occupational therapy assessment"
    REVIEW = "review", "Review of care and support plan"
    CARERS_ASSESSMENT = "carers_assessment", "Carer's assessment"
    SAFEGUARDING = "safeguarding", "Safeguarding concern"
    DOLS = "dols", "DoLS request"
    DISCHARGE = "discharge", "Hospital discharge"
    TRANSITION = "transition", "Transition to adult services"
    CASE_MANAGEMENT = "case_management", "Ongoing case management"


class Priority(models.TextChoices):
    RED = "red", "Red – high risk"
    AMBER = "amber", "Amber – medium risk"
    GREEN = "green", "Green – low risk"


class WorkItemQuerySet(models.QuerySet["WorkItem"]):
    def open(self) -> Self:
        return self.filter(closed_at__isnull=True)

    def unallocated(self) -> Self:
        return self.open().filter(allocated_to__isnull=True)

    def overdue(self, today: date) -> Self:
        return self.open().filter(due_on__lt=today)


class WorkItem(BaseModel):
    """One piece of work a team owns for a person; unallocated work is never invisible."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="work_items")
    kind = models.CharField(max_length=30, choices=WorkKind.choices)
    title = models.CharField(max_length=200)
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="work_items")
    allocated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="work_items"
    )
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.GREEN)
    opened_at = models.DateTimeField()
    due_on = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True)

    objects = WorkItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "opened_at"]
        indexes = [
            # Scoping (people.PersonQuerySet.with_relationship_to) and the waiting list read open work by team.
            models.Index(fields=["team", "person"], condition=Q(closed_at__isnull=True), name="work_open_by_team"),
            models.Index(fields=["allocated_to"], condition=Q(closed_at__isnull=True), name="work_open_by_worker"),
        ]

    def __str__(self) -> str:
        return self.title


class Handoff(BaseModel):
    """A change of the team or worker responsible for a piece of work, so hand-offs can be counted."""

    work_item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="handoffs")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="handoffs")
    from_team = models.ForeignKey("accounts.Team", null=True, on_delete=models.PROTECT, related_name="+")
    to_team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")
    from_worker = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    to_worker = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=300)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Hand-off of {self.work_item_id}"
