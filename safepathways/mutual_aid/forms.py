"""Forms for mutual aid (rendered through the GOV.UK macros; mutual_aid.services checks the rules)."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from safepathways.core.forms import GovUKDateField, ModelMultipleChoiceField
from safepathways.mutual_aid import privacy
from safepathways.mutual_aid.models import AidKind, Partnership

NO_PERSONAL_DETAILS = (
    "Describe the need, not the person: no names, dates of birth, NHS numbers or full postcodes. "
    "Those are shared only after an offer is accepted."
)


class RequestForm(forms.Form):
    partnerships = ModelMultipleChoiceField(
        label="Which councils do you want to ask?",
        queryset=Partnership.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one council to ask"},
    )
    kind = forms.ChoiceField(
        label="What help do you need?",
        choices=AidKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of help is needed"},
    )
    quantity = forms.IntegerField(
        label="How many?",
        min_value=1,
        max_value=10_000,
        help_text="Beds, home-care hours a week, assessors or out-of-hours shifts",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
        error_messages={"required": "Enter how many", "invalid": "Enter a whole number"},
    )
    needed_from = GovUKDateField(label="Needed from")
    needed_until = GovUKDateField(label="Needed until")
    detail = forms.CharField(
        label="What is needed (optional)",
        required=False,
        max_length=2000,
        help_text=NO_PERSONAL_DETAILS,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, partnerships: QuerySet[Partnership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partnerships"].queryset = partnerships  # type: ignore[attr-defined]


class OfferForm(forms.Form):
    quantity = forms.IntegerField(
        label="How many can you offer?",
        min_value=1,
        max_value=10_000,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
        error_messages={"required": "Enter how many you can offer", "invalid": "Enter a whole number"},
    )
    detail = forms.CharField(
        label="What you are offering",
        max_length=2000,
        help_text="For example: 2 nursing beds at a care home in Edgware from Monday. " + NO_PERSONAL_DETAILS,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter what you are offering"},
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=2000,
        help_text="Shared with the other council. No personal details.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter a reason"},
    )

    def __init__(self, *args: Any, required: bool = True, label: str = "Reason", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required
        self.fields["reason"].label = label if required else f"{label} (optional)"


class DisclosureForm(forms.Form):
    """The person's details for the accepted help; only the fields the kind of help needs are shown."""

    full_name = forms.CharField(label="Full name", max_length=200, error_messages={"required": "Enter their full name"})
    date_of_birth = GovUKDateField(label="Date of birth", must_be_past=True)
    needs_summary = forms.CharField(
        label="Summary of their needs",
        max_length=2000,
        help_text="What the other council needs to know to give the help safely",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter a summary of their needs"},
    )
    address = forms.CharField(
        label="Address where the help is needed",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the address where the help is needed"},
    )

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        needed = privacy.DISCLOSURE_FIELDS.get(kind, ())
        for name in list(self.fields):
            if name not in needed:
                del self.fields[name]
