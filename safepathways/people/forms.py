"""Forms for the person record, rendered through GOV.UK macros (components/forms.html)."""

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone

from safepathways.accounts.models import Organisation, User
from safepathways.core.forms import GovUKDateField, ModelChoiceField
from safepathways.core.identifiers import is_valid_nhs_number, normalise_nhs_number, normalise_postcode
from safepathways.people.codes import (
    AccessReason,
    AlertKind,
    ContactKind,
    Ethnicity,
    Gender,
    Impact,
    Likelihood,
    NHSNumberStatus,
    ProfessionalRole,
)
from safepathways.people.models import GenderCode
from safepathways.people.selectors import SearchQuery, search_problems
from safepathways.people.services import date_problem


def choice_messages(what: str, *, required: str = "") -> dict[str, str]:
    """GOV.UK error messages for a choice: "Select <what>" when nothing is chosen (or `required`, for a question
    that reads better another way), and "Select <what> from the list" when the answer sent is not one of the options
    (a form changed in the browser). Django's own ("This field is required.", "Select a valid choice. Z is not one
    of the available choices.") say neither what to do nor which question they are about."""
    from_list = f"Select {what} from the list"  # noqa: S608 - words for a person, not SQL
    return {"required": required or f"Select {what}", "invalid_choice": from_list}


EMAIL_MESSAGES = {"invalid": "Enter an email address in the correct format, like name@example.com"}


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Name, NHS number or council reference",
        required=False,
        max_length=200,
        help_text="For example Mary Smith, 999 123 4567 or SP0001234",
        widget=forms.TextInput(attrs={"spellcheck": False, "autocomplete": "off"}),
    )
    date_of_birth = GovUKDateField(label="Date of birth", required=False, help_text="For example, 27 3 1947")
    postcode = forms.CharField(label="Postcode", required=False, max_length=10)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not (data.get("q") or data.get("date_of_birth") or data.get("postcode")):
            raise forms.ValidationError("Enter a name, NHS number, reference, date of birth or postcode")
        # The same rules as the API's search (selectors.search_problems), for the fields that were read.
        query = SearchQuery(
            text=data.get("q") or "", date_of_birth=data.get("date_of_birth"), postcode=data.get("postcode") or ""
        )
        for name, message in search_problems(query).items():
            if name in data:
                self.add_error(name, message)
        return data


def gender_choices(*, keeping: str = "") -> list[tuple[str, str]]:
    """The active gender codes in their order (one query), and `keeping`, the code the record holds now, even if it
    has been retired or is not in the list: editing other details never forces a change of gender."""
    choices = [
        (row.code, row.label if row.is_active else f"{row.label} (no longer in use)")
        for row in GenderCode.objects.choosable(keeping)
    ]
    if keeping and keeping not in {code for code, _ in choices}:
        choices.append((keeping, keeping))
    return choices


class PersonForm(forms.Form):
    given_name = forms.CharField(
        label="First name", max_length=100, error_messages={"required": "Enter the first name"}
    )
    family_name = forms.CharField(label="Last name", max_length=100, error_messages={"required": "Enter the last name"})
    preferred_name = forms.CharField(label="Preferred name (optional)", max_length=100, required=False)
    date_of_birth = GovUKDateField(
        label="Date of birth", required=False, must_be_past=True, help_text="For example, 27 3 1947"
    )
    date_of_death = GovUKDateField(label="Date of death (if they have died)", required=False, must_be_past=True)
    nhs_number = forms.CharField(
        label="NHS number (optional)",
        max_length=12,
        required=False,
        help_text="10 digits, for example 999 123 4567",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": False, "class": "govuk-input--width-10"}),
    )
    nhs_number_status = forms.ChoiceField(
        label="NHS number verification status",
        choices=NHSNumberStatus.choices,
        initial=NHSNumberStatus.TRACE_REQUIRED,
        error_messages=choice_messages(
            "the NHS number verification status", required="Select whether the NHS number has been verified"
        ),
    )
    # Choices from the GenderCode rows, read once when the form is made (__init__).
    gender = forms.ChoiceField(
        label="Gender",
        initial=Gender.NOT_KNOWN,
        error_messages={"required": "Choose a gender from the list", "invalid_choice": "Choose a gender from the list"},
    )
    ethnicity = forms.ChoiceField(
        label="Ethnicity",
        choices=Ethnicity.choices,
        initial=Ethnicity.NOT_KNOWN,
        error_messages=choice_messages("their ethnicity"),
    )
    address_line_1 = forms.CharField(label="Address line 1", max_length=200, required=False)
    address_line_2 = forms.CharField(label="Address line 2 (optional)", max_length=200, required=False)
    town = forms.CharField(label="Town or city", max_length=100, required=False)
    postcode = forms.CharField(
        label="Postcode",
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )
    phone = forms.CharField(label="Phone (optional)", max_length=40, required=False)
    email = forms.EmailField(label="Email (optional)", required=False, error_messages=EMAIL_MESSAGES)
    main_language = forms.CharField(
        label="Main language",
        max_length=60,
        initial="English",
        error_messages={"required": "Enter their main language"},
    )
    needs_interpreter = forms.BooleanField(label="Needs an interpreter", required=False)
    communication_needs = forms.CharField(
        label="Communication needs (Accessible Information Standard)",
        required=False,
        help_text="How to communicate with this person and any support they need, for example large print or BSL",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    about_me = forms.CharField(
        label="About me, in my own words",
        required=False,
        help_text="Write what the person says, in their words, so nobody asks them again",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    what_matters = forms.CharField(label="What matters to me", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    is_restricted = forms.BooleanField(
        label="Restrict this record (for example a member of staff, or a person at risk of being traced)",
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["gender"].choices = gender_choices(keeping=self.initial.get("gender") or "")  # type: ignore[attr-defined]

    def clean_date_of_birth(self) -> date | None:
        return self._real_date("date_of_birth")

    def clean_date_of_death(self) -> date | None:
        return self._real_date("date_of_death")

    def _real_date(self, name: str) -> date | None:
        """The service's rule for the date by itself (services.date_problem), answered beside the other fields."""
        value: date | None = self.cleaned_data.get(name)
        problem = date_problem(name, value, today=timezone.localdate())
        if problem:
            raise forms.ValidationError(problem)
        return value

    def clean_nhs_number(self) -> str:
        value = normalise_nhs_number(self.cleaned_data.get("nhs_number", ""))
        if value and not is_valid_nhs_number(value):
            raise forms.ValidationError(
                "Enter a valid NHS number: 10 digits whose last digit is the correct check digit"
            )
        return value

    def clean_postcode(self) -> str:
        value: str = self.cleaned_data.get("postcode", "").strip()
        if not value:
            return ""
        postcode = normalise_postcode(value)
        if postcode is None:
            raise forms.ValidationError("Enter a real UK postcode, like NW1 2AB")
        return postcode


class AlertForm(forms.Form):
    kind = forms.ChoiceField(
        label="Type of alert",
        choices=AlertKind.choices,
        widget=forms.RadioSelect,
        error_messages=choice_messages("the type of alert"),
    )
    reason = forms.CharField(
        label="Why is this alert needed?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why this alert is needed"},
    )
    owner = ModelChoiceField(
        label="Who owns this alert?",
        queryset=User.objects.none(),
        empty_label="Choose",
        error_messages=choice_messages("who owns this alert"),
    )
    review_on = GovUKDateField(
        label="Review date", help_text="When the alert must next be checked, for example 1 6 2027"
    )

    def __init__(self, *args: Any, owners: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners if owners is not None else User.objects.none()  # type: ignore[attr-defined]

    def clean_review_on(self) -> date:
        value: date = self.cleaned_data["review_on"]
        if value < timezone.localdate():
            raise forms.ValidationError("Review date must be today or in the future")
        return value


class EndAlertForm(forms.Form):
    reason = forms.CharField(
        label="Why is the alert no longer needed?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why the alert is no longer needed"},
    )


class RiskForm(forms.Form):
    title = forms.CharField(
        label="Risk",
        max_length=200,
        help_text="In a few words, for example Falls at night",
        error_messages={"required": "Enter the risk in a few words"},
    )
    description = forms.CharField(
        label="What could happen",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter what could happen"},
    )
    likelihood = forms.TypedChoiceField(
        label="How likely is it?",
        choices=Likelihood.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages=choice_messages("how likely it is"),
    )
    impact = forms.TypedChoiceField(
        label="How serious would it be?",
        choices=Impact.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages=choice_messages("how serious it would be"),
    )
    mitigation = forms.CharField(
        label="How the risk is managed",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter how the risk is managed"},
    )
    persons_view = forms.CharField(
        label="The person's own view of the risk",
        required=False,
        help_text="What the person says about this risk and how they want to manage it",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    owner = ModelChoiceField(
        label="Who owns this risk?",
        queryset=User.objects.none(),
        empty_label="Choose",
        error_messages=choice_messages("who owns this risk"),
    )
    review_on = GovUKDateField(label="Review date")

    def __init__(self, *args: Any, owners: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners if owners is not None else User.objects.none()  # type: ignore[attr-defined]

    def clean_review_on(self) -> date:
        value: date = self.cleaned_data["review_on"]
        if value < timezone.localdate():
            raise forms.ValidationError("Review date must be today or in the future")
        return value


class ContactForm(forms.Form):
    kind = forms.ChoiceField(
        label="Who are they to the person?",
        choices=ContactKind.choices,
        widget=forms.RadioSelect,
        error_messages=choice_messages("who they are to the person"),
    )
    name = forms.CharField(label="Full name", max_length=200, error_messages={"required": "Enter their full name"})
    relationship = forms.CharField(
        label="Relationship (optional)", max_length=100, required=False, help_text="For example daughter, neighbour"
    )
    phone = forms.CharField(label="Phone (optional)", max_length=40, required=False)
    email = forms.EmailField(label="Email (optional)", required=False, error_messages=EMAIL_MESSAGES)
    address = forms.CharField(label="Address (optional)", max_length=300, required=False)
    is_main_contact = forms.BooleanField(label="Main contact", required=False)


class AlertReviewForm(AlertForm):
    """Review an alert: a new review date, the reason and owner if they changed, and what the review found."""

    kind = None  # type: ignore[assignment]  # an alert keeps its kind: end it and raise another instead
    field_order = ["review_on", "reason", "owner", "note"]
    note = forms.CharField(
        label="What did the review find?",
        help_text="For example, still needed: the dog is still in the home",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter what the review found"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["review_on"].label = "Next review date"
        self.fields["reason"].help_text = "Change this only if the reason has changed"


class RiskReviewForm(RiskForm):
    """Review or edit a risk: everything but what the risk is, plus a note of what the review found."""

    note = forms.CharField(
        label="What did the review find? (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, owners: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, owners=owners, **kwargs)
        del self.fields["title"]
        del self.fields["description"]
        self.fields["review_on"].label = "Next review date"


class InvolvementForm(forms.Form):
    role = forms.ChoiceField(
        label="Role", choices=ProfessionalRole.choices, error_messages=choice_messages("the professional's role")
    )
    organisation = ModelChoiceField(
        label="Organisation (optional)",
        help_text="For example their GP practice, or the agency the worker is from",
        queryset=Organisation.objects.order_by("name"),
        required=False,
        empty_label="None",
        error_messages=choice_messages("their organisation"),
    )
    name = forms.CharField(label="Name of worker (optional)", max_length=200, required=False)
    phone = forms.CharField(label="Phone (optional)", max_length=40, required=False)
    email = forms.EmailField(label="Email (optional)", required=False, error_messages=EMAIL_MESSAGES)
    started_on = GovUKDateField(label="Involved since (optional)", required=False, must_be_past=True)


class EndInvolvementForm(forms.Form):
    ended_on = GovUKDateField(label="Date involvement ended", must_be_past=True, help_text="For example, 27 3 2027")


class ShareForm(forms.Form):
    organisation = ModelChoiceField(
        label="Partner organisation",
        queryset=Organisation.objects.filter(is_this_council=False).order_by("name"),
        empty_label="Choose",
        error_messages={
            "required": "Select the organisation to share with",
            "invalid_choice": "Select a partner organisation from the list",
        },
    )
    purpose = forms.CharField(
        label="Why are you sharing this record?",
        max_length=200,
        help_text="Partners see the record only for this purpose, for example Hospital discharge planning",
        error_messages={"required": "Enter why you are sharing this record"},
    )


class DeclareRelationshipForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why do you need to see this record?",
        choices=AccessReason.choices,
        widget=forms.RadioSelect,
        error_messages=choice_messages("why you need to see this record"),
    )
    reason_detail = forms.CharField(
        label="Give details",
        help_text="Information governance reviews every declared relationship",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Explain why you need to see this record"},
    )
