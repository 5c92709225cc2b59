"""Provider failure and service interruption, the emergency placement protocol, and business continuity.

An incident (a business failure, a flood, a fire, an outbreak, a CQC closure) lists everyone affected at once.
The emergency placement protocol is data (ProtocolStep rows a council edits without code); when an incident opens
its steps are copied onto it (IncidentStep), so a change to the protocol never rewrites an incident already under
way. Each step has an owner and a clock. Nobody is lost: an incident cannot close while anyone affected has no
confirmed outcome.
"""

from datetime import datetime, timedelta
from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q

from safepathways.core.models import BaseModel
from safepathways.oversight.models import BedType


class IncidentKind(models.TextChoices):
    BUSINESS_FAILURE = "business_failure", "Business failure"
    SERVICE_INTERRUPTION = "service_interruption", "Service interruption"
    FLOOD = "flood", "Flood or severe weather"
    FIRE = "fire", "Fire"
    OUTBREAK = "outbreak", "Infection outbreak"
    CQC_CLOSURE = "cqc_closure", "CQC enforcement or closure"
    OTHER = "other", "Other emergency"


# Care Act 2014 s48: on a registered provider's business failure (as defined by the Care and Support (Business
# Failure) Regulations 2015, SI 2015/301 reg 2) the council where the care was provided must meet the needs the
# provider was meeting, whatever the person's ordinary residence or funding, without assessments first (s48(3)-(4)).
# Any other interruption: a duty for eligible needs that become unmet, otherwise the power to meet urgent needs
# without an assessment, s19(3). Source: domain-reference §6.1.
DUTY_NOTES = {
    IncidentKind.BUSINESS_FAILURE: (
        "Care Act 2014 s48: the council must meet the needs the provider was meeting, for everyone affected "
        "(self-funders and people funded by other councils too), for as long as it is needed, with no assessment "
        "first."
    ),
}
POWER_NOTE = (
    "Care Act 2014 s19(3): the council may meet urgent needs without an assessment first; it must meet eligible "
    "needs that become unmet. Self-funders in care homes: a power, if they ask."
)


def duty_note(kind: str) -> str:
    return DUTY_NOTES.get(IncidentKind(kind), POWER_NOTE) if kind in IncidentKind.values else POWER_NOTE


class StepScope(models.TextChoices):
    INCIDENT = "incident", "Once for the incident"
    PERSON = "person", "For each person affected"


class ClockFrom(models.TextChoices):
    START = "start", "From the start of the incident"
    MOVE = "move", "From the person's move"


class ProtocolStep(models.Model):
    """One step of the emergency placement protocol, as the council defines it (seeded by migration 0002).

    `after` draws the flow chart: the step that comes before this one.
    """

    code = models.SlugField(max_length=40, primary_key=True)
    title = models.CharField(max_length=200)
    scope = models.CharField(max_length=10, choices=StepScope.choices)
    owner_role = models.CharField("Who does it", max_length=100)
    clock_hours = models.PositiveSmallIntegerField("Within (hours)")
    clock_from = models.CharField(max_length=10, choices=ClockFrom.choices, default=ClockFrom.START)
    after = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_steps")
    guidance = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.title


class IncidentStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class IncidentQuerySet(models.QuerySet["Incident"]):
    def open(self) -> Self:
        return self.filter(status=IncidentStatus.OPEN)


class Incident(BaseModel):
    """A provider failure, service interruption or emergency, for a provider, a location or an area."""

    reference = models.CharField(max_length=20, unique=True)
    kind = models.CharField(max_length=30, choices=IncidentKind.choices)
    title = models.CharField(max_length=200)
    what_happened = models.TextField()
    provider = models.ForeignKey(
        "providers.Provider", null=True, blank=True, on_delete=models.PROTECT, related_name="incidents"
    )
    location = models.ForeignKey(
        "providers.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="incidents"
    )
    area = models.CharField(
        max_length=200, blank=True, help_text="Postcode districts affected, e.g. NW5 N19, for an area incident"
    )
    started_at = models.DateTimeField()
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="led_incidents")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=IncidentStatus.choices, default=IncidentStatus.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status == IncidentStatus.OPEN


class Funding(models.TextChoices):
    THIS_COUNCIL = "this_council", "Funded by this council"
    OTHER_COUNCIL = "other_council", "Funded by another council"
    SELF_FUNDED = "self_funded", "Self-funder"
    NHS = "nhs", "NHS funded (continuing healthcare)"
    NOT_KNOWN = "not_known", "Not known yet"


class Outcome(models.TextChoices):
    STAYED = "stayed", "Stayed: the service was restored"
    MOVED = "moved", "Moved to a new placement"
    FAMILY = "family", "Staying with family or friends"
    HOSPITAL = "hospital", "Admitted to hospital"
    DIED = "died", "Died"
    OTHER = "other", "Other (described)"


class AffectedPersonQuerySet(models.QuerySet["AffectedPerson"]):
    def without_outcome(self) -> Self:
        return self.filter(outcome="")


class AffectedPerson(BaseModel):
    """Someone affected by an incident: on the council's record, or recorded for the incident (a self-funder, or
    someone another council funds)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="affected")
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="incident_records"
    )
    name = models.CharField(max_length=200)
    date_of_birth = models.DateField(null=True, blank=True)
    funding = models.CharField(max_length=20, choices=Funding.choices, default=Funding.NOT_KNOWN)
    funding_council = models.CharField("Funding council", max_length=200, blank=True)
    needs = models.TextField(blank=True)
    bed_type = models.CharField("Placement needed", max_length=30, choices=BedType.choices, blank=True)
    next_of_kin = models.CharField(max_length=300, blank=True)
    home_postcode = models.CharField(max_length=8, blank=True)
    family_postcode = models.CharField(max_length=8, blank=True)
    status_note = models.CharField("Where they are now", max_length=300, blank=True)
    reserved_location = models.ForeignKey(
        "providers.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reserved_bed_type = models.CharField(max_length=30, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_detail = models.CharField(max_length=300, blank=True)
    outcome_confirmed_at = models.DateTimeField(null=True, blank=True)
    outcome_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    moved_at = models.DateTimeField(null=True, blank=True)
    transition_plan = models.ForeignKey(
        "transitions.Plan", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AffectedPersonQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "person"], condition=Q(person__isnull=False), name="affected_once_per_incident"
            )
        ]

    def __str__(self) -> str:
        return self.name


class IncidentStep(BaseModel):
    """A protocol step copied onto an incident (or onto one affected person), with its owner and clock."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="steps")
    affected = models.ForeignKey(AffectedPerson, null=True, blank=True, on_delete=models.CASCADE, related_name="steps")
    code = models.SlugField(max_length=40)
    title = models.CharField(max_length=200)
    owner_role = models.CharField(max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_at = models.DateTimeField(null=True, blank=True, help_text="Empty until its clock starts (e.g. the move)")
    clock_hours = models.PositiveSmallIntegerField()
    clock_from = models.CharField(max_length=10, choices=ClockFrom.choices, default=ClockFrom.START)
    order = models.PositiveSmallIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["order", "created_at"]
        indexes = [models.Index(fields=["incident", "affected"], name="incident_step_by_person")]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, now: datetime) -> bool:
        return self.done_at is None and self.due_at is not None and self.due_at < now

    def start_clock(self, started: datetime) -> None:
        self.due_at = started + timedelta(hours=self.clock_hours)


class IncidentReview(BaseModel):
    """The post-incident review: what happened, what worked, what to change."""

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="review")
    what_happened = models.TextField()
    what_worked = models.TextField()
    what_to_change = models.TextField()
    protocol_changed = models.BooleanField(default=False)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"Review of {self.incident_id}"


class PostcodeDistrict(models.Model):
    """The approximate centre of a postcode district, for distances between homes and placements.

    Seeded (migration 0002) with approximate centres of the London districts the synthetic borough uses; a council
    loads its own area's from the ONS Postcode Directory. Distances are only for ranking.
    """

    district = models.CharField(max_length=4, primary_key=True)
    latitude = models.FloatField()
    longitude = models.FloatField()

    def __str__(self) -> str:
        return self.district


# --- Business continuity --------------------------------------------------------------------------------------------


class ScenarioKind(models.TextChoices):
    STAFF_SHORTAGE = "staff_shortage", "Staff shortage"
    IT_OUTAGE = "it_outage", "IT outage"
    PROVIDER_COLLAPSE = "provider_collapse", "Provider collapse"
    SEVERE_WEATHER = "severe_weather", "Severe weather"
    PANDEMIC = "pandemic", "Pandemic"
    OTHER = "other", "Other"


class ContinuityPlan(BaseModel):
    """A business continuity plan for a team or service."""

    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="continuity_plans")
    service = models.CharField(max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    contacts = models.TextField("Key contacts", blank=True)
    last_tested_on = models.DateField(null=True, blank=True)
    next_review_on = models.DateField()

    class Meta:
        ordering = ["service"]

    def __str__(self) -> str:
        return self.service


class Scenario(BaseModel):
    plan = models.ForeignKey(ContinuityPlan, on_delete=models.CASCADE, related_name="scenarios")
    kind = models.CharField(max_length=30, choices=ScenarioKind.choices)
    actions = models.TextField()

    class Meta:
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.get_kind_display()


class CriticalActivity(BaseModel):
    plan = models.ForeignKey(ContinuityPlan, on_delete=models.CASCADE, related_name="critical_activities")
    activity = models.CharField(max_length=200)
    priority = models.PositiveSmallIntegerField(help_text="1 is the most critical")
    max_downtime_hours = models.PositiveSmallIntegerField("Longest it can stop (hours)")

    class Meta:
        ordering = ["priority", "activity"]

    def __str__(self) -> str:
        return self.activity


class EmergencyMode(BaseModel):
    """The council-wide emergency mode: the continuity plans in effect. At most one is active at a time."""

    scenario = models.CharField(max_length=30, choices=ScenarioKind.choices)
    reason = models.TextField()
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    declared_at = models.DateTimeField()
    is_active = models.BooleanField(default=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-declared_at"]
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="one_active_emergency")
        ]

    def __str__(self) -> str:
        return f"Emergency ({self.scenario}) from {self.declared_at:%Y-%m-%d}"
