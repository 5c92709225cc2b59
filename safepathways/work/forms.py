"""Forms for the waiting list, duty view and a piece of work."""

from typing import Any

from django import forms

from safepathways.accounts.models import Team, User
from safepathways.core.forms import ModelChoiceField, ShortListChoiceField
from safepathways.people.models import Neighbourhood
from safepathways.work.models import WAITING_LIST_KINDS, ContactMethod, Priority, RiskFlag, WorkKind
from safepathways.work.selectors import WAIT_BANDS

SCALE = [(str(n), str(n)) for n in range(1, 6)]


class WaitingListFilterForm(forms.Form):
    team = ShortListChoiceField(label="Team", queryset=Team.objects.none(), required=False, empty_label="All teams")
    neighbourhood = ShortListChoiceField(
        label="Neighbourhood", queryset=Neighbourhood.objects.order_by("name"), required=False, empty_label="All"
    )
    kind = forms.ChoiceField(
        label="Type of work", required=False, choices=[("", "All"), *[(k.value, k.label) for k in WAITING_LIST_KINDS]]
    )
    priority = forms.ChoiceField(label="Priority", required=False, choices=[("", "All"), *Priority.choices])
    wait = forms.ChoiceField(
        label="Waiting", required=False, choices=[("", "Any time"), *[(c, label) for c, label, *_ in WAIT_BANDS]]
    )

    def __init__(self, *args: Any, teams: Any = None, neighbourhoods: list[Any] | None = None, **kwargs: Any) -> None:
        """`teams`: a queryset, or the teams already read (a list); `neighbourhoods`: likewise, already read."""
        super().__init__(*args, **kwargs)
        team: Any = self.fields["team"]
        if isinstance(teams, list):
            team.queryset, team.options = Team.objects.all(), teams
        else:
            team.queryset = teams if teams is not None else Team.objects.none()
        if neighbourhoods is not None:
            self.fields["neighbourhood"].options = neighbourhoods  # type: ignore[attr-defined]


class RiskFieldsMixin(forms.Form):
    likelihood = forms.TypedChoiceField(
        label="How likely is harm while they wait? (1 to 5)",
        choices=SCALE,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how likely harm is, from 1 to 5"},
    )
    impact = forms.TypedChoiceField(
        label="How serious would it be? (1 to 5)",
        choices=SCALE,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how serious it would be, from 1 to 5"},
    )
    risk_flags = forms.MultipleChoiceField(label="Circumstances", required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["risk_flags"].choices = [  # type: ignore[attr-defined]
            (flag.code, f"{flag.label} (at least {flag.minimum_priority})")
            for flag in RiskFlag.objects.filter(is_active=True)
        ]


class RetriageForm(RiskFieldsMixin):
    why = forms.CharField(
        label="Why is the rating changing?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why the rating is changing"},
    )


class KeepInTouchForm(forms.Form):
    method = forms.ChoiceField(
        label="How did you keep in touch?",
        choices=ContactMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how you kept in touch"},
    )
    summary = forms.CharField(
        label="What was said, and has anything changed?",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter what was said and what has changed"},
    )
    situation_changed = forms.BooleanField(label="Their situation has changed: re-rate the risk", required=False)
    likelihood = forms.TypedChoiceField(
        label="New likelihood (if changed)",
        choices=[("", "Not changed"), *SCALE],
        coerce=int,
        required=False,
        empty_value=None,
    )
    impact = forms.TypedChoiceField(
        label="New impact (if changed)",
        choices=[("", "Not changed"), *SCALE],
        coerce=int,
        required=False,
        empty_value=None,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("situation_changed") and (data.get("likelihood") is None or data.get("impact") is None):
            self.add_error("likelihood", "Choose the new likelihood and impact, as the situation has changed")
        return data


class AllocateForm(forms.Form):
    to_user = ModelChoiceField(label="Allocate to", queryset=User.objects.none(), empty_label="Choose a worker")
    expected_owner = forms.CharField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(label="Note (optional)", required=False, max_length=200)
    over_cap_reason = forms.CharField(
        label="Reason to allocate over the caseload cap (if needed)", required=False, max_length=200
    )

    def __init__(self, *args: Any, workers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = workers if workers is not None else User.objects.none()  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason", widget=forms.Textarea(attrs={"rows": 3}), error_messages={"required": "Enter a reason"}
    )


class CloseForm(forms.Form):
    outcome = forms.CharField(label="Outcome", max_length=200, error_messages={"required": "Enter the outcome"})


class BulkReassignForm(forms.Form):
    from_user = ModelChoiceField(
        label="Move the open work of", queryset=User.objects.none(), empty_label="Choose a worker"
    )
    to_user = ModelChoiceField(
        label="To", queryset=User.objects.none(), required=False, empty_label="Back to the waiting list"
    )
    reason = forms.CharField(
        label="Why?", max_length=200, error_messages={"required": "Enter why the caseload is moving"}
    )

    def __init__(self, *args: Any, workers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("from_user", "to_user"):
            self.fields[name].queryset = workers if workers is not None else User.objects.none()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("from_user") and data.get("from_user") == data.get("to_user"):
            self.add_error("to_user", "Choose a different worker, or the waiting list")
        return data


KIND_CHOICES = WorkKind.choices
