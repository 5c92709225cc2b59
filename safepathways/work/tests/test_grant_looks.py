"""A look at a piece of work under a declared or break-glass grant is tied to the grant, so the information
governance review of that grant shows it among what was viewed."""

import pytest
from rest_framework.test import APIClient

from safepathways.accounts.models import Team
from safepathways.accounts.services import issue_api_token
from safepathways.audit.models import AccessBasis, AccessEvent
from safepathways.conftest import Persona
from safepathways.governance import selectors as governance
from safepathways.people import services as people_services
from safepathways.people.models import AccessGrant, AccessGrantKind
from safepathways.people.tests.factories import PersonFactory
from safepathways.work.models import WorkItem
from safepathways.work.tests.factories import WorkItemFactory

KINDS = [(AccessGrantKind.DECLARED, AccessBasis.DECLARED), (AccessGrantKind.BREAK_GLASS, AccessBasis.BREAK_GLASS)]


def _api(persona: Persona) -> APIClient:
    client = APIClient(HTTP_HOST="127.0.0.1")
    _, key = issue_api_token(user=persona.user, name="t")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _allocated_work(team: Team, worker: Persona) -> WorkItem:
    """Work off the waiting list, so only a relationship or a grant opens it."""
    item: WorkItem = WorkItemFactory.create(person=PersonFactory.create(), team=team, allocated_to=worker.user)
    return item


def _grant(item: WorkItem, holder: Persona, kind: str) -> AccessGrant:
    return people_services.grant_access(
        person=item.person, user=holder.user, kind=kind, reason="covering_duty", reason_detail="Covering duty"
    )


@pytest.mark.parametrize(("kind", "basis"), KINDS)
def test_the_work_page_seen_under_a_grant_is_in_its_ig_review(
    social_worker: Persona, other_team_worker: Persona, team: Team, kind: str, basis: str
) -> None:
    item = _allocated_work(team, social_worker)
    grant = _grant(item, other_team_worker, kind)

    response = other_team_worker.http.get(f"/work/items/{item.pk}/")

    assert response.status_code == 200
    look = AccessEvent.objects.get(person_id=item.person_id)
    assert (look.what, look.basis, look.grant_id) == (f"work item {item.title}", basis, grant.pk)
    assert [event.what for event in governance.viewed_under(grant)] == [f"work item {item.title}"]
    assert governance.pages_viewed([grant]) == {grant.pk: 1}


@pytest.mark.parametrize(("kind", "basis"), KINDS)
def test_the_work_read_through_the_api_under_a_grant_is_in_its_ig_review(
    social_worker: Persona, other_team_worker: Persona, team: Team, kind: str, basis: str
) -> None:
    item = _allocated_work(team, social_worker)
    grant = _grant(item, other_team_worker, kind)

    response = _api(other_team_worker).get(f"/api/v1/waiting-list/{item.pk}/")

    assert response.status_code == 200
    path = f"GET /api/v1/waiting-list/{item.pk}/"
    look = AccessEvent.objects.get(person_id=item.person_id)
    assert (look.what, look.basis, look.grant_id) == (path, basis, grant.pk)
    assert [event.what for event in governance.viewed_under(grant)] == [path]


def test_a_look_on_a_working_relationship_is_tied_to_no_grant(social_worker: Persona, team: Team) -> None:
    item = _allocated_work(team, social_worker)

    assert social_worker.http.get(f"/work/items/{item.pk}/").status_code == 200
    assert _api(social_worker).get(f"/api/v1/waiting-list/{item.pk}/").status_code == 200

    looks = AccessEvent.objects.filter(person_id=item.person_id)
    assert [(look.basis, look.grant_id) for look in looks] == [(AccessBasis.RELATIONSHIP, None)] * 2
