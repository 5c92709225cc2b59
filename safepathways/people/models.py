"""The person at the centre: identity, the people around them, alerts, risks and one chronology."""

import re
from datetime import date, datetime, timedelta
from typing import Self

import jellyfish
from django.conf import settings
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from safepathways.accounts.models import User
from safepathways.core.models import BaseModel
from safepathways.people.codes import (
    AccessReason,
    AlertKind,
    ContactKind,
    Ethnicity,
    Gender,
    Impact,
    Likelihood,
    NHSNumberStatus,
    ProfessionalRole,
)


def name_key(name: str) -> str:
    """A phonetic key for a name, so that 'Smyth' finds 'Smith' (metaphone, jellyfish)."""
    token = (name or "").strip().split(" ")[0].lower()
    return jellyfish.metaphone(token)[:12] if token else ""


def last_word_key(name: str) -> str:
    """The key of the last word of a name of several words ('Van der Berg', 'Smith-Jones'), or '' for one word:
    a search for 'Berg' or 'Jones' then finds them, as one for 'Van' or 'Smith' does through name_key."""
    words = [w for w in re.split(r"[\s-]+", (name or "").strip().lower()) if w]
    return jellyfish.metaphone(words[-1])[:12] if len(words) > 1 else ""


class Neighbourhood(BaseModel):
    """An area of the borough, served by a neighbourhood team."""

    name = models.CharField(max_length=100, unique=True)
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="neighbourhoods"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PostcodeArea(BaseModel):
    """Maps a postcode prefix (district 'NW1' or sector 'NW1 2') to a neighbourhood; longest wins."""

    prefix = models.CharField(max_length=8, unique=True)
    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.CASCADE, related_name="postcode_areas")

    class Meta:
        ordering = ["prefix"]

    def __str__(self) -> str:
        return f"{self.prefix} → {self.neighbourhood}"


class GenderCodeQuerySet(models.QuerySet["GenderCode"]):
    def choosable(self, keeping: str = "") -> Self:
        """The codes a person's record may be given: the active ones, and `keeping` (the code the record holds now),
        so that a record keeps its code after the code is retired."""
        return self.filter(Q(is_active=True) | Q(code=keeping))

    def allows(self, code: str, *, keeping: str = "") -> bool:
        """Whether a record may hold `code`: an active code, or the one it holds now (`keeping`), even if retired or
        no longer listed."""
        if keeping and code == keeping:
            return True
        return self.filter(code=code, is_active=True).exists()


class GenderCode(models.Model):
    """A gender a person's record may hold (CLD R1 Gender), edited by administrators; seeded by migration 0006.

    The CLD strings are UNCONFIRMED (domain-reference.md §12), so the list is configuration: a council adds the
    codes its return needs and retires (never deletes) the ones it stops using. `Person.gender` stores `code`.
    """

    code = models.CharField(
        max_length=20, primary_key=True, help_text="The text stored on the person's record and sent in returns"
    )
    label = models.CharField(max_length=100, help_text="What staff see when they choose it")
    is_active = models.BooleanField(default=True, help_text="Untick to stop it being chosen; records keep it")
    order = models.PositiveSmallIntegerField(default=0)

    objects = GenderCodeQuerySet.as_manager()

    class Meta:
        ordering = ["order", "label"]

    def __str__(self) -> str:
        return self.label


class PersonQuerySet(models.QuerySet["Person"]):
    def living(self) -> Self:
        return self.filter(date_of_death__isnull=True)

    def with_gender_label(self) -> Self:
        """Each person with `gender_code_label`, the label of their gender code, in the same query (the person page
        reads no more for it); None for a code not in the list."""
        label = GenderCode.objects.filter(code=OuterRef("gender")).order_by().values("label")[:1]
        return self.annotate(gender_code_label=Subquery(label))

    def with_relationship_to(self, user: User, now: datetime | None = None) -> Self:
        """People a user's teams work with: open work, allocation, a current or planned service, or a grant (on a
        restricted record, a declared grant counts only as people.selectors.resolve_access counts it)."""
        now = now or timezone.now()
        today = timezone.localdate(now)
        team_ids = user.team_ids
        # Open work, or work closed within SAFEPATHWAYS_RECENT_WORK_DAYS (as people.selectors.resolve_access).
        days = settings.SAFEPATHWAYS.get("RECENT_WORK_DAYS", 0)
        current_work = Q(work_items__closed_at__isnull=True)
        if days > 0:
            current_work |= Q(work_items__closed_at__gte=now - timedelta(days=days))
        return self.filter(
            (Q(work_items__team_id__in=team_ids) & current_work)
            | (Q(work_items__allocated_to=user) & current_work)
            # A service not yet ended, planned ones included: the team works with the person before it starts.
            | (Q(services__team_id__in=team_ids) & (Q(services__end_on__isnull=True) | Q(services__end_on__gte=today)))
            | (
                Q(access_grants__user=user, access_grants__expires_at__gt=now, access_grants__revoked_at__isnull=True)
                & (
                    Q(is_restricted=False)
                    | Q(access_grants__kind=AccessGrantKind.BREAK_GLASS)
                    | Q(access_grants__granted_at__gte=F("restricted_at"))
                )
            )
        ).distinct()

    def shared_with_organisations(self, organisation_ids: list[object], now: datetime | None = None) -> Self:
        now = now or timezone.now()
        return self.filter(
            Q(shares__organisation_id__in=organisation_ids, shares__revoked_at__isnull=True)
            & (Q(shares__expires_at__isnull=True) | Q(shares__expires_at__gt=now))
        ).distinct()


class Person(BaseModel):
    """An adult (or young person in transition) known to the council: one record, one story."""

    reference = models.CharField("Council reference", max_length=20, unique=True)
    given_name = models.CharField("First name", max_length=100)
    family_name = models.CharField("Last name", max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    date_of_death = models.DateField(null=True, blank=True)
    nhs_number = models.CharField("NHS number", max_length=10, null=True, blank=True, unique=True)
    nhs_number_status = models.CharField(
        "NHS number verification status",
        max_length=2,
        choices=NHSNumberStatus.choices,
        default=NHSNumberStatus.TRACE_REQUIRED,
    )
    # One of the GenderCode rows' codes (people.services checks it); no `choices`, so that a council can add codes.
    gender = models.CharField(max_length=20, default=Gender.NOT_KNOWN)
    ethnicity = models.CharField(max_length=120, choices=Ethnicity.choices, default=Ethnicity.NOT_KNOWN)
    address_line_1 = models.CharField(max_length=200, blank=True)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    neighbourhood = models.ForeignKey(
        Neighbourhood, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    main_language = models.CharField(max_length=60, default="English")
    needs_interpreter = models.BooleanField(default=False)
    # Accessible Information Standard (DCB1605): how to communicate and what support is needed.
    communication_needs = models.TextField(blank=True)
    about_me = models.TextField("About me, in my own words", blank=True)
    what_matters = models.TextField("What matters to me", blank=True)
    is_restricted = models.BooleanField(
        default=False,
        help_text="Only people already working with them, or break-glass access, can open this record.",
    )
    # When the record was last restricted (people.services). A declared grant counts on a restricted record only if it
    # was given at or after this moment, which grant_access allows nobody: so only the grant create_person gives the
    # person who adds a record restricted from the start. Empty for a record restricted before this was kept: no
    # declared grant counts on it (ADR-004).
    restricted_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Search keys kept with the row so search uses indexes on SQLite and PostgreSQL alike.
    given_name_key = models.CharField(max_length=12, editable=False, db_index=True)
    family_name_key = models.CharField(max_length=12, editable=False, db_index=True)
    family_name_lower = models.CharField(max_length=100, editable=False, db_index=True)
    # Also found by: the preferred name ('Peggy' for Margaret) and the last word of a surname of several words.
    preferred_name_key = models.CharField(max_length=12, editable=False, db_index=True, blank=True, default="")
    family_name_last_key = models.CharField(max_length=12, editable=False, db_index=True, blank=True, default="")
    postcode_compact = models.CharField(max_length=7, editable=False, db_index=True, blank=True)
    # Set by people.merge.merge_people: this record was a duplicate of that one, and everything on it moved
    # there. Search and matching skip merged records; people.merge.unmerge clears it. Not indexed: almost
    # every row is NULL, and with an index SQLite's planner picks it for `merged_into IS NULL` and scans
    # the table instead of using the search keys.
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        editable=False,
        db_index=False,
        on_delete=models.PROTECT,
        related_name="merged_records",
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name"]
        indexes = [models.Index(fields=["date_of_birth"], name="person_dob")]
        constraints = [
            models.CheckConstraint(
                name="death_after_birth",
                condition=Q(date_of_death__isnull=True)
                | Q(date_of_birth__isnull=True)
                | Q(date_of_death__gte=models.F("date_of_birth")),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: object, **kwargs: object) -> None:
        self.refresh_search_keys()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("people:detail", args=[self.pk])

    def refresh_search_keys(self) -> None:
        self.given_name_key = name_key(self.given_name)
        self.family_name_key = name_key(self.family_name)
        self.family_name_lower = self.family_name.lower()
        self.preferred_name_key = name_key(self.preferred_name)
        self.family_name_last_key = last_word_key(self.family_name)
        self.postcode_compact = self.postcode.replace(" ", "")

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def known_as(self) -> str:
        return self.preferred_name or self.given_name

    @property
    def gender_label(self) -> str:
        """The gender as staff see it: the code's label when the query that read the person brought it
        (PersonQuerySet.with_gender_label, as people.selectors.resolve_access does), else the code as stored."""
        return getattr(self, "gender_code_label", None) or self.gender

    def age_on(self, day: date) -> int | None:
        from safepathways.core.clocks import age_on

        return age_on(self.date_of_birth, day) if self.date_of_birth else None


class Contact(BaseModel):
    """Someone in the person's own network: a carer, next of kin, advocate, attorney or deputy."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(max_length=20, choices=ContactKind.choices)
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=100, blank=True, help_text="For example daughter, neighbour")
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.CharField(max_length=300, blank=True)
    is_main_contact = models.BooleanField(default=False)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-is_main_contact", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class Involvement(BaseModel):
    """A professional or agency involved with the person (GP practice, district nurse, housing officer…)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="involvements")
    role = models.CharField(max_length=30, choices=ProfessionalRole.choices)
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="involvements"
    )
    name = models.CharField("Name of worker", max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["role", "name"]

    def __str__(self) -> str:
        who = self.name or (self.organisation.name if self.organisation else "")
        return f"{self.get_role_display()}: {who}" if who else str(self.get_role_display())


class AlertQuerySet(models.QuerySet["Alert"]):
    def active(self) -> Self:
        return self.filter(ended_at__isnull=True)

    def due_for_review(self, today: date) -> Self:
        return self.active().filter(review_on__lte=today)


class Alert(BaseModel):
    """A warning shown at the top of the record, with its reason, owner and review date."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=30, choices=AlertKind.choices)
    reason = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_alerts")
    review_on = models.DateField()
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    end_reason = models.TextField(blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["review_on"]
        indexes = [models.Index(fields=["person"], condition=Q(ended_at__isnull=True), name="alert_active")]

    def __str__(self) -> str:
        return self.get_kind_display()


class RiskQuerySet(models.QuerySet["Risk"]):
    def open(self) -> Self:
        return self.filter(closed_at__isnull=True)


class Risk(BaseModel):
    """A risk in the person's life, how it is managed, who owns it, and what the person thinks of it."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="risks")
    title = models.CharField(max_length=200)
    description = models.TextField()
    likelihood = models.PositiveSmallIntegerField(choices=Likelihood.choices)
    impact = models.PositiveSmallIntegerField(choices=Impact.choices)
    mitigation = models.TextField("How the risk is managed")
    persons_view = models.TextField("The person's own view of the risk", blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_risks")
    review_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = RiskQuerySet.as_manager()

    class Meta:
        ordering = ["review_on"]
        constraints = [
            models.CheckConstraint(name="risk_likelihood_1_to_5", condition=Q(likelihood__gte=1, likelihood__lte=5)),
            models.CheckConstraint(name="risk_impact_1_to_5", condition=Q(impact__gte=1, impact__lte=5)),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def score(self) -> int:
        return self.likelihood * self.impact


class ChronologyEntry(BaseModel):
    """One event in the person's story. Every app writes here through people.services.add_to_chronology."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="chronology")
    occurred_at = models.DateTimeField()
    # The capability that wrote it, e.g. "people", "work", "dols"; used to filter the timeline.
    category = models.CharField(max_length=30)
    summary = models.CharField(max_length=300)
    detail = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by_label = models.CharField(max_length=200, blank=True)
    link = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [models.Index(fields=["person", "-occurred_at"], name="chronology_by_person")]
        verbose_name_plural = "chronology entries"

    def __str__(self) -> str:
        return self.summary


class AccessGrantKind(models.TextChoices):
    DECLARED = "declared", "Declared working relationship"
    BREAK_GLASS = "break_glass", "Break-glass (emergency) access"


class AccessGrantQuerySet(models.QuerySet["AccessGrant"]):
    def current(self, now: datetime | None = None) -> Self:
        return self.filter(expires_at__gt=now or timezone.now(), revoked_at__isnull=True)

    def awaiting_review(self) -> Self:
        return self.filter(reviewed_at__isnull=True)


class ReviewOutcome(models.TextChoices):
    APPROPRIATE = "appropriate", "Appropriate"
    INAPPROPRIATE = "inappropriate", "Not appropriate – referred to line manager"


class AccessGrant(BaseModel):
    """Time-limited access to a record outside the user's working relationships, for IG review."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_grants")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="access_grants")
    kind = models.CharField(max_length=20, choices=AccessGrantKind.choices)
    reason = models.CharField(max_length=30, choices=AccessReason.choices)
    reason_detail = models.TextField()
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_outcome = models.CharField(max_length=20, choices=ReviewOutcome.choices, blank=True)
    review_note = models.TextField(blank=True)

    objects = AccessGrantQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_at"]
        constraints = [
            models.CheckConstraint(
                name="grant_expires_after_granted", condition=Q(expires_at__gt=models.F("granted_at"))
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.user} to {self.person_id}"


class ShareQuerySet(models.QuerySet["Share"]):
    def current(self, now: datetime | None = None) -> Self:
        """Shares in force: not revoked and not expired (as PersonQuerySet.shared_with_organisations reads them)."""
        return self.filter(
            Q(revoked_at__isnull=True) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now or timezone.now()))
        )


class Share(BaseModel):
    """A person's record shared with a partner organisation, for a purpose, until a date."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="shares")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="shares")
    purpose = models.CharField(max_length=200)
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ShareQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.person_id} shared with {self.organisation} for {self.purpose}"


class MergeRecord(BaseModel):
    """Two records of one person made one: who merged them, why, and every row that moved, so it can be undone."""

    kept = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_kept")
    removed = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_removed")
    reason = models.TextField()
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField()
    unmerged_at = models.DateTimeField(null=True, blank=True)
    unmerged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Identity details the kept record lacked and took from the removed one ({field: value as stored}), so undoing
    # the merge gives them back (people.merge.IDENTITY_GAPS).
    filled = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-merged_at"]
        constraints = [
            # people.merge.merge_people refuses to merge a record into itself; the database agrees.
            models.CheckConstraint(name="merge_two_different_records", condition=~Q(kept=models.F("removed"))),
        ]

    def __str__(self) -> str:
        return f"{self.removed_id} merged into {self.kept_id}"

    @property
    def is_undone(self) -> bool:
        return self.unmerged_at is not None


class MergedRow(BaseModel):
    """One row a merge moved from the removed record to the kept one (model label, foreign key and primary key)."""

    merge = models.ForeignKey(MergeRecord, on_delete=models.CASCADE, related_name="moved_rows")
    model_label = models.CharField(max_length=100, help_text="For example people.alert")
    field_name = models.CharField(max_length=100, help_text="The column that pointed at the removed record")
    object_id = models.CharField(max_length=64)

    class Meta:
        ordering = ["model_label", "object_id"]

    def __str__(self) -> str:
        return f"{self.model_label} {self.object_id}"
