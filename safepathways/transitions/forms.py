"""Forms for transition plans and continuity, rendered through GOV.UK macros. Services check the rules."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from safepathways.accounts.models import Organisation, Team, User
from safepathways.core.forms import GovUKDateField, ModelChoiceField, ShortListChoiceField
from safepathways.transitions.models import Agreement, ItemStatus, PlanKind

YES_NO = [("yes", "Yes"), ("no", "No")]


def _organisations() -> QuerySet[Organisation]:
    return Organisation.objects.order_by("name")


class PlanForm(forms.Form):
    kind = forms.ChoiceField(label="What kind of move is it?", choices=PlanKind.choices, widget=forms.RadioSelect)
    moving_from = forms.CharField(label="Moving from", max_length=300, help_text="For example Royal Free, ward 8 North")
    moving_to = forms.CharField(label="Moving to", max_length=300, help_text="For example home, or the name of a home")
    planned_on = GovUKDateField(label="Planned move date")
    team = ModelChoiceField(label="Team responsible", queryset=Team.objects.none(), empty_label="Choose")
    coordinator = ModelChoiceField(label="Who coordinates the move", queryset=User.objects.none(), empty_label="Choose")

    def __init__(self, *args: Any, teams: QuerySet[Team], coordinators: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
        self.fields["coordinator"].queryset = coordinators  # type: ignore[attr-defined]
        self.fields["coordinator"].label_from_instance = lambda user: user.full_name  # type: ignore[attr-defined]


class DetailsForm(forms.Form):
    moving_from = forms.CharField(label="Moving from", max_length=300)
    moving_to = forms.CharField(label="Moving to", max_length=300)
    planned_on = GovUKDateField(label="Planned move date")
    coordinator = ModelChoiceField(label="Who coordinates the move", queryset=User.objects.none(), empty_label=None)

    def __init__(self, *args: Any, coordinators: QuerySet[User] | None = None, **kwargs: Any) -> None:
        """`coordinators`: council staff of the plan's team (selectors.plan_coordinators)."""
        super().__init__(*args, **kwargs)
        field: Any = self.fields["coordinator"]
        if coordinators is not None:
            field.queryset = coordinators
        field.label_from_instance = lambda user: user.full_name


class ViewsForm(forms.Form):
    persons_views = forms.CharField(
        label="The person's views, in their own words", widget=forms.Textarea, required=False
    )
    what_matters = forms.CharField(label="What matters to them about the move", widget=forms.Textarea, required=False)
    person_agreement = forms.ChoiceField(
        label="Did the person agree the plan?", choices=Agreement.choices[:4], widget=forms.RadioSelect
    )
    carers_views = forms.CharField(
        label="Their carer's or family's views (optional)", widget=forms.Textarea, required=False
    )
    carer_agreement = forms.ChoiceField(
        label="Did their carer or family agree the plan?",
        choices=[c for c in Agreement.choices if c[0] != Agreement.UNABLE],
        widget=forms.RadioSelect,
    )


class OwnerFields(forms.Form):
    owner_name = forms.CharField(label="Who will do it", max_length=200, required=False)
    owner_role = forms.CharField(
        label="Their role or relationship (optional)",
        max_length=100,
        required=False,
        help_text="For example ward nurse",
    )
    owner_organisation = ModelChoiceField(
        label="Their organisation (optional)",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="None (family, friend or the person)",
    )
    owner_phone = forms.CharField(label="Their phone number (optional)", max_length=40, required=False)
    due_on = GovUKDateField(label="Due date (optional)", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_organisation"].queryset = _organisations()  # type: ignore[attr-defined]


class StepForm(OwnerFields):
    description = forms.CharField(label="What will happen", max_length=300)

    field_order = ["description", "owner_name", "owner_role", "owner_organisation", "owner_phone", "due_on"]


class ArrangementForm(OwnerFields):
    label = forms.CharField(label="Arrangement", max_length=200)
    is_essential = forms.ChoiceField(
        label="Must it be in place before the move?", choices=YES_NO, widget=forms.RadioSelect, initial="yes"
    )

    field_order = ["label", "is_essential", "owner_name", "owner_role", "owner_organisation", "owner_phone", "due_on"]


class ItemForm(OwnerFields):
    status = forms.ChoiceField(label="Status", choices=ItemStatus.choices, widget=forms.RadioSelect)
    note = forms.CharField(label="Note (optional)", widget=forms.Textarea, required=False)


class RiskForm(forms.Form):
    risk = forms.CharField(label="What could go wrong", widget=forms.Textarea)
    contingency = forms.CharField(label="What happens if it does", widget=forms.Textarea)
    owner_name = forms.CharField(label="Who acts on it", max_length=200)
    owner_organisation = ModelChoiceField(
        label="Their organisation (optional)", queryset=Organisation.objects.none(), required=False, empty_label="None"
    )
    owner_phone = forms.CharField(label="Their phone number (optional)", max_length=40, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_organisation"].queryset = _organisations()  # type: ignore[attr-defined]


class ReadyForm(forms.Form):
    override_reason = forms.CharField(
        label="Reason to go ahead with arrangements open (team managers only)",
        widget=forms.Textarea,
        required=False,
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", widget=forms.Textarea)


class MoveForm(forms.Form):
    moved_on = GovUKDateField(label="Date of the move", must_be_past=True)


class CheckForm(forms.Form):
    spoke_to = forms.CharField(
        label="Who did you speak to?", max_length=200, help_text="For example the person, their daughter"
    )
    went_as_planned = forms.ChoiceField(label="Did the move go as planned?", choices=YES_NO, widget=forms.RadioSelect)
    problems = forms.CharField(label="What did not go as planned", widget=forms.Textarea, required=False)
    feedback_to = forms.CharField(label="Who were the problems fed back to", max_length=300, required=False)


class ShareForm(forms.Form):
    organisation = ModelChoiceField(
        label="Partner organisation", queryset=Organisation.objects.none(), empty_label="Choose"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            is_this_council=False
        ).order_by("name")


class ExplainForm(forms.Form):
    explanation = forms.CharField(label="Why this is not a gap, or what was done about it", widget=forms.Textarea)


class PlanFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[
            ("open", "Open"),
            ("overdue", "Past the move date"),
            ("moved", "Moved, check due"),
            ("closed", "Closed"),
            ("all", "All"),
        ],
    )
    kind = forms.ChoiceField(label="Kind of move", required=False, choices=[("", "All"), *PlanKind.choices])


class GapFilterForm(forms.Form):
    rule = forms.ChoiceField(label="Kind of gap", required=False)
    team = ShortListChoiceField(label="Team", queryset=Team.objects.none(), required=False, empty_label="All teams")

    def __init__(
        self, *args: Any, rules: list[tuple[str, str]], teams: QuerySet[Team] | list[Team], **kwargs: Any
    ) -> None:
        """`teams`: a queryset, or the teams already read (a list, e.g. from a compiled query)."""
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", "All"), *rules]  # type: ignore[attr-defined]
        team: Any = self.fields["team"]
        if isinstance(teams, list):
            team.queryset, team.options = Team.objects.all(), teams
        else:
            team.queryset = teams
