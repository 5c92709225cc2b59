"""Safeguarding forms, rendered through the GOV.UK bridge; the services hold the rules."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from safepathways.accounts.models import Organisation, User
from safepathways.core.forms import GovUKDateField, ModelChoiceField
from safepathways.providers.models import Location, Provider
from safepathways.safeguarding.models import (
    AbuseType,
    Decision,
    LocationOfRisk,
    MSPAchieved,
    MSPAsked,
    PrimarySupportReason,
    RiskFinding,
    RiskResult,
    SourceOfRisk,
)

YES_NO = [("yes", "Yes"), ("no", "No")]
YES_NO_UNKNOWN = [("yes", "Yes"), ("no", "No"), ("unknown", "Not known yet")]


def _yes(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _text(
    label: str, *, required: bool = True, rows: int = 4, help_text: str = "", message: str = ""
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": message or f"Enter {label[0].lower()}{label[1:]}"},
    )


def _yes_no(
    label: str, message: str, *, choices: list[tuple[str, str]] = YES_NO, required: bool = True
) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=choices,
        coerce=_yes,
        empty_value=None,
        required=required,
        widget=forms.RadioSelect,
        error_messages={"required": message},
    )


class ConcernForm(forms.Form):
    summary = _text("What happened", rows=6, message="Enter what happened")
    abuse_types = forms.MultipleChoiceField(
        label="Types of abuse or neglect",
        help_text="Select all that apply",
        choices=AbuseType.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one type of abuse or neglect"},
    )
    location_of_risk = forms.ChoiceField(
        label="Where did it happen?",
        choices=[("", "Choose"), *LocationOfRisk.choices],
        error_messages={"required": "Choose where the abuse or neglect happened"},
    )
    source_of_risk = forms.ChoiceField(
        label="Who is the source of risk?",
        choices=SourceOfRisk.choices,
        widget=forms.RadioSelect,
        help_text="A service provider is anyone paid, contracted or commissioned to provide social care",
        error_messages={"required": "Choose who is the source of risk"},
    )
    provider = ModelChoiceField(
        label="Provider (if the source of risk is a service provider)",
        queryset=Provider.objects.none(),
        required=False,
        empty_label="None",
    )
    provider_location = ModelChoiceField(
        label="Provider location (optional)", queryset=Location.objects.none(), required=False, empty_label="None"
    )
    immediate_actions = _text("Immediate safety actions taken", required=False, rows=3)
    raised_by_description = forms.CharField(
        label="Who raised the concern (optional)",
        required=False,
        max_length=200,
        help_text="For example: daughter, district nurse, anonymous",
    )
    primary_support_reason = forms.ChoiceField(
        label="Primary support reason (optional)",
        choices=[("", "Not recorded"), *PrimarySupportReason.choices],
        required=False,
        help_text="Used for the Safeguarding Adults Collection",
    )

    def __init__(self, *args: Any, providers: QuerySet[Provider], locations: QuerySet[Location], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers  # type: ignore[attr-defined]
        self.fields["provider_location"].queryset = locations  # type: ignore[attr-defined]


class DecisionForm(forms.Form):
    has_care_and_support_needs = _yes_no(
        "Does the person have needs for care and support?", "Answer whether they have needs for care and support"
    )
    care_and_support_needs_reason = _text("Reason: needs for care and support", rows=2)
    is_experiencing_or_at_risk = _yes_no(
        "Are they experiencing, or at risk of, abuse or neglect?",
        "Answer whether they are experiencing or at risk of abuse or neglect",
    )
    experiencing_or_at_risk_reason = _text("Reason: abuse or neglect", rows=2)
    is_unable_to_protect_self = _yes_no(
        "As a result of those needs, are they unable to protect themselves?",
        "Answer whether they are unable to protect themselves",
    )
    unable_to_protect_self_reason = _text("Reason: unable to protect themselves", rows=2)
    decision = forms.ChoiceField(
        label="Decision",
        choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the decision"},
    )
    decision_reason = _text("Reason for the decision", rows=3)


class OpenEnquiryForm(forms.Form):
    officer = ModelChoiceField(
        label="Enquiry officer",
        queryset=User.objects.none(),
        empty_label="Choose",
        error_messages={"required": "Choose the enquiry officer"},
    )
    started_on = GovUKDateField(label="Date the enquiry started")

    def __init__(self, *args: Any, officers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers  # type: ignore[attr-defined]


class StrategyDiscussionForm(forms.Form):
    held_on = GovUKDateField(label="Date of the discussion")
    attendees = _text("Who took part, and for which agencies", rows=3)
    decisions = _text("What was decided", rows=4)


class CompleteActionForm(forms.Form):
    completed_on = GovUKDateField(label="Date completed")
    result = _text("What was done and found", rows=5)


class ActionForm(forms.Form):
    description = _text("Action", rows=2, message="Enter the action")
    owner_name = forms.CharField(
        label="Who owns it", max_length=200, error_messages={"required": "Enter who owns the action"}
    )
    agency = forms.CharField(label="Agency (blank for the council)", max_length=200, required=False)
    organisation = ModelChoiceField(
        label="Partner organisation that owns it (optional)",
        help_text="Its partners can then mark the action complete, with the result, through the API",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="None: the council, or an agency not listed",
    )
    is_caused_enquiry = forms.BooleanField(
        label="This causes the agency to make enquiries (Care Act 2014 s42(2))", required=False
    )
    due_on = GovUKDateField(label="Due date")

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class PersonalForm(forms.Form):
    msp_asked = forms.ChoiceField(
        label="Was the person (or their representative) asked about the outcomes they want?",
        choices=MSPAsked.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the person was asked about the outcomes they want"},
    )
    desired_outcomes = _text("The outcomes they want, in their words", required=False, rows=3)
    lacks_capacity = _yes_no(
        "Do they lack capacity to make decisions about the enquiry?",
        "",
        choices=YES_NO_UNKNOWN,
        required=False,
    )
    needs_advocate = _yes_no("Do they need an independent advocate?", "", choices=YES_NO_UNKNOWN, required=False)
    advocate_appointed = _yes_no("Has an advocate been appointed?", "", choices=YES_NO_UNKNOWN, required=False)
    advocate_name = forms.CharField(label="Advocate's name", max_length=200, required=False)
    supported_by = forms.CharField(
        label="Supported by (advocate, family member or friend)", max_length=200, required=False
    )


class OutcomeForm(forms.Form):
    risk_finding = forms.ChoiceField(
        label="What did the enquiry find about the risk?",
        choices=RiskFinding.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the enquiry found about the risk"},
    )
    action_taken = _yes_no("Was action taken?", "Answer whether action was taken")
    risk_result = forms.ChoiceField(
        label="If action was taken, what became of the risk?",
        choices=RiskResult.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    msp_achieved = forms.ChoiceField(
        label="Were the outcomes the person wanted achieved?",
        choices=MSPAchieved.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text="Only when they expressed outcomes",
    )
    outcome_summary = _text("Summary of the outcome", rows=4)
    concluded_on = GovUKDateField(label="Date the enquiry concluded")


class CloseForm(forms.Form):
    reason = _text("Why the concern can close", rows=3)


class ShareForm(forms.Form):
    organisation = ModelChoiceField(
        label="Partner organisation",
        queryset=Organisation.objects.none(),
        empty_label="Choose",
        error_messages={"required": "Choose the partner organisation"},
    )
    purpose = forms.CharField(
        label="Why share it", max_length=300, error_messages={"required": "Enter why the concern is shared"}
    )

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class RevokeShareForm(forms.Form):
    reason = _text("Why the share is revoked", rows=3, message="Enter why the share is revoked")
