"""Front-door personas and teams: the slugs match the routes seeded by migration referrals/0002."""

from collections.abc import Callable
from datetime import date

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from safepathways.accounts.models import Organisation, Role, Team, TeamKind
from safepathways.conftest import Persona
from safepathways.people.models import Neighbourhood, Person, PostcodeArea
from safepathways.people.tests.factories import PersonFactory
from safepathways.referrals.tests.factories import MARY_NHS_NUMBER


@pytest.fixture
def front_door_team(council: Organisation) -> Team:
    return Team.objects.create(organisation=council, name="Front door", slug="front-door", kind=TeamKind.FRONT_DOOR)


@pytest.fixture
def ot_team(council: Organisation) -> Team:
    return Team.objects.create(organisation=council, name="OT duty", slug="ot-duty", kind=TeamKind.OT_DUTY)


@pytest.fixture
def safeguarding_team(council: Organisation) -> Team:
    return Team.objects.create(
        organisation=council, name="Safeguarding adults", slug="safeguarding", kind=TeamKind.SAFEGUARDING
    )


@pytest.fixture
def admin_team(council: Organisation) -> Team:
    return Team.objects.create(
        organisation=council, name="System administration", slug="administration", kind=TeamKind.ADMINISTRATION
    )


@pytest.fixture
def officer(make_persona: Callable[..., Persona], front_door_team: Team) -> Persona:
    """A front-door officer: takes, links and triages contacts."""
    return make_persona(front_door_team, Role.FRONT_DOOR_OFFICER, name="Farah Khan")


@pytest.fixture
def administrator(make_persona: Callable[..., Persona], admin_team: Team) -> Persona:
    """An administrator whose session has passed the second factor (required of administrators)."""
    persona = make_persona(admin_team, Role.ADMINISTRATOR, name="Ada Admin")
    device = TOTPDevice.objects.create(user=persona.user, name="app", confirmed=True)
    session = persona.http.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return persona


@pytest.fixture
def neighbourhood(team: Team) -> Neighbourhood:
    """NW5 belongs to the North West neighbourhood team (the `team` fixture)."""
    area = Neighbourhood.objects.create(name="North West", team=team)
    PostcodeArea.objects.create(prefix="NW5", neighbourhood=area)
    return area


@pytest.fixture
def mary(neighbourhood: Neighbourhood) -> Person:
    person: Person = PersonFactory.create(
        given_name="Mary",
        family_name="Smith",
        date_of_birth=date(1941, 3, 27),
        nhs_number=MARY_NHS_NUMBER,
        postcode="NW5 1AB",
        address_line_1="12 Leighton Road",
        neighbourhood=neighbourhood,
    )
    return person
