"""A flooded care home with residents, a contingency lead, and vacancies elsewhere to place people in."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from safepathways.accounts.models import Organisation, Role, Team, TeamKind
from safepathways.conftest import Persona
from safepathways.continuity import services
from safepathways.continuity.models import Incident
from safepathways.oversight import services as oversight
from safepathways.people.models import Contact, Person
from safepathways.people.tests.factories import PersonFactory
from safepathways.providers.models import Location
from safepathways.providers.tests.factories import LocationFactory, ServiceFactory


@pytest.fixture
def contingency_team(council: Organisation) -> Team:
    return Team.objects.create(
        organisation=council, name="Contingency planning", slug="contingency", kind=TeamKind.CONTINGENCY
    )


@pytest.fixture
def lead(make_persona: Callable[..., Persona], contingency_team: Team) -> Persona:
    return make_persona(contingency_team, Role.CONTINGENCY_LEAD, name="Cal Murray")


@pytest.fixture
def flooded_home(db: None) -> Location:
    location: Location = LocationFactory.create(
        name="Rose House", postcode="NW5 1AB", registered_places=40, location_type="care_home"
    )
    return location


@pytest.fixture
def make_resident(flooded_home: Location, social_worker: Persona) -> Callable[..., Person]:
    def make(**kwargs: object) -> Person:
        person: Person = PersonFactory.create(postcode="NW5 1AB", **kwargs)
        ServiceFactory.create(
            person=person,
            service_type="Long Term Support: Residential Care",
            service_component="Long Term Residential Care",
            provider=flooded_home.provider,
            location=flooded_home,
            team=social_worker.team,
            start_on=timezone.localdate() - timedelta(days=300),
        )
        Contact.objects.create(
            person=person,
            kind="family",
            name="Jane Doe",
            relationship="daughter",
            phone="020 7946 0001",
            address="3 High Street, London N6 5AA",
            is_main_contact=True,
        )
        return person

    return make


@pytest.fixture
def vacancies(lead: Persona) -> dict[str, Location]:
    """Three homes with residential beds: near (N6, good), far (WC2, outstanding), inadequate (NW5)."""
    near = LocationFactory.create(name="Heath View", postcode="N6 4AA", registered_places=30, cqc_rating="good")
    far = LocationFactory.create(
        name="Covent Court", postcode="WC2 8AB", registered_places=30, cqc_rating="outstanding"
    )
    bad = LocationFactory.create(name="Grim Lodge", postcode="NW5 2CC", registered_places=30, cqc_rating="inadequate")
    for location in (near, far, bad):
        oversight.record_vacancy(location=location, bed_type="residential", available=2, by=lead.user, source="staff")
    return {"near": near, "far": far, "bad": bad}


@pytest.fixture
def open_flood(lead: Persona, flooded_home: Location) -> Callable[[], Incident]:
    def make() -> Incident:
        return services.open_incident(
            kind="flood",
            title="Flood at Rose House",
            what_happened="Water came through the ground floor at 23:40",
            started_at=timezone.now() - timedelta(hours=1),
            lead=lead.user,
            by=lead.user,
            location=flooded_home,
        )

    return make
