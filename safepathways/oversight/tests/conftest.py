"""Personas and data for oversight tests: the provider quality team, the contingency lead, a care provider's
partner user with its own provider and location, and the seeded escalation ladder."""

from collections.abc import Callable

import pytest

from safepathways.accounts.models import Organisation, OrganisationKind, Role, Team, TeamKind
from safepathways.conftest import Persona
from safepathways.oversight.models import EscalationLevel
from safepathways.providers.models import Location, Provider
from safepathways.providers.tests.factories import LocationFactory, ProviderFactory


@pytest.fixture
def quality_officer(make_persona: Callable[..., Persona], council: Organisation) -> Persona:
    team = Team.objects.create(
        organisation=council, name="Provider quality", slug="provider-quality", kind=TeamKind.PROVIDER_QUALITY
    )
    return make_persona(team, Role.PROVIDER_QUALITY_OFFICER, name="Pat Singh")


@pytest.fixture
def contingency_lead(make_persona: Callable[..., Persona], council: Organisation) -> Persona:
    team = Team.objects.create(
        organisation=council, name="Contingency planning", slug="contingency", kind=TeamKind.CONTINGENCY
    )
    return make_persona(team, Role.CONTINGENCY_LEAD, name="Cal Murray")


@pytest.fixture
def care_provider(db: None) -> Provider:
    organisation = Organisation.objects.create(name="Rose Care Ltd", kind=OrganisationKind.CARE_PROVIDER)
    provider: Provider = ProviderFactory.create(name="Rose Care Ltd", organisation=organisation)
    return provider


@pytest.fixture
def rose_house(care_provider: Provider) -> Location:
    location: Location = LocationFactory.create(
        provider=care_provider, name="Rose House", cqc_location_id="1-900000001", registered_places=40
    )
    return location


@pytest.fixture
def provider_partner(make_persona: Callable[..., Persona], care_provider: Provider) -> Persona:
    assert care_provider.organisation is not None
    team = Team.objects.create(
        organisation=care_provider.organisation, name="Rose Care office", slug="rose-care", kind=TeamKind.PARTNER
    )
    return make_persona(team, Role.PARTNER, name="Rita Rose")


@pytest.fixture
def levels(db: None) -> dict[str, EscalationLevel]:
    """The ladder seeded by migration 0002, by code."""
    return {level.code: level for level in EscalationLevel.objects.all()}
