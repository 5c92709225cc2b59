from datetime import date
from typing import Any

from django import forms

from safepathways.accounts.models import Team
from safepathways.core.forms import GovUKDateField, ModelChoiceField
from safepathways.providers.codes import DeliveryMechanism, ServiceType
from safepathways.providers.models import Location, Provider, ServiceComponentCode


class ServiceForm(forms.Form):
    service_type = forms.ChoiceField(
        label="Type of service (CLD)",
        choices=ServiceType.choices,
        error_messages={
            "required": "Select the type of service",
            "invalid_choice": "Select a type of service from the list",
        },
    )
    # Choices from the active ServiceComponentCode rows, read once when the form is made (__init__).
    service_component = forms.ChoiceField(
        label="Service component (optional)",
        required=False,
        error_messages={"invalid_choice": "Choose a service component from the list"},
    )
    delivery_mechanism = forms.ChoiceField(
        label="How it is paid for",
        choices=DeliveryMechanism.choices,
        error_messages={
            "required": "Select how the service is paid for",
            "invalid_choice": "Select how the service is paid for from the list",
        },
    )
    provider = ModelChoiceField(
        label="Provider (optional)",
        queryset=Provider.objects.order_by("name"),
        required=False,
        empty_label="Choose",
        error_messages={"invalid_choice": "Select a provider from the list"},
    )
    location = ModelChoiceField(
        label="Location (optional)",
        queryset=Location.objects.select_related("provider").order_by("name"),
        required=False,
        empty_label="Choose",
        error_messages={"invalid_choice": "Select a location from the list"},
    )
    team = ModelChoiceField(
        label="Responsible team",
        help_text="The council team that manages the person's care while the service runs. Its members can then "
        "open the person's record.",
        queryset=Team.objects.filter(organisation__is_this_council=True).order_by("name"),
        required=False,
        empty_label="No team",
        error_messages={"invalid_choice": "Select the responsible team from the list"},
    )
    start_on = GovUKDateField(label="Start date")
    planned_hours_per_week = forms.DecimalField(
        label="Planned hours a week (optional)",
        required=False,
        min_value=0,
        max_value=168,
        decimal_places=2,
        error_messages={
            "invalid": "Planned hours a week must be a number, like 12 or 7.5",
            "min_value": "Planned hours a week must be 0 or more",
            "max_value": "Planned hours a week must be 168 or fewer",
            "max_decimal_places": "Planned hours a week must have no more than 2 decimal places",
        },
    )
    description = forms.CharField(
        label="Description (optional)",
        max_length=300,
        required=False,
        error_messages={"max_length": "Description must be 300 characters or fewer"},
    )
    override_reason = forms.CharField(
        label="Reason to go ahead despite a placement suspension (optional)",
        help_text="Only if new placements at the location are suspended. The reason is recorded.",
        max_length=500,
        required=False,
        error_messages={"max_length": "The reason to go ahead must be 500 characters or fewer"},
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
        error_messages={
            "required": "Enter why the service is ending",
            "max_length": "Why the service is ending must be 200 characters or fewer",
        },
    )

    def __init__(self, *args: Any, start_on: date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.start_on = start_on

    def clean_end_on(self) -> date:
        value: date = self.cleaned_data["end_on"]
        if self.start_on and value < self.start_on:
            raise forms.ValidationError("End date must be on or after the start date")
        return value
