from datetime import date
from typing import Any

from django import forms

from safepathways.accounts.models import Team
from safepathways.core.forms import GovUKDateField, ModelChoiceField
from safepathways.providers.codes import DeliveryMechanism, ServiceType
from safepathways.providers.models import Location, Provider, ServiceComponentCode


class ServiceForm(forms.Form):
    service_type = forms.ChoiceField(label="Type of service (CLD)", choices=ServiceType.choices)
    # Choices from the active ServiceComponentCode rows, read once when the form is made (__init__).
    service_component = forms.ChoiceField(
        label="Service component (optional)",
        required=False,
        error_messages={"invalid_choice": "Choose a service component from the list"},
    )
    delivery_mechanism = forms.ChoiceField(label="How it is paid for", choices=DeliveryMechanism.choices)
    provider = ModelChoiceField(
        label="Provider (optional)", queryset=Provider.objects.order_by("name"), required=False, empty_label="Choose"
    )
    location = ModelChoiceField(
        label="Location (optional)",
        queryset=Location.objects.select_related("provider").order_by("name"),
        required=False,
        empty_label="Choose",
    )
    team = ModelChoiceField(
        label="Responsible team",
        help_text="The council team that manages the person's care while the service runs. Its members can then "
        "open the person's record.",
        queryset=Team.objects.filter(organisation__is_this_council=True).order_by("name"),
        required=False,
        empty_label="No team",
    )
    start_on = GovUKDateField(label="Start date")
    planned_hours_per_week = forms.DecimalField(
        label="Planned hours a week (optional)", required=False, min_value=0, max_value=168, decimal_places=2
    )
    description = forms.CharField(label="Description (optional)", max_length=300, required=False)
    override_reason = forms.CharField(
        label="Reason to go ahead despite a placement suspension (optional)",
        help_text="Only if new placements at the location are suspended. The reason is recorded.",
        max_length=500,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service_component"].choices = [  # type: ignore[attr-defined]
            ("", "Choose"),
            *((row.code, row.label) for row in ServiceComponentCode.objects.choosable()),
        ]
        self.fields["location"].label_from_instance = lambda loc: f"{loc.name} ({loc.provider.name})"  # type: ignore[attr-defined]


class EndServiceForm(forms.Form):
    end_on = GovUKDateField(label="End date")
    reason = forms.CharField(
        label="Why is the service ending?",
        max_length=200,
        error_messages={"required": "Enter why the service is ending"},
    )

    def __init__(self, *args: Any, start_on: date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.start_on = start_on

    def clean_end_on(self) -> date:
        value: date = self.cleaned_data["end_on"]
        if self.start_on and value < self.start_on:
            raise forms.ValidationError("End date must be on or after the start date")
        return value
