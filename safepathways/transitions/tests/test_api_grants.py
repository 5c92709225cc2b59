"""A plan read through the API is logged on the basis it was opened on: under a declared or break-glass grant, with
the grant, so the information governance review of that grant lists it among what was viewed."""

import pytest

from safepathways.audit.models import AccessBasis, AccessEvent
from safepathways.conftest import Persona
from safepathways.governance import selectors as governance
from safepathways.people import services as people_services
from safepathways.people.models import AccessGrantKind

from .conftest import MakePlan

PLANS = "/api/v1/transitions/plans/"


@pytest.mark.parametrize(
    ("kind", "basis"),
    [(AccessGrantKind.DECLARED, AccessBasis.DECLARED), (AccessGrantKind.BREAK_GLASS, AccessBasis.BREAK_GLASS)],
)
def test_a_plan_read_under_a_grant_is_in_its_ig_review(
    other_team_worker: Persona, make_plan: MakePlan, kind: str, basis: str
) -> None:
    plan = make_plan()
    grant = people_services.grant_access(
        person=plan.person, user=other_team_worker.user, kind=kind, reason="covering_duty", reason_detail="Duty"
    )

    response = other_team_worker.http.get(f"{PLANS}{plan.pk}/")

    assert response.status_code == 200
    path = f"GET {PLANS}{plan.pk}/"
    look = AccessEvent.objects.get(person_id=plan.person_id, user=other_team_worker.user)
    assert (look.what, look.basis, look.grant_id) == (path, basis, grant.pk)
    assert [event.what for event in governance.viewed_under(grant)] == [path]


def test_the_plan_team_reads_it_on_its_working_relationship(social_worker: Persona, make_plan: MakePlan) -> None:
    plan = make_plan()

    assert social_worker.http.get(f"{PLANS}{plan.pk}/").status_code == 200
    look = AccessEvent.objects.get(person_id=plan.person_id, user=social_worker.user)
    assert (look.basis, look.grant_id) == (AccessBasis.RELATIONSHIP, None)


def test_without_a_relationship_or_grant_the_plan_is_refused_and_no_look_logged(
    other_team_worker: Persona, make_plan: MakePlan
) -> None:
    plan = make_plan()

    assert other_team_worker.http.get(f"{PLANS}{plan.pk}/").status_code == 403
    assert not AccessEvent.objects.filter(user=other_team_worker.user).exists()
