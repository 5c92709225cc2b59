"""Safeguarding personas and records: the team slug matches SafeguardingSettings (migration 0002)."""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from safepathways.accounts.models import Organisation, Role, Team, TeamKind
from safepathways.conftest import Persona
from safepathways.people import services as people_services
from safepathways.people.models import Person
from safepathways.people.tests.factories import PersonFactory
from safepathways.providers.models import Location, Provider
from safepathways.safeguarding import services
from safepathways.safeguarding.models import Concern, Decision, Enquiry, MSPAsked
from safepathways.work import services as work_services
from safepathways.work.models import WorkKind


@pytest.fixture
def safeguarding_team(council: Organisation) -> Team:
    return Team.objects.create(
        organisation=council, name="Safeguarding adults", slug="safeguarding", kind=TeamKind.SAFEGUARDING
    )


@pytest.fixture
def lead(make_persona: Callable[..., Persona], safeguarding_team: Team) -> Persona:
    """The safeguarding lead: decides on the s42 duty, opens and closes enquiries."""
    return make_persona(safeguarding_team, Role.SAFEGUARDING_LEAD, name="Sol Reyes")


@pytest.fixture
def safeguarding_worker(make_persona: Callable[..., Persona], safeguarding_team: Team) -> Persona:
    return make_persona(safeguarding_team, Role.SOCIAL_WORKER, name="Gita Shah")


@pytest.fixture
def mary(db: None) -> Person:
    person: Person = PersonFactory.create(
        given_name="Mary", family_name="Smith", date_of_birth=date(1941, 3, 27), gender="Female"
    )
    return person


@pytest.fixture
def mary_known_to_team(mary: Person, team: Team, social_worker: Persona) -> Person:
    """Mary has open work with the neighbourhood team, so its practitioners can open her record."""
    work_services.open_work(person=mary, kind=WorkKind.REVIEW, team=team, title="Review", by=social_worker.user)
    return mary


@pytest.fixture
def provider(db: None) -> Provider:
    return Provider.objects.create(name="Sunrise Care Ltd", cqc_provider_id="1-000000001")


@pytest.fixture
def care_home(provider: Provider) -> Location:
    return Location.objects.create(provider=provider, name="Sunrise House", location_type="care_home_residential")


def details(**overrides: Any) -> services.ConcernDetails:
    data: dict[str, Any] = {
        "summary": "Bruises on both arms; says a carer was rough",
        "abuse_types": ["physical", "neglect"],
        "location_of_risk": "own_home",
        "source_of_risk": "known",
        "immediate_actions": "GP visit arranged today",
    }
    data.update(overrides)
    return services.ConcernDetails(**data)


TESTS_MET = services.Section42Tests(
    has_care_and_support_needs=True,
    care_and_support_needs_reason="Receives home care for personal care",
    is_experiencing_or_at_risk=True,
    experiencing_or_at_risk_reason="Bruising consistent with rough handling",
    is_unable_to_protect_self=True,
    unable_to_protect_self_reason="Dementia: cannot refuse care or report it",
)


@pytest.fixture
def concern(mary_known_to_team: Person, social_worker: Persona, safeguarding_team: Team) -> Concern:
    """A concern the neighbourhood social worker raised, awaiting decision."""
    return services.raise_concern(person=mary_known_to_team, by=social_worker.user, details=details())


@pytest.fixture
def decided(concern: Concern, lead: Persona) -> Concern:
    return services.decide_concern(
        concern=concern, by=lead.user, tests=TESTS_MET, decision=Decision.SECTION_42, decision_reason="Duty applies"
    )


@pytest.fixture
def enquiry(decided: Concern, lead: Persona, safeguarding_worker: Persona) -> Enquiry:
    return services.open_enquiry(
        concern=decided, by=lead.user, officer=safeguarding_worker.user, started_on=timezone.localdate()
    )


@pytest.fixture
def personal_recorded(enquiry: Enquiry, safeguarding_worker: Persona) -> Enquiry:
    return services.record_making_safeguarding_personal(
        enquiry=enquiry,
        by=safeguarding_worker.user,
        details=services.PersonalDetails(msp_asked=MSPAsked.EXPRESSED, desired_outcomes="To feel safe at home"),
    )


@pytest.fixture
def concluded(personal_recorded: Enquiry, safeguarding_worker: Persona) -> Enquiry:
    return services.conclude_enquiry(
        enquiry=personal_recorded,
        by=safeguarding_worker.user,
        outcome=services.Outcome(
            risk_finding="identified",
            action_taken=True,
            risk_result="reduced",
            msp_achieved="partially",
            outcome_summary="Care agency changed the carer; daughter visits daily",
            concluded_on=timezone.localdate(),
        ),
    )


def yesterday() -> date:
    return timezone.localdate() - timedelta(days=1)


def share_mary_with(mary: Person, organisation: Organisation, by: Persona) -> None:
    people_services.share_with_organisation(person=mary, by=by.user, organisation=organisation, purpose="Joint work")
