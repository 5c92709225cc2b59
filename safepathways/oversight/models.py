"""Provider oversight: escalation of provider concerns, suspensions of new placements, and vacancies.

A provider concern (providers.ProviderConcern) gets a ConcernCase when someone first sets its escalation level.
Each change of level, review and closure is an immutable Escalation row (STYLE rule 8): the concern's history.
The escalation ladder is configuration (EscalationLevel rows, seeded by migration 0002), because there is no
national scheme and level names vary by council (domain-reference.md §6.4, UNCONFIRMED).
"""

from datetime import date
from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from safepathways.core.models import BaseModel


class EscalationLevel(BaseModel):
    """One rung of the council's provider-concerns ladder, with the actions it brings (configurable)."""

    order = models.PositiveSmallIntegerField(unique=True, help_text="1 is the lowest level")
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    actions = models.TextField(help_text="What happens at this level, in the council's framework")
    # Level 3 of the typical ladder brings a voluntary or imposed suspension of new placements (embargo).
    suspends_placements_by_default = models.BooleanField(default=False)
    review_days = models.PositiveSmallIntegerField(default=28, help_text="Default days until the next review")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class OversightSettings(models.Model):
    """The one row of local settings (pk=1), seeded by migration 0002; selectors fall back to these defaults."""

    # A "cluster": this many safeguarding-sourced concerns at one location within the window (local practice,
    # domain-reference.md §6.4 "multiple s42 concerns about one provider"; the numbers are UNCONFIRMED).
    cluster_threshold = models.PositiveSmallIntegerField(default=3)
    cluster_window_days = models.PositiveSmallIntegerField(default=365)

    class Meta:
        verbose_name_plural = "oversight settings"

    def __str__(self) -> str:
        return "Oversight settings"


class ConcernCaseQuerySet(models.QuerySet["ConcernCase"]):
    def open(self) -> Self:
        return self.filter(concern__status="open")

    def overdue_for_review(self, today: date) -> Self:
        return self.open().filter(review_on__lt=today)


class ConcernCase(BaseModel):
    """The escalation state of one provider concern: its current level, owner, next review and category."""

    concern = models.OneToOneField("providers.ProviderConcern", on_delete=models.CASCADE, related_name="case")
    level = models.ForeignKey(EscalationLevel, on_delete=models.PROTECT, related_name="cases")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    review_on = models.DateField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closure_reason = models.TextField(blank=True)

    objects = ConcernCaseQuerySet.as_manager()

    class Meta:
        # The dashboard's "overdue reviews" tile reads open cases by review date.
        indexes = [models.Index(fields=["review_on"], name="concern_case_review")]

    def __str__(self) -> str:
        return f"{self.concern_id} at {self.level_id}"


class EscalationKind(models.TextChoices):
    LEVEL_SET = "level_set", "Level set"
    ESCALATED = "escalated", "Escalated"
    DE_ESCALATED = "de_escalated", "De-escalated"
    REVIEWED = "reviewed", "Reviewed at the same level"
    CLOSED = "closed", "Closed"


class Escalation(BaseModel):
    """One immutable step in a concern's history: who moved it, from which level to which, why, and what was agreed."""

    case = models.ForeignKey(ConcernCase, on_delete=models.CASCADE, related_name="escalations")
    kind = models.CharField(max_length=20, choices=EscalationKind.choices)
    from_level = models.ForeignKey(EscalationLevel, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_level = models.ForeignKey(EscalationLevel, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    actions_agreed = models.TextField(blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    review_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["-decided_at", "-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.to_level_id}"


class PlacementSuspensionQuerySet(models.QuerySet["PlacementSuspension"]):
    def current(self, today: date) -> Self:
        """In force on `today`: started, not lifted and not past its end date."""
        return self.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=today), lifted_at__isnull=True, starts_on__lte=today
        )


class PlacementSuspension(BaseModel):
    """A suspension of new placements (embargo) at a location, with who decided and who lifted it."""

    location = models.ForeignKey("providers.Location", on_delete=models.PROTECT, related_name="placement_suspensions")
    concern = models.ForeignKey(
        "providers.ProviderConcern",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="placement_suspensions",
    )
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    reason = models.TextField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lift_reason = models.TextField(blank=True)

    objects = PlacementSuspensionQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-created_at"]
        constraints = [
            # services.suspend_placements relies on at most one unlifted suspension per location.
            models.UniqueConstraint(
                fields=["location"], condition=Q(lifted_at__isnull=True), name="one_unlifted_suspension"
            ),
            models.CheckConstraint(
                name="suspension_ends_after_start", condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on"))
            ),
        ]

    def __str__(self) -> str:
        return f"Suspension at {self.location_id} from {self.starts_on}"

    def is_current_on(self, day: date) -> bool:
        """As PlacementSuspensionQuerySet.current, for a row already loaded."""
        return self.lifted_at is None and self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)


class BedType(models.TextChoices):
    """Kinds of vacancy. Beds, except home care, which is counted in hours a week."""

    RESIDENTIAL = "residential", "Residential"
    NURSING = "nursing", "Nursing"
    DEMENTIA_RESIDENTIAL = "dementia_residential", "Dementia residential"
    DEMENTIA_NURSING = "dementia_nursing", "Dementia nursing"
    BARIATRIC = "bariatric", "Bariatric"
    RESPITE = "respite", "Respite"
    HOME_CARE_HOURS = "home_care_hours", "Home care hours a week"


class VacancySource(models.TextChoices):
    STAFF = "staff", "Council staff"
    PROVIDER = "provider", "The provider"
    API = "api", "The provider's system (API)"
    CAPACITY_TRACKER_IMPORT = "capacity_tracker_import", "Capacity Tracker import"


class Vacancy(BaseModel):
    """The current vacancies of one type at one location; updated_at says how fresh the figure is."""

    location = models.ForeignKey("providers.Location", on_delete=models.CASCADE, related_name="vacancies")
    bed_type = models.CharField(max_length=30, choices=BedType.choices)
    available = models.PositiveIntegerField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=30, choices=VacancySource.choices)

    class Meta:
        ordering = ["location__name", "bed_type"]
        constraints = [
            # services.record_vacancy updates the one current figure per location and type.
            models.UniqueConstraint(fields=["location", "bed_type"], name="one_vacancy_per_location_and_type"),
        ]
        verbose_name_plural = "vacancies"

    def __str__(self) -> str:
        return f"{self.available} {self.bed_type} at {self.location_id}"


class VacancyChange(BaseModel):
    """One change to a vacancy figure: from what, to what, by whom, how and why."""

    vacancy = models.ForeignKey(Vacancy, on_delete=models.CASCADE, related_name="changes")
    previous = models.PositiveIntegerField(null=True, blank=True)
    available = models.PositiveIntegerField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(max_length=30, choices=VacancySource.choices)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.previous} → {self.available}"
