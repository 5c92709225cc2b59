"""DoLS personas, teams, a care home (managing authority) and its provider's partner organisation."""

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.utils import timezone

from safepathways.accounts.models import Organisation, OrganisationKind, Role, Team, TeamKind
from safepathways.conftest import Persona
from safepathways.dols import services
from safepathways.dols.models import BestInterestsAssessor, DolsRequest, RequestType
from safepathways.people.models import Person
from safepathways.people.tests.factories import PersonFactory
from safepathways.providers.models import Location
from safepathways.providers.tests.factories import LocationFactory, ProviderFactory


@pytest.fixture
def dols_team(council: Organisation) -> Team:
    return Team.objects.create(organisation=council, name="DoLS team", slug="dols", kind=TeamKind.DOLS)


@pytest.fixture
def dols_lead(make_persona: Callable[..., Persona], dols_team: Team) -> Persona:
    return make_persona(dols_team, Role.DOLS_LEAD, name="Dana Lewis")


@pytest.fixture
def bia(make_persona: Callable[..., Persona], dols_team: Team) -> Persona:
    persona = make_persona(dols_team, Role.BEST_INTERESTS_ASSESSOR, name="Bea Ingram")
    BestInterestsAssessor.objects.create(
        user=persona.user, trained_on=date(2024, 1, 10), current_until=timezone.localdate() + timedelta(days=365)
    )
    return persona


@pytest.fixture
def home_org(db: None) -> Organisation:
    return Organisation.objects.create(name="Rose Care Ltd", kind=OrganisationKind.CARE_PROVIDER)


@pytest.fixture
def home_team(home_org: Organisation) -> Team:
    return Team.objects.create(organisation=home_org, name="Rose House office", slug="rose", kind=TeamKind.PARTNER)


@pytest.fixture
def care_home_partner(make_persona: Callable[..., Persona], home_team: Team) -> Persona:
    """The managing authority's registered manager: a partner of the care provider's organisation."""
    return make_persona(home_team, Role.PARTNER, name="Moira Grant")


@pytest.fixture
def care_home(home_org: Organisation) -> Location:
    location: Location = LocationFactory.create(
        provider=ProviderFactory.create(organisation=home_org), cqc_location_id="1-999000001"
    )
    return location


@pytest.fixture
def resident(db: None) -> Person:
    person: Person = PersonFactory.create(given_name="Edna", family_name="Pole", date_of_birth=date(1936, 5, 2))
    return person


@pytest.fixture
def make_request(
    dols_team: Team, dols_lead: Persona, care_home: Location, resident: Person
) -> Callable[..., DolsRequest]:
    def make(**overrides: object) -> DolsRequest:
        data: dict[str, object] = {
            "person": resident,
            "managing_authority": care_home,
            "request_type": RequestType.STANDARD,
            "received_on": timezone.localdate() - timedelta(days=3),
            "purpose": "Lives in a locked unit and cannot leave alone",
        }
        data.update(overrides)
        return services.create_request(details=services.RequestDetails(**data), by=dols_lead.user)

    return make


def assess_all(dols_request: DolsRequest, persona: Persona, bia_user: object, on: date | None = None) -> None:
    """Screen, allocate and record all six assessments as satisfied."""
    on = on or timezone.localdate()
    services.screen_request(dols_request=dols_request, criteria=["person_objects"], by=persona.user)
    services.allocate_request(dols_request=dols_request, assessor=bia_user, by=persona.user)
    for assessment in dols_request.assessments.all():
        services.record_assessment(assessment=assessment, outcome=1, completed_on=on, by=persona.user)
