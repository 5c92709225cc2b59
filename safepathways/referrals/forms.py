"""Front-door forms, rendered through GOV.UK macros (components/forms.html)."""

from datetime import datetime, time
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from safepathways.accounts.models import Team
from safepathways.core.forms import GovUKDateField, ModelChoiceField
from safepathways.core.identifiers import is_valid_nhs_number, normalise_nhs_number, normalise_postcode
from safepathways.people.codes import Impact, Likelihood
from safepathways.people.models import Person
from safepathways.referrals.matching import Candidate, Identity
from safepathways.referrals.models import Channel, Consent, Contact, ReferrerType, Route, Urgency
from safepathways.work.models import RiskFlag

IDENTITY_FIELDS = ("given_name", "family_name", "date_of_birth", "nhs_number", "address_line", "postcode", "phone")
NEW_RECORD = "new"
UNIDENTIFIED = "unidentified"
YES_NO = [("yes", "Yes"), ("no", "No")]


class OpenChoiceField(forms.ChoiceField):
    """Radios whose options (the likely matches) are worked out again on each request; the view checks the value."""

    def valid_value(self, value: Any) -> bool:
        return True


def _yes(value: str) -> bool:
    return value == "yes"


def _parse_time(value: str) -> time | None:
    text = value.strip().lower().replace(".", ":")
    if not text:
        return None
    hours, _, minutes = text.partition(":")
    if not (hours.isdigit() and (minutes.isdigit() or minutes == "")):
        raise ValueError(value)
    return time(int(hours), int(minutes or 0))


class IdentityFieldsMixin(forms.Form):
    """The identity the referrer gave, as typed; used to find the person."""

    given_name = forms.CharField(label="First name (optional)", max_length=100, required=False)
    family_name = forms.CharField(label="Last name (optional)", max_length=100, required=False)
    date_of_birth = GovUKDateField(
        label="Date of birth (optional)", required=False, must_be_past=True, help_text="For example, 27 3 1947"
    )
    nhs_number = forms.CharField(
        label="NHS number (optional)",
        max_length=12,
        required=False,
        help_text="10 digits, for example 999 123 4567",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": False, "class": "govuk-input--width-10"}),
    )
    address_line = forms.CharField(label="First line of address (optional)", max_length=200, required=False)
    postcode = forms.CharField(
        label="Postcode (optional)",
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )
    phone = forms.CharField(label="Their phone number (optional)", max_length=40, required=False)

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

    def identity(self) -> Identity:
        """The identity fields that validated (the rest count as not given)."""
        data = getattr(self, "cleaned_data", {})
        return Identity(
            given_name=data.get("given_name") or "",
            family_name=data.get("family_name") or "",
            date_of_birth=data.get("date_of_birth"),
            nhs_number=data.get("nhs_number") or "",
            postcode=data.get("postcode") or "",
            address_line=data.get("address_line") or "",
            phone=data.get("phone") or "",
        )


class ContactForm(IdentityFieldsMixin, forms.Form):
    """Take a contact: who, how, when, why, what the person wants, consent, risk, and who it is about."""

    field_order = [
        "referrer_type",
        "referrer_name",
        "referrer_organisation",
        "referrer_phone",
        "channel",
        "received_on",
        "received_time",
        "reason",
        "persons_wishes",
        "urgency",
        "has_immediate_risk",
        "immediate_risk_details",
        "consent",
        *IDENTITY_FIELDS,
        "match",
    ]

    referrer_type = forms.ChoiceField(
        label="Who is getting in touch?",
        choices=ReferrerType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who is getting in touch"},
    )
    referrer_name = forms.CharField(label="Their name (optional)", max_length=200, required=False)
    referrer_organisation = forms.CharField(label="Their organisation (optional)", max_length=200, required=False)
    referrer_phone = forms.CharField(label="Their phone number (optional)", max_length=40, required=False)
    channel = forms.ChoiceField(
        label="How did they get in touch?",
        choices=Channel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how they got in touch"},
    )
    received_on = GovUKDateField(label="Date received", must_be_past=True)
    received_time = forms.CharField(
        label="Time received",
        max_length=5,
        help_text="For example 9:30 or 14:05",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
        error_messages={"required": "Enter the time the contact was received"},
    )
    reason = forms.CharField(
        label="Why are they getting in touch?",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter why they are getting in touch"},
    )
    persons_wishes = forms.CharField(
        label="What does the person want? (optional)",
        required=False,
        help_text="Write it in their own words, so nobody asks them again",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    urgency = forms.ChoiceField(
        label="How urgent is it?",
        choices=Urgency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how urgent it is"},
    )
    has_immediate_risk = forms.TypedChoiceField(
        label="Is anyone at immediate risk?",
        choices=YES_NO,
        coerce=_yes,
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if anyone is at immediate risk"},
    )
    immediate_risk_details = forms.CharField(
        label="If yes, what is the risk and what has been done about it?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    consent = forms.ChoiceField(
        label="Does the person agree to information being shared?",
        choices=Consent.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the person agrees to information being shared"},
    )
    match = OpenChoiceField(
        label="Is this someone already known?", choices=[], required=False, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, for_partner: bool = False, can_link: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.for_partner = for_partner
        self.can_link = can_link and not for_partner
        if for_partner:
            # Partners send through the web form, and never see or choose council records.
            del self.fields["channel"]
        if not self.can_link:
            # Only those who may link contacts to records (rules.LINK_PERSON) are asked who it is: anyone
            # else's contact is saved unidentified, and the front door links it at triage.
            del self.fields["match"]
        self.order_fields(self.field_order)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        received_on = data.get("received_on")
        try:
            received_time = _parse_time(data.get("received_time") or "")
        except ValueError:
            self.add_error("received_time", "Enter the time like 9:30 or 14:05")
            received_time = None
        if received_on and received_time:
            received_at = timezone.make_aware(datetime.combine(received_on, received_time))
            if received_at > timezone.now():
                self.add_error("received_time", "The time received must be now or in the past")
            data["received_at"] = received_at
        if data.get("has_immediate_risk") and not (data.get("immediate_risk_details") or "").strip():
            self.add_error("immediate_risk_details", "Describe the immediate risk and what has been done about it")
        return data

    def offer_candidates(self, candidates: list[Candidate]) -> None:
        """Show the people who might be this person, with the other two choices."""
        if "match" in self.fields:
            self.fields["match"].choices = _match_choices(candidates, include_unidentified=True)  # type: ignore[attr-defined]

    def keep_identity_errors_only(self) -> None:
        """On 'Check for existing records' only the identity is checked; the rest is not finished yet."""
        for name in list(self.errors):
            if name not in IDENTITY_FIELDS:
                del self.errors[name]


class ContactEditForm(ContactForm):
    """Correct a saved contact: the same questions, answered as it stands, and why it is being changed."""

    why = forms.CharField(
        label="Why are you changing the contact?",
        help_text="For example: the GP rang back with the right date of birth",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why you are changing the contact"},
    )

    def __init__(self, *args: Any, contact: Contact, **kwargs: Any) -> None:
        received = timezone.localtime(contact.received_at)
        initial = {name: getattr(contact, name) for name in self.base_fields if hasattr(contact, name)}
        initial |= {
            "received_on": received.date(),
            "received_time": f"{received:%H:%M}",
            "has_immediate_risk": "yes" if contact.has_immediate_risk else "no",
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.contact = contact
        self.fields.pop("match", None)  # linking is its own form on the contact page

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        # The form shows the time to the minute: an untouched time keeps the seconds it was recorded with.
        received_at = data.get("received_at")
        if received_at is not None and received_at == self.contact.received_at.replace(second=0, microsecond=0):
            data["received_at"] = self.contact.received_at
        return data


def _candidate_label(candidate: Candidate) -> str:
    person = candidate.person
    return f"{person.given_name} {person.family_name} ({person.reference})"


def _match_choices(candidates: list[Candidate], *, include_unidentified: bool) -> list[tuple[str, str]]:
    choices = [(str(c.person.pk), f"This is the person: {_candidate_label(c)}") for c in candidates]
    choices.append((NEW_RECORD, "None of these – create a new record"))
    if include_unidentified:
        choices.append((UNIDENTIFIED, "Keep as unidentified for now"))
    return choices


class LinkForm(forms.Form):
    """Say who a contact awaiting triage is about: a likely match, a council reference, or a new record."""

    match = OpenChoiceField(label="Who is this contact about?", choices=[], required=False, widget=forms.RadioSelect)
    reference = forms.CharField(
        label="Or enter their council reference",
        required=False,
        max_length=12,
        help_text="For example SP0001234, from Find a person",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": False}),
    )

    def __init__(self, *args: Any, candidates: list[Candidate] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["match"].choices = _match_choices(candidates or [], include_unidentified=False)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not (data.get("match") or (data.get("reference") or "").strip()):
            self.add_error("match", "Choose who this contact is about, or enter their council reference")
        return data


class TriageForm(forms.Form):
    """The triage decision: where the contact goes (one way or several), why, and for work, how risky the wait is."""

    routes = forms.MultipleChoiceField(
        label="Where does this contact go?",
        choices=Route.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose every service the person needs: each opens its own work for its own team. "
        "Information and advice closes the contact, so choose it on its own.",
        error_messages={"required": "Choose where this contact goes"},
    )
    reason = forms.CharField(
        label="Reason for the decision",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the reason for this decision"},
    )
    advice_given = forms.CharField(
        label="Information and advice given (for information and advice)",
        required=False,
        help_text="What was explained, and where they were signposted",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    likelihood = forms.TypedChoiceField(
        label="How likely is harm while they wait? (for assessments and reviews)",
        help_text="The same rating applies to every route chosen",
        choices=Likelihood.choices,
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    impact = forms.TypedChoiceField(
        label="How serious would it be? (for assessments and reviews)",
        choices=Impact.choices,
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    risk_flags = forms.MultipleChoiceField(
        label="Risk flags (optional)", choices=[], required=False, widget=forms.CheckboxSelectMultiple
    )
    team = ModelChoiceField(
        label="Send the work to (optional)",
        queryset=Team.objects.none(),
        required=False,
        empty_label="The usual team for this route",
        help_text="Only when the contact goes one way. Leave this to send the work to the team set up for the route",
    )
    open_another = forms.BooleanField(
        label="Open new work even though they already have open work of the same kind",
        required=False,
        help_text="Only if the existing work cannot cover this: say why in the reason",
    )

    def __init__(
        self,
        *args: Any,
        routes: list[str] | None = None,
        flags: QuerySet[RiskFlag] | None = None,
        teams: QuerySet[Team] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        allowed = {Route.INFORMATION_AND_ADVICE, *(routes or [])}
        self.fields["routes"].choices = [(value, label) for value, label in Route.choices if value in allowed]  # type: ignore[attr-defined]
        self.fields["risk_flags"].choices = [(flag.code, flag.label) for flag in (flags if flags is not None else [])]  # type: ignore[attr-defined]
        self.fields["team"].queryset = teams if teams is not None else Team.objects.none()  # type: ignore[attr-defined]


class CloseForm(forms.Form):
    reason = forms.CharField(
        label="Why is the contact being closed?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why the contact is being closed"},
    )


class MergeForm(forms.Form):
    """Which of two records of one person to keep, and why they are the same person."""

    keep = forms.ChoiceField(
        label="Which record should be kept?",
        choices=[],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the record to keep"},
    )
    reason = forms.CharField(
        label="Why are these the same person?",
        help_text="For example: same name, date of birth and address; confirmed with the GP practice",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why these records are the same person"},
    )

    def __init__(self, *args: Any, people: tuple[Person, Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["keep"].choices = [  # type: ignore[attr-defined]
            (str(p.pk), f"Keep {p.reference} ({p.given_name} {p.family_name})") for p in people
        ]


class NotDuplicateForm(forms.Form):
    """Why two records that look alike are different people."""

    reason = forms.CharField(
        label="Why are these different people?",
        help_text="For example: different mothers' maiden names on the birth records; confirmed with the GP practice",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why these records are different people"},
    )
