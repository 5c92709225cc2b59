"""Councils change the check interval and the checklists in the admin (ADR-014), not in the database."""

from collections.abc import Callable

import pytest
from django.contrib import admin
from django.urls import reverse

from safepathways.accounts.middleware import SESSION_KEY
from safepathways.accounts.models import Role, Team
from safepathways.conftest import Persona
from safepathways.transitions.models import ArrangementTemplate, TransitionSettings

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(make_persona: Callable[..., Persona], team: Team) -> Persona:
    """An administrator whose session has passed the second factor (accounts' tests cover that step)."""
    persona = make_persona(team, Role.ADMINISTRATOR)
    persona.user.is_staff = persona.user.is_superuser = True
    persona.user.save()
    session = persona.http.session
    session[SESSION_KEY] = "not_required"
    session.save()
    return persona


def test_the_settings_and_checklists_are_in_the_admin() -> None:
    assert admin.site.is_registered(TransitionSettings)
    assert admin.site.is_registered(ArrangementTemplate)


def test_an_administrator_changes_the_check_interval(administrator: Persona) -> None:
    url = reverse("admin:transitions_transitionsettings_change", args=[1])
    assert administrator.http.get(url).status_code == 200
    response = administrator.http.post(
        url, {"post_move_check_hours": 48, "service_gap_lookback_days": 90, "next_service_grace_days": 7}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert TransitionSettings.current().post_move_check_hours == 48
    # One settings row: no second one to add.
    assert administrator.http.get(reverse("admin:transitions_transitionsettings_add")).status_code == 403


def test_an_administrator_lists_the_checklists(administrator: Persona) -> None:
    response = administrator.http.get(
        reverse("admin:transitions_arrangementtemplate_changelist"), {"kind__exact": "hospital_discharge"}
    )
    assert response.status_code == 200
    assert "Medication to take home and the medicines chart" in response.content.decode()
