"""Hospital discharge personas: the hospital social work team, its manager, the out-of-hours team; referrals."""

from collections.abc import Callable
from typing import Any

import pytest

from safepathways.accounts.models import Organisation, Role, Team, TeamKind
from safepathways.conftest import Persona
from safepathways.discharges import services
from safepathways.discharges.models import Referral
from safepathways.discharges.tests.factories import ward_referral
from safepathways.people.tests.factories import PersonFactory
from safepathways.transitions import services as transitions
from safepathways.transitions.models import ItemStatus, Plan
from safepathways.work import services as work_services
from safepathways.work.models import WorkItem, WorkKind

# What the front door heard, with characters HTML must escape (the pages' assertions escape it too).
FRONT_DOOR_STORY = 'Daughter says Mum "can\'t manage the stairs" & lives alone <since March>; wants to go home'


@pytest.fixture
def hospital_team(council: Organisation) -> Team:
    return Team.objects.create(
        organisation=council,
        name="Hospital social work – Royal Free",
        slug="hospital-royal-free",
        kind=TeamKind.HOSPITAL_SOCIAL_WORK,
    )


@pytest.fixture
def ooh_team(council: Organisation) -> Team:
    return Team.objects.create(
        organisation=council, name="Emergency duty (out of hours)", slug="out-of-hours", kind=TeamKind.OUT_OF_HOURS
    )


@pytest.fixture
def hospital_worker(make_persona: Callable[..., Persona], hospital_team: Team) -> Persona:
    return make_persona(hospital_team, Role.SOCIAL_WORKER, name="Hana Ito")


@pytest.fixture
def hospital_manager(make_persona: Callable[..., Persona], hospital_team: Team) -> Persona:
    return make_persona(hospital_team, Role.TEAM_MANAGER, name="Harriet Moss")


@pytest.fixture
def ooh_worker(make_persona: Callable[..., Persona], ooh_team: Team) -> Persona:
    return make_persona(ooh_team, Role.DUTY_WORKER, name="Owen Hale")


@pytest.fixture
def other_trust(db: None) -> Organisation:
    from safepathways.accounts.models import OrganisationKind

    return Organisation.objects.create(
        name="University College London Hospitals NHS Foundation Trust", kind=OrganisationKind.NHS_TRUST, ods_code="RRV"
    )


@pytest.fixture
def make_referral(hospital: Organisation, hospital_team: Team, partner: Persona) -> Callable[..., Referral]:
    """A ward's referral made through the service by the trust's partner (the `partner` persona)."""

    def make(**overrides: Any) -> Referral:
        by = overrides.pop("by", partner).user
        return services.create_referral(details=ward_referral(overrides.pop("hospital", hospital), **overrides), by=by)

    return make


@pytest.fixture
def make_front_door_work(hospital_team: Team) -> Callable[..., WorkItem]:
    """Hospital discharge work as the front door opens it (referrals.triage_contact): for the hospital team, with
    the contact's story, and no referral yet."""

    def make(**overrides: Any) -> WorkItem:
        person = overrides.pop("person", None) or PersonFactory.create(given_name="Olive", family_name="O'Neill")
        return work_services.open_work(
            person=person,
            kind=overrides.pop("kind", WorkKind.DISCHARGE),
            team=overrides.pop("team", hospital_team),
            title="Hospital discharge (front door FD0000001)",
            by=None,
            story=overrides.pop("story", FRONT_DOOR_STORY),
            **overrides,
        )

    return make


def complete_essentials(plan: Plan, by: Persona) -> None:
    """Put every essential arrangement of the plan in place, through the transitions service."""
    for arrangement in plan.arrangements.filter(is_essential=True, status=ItemStatus.OPEN):
        transitions.update_item(
            plan=plan,
            by=by.user,
            kind="arrangement",
            item_id=arrangement.pk,
            owner=transitions.Owner("Ward 8 nurse"),
            due_on=None,
            status=ItemStatus.DONE,
        )
