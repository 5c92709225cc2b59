"""Forms for the waiting list, duty view and a piece of work."""

from datetime import datetime, time
from typing import Any

from django import forms
from django.utils import timezone

from safepathways.accounts.models import Team, User
from safepathways.core.forms import GovUKDateField, ModelChoiceField, ShortListChoiceField
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


def _risk_flag_choices() -> list[tuple[str, str]]:
    return [
        (flag.code, f"{flag.label} (at least {flag.minimum_priority})")
        for flag in RiskFlag.objects.filter(is_active=True)
    ]


def _parse_time(value: str) -> time | None:
    """A time typed as 9:30, 14:05, 9.30 or 14; None when nothing was typed. ValueError when it is not a time."""
    text = value.strip().lower().replace(".", ":")
    if not text:
        return None
    hours, _, minutes = text.partition(":")
    if not (hours.isdigit() and (minutes.isdigit() or minutes == "")):
        raise ValueError(value)
    return time(int(hours), int(minutes or 0))


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
        self.fields["risk_flags"].choices = _risk_flag_choices()  # type: ignore[attr-defined]


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
    contacted_on = GovUKDateField(
        label="Date of the contact", required=False, must_be_past=True, help_text="Leave blank if it was just now"
    )
    contacted_time = forms.CharField(
        label="Time of the contact",
        required=False,
        max_length=5,
        help_text="For example 9:30 or 14:05. Leave blank if it was just now",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
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
    risk_flags = forms.MultipleChoiceField(
        label="Circumstances now",
        help_text="Tick all that apply. A change here re-rates the work",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Give the work item's current flags as `initial={"risk_flags": ...}`: only a change to them re-rates."""
        super().__init__(*args, **kwargs)
        self.fields["risk_flags"].choices = _risk_flag_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("situation_changed") and (data.get("likelihood") is None or data.get("impact") is None):
            self.add_error("likelihood", "Choose the new likelihood and impact, as the situation has changed")
        data["contacted_at"] = self._contacted_at(data)
        # The ticked flags when they differ from the work's own, else None. Only the offered (active) flags are
        # compared: a flag an administrator has since switched off has no box, and its absence is no change.
        offered = {code for code, _ in self.fields["risk_flags"].choices}  # type: ignore[attr-defined]
        before = {code for code in self.initial.get("risk_flags") or [] if code in offered}
        ticked = data.get("risk_flags") or []
        data["new_flags"] = ticked if set(ticked) != before else None
        return data

    def _contacted_at(self, data: dict[str, Any]) -> datetime | None:
        """When the contact happened, from the date and time typed; None (meaning now) when neither was typed.

        A time alone is today's. A date other than today needs a time, so that no time is made up for the record.
        """
        try:
            at_time = _parse_time(data.get("contacted_time") or "")
        except ValueError:
            self.add_error("contacted_time", "Enter the time like 9:30 or 14:05")
            return None
        if "contacted_on" in self.errors:
            return None
        on = data.get("contacted_on")
        today = timezone.localdate()
        if on is None and at_time is None:
            return None
        if at_time is None:
            if on != today:
                self.add_error("contacted_time", "Enter the time of the contact, like 9:30 or 14:05")
                return None
            return timezone.now()
        contacted_at = timezone.make_aware(datetime.combine(on or today, at_time))
        if contacted_at > timezone.now():
            self.add_error("contacted_time", "The contact cannot be in the future")
            return None
        return contacted_at


class WorkerChoiceField(ModelChoiceField):
    """A choice of worker, each shown with their open work in the team against their cap ("Sam Patel — 12 of 15")
    when the queryset carries them (selectors.team_workers), and a closed account marked as such."""

    def label_from_instance(self, obj: Any) -> str:
        label = str(obj.full_name)
        if not obj.is_active:
            label += " (account closed)"
        open_items = getattr(obj, "open_items", None)
        if open_items is not None:
            cap = getattr(obj, "cap", None)
            label += f" — {open_items} of {cap}" if cap is not None else f" — {open_items} open, no cap"
        return label


class AllocateForm(forms.Form):
    to_user = WorkerChoiceField(
        label="Allocate to",
        queryset=User.objects.none(),
        empty_label="Choose a worker",
        help_text="Each worker's open work in this team, and their caseload cap",
        error_messages={"required": "Choose a worker to allocate to"},
    )
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
    from_user = WorkerChoiceField(
        label="Move the open work of",
        queryset=User.objects.none(),
        empty_label="Choose a worker",
        error_messages={"required": "Choose whose work to move"},
    )
    to_user = WorkerChoiceField(
        label="To", queryset=User.objects.none(), required=False, empty_label="Back to the waiting list"
    )
    reason = forms.CharField(
        label="Why?", max_length=200, error_messages={"required": "Enter why the caseload is moving"}
    )

    def __init__(self, *args: Any, workers: Any = None, holders: Any = None, **kwargs: Any) -> None:
        """`workers`: who the work may go to; `holders`: whose work may move (a leaver's closed account included)."""
        super().__init__(*args, **kwargs)
        none = User.objects.none()
        self.fields["from_user"].queryset = holders if holders is not None else none  # type: ignore[attr-defined]
        self.fields["to_user"].queryset = workers if workers is not None else none  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("from_user") and data.get("from_user") == data.get("to_user"):
            self.add_error("to_user", "Choose a different worker, or the waiting list")
        return data


KIND_CHOICES = WorkKind.choices


class TransferForm(forms.Form):
    to_team = ModelChoiceField(
        label="Move to",
        queryset=Team.objects.none(),
        empty_label="Choose a team",
        help_text="The work keeps its place: it waits in the new team from the day it was asked for",
        error_messages={"required": "Choose the team the work moves to"},
    )
    reason = forms.CharField(
        label="Why is it moving?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=300,
        error_messages={"required": "Enter why the work is moving to another team"},
    )

    def __init__(self, *args: Any, teams: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_team"].queryset = teams if teams is not None else Team.objects.none()  # type: ignore[attr-defined]


class BulkTransferForm(TransferForm):
    """Moving a team's open work, or one neighbourhood's, to another team: TransferForm's fields and whose work."""

    neighbourhood = ShortListChoiceField(
        label="Whose work",
        queryset=Neighbourhood.objects.order_by("name"),
        required=False,
        empty_label="All the team's open work",
        help_text="Or only the work of people living in one neighbourhood, when a boundary moves",
    )
    field_order = ["neighbourhood", "to_team", "reason"]
