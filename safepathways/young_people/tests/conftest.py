"""Young people personas: the transitions team and its worker."""

from collections.abc import Callable

import pytest

from safepathways.accounts.models import Organisation, Role, Team, TeamKind
from safepathways.conftest import Persona


@pytest.fixture
def transitions_team(council: Organisation) -> Team:
    """The slug is the settings' default team (migration young_people/0002)."""
    return Team.objects.create(organisation=council, name="Transitions", slug="transitions", kind=TeamKind.TRANSITIONS)


@pytest.fixture
def transitions_worker(make_persona: Callable[..., Persona], transitions_team: Team) -> Persona:
    return make_persona(transitions_team, Role.SOCIAL_WORKER, name="Tom Byrne")
