"""Hospital discharge forms, rendered through GOV.UK macros (components/forms.html).

The forms check shape (a real date, a time like 14:30); discharges.services checks the rules (dates in order,
owners named) and its errors are shown against the field they name.
"""

from typing import Any

from django import forms
from django.db.models import QuerySet

from safepathways.accounts.models import Organisation
from safepathways.core.forms import GovUKDateField, ModelChoiceField
from safepathways.discharges.models import (
    DelayReason,
    Destination,
    Pathway,
    ReferralStatusName,
    ReporterRelationship,
    ReviewOutcome,
    SupportKind,
)

PATHWAY_CHOICES = [(str(value), label) for value, label in Pathway.choices]
TIME_FORMATS = ["%H:%M", "%H.%M", "%H%M"]


class TimeField(forms.TimeField):
    """A time typed as 24-hour hours and minutes (GOV.UK: "14:30")."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "24-hour clock, for example 08:30 or 18:00")
        kwargs.setdefault("error_messages", {"invalid": "Enter a time like 08:30 or 18:00"})
        super().__init__(
            input_formats=TIME_FORMATS, widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}), **kwargs
        )


class ReferralForm(forms.Form):
    hospital = ModelChoiceField(label="Hospital trust", queryset=Organisation.objects.none(), empty_label="Choose")
    ward = forms.CharField(label="Ward", max_length=100)
    ward_contact = forms.CharField(label="Ward contact and phone number (optional)", max_length=200, required=False)
    nhs_number = forms.CharField(
        label="NHS number", max_length=12, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    given_name = forms.CharField(label="First name", max_length=100)
    family_name = forms.CharField(label="Last name", max_length=100)
    date_of_birth = GovUKDateField(label="Date of birth", must_be_past=True)
    admitted_on = GovUKDateField(label="Date of admission")
    discharge_ready_on = GovUKDateField(
        label="Discharge-ready date (if known)",
        required=False,
        help_text="The day the person stopped meeting the criteria to reside",
    )
    proposed_pathway = forms.TypedChoiceField(
        label="Proposed pathway", choices=PATHWAY_CHOICES, coerce=int, widget=forms.RadioSelect
    )
    needs = forms.CharField(
        label="Needs on discharge",
        widget=forms.Textarea,
        help_text="What the person needs to go home safely: mobility, personal care, medication, home, family",
    )

    IDENTITY_FIELDS = ("nhs_number", "given_name", "family_name", "date_of_birth")

    def __init__(
        self, *args: Any, hospitals: list[Organisation] | None = None, person_known: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        ids = [h.pk for h in hospitals or []]
        self.fields["hospital"].queryset = Organisation.objects.filter(pk__in=ids).order_by("name")  # type: ignore[attr-defined]
        if person_known:
            # Taking over the front door's work: the person is the work's, so nobody retypes who they are.
            for name in self.IDENTITY_FIELDS:
                del self.fields[name]


class ReadyDateForm(forms.Form):
    discharge_ready_on = GovUKDateField(
        label="Discharge-ready date", help_text="The day the person stopped meeting the criteria to reside"
    )


class PathwayForm(forms.Form):
    pathway = forms.TypedChoiceField(
        label="Agreed pathway", choices=PATHWAY_CHOICES, coerce=int, widget=forms.RadioSelect
    )
    planned_discharge_on = GovUKDateField(
        label="Planned discharge date (optional)",
        required=False,
        help_text="With a pathway from 1 to 3, this starts the transition plan",
    )
    moving_to = forms.CharField(label="Going to (optional)", max_length=300, required=False)


class NextActionForm(forms.Form):
    next_action = forms.CharField(label="Next action", max_length=300, required=False)
    next_action_owner_name = forms.CharField(label="Who owns it", max_length=200, required=False)
    next_action_owner_organisation = ModelChoiceField(
        label="Their organisation",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="The council",
    )
    next_action_due = GovUKDateField(label="Due by", required=False)

    def __init__(self, *args: Any, organisations: QuerySet[Organisation] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["next_action_owner_organisation"].queryset = (  # type: ignore[attr-defined]
            organisations if organisations is not None else Organisation.objects.none()
        )


class DelayForm(forms.Form):
    delay_reason = ModelChoiceField(
        label="Reason for delay", queryset=DelayReason.objects.none(), required=False, empty_label="No delay"
    )

    def __init__(self, *args: Any, reasons: QuerySet[DelayReason] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["delay_reason"].queryset = reasons if reasons is not None else DelayReason.objects.none()  # type: ignore[attr-defined]


class SupportForm(forms.Form):
    support_kind = forms.ChoiceField(label="Support", choices=SupportKind.choices, widget=forms.RadioSelect)
    support_provider = forms.CharField(label="Who provides it", max_length=200, required=False)
    support_start_on = GovUKDateField(label="Start date")
    support_start_time = TimeField(label="Start time (optional)", required=False)


class OutcomeForm(forms.Form):
    discharged_on = GovUKDateField(label="Date of discharge")
    discharged_to = forms.ChoiceField(label="Discharged to", choices=Destination.choices, widget=forms.RadioSelect)
    discharged_to_detail = forms.CharField(label="Where exactly (optional)", max_length=300, required=False)
    discharge_support = forms.CharField(
        label="With what support (optional)", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    # Shown only for pathways 1-3 with no support start arranged; services.record_discharge then requires it.
    no_support_reason = forms.CharField(
        label="Why is the person leaving hospital without a support start arranged?",
        help_text="Their pathway needs support after discharge. The hospital social work team is told at once.",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    # Shown only while essential arrangements of the transition plan are open; services.record_discharge then
    # requires it.
    open_essentials_reason = forms.CharField(
        label="Why is the person leaving hospital with essential arrangements still open?",
        help_text="The arrangements listed above are not in place. The hospital social work team is told at once.",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class ReadmissionForm(forms.Form):
    readmitted_on = GovUKDateField(label="Date readmitted")
    note = forms.CharField(label="Why (optional)", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class CloseForm(forms.Form):
    status = forms.ChoiceField(
        label="Why does the referral end?",
        choices=[
            (ReferralStatusName.WITHDRAWN.value, "Withdrawn: no longer needed"),
            (ReferralStatusName.DIED.value, "The person died in hospital"),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label="Details", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ShareForm(forms.Form):
    organisation = ModelChoiceField(
        label="Share with",
        queryset=Organisation.objects.none(),
        empty_label="Choose an organisation",
        help_text="They will see this referral on their board, not the rest of the person's record",
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class SupportStartForm(forms.Form):
    happened = forms.ChoiceField(
        label="Did the support start?",
        choices=[("started", "Yes, it started"), ("not_started", "No, it did not start")],
        widget=forms.RadioSelect,
    )
    started_on = GovUKDateField(label="Date it started", required=False)
    started_time = TimeField(label="Time it started", required=False)
    confirmed_with = forms.CharField(
        label="Who confirmed it", max_length=200, required=False, help_text="For example the carer, or the person"
    )
    reason = forms.CharField(label="Why it did not start", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class UnsafeReportForm(forms.Form):
    reporter_name = forms.CharField(label="Who is reporting", max_length=200)
    reporter_relationship = forms.ChoiceField(
        label="Who are they?", choices=ReporterRelationship.choices, widget=forms.RadioSelect
    )
    reporter_contact = forms.CharField(label="How to contact them (optional)", max_length=200, required=False)
    occurred_on = GovUKDateField(label="Date of the discharge or of what happened")
    what_happened = forms.CharField(label="What happened", widget=forms.Textarea)


class ReviewCloseForm(forms.Form):
    outcome = forms.ChoiceField(label="Outcome of the review", choices=ReviewOutcome.choices, widget=forms.RadioSelect)
    findings = forms.CharField(label="What the review found", widget=forms.Textarea)


class BoardFilterForm(forms.Form):
    hospital = forms.ChoiceField(label="Hospital trust", required=False)
    pathway = forms.ChoiceField(label="Pathway", required=False, choices=[("", "All pathways"), *PATHWAY_CHOICES])

    def __init__(self, *args: Any, hospitals: list[Organisation] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["hospital"].choices = [("", "All trusts")] + [(str(h.pk), h.name) for h in hospitals or []]  # type: ignore[attr-defined]


class MetricsForm(forms.Form):
    start = GovUKDateField(label="From", must_be_past=True)
    end = GovUKDateField(label="To")
