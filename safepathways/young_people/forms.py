"""Young people forms, rendered through GOV.UK macros (components/forms.html). Services check dates and rules."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from safepathways.accounts.models import User
from safepathways.core.forms import GovUKDateField, ModelChoiceField
from safepathways.young_people.milestones import Milestone
from safepathways.young_people.models import (
    AccommodationStatus,
    Attendance,
    ContinuingHealthcare,
    HomelessnessRisk,
    MilestoneOutcome,
    SignificantBenefit,
)
from safepathways.young_people.selectors import AGE_BANDS, NO_WORKER

YES_NO = [("yes", "Yes"), ("no", "No")]


class TrackerFilterForm(forms.Form):
    age_band = forms.ChoiceField(
        label="Age", required=False, choices=[("", "Any age"), *((band, band) for band in AGE_BANDS)]
    )
    worker = forms.ChoiceField(label="Transitions worker", required=False)
    alarms = forms.BooleanField(label="Only young people with alarms", required=False)
    care_leavers = forms.BooleanField(label="Only care leavers", required=False)

    def __init__(self, *args: Any, workers: QuerySet[User] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "Anyone"), (NO_WORKER, "Not allocated")]
        choices.extend((str(user.pk), user.full_name) for user in (workers if workers is not None else []))
        self.fields["worker"].choices = choices  # type: ignore[attr-defined]


class MilestoneForm(forms.Form):
    code = forms.ChoiceField(label="Milestone", choices=[("", "Choose"), *Milestone.choices()])
    outcome = forms.ChoiceField(
        label="What happened", choices=MilestoneOutcome.choices, widget=forms.RadioSelect, initial="done"
    )
    done_on = GovUKDateField(label="Date", must_be_past=True)
    note = forms.CharField(
        label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="Say why if not needed"
    )


class WorkerForm(forms.Form):
    worker = ModelChoiceField(label="Transitions worker", queryset=User.objects.none(), empty_label="Choose")

    def __init__(self, *args: Any, workers: QuerySet[User] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = workers if workers is not None else User.objects.none()  # type: ignore[attr-defined]


class SignificantBenefitForm(forms.Form):
    decision = forms.ChoiceField(
        label="Would a transition assessment be of significant benefit now?",
        choices=[c for c in SignificantBenefit.choices if c[0] != SignificantBenefit.NOT_DECIDED],
        widget=forms.RadioSelect,
    )
    decided_on = GovUKDateField(label="Date of the decision", must_be_past=True)
    reason = forms.CharField(
        label="Reasons",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required if no: the reasons are given to the young person in writing (Care Act s58)",
    )


class ContinuingHealthcareForm(forms.Form):
    decision = forms.ChoiceField(
        label="Is the young person likely to need adult NHS continuing healthcare?",
        choices=[c for c in ContinuingHealthcare.choices if c[0] != ContinuingHealthcare.NOT_DECIDED],
        widget=forms.RadioSelect,
    )
    decided_on = GovUKDateField(label="Date of the decision", must_be_past=True)
    reason = forms.CharField(
        label="Why",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required if not likely: the health milestones then come off the tracker",
    )


class PlanningMeetingForm(forms.Form):
    held_on = GovUKDateField(label="Date of the meeting", must_be_past=True)
    took_part = forms.ChoiceField(label="Did the young person take part?", choices=YES_NO, widget=forms.RadioSelect)
    attendees = forms.CharField(
        label="Who came", widget=forms.Textarea(attrs={"rows": 2}), help_text="Family, school, health, housing…"
    )
    agreed = forms.CharField(label="What was agreed", widget=forms.Textarea(attrs={"rows": 3}))


class WorkshopForm(forms.Form):
    offered_on = GovUKDateField(label="Date offered", must_be_past=True)
    topic = forms.CharField(label="Workshop", max_length=200, help_text="For example money and benefits at 18")
    offered_to = forms.CharField(label="Offered to (parent or carer)", max_length=200)
    attendance = forms.ChoiceField(
        label="Did they attend?", choices=Attendance.choices, widget=forms.RadioSelect, initial=Attendance.NOT_YET
    )


class CareLeaverForm(forms.Form):
    personal_adviser_name = forms.CharField(label="Personal adviser", required=False, max_length=200)
    personal_adviser_phone = forms.CharField(label="Personal adviser's phone", required=False, max_length=40)
    accommodation_status = forms.ChoiceField(label="Accommodation", choices=AccommodationStatus.choices)
    planned_move_on = GovUKDateField(label="Date of their next planned move", required=False)
    homelessness_risk = forms.ChoiceField(
        label="Risk of homelessness", choices=HomelessnessRisk.choices, widget=forms.RadioSelect
    )


class HousingReferralForm(forms.Form):
    made_on = GovUKDateField(label="Date of the referral", must_be_past=True)
    referred_to = forms.CharField(label="Housing authority referred to", max_length=200)


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Children's services file", help_text="A CSV (UTF-8) or Excel (.xlsx) file with a header row"
    )
