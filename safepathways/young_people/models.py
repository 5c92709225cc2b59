"""Young people moving to adulthood and care leavers: who children's services told us about, and what is done.

A YoungPerson row is one person (people.Person) known to children's services: an EHC plan, children's social
care, or a care leaver. Their milestones are not stored as due dates: young_people.milestones works every due date
out from the date of birth on the day it is asked, so a 14th birthday puts someone on the tracker with nothing
run. Only what was done is stored (MilestoneRecord), with who recorded it and when.

Statutory and guidance timescales are constants in young_people.milestones with their sources; local practice
(allocation at 16 to 16½, panel 3 months before 18, the care-leaver move window) lives in YoungPeopleSettings.
"""

from datetime import date, datetime
from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q

from safepathways.core.models import BaseModel
from safepathways.young_people import milestones


class YoungPeopleSettings(models.Model):
    """Local timescales for preparing for adulthood. One row, seeded by migration 0002; administrators edit it.

    Defaults follow the local practice in domain-reference §4.2 (Leeds, Kingston): a transitions worker allocated
    at about 16 to 16½, the Care Act assessment before 18 and panel sign-off about 3 months before the 18th
    birthday. None of these is statute.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    tracker_from_age = models.PositiveSmallIntegerField(
        default=milestones.DEFAULT_TRACKER_FROM_AGE,
        help_text="Age at which a young person appears on the transitions tracker (health is told at 14)",
    )
    allocation_from_months = models.PositiveSmallIntegerField(
        default=milestones.DEFAULT_TIMESCALES.allocation_from_months,
        help_text="Age in months from which a transitions worker is allocated (192 = 16 years)",
    )
    allocation_by_months = models.PositiveSmallIntegerField(
        default=milestones.DEFAULT_TIMESCALES.allocation_by_months,
        help_text="Age in months by which a transitions worker is allocated (198 = 16½ years)",
    )
    assessment_by_months = models.PositiveSmallIntegerField(
        default=milestones.DEFAULT_TIMESCALES.assessment_by_months,
        help_text="Age in months by which the transition assessment is done (204 = 17 years)",
    )
    decision_in_principle_by_months = models.PositiveSmallIntegerField(
        default=milestones.DEFAULT_TIMESCALES.decision_in_principle_by_months,
        help_text="Age in months by which health give a continuing healthcare decision in principle (207 = 17¼)",
    )
    panel_months_before_18 = models.PositiveSmallIntegerField(
        default=milestones.DEFAULT_TIMESCALES.panel_months_before_18,
        help_text="Months before the 18th birthday by which adult support is agreed at panel",
    )
    adult_plan_alarm_months = models.PositiveSmallIntegerField(
        default=milestones.DEFAULT_TIMESCALES.adult_plan_alarm_months,
        help_text="Age in months from which no agreed adult plan is a red alarm (210 = 17½ years)",
    )
    care_leaver_move_window_months = models.PositiveSmallIntegerField(
        default=milestones.DEFAULT_TIMESCALES.care_leaver_move_window_months,
        help_text="Months before a care leaver's planned move from which unsettled accommodation is flagged",
    )
    health_notify_by_months = models.PositiveSmallIntegerField(
        default=milestones.DEFAULT_TIMESCALES.health_notify_by_months,
        help_text="Age in months by which health (the ICB) is told of likely continuing healthcare needs (171 = "
        "14 years 3 months; the framework says at 14)",
    )
    team_slug = models.SlugField(
        max_length=80, default="transitions", help_text="The transitions team, which holds plans and continuity gaps"
    )
    # Every young person's stored urgency worked out before this is stale (young_people.assessments.stale).
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "young people settings"
        verbose_name_plural = "young people settings"

    def __str__(self) -> str:
        return f"Tracker from {self.tracker_from_age}"

    @classmethod
    def current(cls) -> "YoungPeopleSettings":
        """The settings row, or the defaults if an administrator deleted it."""
        found = cls.objects.filter(pk=1).first()
        return found if found is not None else cls()

    @property
    def timescales(self) -> milestones.Timescales:
        return milestones.Timescales(
            allocation_from_months=self.allocation_from_months,
            allocation_by_months=self.allocation_by_months,
            assessment_by_months=self.assessment_by_months,
            decision_in_principle_by_months=self.decision_in_principle_by_months,
            panel_months_before_18=self.panel_months_before_18,
            adult_plan_alarm_months=self.adult_plan_alarm_months,
            care_leaver_move_window_months=self.care_leaver_move_window_months,
            health_notify_by_months=self.health_notify_by_months,
        )


class ContinuingHealthcare(models.TextChoices):
    """CYP Continuing Care Framework 2016 paras 116-117: is the young person likely to need adult NHS
    continuing healthcare? Only then is health (the ICB) told at 14, the adult checklist used at 16-17 and a
    decision in principle made after 17 (domain-reference §4.3)."""

    NOT_DECIDED = "not_decided", "Not decided yet"
    YES = "yes", "Likely to need it"
    NO = "no", "Not likely to need it"


class SignificantBenefit(models.TextChoices):
    """Care Act 2014 s58(1): would a transition assessment be of significant benefit?"""

    NOT_DECIDED = "not_decided", "Not decided yet"
    YES = "yes", "Yes: assess now"
    NO = "no", "No: written reasons given"


class AccommodationStatus(models.TextChoices):
    UNKNOWN = "unknown", "Not known"
    SETTLED = "settled", "Settled"
    STAYING_PUT = "staying_put", "Staying put with former foster carers"
    SUPPORTED = "supported", "Supported accommodation, next home secured"
    UNSETTLED = "unsettled", "Not settled"
    TEMPORARY = "temporary", "Temporary accommodation"
    SOFA_SURFING = "sofa_surfing", "Sofa surfing"
    HOMELESS = "homeless", "Homeless"
    CUSTODY = "custody", "In custody"


# "No settled accommodation" for the care-leaver move flag is anything outside these.
SETTLED_ACCOMMODATION = (AccommodationStatus.SETTLED, AccommodationStatus.STAYING_PUT, AccommodationStatus.SUPPORTED)


class HomelessnessRisk(models.TextChoices):
    NONE = "none", "No known risk"
    LOW = "low", "Low"
    HIGH = "high", "High"


class YoungPersonQuerySet(models.QuerySet["YoungPerson"]):
    def aged_between(self, today: date, from_age: int, under_age: int) -> Self:
        """Aged `from_age` or more and under `under_age` today, from the date of birth in the query."""
        return self.filter(
            person__date_of_birth__lte=milestones.born_on_or_before(today, from_age),
            person__date_of_birth__gt=milestones.born_on_or_before(today, under_age),
        )

    def living(self) -> Self:
        return self.filter(person__date_of_death__isnull=True, person__merged_into__isnull=True)

    def on_tracker(self, today: date, from_age: int) -> Self:
        """Everyone the tracker shows: alive, from the tracker age up to their 25th birthday."""
        return self.living().aged_between(today, from_age, milestones.UPPER_AGE)


class YoungPerson(BaseModel):
    """A young person known to children's services, on the way to adulthood, with what adult services know."""

    person = models.OneToOneField("people.Person", on_delete=models.PROTECT, related_name="young_person")
    childrens_reference = models.CharField(
        "Children's services reference", max_length=40, unique=True, help_text="The id in the children's system"
    )
    has_ehc_plan = models.BooleanField("Has an EHC plan", default=False)
    # SEND Code of Practice: an EHC plan may continue to 25 at most (services refuse a later date).
    ehc_plan_ends_on = models.DateField("EHC plan ends", null=True, blank=True)
    is_known_to_childrens_social_care = models.BooleanField("Known to children's social care", default=False)
    is_care_leaver = models.BooleanField("Care leaver", default=False)
    significant_benefit = models.CharField(
        "Transition assessment of significant benefit",
        max_length=12,
        choices=SignificantBenefit.choices,
        default=SignificantBenefit.NOT_DECIDED,
    )
    significant_benefit_decided_on = models.DateField(null=True, blank=True)
    significant_benefit_reason = models.TextField("Reasons for the decision", blank=True)
    continuing_healthcare = models.CharField(
        "Likely to need adult continuing healthcare",
        max_length=12,
        choices=ContinuingHealthcare.choices,
        default=ContinuingHealthcare.NOT_DECIDED,
    )
    continuing_healthcare_decided_on = models.DateField(null=True, blank=True)
    continuing_healthcare_reason = models.TextField("Why", blank=True)
    transitions_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="young_people"
    )
    # Children and Social Work Act 2017 s3 (CA 1989 s23CZB): a personal adviser is offered up to 25.
    personal_adviser_name = models.CharField(max_length=200, blank=True)
    personal_adviser_phone = models.CharField(max_length=40, blank=True)
    accommodation_status = models.CharField(
        max_length=20,
        choices=AccommodationStatus.choices,
        default=AccommodationStatus.UNKNOWN,
        help_text="Settled once the home they will live in after their next move is secured",
    )
    planned_move_on = models.DateField("Date of their next planned move", null=True, blank=True)
    # When planned_move_on was last set (services): a move a care-leaver plan records later is that move, so the
    # date no longer raises the move flag (facts). Empty for dates set before this was kept, counted as earlier.
    planned_move_recorded_at = models.DateTimeField(null=True, blank=True, editable=False)
    homelessness_risk = models.CharField(max_length=10, choices=HomelessnessRisk.choices, default=HomelessnessRisk.NONE)
    # Housing Act 1996 s213B duty to refer (Homelessness Reduction Act 2017), UNCONFIRMED in domain-reference §4.4.
    housing_referral_made_on = models.DateField("Housing duty referral made", null=True, blank=True)
    housing_referral_to = models.CharField("Housing authority referred to", max_length=200, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True, help_text="Last updated from children's services")
    # The tracker's order and counts, worked out from the milestones (young_people.assessments) and kept until a
    # change to the record, its milestones, the date of birth or an adult plan, or a new day, makes them stale.
    urgency = models.PositiveSmallIntegerField(default=2, help_text="0 red alarm, 1 amber alarm, 2 no alarm")
    alarm_count = models.PositiveSmallIntegerField(default=0)
    next_due_on = models.DateField(null=True, blank=True)
    move_flagged = models.BooleanField(default=False)
    had_adult_plan = models.BooleanField(default=False)
    # The care-leaver plans the move flag was worked out from: the earliest open plan's date, and when a plan last
    # recorded a move (young_people.assessments.stale compares them with the plans now).
    assessed_move_plan_on = models.DateField(null=True, blank=True)
    assessed_move_recorded_at = models.DateTimeField(null=True, blank=True)
    assessed_born_on = models.DateField(null=True, blank=True)
    assessed_on = models.DateField(null=True, blank=True)
    assessed_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = YoungPersonQuerySet.as_manager()

    class Meta:
        ordering = ["childrens_reference"]
        indexes = [
            # Care leavers by the move date on their record.
            models.Index(fields=["planned_move_on"], condition=Q(is_care_leaver=True), name="yp_care_leaver_moves"),
        ]
        constraints = [
            # Care Act 2014 s58: a refusal to assess must come with written reasons (services check it too).
            models.CheckConstraint(
                name="yp_no_significant_benefit_has_reason",
                condition=~Q(significant_benefit="no") | ~Q(significant_benefit_reason=""),
            ),
            # services.record_housing_referral: a referral names the housing authority.
            models.CheckConstraint(
                name="yp_housing_referral_names_authority",
                condition=Q(housing_referral_made_on__isnull=True) | ~Q(housing_referral_to=""),
            ),
        ]

    def __str__(self) -> str:
        return self.childrens_reference

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("young_people:detail", args=[self.pk])

    @property
    def has_settled_accommodation(self) -> bool:
        return self.accommodation_status in SETTLED_ACCOMMODATION

    def facts(self, *, move_plan_on: date | None = None, move_recorded_at: datetime | None = None) -> milestones.Facts:
        """The facts milestones are worked out from (the person must be loaded).

        `move_plan_on` is the earliest date of the person's open care-leaver transition plans and `move_recorded_at`
        when a care-leaver plan last recorded a move (young_people.selectors annotates both). The planned move on
        the record is left out once a plan has recorded a move since that date was set: it was that move.
        """
        planned_move_on = self.planned_move_on
        if (
            planned_move_on is not None
            and move_recorded_at is not None
            and (self.planned_move_recorded_at is None or self.planned_move_recorded_at <= move_recorded_at)
        ):
            planned_move_on = None
        return milestones.Facts(
            date_of_birth=self.person.date_of_birth,
            has_ehc_plan=self.has_ehc_plan,
            ehc_plan_ends_on=self.ehc_plan_ends_on,
            significant_benefit=self.significant_benefit,
            continuing_healthcare=self.continuing_healthcare,
            is_care_leaver=self.is_care_leaver,
            has_personal_adviser=bool(self.personal_adviser_name),
            has_settled_accommodation=self.has_settled_accommodation,
            planned_move_on=planned_move_on,
            move_plan_on=move_plan_on,
            homelessness_risk=self.homelessness_risk,
            has_housing_referral=self.housing_referral_made_on is not None,
        )


class MilestoneOutcome(models.TextChoices):
    DONE = "done", "Done"
    NOT_NEEDED = "not_needed", "Not needed"


class MilestoneRecord(BaseModel):
    """A milestone met (or decided not needed): when, by whom, and a note. One per milestone and young person."""

    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="milestone_records")
    code = models.CharField(max_length=40, choices=milestones.Milestone.choices())
    outcome = models.CharField(max_length=12, choices=MilestoneOutcome.choices, default=MilestoneOutcome.DONE)
    done_on = models.DateField()
    note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["done_on", "created_at"]
        constraints = [
            # services.record_milestone refuses a second record; the database agrees.
            models.UniqueConstraint(fields=["young_person", "code"], name="one_record_per_milestone"),
        ]

    def __str__(self) -> str:
        return f"{self.young_person_id}: {self.code}"

    def as_done(self) -> milestones.Done:
        return self.done_from(self.code, self.outcome, self.done_on, self.note)

    @staticmethod
    def done_from(code: str, outcome: str, done_on: date, note: str) -> milestones.Done:
        """What the milestones need of a record, from its values (a record, or a row read as plain values)."""
        return milestones.Done(code=code, is_needed=outcome == MilestoneOutcome.DONE, done_on=done_on, note=note)


class PlanningMeeting(BaseModel):
    """A "planning together" meeting with the young person, their family and partners, and what was agreed."""

    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="planning_meetings")
    held_on = models.DateField()
    young_person_took_part = models.BooleanField(default=True)
    attendees = models.TextField(help_text="Who came: the young person, family, school, health, housing…")
    agreed = models.TextField("What was agreed")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-held_on", "-created_at"]

    def __str__(self) -> str:
        return f"Planning together on {self.held_on}"


class Attendance(models.TextChoices):
    NOT_YET = "not_yet", "Not held yet"
    ATTENDED = "attended", "Attended"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"


class Workshop(BaseModel):
    """A workshop offered to the young person's parents or carers (preparing for adulthood), and whether they came."""

    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="workshops")
    offered_on = models.DateField()
    topic = models.CharField(max_length=200, help_text="For example money and benefits, mental capacity at 16")
    offered_to = models.CharField("Offered to", max_length=200, help_text="The parent's or carer's name")
    attendance = models.CharField(max_length=20, choices=Attendance.choices, default=Attendance.NOT_YET)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-offered_on", "-created_at"]

    def __str__(self) -> str:
        return self.topic
