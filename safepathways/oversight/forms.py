"""Forms of the oversight pages; choices come from selectors so the forms stay free of queries of their own."""

from typing import Any

from django import forms

from safepathways.core.forms import GovUKDateField, ModelChoiceField
from safepathways.oversight import selectors
from safepathways.oversight.models import BedType
from safepathways.providers.codes import CQCRating, ProviderConcernCategory
from safepathways.providers.models import Location, ProviderConcernSource, ProviderConcernStatus

STAFF_SOURCES = [
    (ProviderConcernSource.STAFF, "Council staff"),
    (ProviderConcernSource.PARTNER, "A partner organisation told us"),
    (ProviderConcernSource.CQC, "CQC finding (inspection, warning notice or enforcement)"),
    (ProviderConcernSource.WHISTLEBLOWING, "Whistleblowing"),
]


class ConcernFilterForm(forms.Form):
    level = forms.ChoiceField(label="Level", required=False)
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[(ProviderConcernStatus.OPEN, "Open"), (ProviderConcernStatus.CLOSED, "Closed"), ("", "All")],
    )
    provider = forms.ChoiceField(label="Provider", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [  # type: ignore[attr-defined]
            ("", "All levels"),
            (selectors.UNASSESSED, "Not yet assessed"),
            *((lv.code, lv.name) for lv in selectors.levels()),
        ]
        self.fields["provider"].choices = [  # type: ignore[attr-defined]
            ("", "All providers"),
            *((str(p.pk), p.name) for p in selectors.providers_for_choice().only("id", "name")),
        ]


class RaiseConcernForm(forms.Form):
    provider = ModelChoiceField(
        label="Provider", queryset=selectors.providers_for_choice(), empty_label="Choose a provider"
    )
    location = ModelChoiceField(
        label="Location (optional)",
        help_text="Leave empty if the concern is about the whole provider",
        queryset=selectors.locations_for_choice(),
        required=False,
        empty_label="Choose a location",
    )
    source = forms.ChoiceField(
        label="Where did the concern come from?", choices=STAFF_SOURCES, widget=forms.RadioSelect
    )
    category = forms.ChoiceField(
        label="What is the concern about?", choices=[("", "Choose"), *ProviderConcernCategory.choices]
    )
    summary = forms.CharField(label="Describe the concern", widget=forms.Textarea(attrs={"rows": 5}))
    people = forms.CharField(
        label="People affected (optional)",
        help_text="Their council references, for example SP0001234, separated by commas or spaces",
        required=False,
    )

    def __init__(self, *args: Any, is_staff: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not is_staff:
            # A partner's concern is recorded as coming from a partner organisation.
            del self.fields["source"]
        location_field: forms.ModelChoiceField[Location] = self.fields["location"]  # type: ignore[assignment]
        location_field.label_from_instance = lambda obj: f"{obj.name} ({obj.provider.name})"  # type: ignore[method-assign]

    def clean_people(self) -> list[Any]:
        text: str = self.cleaned_data.get("people", "")
        references = [r for r in text.replace(",", " ").split() if r]
        found = selectors.people_by_reference(references)
        missing = [r for r in references if r.upper() not in found]
        if missing:
            raise forms.ValidationError(f"No council record has the reference {', '.join(missing)}")
        return list({r.upper(): found[r.upper()] for r in references}.values())


class EscalateForm(forms.Form):
    level = forms.ChoiceField(label="Level")
    reason = forms.CharField(label="Reason for the decision", widget=forms.Textarea(attrs={"rows": 3}))
    actions_agreed = forms.CharField(
        label="Actions agreed (optional)", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    owner = forms.ChoiceField(label="Owner")
    review_on = GovUKDateField(
        label="Next review", required=False, help_text="Leave empty to use the level's usual review period"
    )
    suspend_placements = forms.ChoiceField(
        label="Suspend new placements at the location?",
        choices=[("level", "As the level says"), ("yes", "Yes, suspend"), ("no", "No")],
        initial="level",
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, default_owner: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        levels = list(selectors.levels())
        self.levels = {lv.code: lv for lv in levels}
        self.fields["level"].choices = [  # type: ignore[attr-defined]
            (
                lv.code,
                f"{lv.order}. {lv.name}" + (" (suspends new placements)" if lv.suspends_placements_by_default else ""),
            )
            for lv in levels
        ]
        owners = list(selectors.quality_officers())
        self.owners = {str(u.pk): u for u in owners}
        self.fields["owner"].choices = [(str(u.pk), u.full_name) for u in owners]  # type: ignore[attr-defined]
        if default_owner and not self.is_bound:
            self.initial.setdefault("owner", default_owner)

    def clean_suspend_placements(self) -> bool | None:
        value = self.cleaned_data.get("suspend_placements")
        return {"yes": True, "no": False}.get(value or "")


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}))


class SuspendForm(forms.Form):
    starts_on = GovUKDateField(label="Suspended from")
    ends_on = GovUKDateField(label="Until (optional)", required=False, help_text="Leave empty until it is lifted")
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}))


class RatingForm(forms.Form):
    cqc_rating = forms.ChoiceField(label="CQC overall rating", choices=CQCRating.choices, widget=forms.RadioSelect)
    cqc_rated_on = GovUKDateField(label="Date CQC published the rating", required=False, must_be_past=True)


class VacancyFilterForm(forms.Form):
    name = forms.CharField(label="Location or provider name", required=False)
    bed_type = forms.ChoiceField(label="Type", required=False, choices=[("", "Any type"), *BedType.choices])
    available_only = forms.BooleanField(label="Only locations with vacancies", required=False)


class VacancyForm(forms.Form):
    """One box per type of vacancy; an empty box leaves that figure as it is."""

    reason = forms.CharField(label="Note (optional)", max_length=300, required=False)

    def __init__(self, *args: Any, current: dict[str, int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = current or {}
        reason = self.fields.pop("reason")
        for code, label in BedType.choices:
            # A CharField, not an IntegerField: the GOV.UK input would show a figure of 0 as an empty box.
            self.fields[code] = forms.CharField(
                label=str(label) if code == BedType.HOME_CARE_HOURS else f"{label} beds",
                required=False,
                initial=str(current[code]) if code in current else "",
                widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
            )
        self.fields["reason"] = reason

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for code, label in BedType.choices:
            text = str(cleaned.get(code) or "").strip()
            if not text:
                cleaned[code] = None
            elif text.lstrip("-").isdigit():
                # Negative figures reach the service, which refuses them with its own message.
                cleaned[code] = int(text)
            else:
                self.add_error(code, f"{label}: enter a whole number, like 3")
        return cleaned

    def figures(self) -> dict[str, int]:
        return {code: self.cleaned_data[code] for code in BedType.values if self.cleaned_data.get(code) is not None}


class ImportForm(forms.Form):
    file = forms.FileField(label="Capacity Tracker file (CSV)")
