from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from safepathways.accounts.services import issue_api_token
from safepathways.audit.models import AccessBasis, AccessEvent, AccessKind, AuditEvent
from safepathways.conftest import Persona
from safepathways.people.models import Person
from safepathways.people.tests.factories import PersonFactory
from safepathways.safeguarding import services
from safepathways.safeguarding.models import Concern, ConcernStatus, Enquiry
from safepathways.safeguarding.tests.conftest import details, share_mary_with

CONCERNS = "/api/v1/safeguarding/concerns/"


def _api(persona: Persona | None) -> APIClient:
    client = APIClient(HTTP_HOST="127.0.0.1")
    if persona is not None:
        _, key = issue_api_token(user=persona.user, name="test")
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _body(person: Person, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "person": str(person.pk),
        "summary": "Resident found with unexplained injuries",
        "abuse_types": ["physical"],
        "location_of_risk": "hospital_acute",
        "source_of_risk": "unknown",
        "immediate_actions": "Moved to a side room",
    }
    body.update(overrides)
    return body


DECISION = {
    "has_care_and_support_needs": True,
    "care_and_support_needs_reason": "Home care",
    "is_experiencing_or_at_risk": True,
    "experiencing_or_at_risk_reason": "Injuries",
    "is_unable_to_protect_self": True,
    "unable_to_protect_self_reason": "Dementia",
    "decision": "section_42",
    "decision_reason": "Duty applies",
}


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    body: dict[str, Any] | None = None


def _endpoints(concern: Concern) -> list[Endpoint]:
    base = f"{CONCERNS}{concern.pk}/"
    return [
        Endpoint("get", CONCERNS),
        Endpoint("get", base),
        Endpoint("post", f"{base}decision/", DECISION),
        Endpoint("get", f"{base}enquiry/"),
        Endpoint("post", f"{base}enquiry/outcome/", {"risk_finding": "none"}),
    ]


NAMES = ["list", "detail", "decision", "enquiry", "outcome"]


def _state() -> tuple[int, ...]:
    return (AuditEvent.objects.count(), AccessEvent.objects.count(), ConcernStatus.objects.count())


def _call(client: APIClient, endpoint: Endpoint) -> Any:
    if endpoint.method == "post":
        return client.post(endpoint.path, endpoint.body or {}, format="json")
    return client.get(endpoint.path)


@pytest.mark.parametrize("index", range(len(NAMES)), ids=NAMES)
def test_anonymous_gets_401(concern: Concern, index: int) -> None:
    before = _state()
    assert _call(_api(None), _endpoints(concern)[index]).status_code == 401
    assert _state() == before


@pytest.mark.parametrize("index", range(len(NAMES)), ids=NAMES)
def test_partner_of_another_organisation_gets_404_or_an_empty_list(
    concern: Concern, police_partner: Persona, index: int
) -> None:
    client = _api(police_partner)
    before = _state()
    response = _call(client, _endpoints(concern)[index])
    if NAMES[index] == "list":
        assert response.json()["count"] == 0
    elif NAMES[index] in {"decision", "enquiry", "outcome"}:
        assert response.status_code == 403  # roles first
    else:
        assert response.status_code == 404
    assert _state() == before


@pytest.mark.parametrize("index", range(len(NAMES)), ids=NAMES)
def test_director_is_refused(concern: Concern, director: Persona, index: int) -> None:
    client = _api(director)
    before = _state()
    assert _call(client, _endpoints(concern)[index]).status_code == 403
    assert _state() == before


@pytest.mark.parametrize("index", range(len(NAMES)), ids=NAMES)
def test_another_practitioner_sees_no_concern(concern: Concern, social_worker: Persona, index: int) -> None:
    client = _api(social_worker)
    before = _state()
    response = _call(client, _endpoints(concern)[index])
    if NAMES[index] == "list":
        assert response.json()["count"] == 0
    elif NAMES[index] == "decision":
        assert response.status_code == 403
    else:
        assert response.status_code == 404
    assert _state() == before


def test_the_lead_decides_opens_and_concludes_through_the_api(
    concern: Concern, lead: Persona, safeguarding_worker: Persona
) -> None:
    client = _api(lead)
    base = f"{CONCERNS}{concern.pk}/"
    assert client.post(f"{base}decision/", DECISION, format="json").json()["status"] == "decided"
    today = timezone.localdate().isoformat()
    response = client.post(
        f"{base}enquiry/", {"officer": safeguarding_worker.user.email, "started_on": today}, format="json"
    )
    assert response.status_code == 201, response.json()
    enquiry = Enquiry.objects.get()
    services.record_making_safeguarding_personal(
        enquiry=enquiry, by=lead.user, details=services.PersonalDetails(msp_asked="none_expressed")
    )
    outcome = {
        "risk_finding": "identified",
        "action_taken": True,
        "risk_result": "removed",
        "outcome_summary": "Carer dismissed",
        "concluded_on": today,
    }
    response = client.post(f"{base}enquiry/outcome/", outcome, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["risk_result"] == "removed"
    assert client.get(base).json()["status"] == "enquiry_concluded"
    assert AccessEvent.objects.filter(user=lead.user, kind=AccessKind.API, basis=AccessBasis.SAFEGUARDING).exists()


def test_errors_name_the_field(concern: Concern, lead: Persona) -> None:
    body = {**DECISION, "is_unable_to_protect_self": False}
    response = _api(lead).post(f"{CONCERNS}{concern.pk}/decision/", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "decision"


def test_a_partner_raises_a_concern_about_a_shared_person_and_follows_it(
    partner: Persona, police_partner: Persona, mary: Person, social_worker: Persona, safeguarding_team: Any
) -> None:
    client = _api(partner)
    response = client.post(CONCERNS, _body(mary), format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "person"
    share_mary_with(mary, partner.team.organisation, social_worker)
    response = client.post(CONCERNS, _body(mary), format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert (created["source"], created["status"]) == ("partner", "received")
    assert client.get(f"{CONCERNS}{created['id']}/").status_code == 200
    assert client.get(CONCERNS).json()["count"] == 1
    assert _api(police_partner).get(f"{CONCERNS}{created['id']}/").status_code == 404


def test_a_provider_source_needs_the_provider(partner: Persona, mary: Person, social_worker: Persona) -> None:
    share_mary_with(mary, partner.team.organisation, social_worker)
    response = _api(partner).post(CONCERNS, _body(mary, source_of_risk="service_provider"), format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "provider"


@pytest.mark.parametrize("rows", [1, 20])
def test_list_query_count_is_constant(
    lead: Persona,
    social_worker: Persona,
    safeguarding_team: Any,
    rows: int,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    for _ in range(rows):
        services.raise_concern(person=PersonFactory(), by=social_worker.user, details=details())
    client = _api(lead)
    # token, token last used, memberships, count, page (person, organisation), statuses
    with django_assert_num_queries(6):
        response = client.get(CONCERNS)
    assert response.json()["count"] == rows
