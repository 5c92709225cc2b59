"""PATCH /api/v1/people/<id>/ answers with the whole record, so it is logged as a look at it, as GET is."""

import pytest
from rest_framework.test import APIClient

from safepathways.accounts.services import issue_api_token
from safepathways.audit.models import AccessBasis, AccessEvent, AccessKind
from safepathways.conftest import Persona
from safepathways.people import services
from safepathways.people.models import AccessGrantKind, Person
from safepathways.people.tests.factories import PersonFactory
from safepathways.work.models import WorkItem
from safepathways.work.tests.factories import WorkItemFactory

PEOPLE = "/api/v1/people/"


def _api(persona: Persona) -> APIClient:
    client = APIClient(HTTP_HOST="127.0.0.1")
    _, key = issue_api_token(user=persona.user, name="test")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_an_empty_patch_returns_the_record_and_logs_one_access_event(social_worker: Persona) -> None:
    item: WorkItem = WorkItemFactory.create(team=social_worker.team)
    person = item.person
    url = f"{PEOPLE}{person.pk}/"
    response = _api(social_worker).patch(url, {}, format="json")
    assert response.status_code == 200
    assert response.json()["reference"] == person.reference
    event = AccessEvent.objects.get()
    assert (event.user, event.person_id, event.kind, event.basis, event.what, event.grant_id) == (
        social_worker.user,
        person.pk,
        AccessKind.API,
        AccessBasis.RELATIONSHIP,
        f"PATCH {url}",
        None,
    )


@pytest.mark.parametrize(
    ("kind", "basis"),
    [(AccessGrantKind.DECLARED, AccessBasis.DECLARED), (AccessGrantKind.BREAK_GLASS, AccessBasis.BREAK_GLASS)],
)
def test_a_grant_holders_patch_is_logged_under_the_grant(other_team_worker: Persona, kind: str, basis: str) -> None:
    person: Person = PersonFactory.create(is_restricted=kind == AccessGrantKind.BREAK_GLASS)
    grant = services.grant_access(
        person=person, user=other_team_worker.user, kind=kind, reason="covering_duty", reason_detail="Duty cover"
    )
    response = _api(other_team_worker).patch(f"{PEOPLE}{person.pk}/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["family_name"] == person.family_name
    event = AccessEvent.objects.get()
    assert (event.person_id, event.kind, event.basis, event.grant_id) == (person.pk, AccessKind.API, basis, grant.pk)
    # The information governance review of the grant sees it, as it sees a GET.
    assert AccessEvent.objects.filter(person_id=person.pk, grant_id=grant.pk).count() == 1


def test_a_refused_patch_returns_no_record_and_logs_nothing(social_worker: Persona) -> None:
    item: WorkItem = WorkItemFactory.create(team=social_worker.team)
    response = _api(social_worker).patch(f"{PEOPLE}{item.person.pk}/", {"date_of_birth": "not a date"}, format="json")
    assert response.status_code == 400
    assert "reference" not in response.json()
    assert not AccessEvent.objects.exists()
