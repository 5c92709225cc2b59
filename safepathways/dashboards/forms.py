"""The dashboard's team select and the supervision session form, rendered through the GOV.UK bridge."""

from typing import Any

from django import forms

from safepathways.accounts.models import Team
from safepathways.core.exports import EXPORT_FORMATS
from safepathways.core.forms import GovUKDateField


class DashboardForm(forms.Form):
    """`?team=<slug>` (blank for the whole service) and `?format=csv|xlsx` for a download."""

    team = forms.ChoiceField(label="Team", required=False)
    format = forms.ChoiceField(required=False, choices=[("", "Page"), *((f, f) for f in EXPORT_FORMATS)])

    def __init__(self, *args: Any, teams: list[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.teams = {team.slug: team for team in teams}
        self.fields["team"].choices = [  # type: ignore[attr-defined]
            ("", "Whole service"),
            *((team.slug, team.name) for team in teams),
        ]

    def clean_team(self) -> Team | None:
        slug = self.cleaned_data.get("team") or ""
        return self.teams.get(slug)


class SupervisionForm(forms.Form):
    """A supervision session; the team is asked for only when the worker is in more than one of the manager's."""

    team = forms.ChoiceField(label="Team", help_text="The team this supervision is for")
    held_on = GovUKDateField(label="Date of the session", must_be_past=True, help_text="For example, 27 3 2026")
    notes = forms.CharField(
        label="Notes",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What was discussed, including the highlights above",
        error_messages={"required": "Enter what was discussed"},
    )
    agreed_actions = forms.CharField(
        label="Agreed actions",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Who will do what, and by when",
    )

    def __init__(self, *args: Any, teams: list[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.teams = {str(team.pk): team for team in teams}
        if len(teams) == 1:
            del self.fields["team"]
        else:
            choices = [("", ""), *((str(team.pk), team.name) for team in teams)]
            self.fields["team"].choices = choices  # type: ignore[attr-defined]
            self.fields["team"].error_messages["required"] = "Select the team"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "team" in self.fields:
            cleaned["team"] = self.teams.get(str(cleaned.get("team") or ""))
        else:
            cleaned["team"] = next(iter(self.teams.values()))
        return cleaned
