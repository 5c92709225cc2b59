"""A DoLS request read through the API under a declared or break-glass grant is tied to the grant, so the
information governance review of that grant shows it among what was viewed."""

from collections.abc import Callable

import pytest

from safepathways.audit.models import AccessBasis, AccessEvent
from safepathways.conftest import Persona
from safepathways.dols.models import DolsRequest
from safepathways.governance import selectors as governance
from safepathways.people import services as people_services
from safepathways.people.models import AccessGrantKind

LIST = "/api/v1/dols/requests/"


@pytest.mark.parametrize(
    ("kind", "basis"),
    [(AccessGrantKind.DECLARED, AccessBasis.DECLARED), (AccessGrantKind.BREAK_GLASS, AccessBasis.BREAK_GLASS)],
)
def test_a_request_read_under_a_grant_is_in_its_ig_review(
    other_team_worker: Persona, make_request: Callable[..., DolsRequest], kind: str, basis: str
) -> None:
    dols_request = make_request()
    grant = people_services.grant_access(
        person=dols_request.person,
        user=other_team_worker.user,
        kind=kind,
        reason="covering_duty",
        reason_detail="Covering duty",
    )

    response = other_team_worker.http.get(f"{LIST}{dols_request.pk}/")

    assert response.status_code == 200
    path = f"GET {LIST}{dols_request.pk}/"
    look = AccessEvent.objects.get(person_id=dols_request.person_id, user=other_team_worker.user)
    assert (look.what, look.basis, look.grant_id) == (path, basis, grant.pk)
    assert [event.what for event in governance.viewed_under(grant)] == [path]


def test_without_a_relationship_or_grant_the_request_is_refused_and_no_look_logged(
    other_team_worker: Persona, make_request: Callable[..., DolsRequest]
) -> None:
    dols_request = make_request()

    assert other_team_worker.http.get(f"{LIST}{dols_request.pk}/").status_code == 403
    assert not AccessEvent.objects.filter(user=other_team_worker.user).exists()
