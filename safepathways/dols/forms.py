"""DoLS forms, rendered through GOV.UK macros (components/forms.html). Services do the checking of dates."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from safepathways.accounts.models import User
from safepathways.core.formatting import format_date
from safepathways.core.forms import GovUKDateField, ModelChoiceField
from safepathways.dols.models import (
    Authorisation,
    Copdol11Item,
    CourtRoute,
    CourtSetting,
    NotGrantedReason,
    OversightBy,
    RequestType,
    RequirementOutcome,
    ScreeningCriterion,
)
from safepathways.dols.services import DOLS_LOCATION_TYPES
from safepathways.people.models import Person
from safepathways.providers.models import Location

YES_NO = [("yes", "Yes"), ("no", "No")]


class RequestForm(forms.Form):
    managing_authority = ModelChoiceField(
        label="Managing authority (care home or hospital)", queryset=Location.objects.none(), empty_label="Choose"
    )
    request_type = forms.ChoiceField(label="Type of request", choices=RequestType.choices, widget=forms.RadioSelect)
    received_on = GovUKDateField(label="Date the request was received", must_be_past=True)
    is_urgent = forms.ChoiceField(
        label="Has the managing authority given an urgent authorisation?", choices=YES_NO, widget=forms.RadioSelect
    )
    urgent_starts_on = GovUKDateField(label="Date the urgent authorisation started", required=False)
    urgent_period_days = forms.IntegerField(
        label="Days the urgent authorisation lasts (1 to 7)", required=False, min_value=1, max_value=7
    )
    purpose = forms.CharField(label="Purpose of the authorisation", widget=forms.Textarea)
    proposed_restrictions = forms.CharField(
        label="Proposed restrictions (optional)", widget=forms.Textarea, required=False
    )
    contact_name = forms.CharField(label="Contact at the managing authority (optional)", required=False, max_length=200)
    renews = ModelChoiceField(
        label="For a further request: the authorisation it renews",
        help_text="Only authorisations still in force are listed",
        queryset=Authorisation.objects.none(),
        required=False,
        empty_label="Not a further request",
    )

    def __init__(self, *args: Any, renewable: QuerySet[Authorisation] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["managing_authority"].queryset = Location.objects.filter(  # type: ignore[attr-defined]
            location_type__in=DOLS_LOCATION_TYPES
        ).order_by("name")
        if renewable is not None:
            self.fields["renews"].queryset = renewable  # type: ignore[attr-defined]
        self.fields["renews"].label_from_instance = _authorisation_label  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if data.get("renews") is not None and data.get("request_type") != RequestType.FURTHER:
            self.add_error("renews", "Only a further request renews an authorisation: choose that type, or leave this")
        return data


def _authorisation_label(authorisation: Authorisation) -> str:
    return (
        f"{authorisation.request.reference}: {format_date(authorisation.starts_on)} to "
        f"{format_date(authorisation.ends_on)}"
    )


class ScreenForm(forms.Form):
    criteria = forms.MultipleChoiceField(
        label="Which of these apply?", required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label="Notes (optional)", widget=forms.Textarea, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["criteria"].choices = [  # type: ignore[attr-defined]
            (c.code, f"{c.label} ({c.get_level_display().lower()})")
            for c in ScreeningCriterion.objects.filter(is_active=True)
        ]


class OversightForm(forms.Form):
    discussed_with = forms.ChoiceField(label="Discussed with", choices=OversightBy.choices, widget=forms.RadioSelect)
    discussed_on = GovUKDateField(label="Date discussed")
    decision = forms.CharField(label="What was decided", widget=forms.Textarea)


class AllocateForm(forms.Form):
    assessor = ModelChoiceField(label="Best interests assessor", queryset=User.objects.none(), empty_label="Choose")
    reason = forms.CharField(label="Notes (optional)", required=False, max_length=300)

    def __init__(self, *args: Any, assessors: QuerySet[User] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assessor"].queryset = assessors if assessors is not None else User.objects.none()  # type: ignore[attr-defined]


class AssessmentForm(forms.Form):
    outcome = forms.TypedChoiceField(
        label="Outcome",
        coerce=int,
        choices=[(c.value, c.label) for c in RequirementOutcome if c != RequirementOutcome.NOT_ASSESSED],
        widget=forms.RadioSelect,
    )
    completed_on = GovUKDateField(label="Date of the assessment")
    notes = forms.CharField(label="Notes (optional)", widget=forms.Textarea, required=False)


class SignOffForm(forms.Form):
    signed_off_on = GovUKDateField(label="Date signed off")


class GrantForm(forms.Form):
    starts_on = GovUKDateField(label="Authorisation starts")
    ends_on = GovUKDateField(label="Authorisation ends", help_text="At most 12 months after it starts")
    conditions = forms.CharField(label="Conditions (optional)", widget=forms.Textarea, required=False)
    representative_name = forms.CharField(label="Relevant person's representative", max_length=200)
    representative_relationship = forms.CharField(label="Their relationship to the person", required=False)


class RefuseForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why it is not granted", choices=NotGrantedReason.choices, widget=forms.RadioSelect
    )
    detail = forms.CharField(label="Details (optional)", widget=forms.Textarea, required=False)


class ExtendForm(forms.Form):
    days = forms.IntegerField(label="Extend by how many days (1 to 7)", min_value=1, max_value=7)
    reason = forms.CharField(label="Why the extension is needed", widget=forms.Textarea)


class SuspendForm(forms.Form):
    suspended_on = GovUKDateField(label="Date suspended")
    reason = forms.CharField(label="Why", widget=forms.Textarea)


class EndForm(forms.Form):
    reason = forms.CharField(label="Why", widget=forms.Textarea)


class CourtCaseForm(forms.Form):
    setting = forms.ChoiceField(label="Where the person lives", choices=CourtSetting.choices, widget=forms.RadioSelect)
    route = forms.ChoiceField(label="Court route", choices=CourtRoute.choices, widget=forms.RadioSelect)
    restrictions = forms.CharField(label="The restrictions", widget=forms.Textarea)


class ChecklistForm(forms.Form):
    done = forms.MultipleChoiceField(
        label="COPDOL11 checklist", choices=Copdol11Item.choices, required=False, widget=forms.CheckboxSelectMultiple
    )


class ConsultationForm(forms.Form):
    name = forms.CharField(label="Who was consulted", max_length=200)
    relationship = forms.CharField(label="Relationship to the person", max_length=100)
    consulted_on = GovUKDateField(label="Date consulted")
    views = forms.CharField(label="Their views", widget=forms.Textarea)
    objects = forms.ChoiceField(label="Do they object?", choices=YES_NO, widget=forms.RadioSelect)


class SubmitForm(forms.Form):
    submitted_on = GovUKDateField(label="Date submitted to the court")


class OrderForm(forms.Form):
    order_made_on = GovUKDateField(label="Date of the order (or of the review)")
    review_months = forms.IntegerField(label="Review within how many months (1 to 12)", min_value=1, max_value=12)
    court_reference = forms.CharField(label="Court reference (optional)", required=False, max_length=40)


class _PersonChoiceField(ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        born = f", born {format_date(obj.date_of_birth)}" if obj.date_of_birth else ""
        return f"{obj.full_name}{born} ({obj.reference})"


class ManagingAuthorityRequestForm(forms.Form):
    """A care home or hospital asks for a standard authorisation, saying whether it gave itself an urgent one."""

    person = _PersonChoiceField(
        label="Who is the request for?",
        help_text="People whose council record is shared with your organisation",
        queryset=Person.objects.none(),
        empty_label="Choose",
        error_messages={"required": "Choose who the request is for"},
    )
    managing_authority = ModelChoiceField(
        label="Care home or hospital",
        queryset=Location.objects.none(),
        empty_label="Choose",
        error_messages={"required": "Choose the care home or hospital"},
    )
    is_urgent = forms.ChoiceField(
        label="Have you given an urgent authorisation?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Answer whether you have given an urgent authorisation"},
    )
    urgent_starts_on = GovUKDateField(
        label="Date the urgent authorisation started", required=False, help_text="Only if you have given one"
    )
    urgent_period_days = forms.IntegerField(
        label="Days the urgent authorisation lasts (1 to 7)",
        required=False,
        min_value=1,
        max_value=7,
        help_text="Only if you have given one. Leave blank for 7 days",
    )
    purpose = forms.CharField(
        label="Purpose of the authorisation",
        widget=forms.Textarea,
        error_messages={"required": "Enter the purpose of the authorisation"},
    )
    proposed_restrictions = forms.CharField(
        label="Proposed restrictions (optional)", widget=forms.Textarea, required=False
    )
    sought_from = GovUKDateField(label="Date from which the authorisation is sought (optional)", required=False)
    contact_name = forms.CharField(label="Contact name (optional)", required=False, max_length=200)
    contact_phone = forms.CharField(label="Contact phone (optional)", required=False, max_length=40)

    def __init__(self, *args: Any, people: QuerySet[Person], locations: QuerySet[Location], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people  # type: ignore[attr-defined]
        self.fields["managing_authority"].queryset = locations.filter(  # type: ignore[attr-defined]
            location_type__in=DOLS_LOCATION_TYPES
        )


class FurtherRequestForm(forms.Form):
    """A further request (renewal) for an authorisation in force: the person and the place are the request's."""

    purpose = forms.CharField(
        label="Purpose of the authorisation",
        widget=forms.Textarea,
        error_messages={"required": "Enter the purpose of the authorisation"},
    )
    proposed_restrictions = forms.CharField(
        label="Proposed restrictions (optional)", widget=forms.Textarea, required=False
    )
    contact_name = forms.CharField(label="Contact name (optional)", required=False, max_length=200)
    contact_phone = forms.CharField(label="Contact phone (optional)", required=False, max_length=40)
