"""Forms for incidents, the protocol, continuity plans and emergency mode (GOV.UK macros; services check rules)."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from safepathways.accounts.models import Team, User
from safepathways.continuity.models import (
    ClockFrom,
    Funding,
    IncidentKind,
    Outcome,
    ProtocolStep,
    ScenarioKind,
    StepScope,
)
from safepathways.core.forms import GovUKDateField, ModelChoiceField
from safepathways.oversight.models import BedType
from safepathways.providers.models import Location


class IncidentForm(forms.Form):
    kind = forms.ChoiceField(label="What has happened?", choices=IncidentKind.choices, widget=forms.RadioSelect)
    title = forms.CharField(label="Short title", max_length=200, help_text="For example: Flood at Rose House")
    location = ModelChoiceField(
        label="Location affected (optional for an area or a whole provider)",
        queryset=Location.objects.none(),
        required=False,
        empty_label="Choose",
    )
    area = forms.CharField(
        label="Area affected (optional)", max_length=200, required=False, help_text="Postcode districts, e.g. NW5 N19"
    )
    what_happened = forms.CharField(label="What happened", widget=forms.Textarea)
    started_on = GovUKDateField(label="Date it started", must_be_past=True)
    started_time = forms.TimeField(
        label="Time it started (24-hour clock, e.g. 23:40)", widget=forms.TimeInput(format="%H:%M")
    )
    lead = ModelChoiceField(label="Who leads the response", queryset=User.objects.none(), empty_label="Choose")

    def __init__(self, *args: Any, leads: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.select_related("provider").order_by("name")  # type: ignore[attr-defined]
        self.fields["location"].label_from_instance = lambda loc: f"{loc.name} ({loc.provider.name}, {loc.postcode})"  # type: ignore[attr-defined]
        self.fields["lead"].queryset = leads  # type: ignore[attr-defined]
        self.fields["lead"].label_from_instance = lambda user: user.full_name  # type: ignore[attr-defined]


class AffectedForm(forms.Form):
    name = forms.CharField(label="Full name", max_length=200)
    date_of_birth = GovUKDateField(label="Date of birth (optional)", required=False, must_be_past=True)
    funding = forms.ChoiceField(label="Who funds their care?", choices=Funding.choices, widget=forms.RadioSelect)
    funding_council = forms.CharField(label="Funding council (if another council)", max_length=200, required=False)
    needs = forms.CharField(label="Their needs", widget=forms.Textarea, required=False)
    bed_type = forms.ChoiceField(
        label="Placement needed", choices=[("", "Not known yet"), *BedType.choices], required=False
    )
    next_of_kin = forms.CharField(label="Next of kin (name, relationship, phone)", max_length=300, required=False)
    home_postcode = forms.CharField(label="Home postcode (optional)", max_length=8, required=False)
    family_postcode = forms.CharField(label="Family's postcode (optional)", max_length=8, required=False)


class UpdateAffectedForm(forms.Form):
    needs = forms.CharField(label="Their needs", widget=forms.Textarea, required=False)
    bed_type = forms.ChoiceField(
        label="Placement needed", choices=[("", "Not known yet"), *BedType.choices], required=False
    )
    next_of_kin = forms.CharField(label="Next of kin (name, relationship, phone)", max_length=300, required=False)
    family_postcode = forms.CharField(label="Family's postcode", max_length=8, required=False)
    status_note = forms.CharField(label="Where they are now", max_length=300, required=False)


class StepForm(forms.Form):
    note = forms.CharField(
        label="Note (optional)", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReserveForm(forms.Form):
    location = forms.UUIDField(widget=forms.HiddenInput)
    bed_type = forms.ChoiceField(choices=BedType.choices, widget=forms.HiddenInput)


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label="Where is the person now?", choices=Outcome.choices, widget=forms.RadioSelect)
    detail = forms.CharField(
        label="Where exactly (needed unless they moved to the reserved placement)", max_length=300, required=False
    )


class ReviewForm(forms.Form):
    what_happened = forms.CharField(label="What happened", widget=forms.Textarea)
    what_worked = forms.CharField(label="What worked", widget=forms.Textarea)
    what_to_change = forms.CharField(label="What to change", widget=forms.Textarea)


class ProtocolStepForm(forms.Form):
    code = forms.SlugField(
        label="Short code", max_length=40, help_text="Letters, numbers and underscores, e.g. notify_ICB"
    )
    title = forms.CharField(label="What the step is", max_length=200)
    scope = forms.ChoiceField(label="Done", choices=StepScope.choices, widget=forms.RadioSelect)
    owner_role = forms.CharField(label="Who does it", max_length=100)
    clock_hours = forms.IntegerField(label="Within how many hours", min_value=1, max_value=5000)
    clock_from = forms.ChoiceField(label="The clock starts", choices=ClockFrom.choices, widget=forms.RadioSelect)
    after = forms.ChoiceField(label="Comes after", required=False)
    guidance = forms.CharField(label="Guidance (optional)", widget=forms.Textarea, required=False)
    is_active = forms.ChoiceField(
        label="In use", choices=[("yes", "Yes"), ("no", "No")], widget=forms.RadioSelect, initial="yes"
    )
    reason = forms.CharField(label="Why the protocol is changing", max_length=300)

    def __init__(self, *args: Any, steps: list[ProtocolStep], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["after"].choices = [("", "Nothing (it starts the flow)"), *((s.code, s.title) for s in steps)]  # type: ignore[attr-defined]


class ContinuityPlanForm(forms.Form):
    team = ModelChoiceField(label="Team", queryset=Team.objects.none(), empty_label="Choose")
    service = forms.CharField(label="Service the plan covers", max_length=200)
    contacts = forms.CharField(label="Key contacts", widget=forms.Textarea, required=False)
    next_review_on = GovUKDateField(label="Next review")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(organisation__is_this_council=True).order_by("name")  # type: ignore[attr-defined]


class ScenarioForm(forms.Form):
    kind = forms.ChoiceField(label="Scenario", choices=ScenarioKind.choices)
    actions = forms.CharField(label="What the team does", widget=forms.Textarea)


class ActivityForm(forms.Form):
    activity = forms.CharField(label="Critical activity", max_length=200)
    priority = forms.TypedChoiceField(
        label="Priority",
        coerce=int,
        choices=[(1, "1 – must not stop"), (2, "2 – within a day"), (3, "3 – within a week")],
    )
    max_downtime_hours = forms.IntegerField(label="Longest it can stop (hours)", min_value=0, max_value=2000)


class TestedForm(forms.Form):
    tested_on = GovUKDateField(label="Date the plan was tested", must_be_past=True)
    next_review_on = GovUKDateField(label="Next review")


class EmergencyForm(forms.Form):
    scenario = forms.ChoiceField(label="Scenario", choices=ScenarioKind.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label="What is happening", widget=forms.Textarea)


class EmergencyFilterForm(forms.Form):
    team = ModelChoiceField(label="Team", queryset=Team.objects.none(), required=False, empty_label="All teams")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(organisation__is_this_council=True).order_by("name")  # type: ignore[attr-defined]
