"""Persona fixtures shared by every app's tests: each persona is (http, user, team)."""

import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client

from safepathways.accounts.middleware import SEEN_KEY, SESSION_KEY
from safepathways.accounts.models import Membership, Organisation, OrganisationKind, Role, Team, TeamKind, User


@dataclass
class Persona:
    http: Client
    user: User
    team: Team


@pytest.fixture
def council(db: None) -> Organisation:
    return Organisation.objects.create(
        name="London Borough of Camden", kind=OrganisationKind.COUNCIL, ons_code="E09000007", is_this_council=True
    )


@pytest.fixture
def hospital(db: None) -> Organisation:
    return Organisation.objects.create(
        name="Royal Free London NHS Foundation Trust", kind=OrganisationKind.NHS_TRUST, ods_code="RAL"
    )


@pytest.fixture
def police(db: None) -> Organisation:
    return Organisation.objects.create(name="Metropolitan Police Service", kind=OrganisationKind.POLICE)


@pytest.fixture
def team(council: Organisation) -> Team:
    return Team.objects.create(
        organisation=council, name="North West neighbourhood team", slug="nw", kind=TeamKind.NEIGHBOURHOOD
    )


@pytest.fixture
def other_team(council: Organisation) -> Team:
    return Team.objects.create(
        organisation=council, name="South neighbourhood team", slug="south", kind=TeamKind.NEIGHBOURHOOD
    )


@pytest.fixture
def ig_team(council: Organisation) -> Team:
    return Team.objects.create(
        organisation=council, name="Information governance", slug="ig", kind=TeamKind.INFORMATION_GOVERNANCE
    )


@pytest.fixture
def ward_team(hospital: Organisation) -> Team:
    return Team.objects.create(organisation=hospital, name="Ward discharge team", slug="ward", kind=TeamKind.PARTNER)


@pytest.fixture
def police_team(police: Organisation) -> Team:
    return Team.objects.create(
        organisation=police, name="Police safeguarding hub", slug="police", kind=TeamKind.PARTNER
    )


_counter = {"n": 0}


@pytest.fixture
def make_persona(db: None) -> Callable[..., Persona]:
    def make(team: Team, role: str, *, name: str = "") -> Persona:
        _counter["n"] += 1
        n = _counter["n"]
        user = User.objects.create_user(
            email=f"{role.replace('_', '.')}{n}@example.test",
            password="correct-horse-battery",
            full_name=name or f"{role.title()} {n}",
        )
        Membership.objects.create(user=user, team=team, role=role)
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        # As the sign-in view does: remember in the session that no second factor is needed, and that the session
        # was written just now (so the requests a test makes within the minute do not write it again).
        session = client.session
        session[SESSION_KEY] = "required" if role == Role.ADMINISTRATOR else "not_required"
        session[SEEN_KEY] = int(time.time())
        session.save()
        return Persona(http=client, user=user, team=team)

    return make


@pytest.fixture
def social_worker(make_persona: Callable[..., Persona], team: Team) -> Persona:
    return make_persona(team, Role.SOCIAL_WORKER, name="Sam Okafor")


@pytest.fixture
def team_manager(make_persona: Callable[..., Persona], team: Team) -> Persona:
    return make_persona(team, Role.TEAM_MANAGER, name="Taylor Green")


@pytest.fixture
def director(make_persona: Callable[..., Persona], team: Team) -> Persona:
    """Read-only role in the same team: the 'wrong role' of the access matrix."""
    return make_persona(team, Role.DIRECTOR, name="Drew Wallace")


@pytest.fixture
def other_team_worker(make_persona: Callable[..., Persona], other_team: Team) -> Persona:
    return make_persona(other_team, Role.SOCIAL_WORKER, name="Olive Other")


@pytest.fixture
def partner(make_persona: Callable[..., Persona], ward_team: Team) -> Persona:
    return make_persona(ward_team, Role.PARTNER, name="Nina Patel")


@pytest.fixture
def police_partner(make_persona: Callable[..., Persona], police_team: Team) -> Persona:
    return make_persona(police_team, Role.PARTNER, name="Paul Evans")


@pytest.fixture
def ig_officer(make_persona: Callable[..., Persona], ig_team: Team) -> Persona:
    return make_persona(ig_team, Role.INFORMATION_GOVERNANCE_OFFICER, name="Iris Bell")


@pytest.fixture
def anonymous(db: None) -> Client:
    return Client(HTTP_HOST="127.0.0.1")
