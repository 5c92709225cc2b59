"""The register of care providers and their locations, and the services each person receives."""

from datetime import date
from decimal import Decimal
from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q

from safepathways.core.models import BaseModel
from safepathways.providers.codes import (
    CQCRating,
    DeliveryMechanism,
    LocationType,
    ProviderConcernCategory,
    ServiceType,
)


class Provider(BaseModel):
    """A registered care provider (CQC provider ID, e.g. 1-101234567)."""

    name = models.CharField(max_length=200)
    cqc_provider_id = models.CharField("CQC provider ID", max_length=20, blank=True, db_index=True)
    organisation = models.OneToOneField(
        "accounts.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="provider"
    )
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Location(BaseModel):
    """A place a provider delivers care from (a care home, an agency office), with its CQC location ID."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="locations")
    name = models.CharField(max_length=200)
    # CQC location ID format is UNCONFIRMED beyond "1-" and digits (domain-reference.md §8.2).
    cqc_location_id = models.CharField("CQC location ID", max_length=20, blank=True, db_index=True)
    location_type = models.CharField(max_length=30, choices=LocationType.choices)
    registered_places = models.PositiveIntegerField(null=True, blank=True, help_text="Beds, for care homes")
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    # The latest published CQC overall rating; recorded by provider quality staff (oversight.services).
    cqc_rating = models.CharField("CQC rating", max_length=30, choices=CQCRating.choices, default=CQCRating.NOT_RATED)
    cqc_rated_on = models.DateField("CQC rating published on", null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ServiceComponentCodeQuerySet(models.QuerySet["ServiceComponentCode"]):
    def choosable(self, keeping: str = "") -> Self:
        """The components a service may be given: the active ones, and `keeping` (the one it holds now)."""
        return self.filter(Q(is_active=True) | Q(code=keeping))

    def allows(self, code: str, *, keeping: str = "") -> bool:
        """Whether a service may hold `code`: none (blank), an active code, or the one it holds now (`keeping`)."""
        if not code or (keeping and code == keeping):
            return True
        return self.filter(code=code, is_active=True).exists()


class ServiceComponentCode(models.Model):
    """A CLD Service_Component a service may be recorded with, edited by administrators; seeded by migration 0005.

    The R1 list is UNCONFIRMED (domain-reference.md §5.3), so it is configuration: a council adds components and
    retires (never deletes) the ones it stops using. `Service.service_component` stores `code`.
    """

    code = models.CharField(
        max_length=60, primary_key=True, help_text="The text stored on the service and sent in returns"
    )
    label = models.CharField(max_length=100, help_text="What staff see when they choose it")
    is_active = models.BooleanField(default=True, help_text="Untick to stop it being chosen; services keep it")
    order = models.PositiveSmallIntegerField(default=0)

    objects = ServiceComponentCodeQuerySet.as_manager()

    class Meta:
        ordering = ["order", "label"]

    def __str__(self) -> str:
        return self.label


class ServiceQuerySet(models.QuerySet["Service"]):
    def current(self, today: date) -> Self:
        return self.filter(Q(end_on__isnull=True) | Q(end_on__gte=today), start_on__lte=today)


class Service(BaseModel):
    """A service a person receives: its CLD type, who provides it, where, since when, how much."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="services")
    service_type = models.CharField(max_length=80, choices=ServiceType.choices)
    # Blank, or one of the ServiceComponentCode rows' codes (providers.services checks it); no `choices`, so that a
    # council can add components.
    service_component = models.CharField(max_length=60, blank=True)
    delivery_mechanism = models.CharField(
        max_length=40, choices=DeliveryMechanism.choices, default=DeliveryMechanism.COMMISSIONED
    )
    provider = models.ForeignKey(Provider, null=True, blank=True, on_delete=models.PROTECT, related_name="services")
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.PROTECT, related_name="services")
    # The council team responsible for the person while the service runs (care management).
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="responsible_for_services"
    )
    start_on = models.DateField()
    end_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)
    planned_hours_per_week = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, help_text="For care at home"
    )
    description = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["-start_on"]
        indexes = [models.Index(fields=["person", "start_on"], name="service_by_person")]
        constraints = [
            models.CheckConstraint(
                name="service_ends_after_start", condition=Q(end_on__isnull=True) | Q(end_on__gte=models.F("start_on"))
            ),
            models.CheckConstraint(
                name="service_hours_not_negative",
                condition=Q(planned_hours_per_week__isnull=True) | Q(planned_hours_per_week__gte=Decimal("0")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_type} from {self.start_on}"


class ProviderConcernSource(models.TextChoices):
    SAFEGUARDING_ENQUIRY = "safeguarding_enquiry", "Safeguarding enquiry"
    STAFF = "staff", "Council staff"
    PARTNER = "partner", "Partner organisation"
    CQC = "cqc", "Care Quality Commission"
    WHISTLEBLOWING = "whistleblowing", "Whistleblowing"


class ProviderConcernStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class ProviderConcernQuerySet(models.QuerySet["ProviderConcern"]):
    def open(self) -> Self:
        return self.filter(status=ProviderConcernStatus.OPEN)


class ProviderConcern(BaseModel):
    """A concern about the quality or safety of a provider's care; the provider-concerns process escalates it.

    Raised, for example, when a safeguarding enquiry names a service provider as the source of risk
    (safeguarding.services.open_enquiry), or by staff, partners, CQC findings and whistleblowing through
    oversight.services.raise_concern. Its escalation (level, owner, review date, history) lives in the oversight
    app, on oversight.ConcernCase, so this app does not depend on oversight.
    """

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="concerns")
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.PROTECT, related_name="concerns")
    source = models.CharField(max_length=30, choices=ProviderConcernSource.choices)
    # Blank until someone categorises it (a safeguarding enquiry raises it uncategorised).
    category = models.CharField(max_length=30, choices=ProviderConcernCategory.choices, blank=True)
    summary = models.TextField()
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField()
    people = models.ManyToManyField("people.Person", blank=True, related_name="provider_concerns")
    status = models.CharField(max_length=10, choices=ProviderConcernStatus.choices, default=ProviderConcernStatus.OPEN)

    objects = ProviderConcernQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return f"Concern about {self.provider_id} ({self.get_source_display()})"
