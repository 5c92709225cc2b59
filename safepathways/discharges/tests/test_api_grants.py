"""A discharge referral read or reported on through the API under a declared or break-glass grant is tied to the
grant, so the information governance review of that grant shows it among what was viewed."""

from collections.abc import Callable

import pytest

from safepathways.audit.models import AccessBasis, AccessEvent
from safepathways.conftest import Persona
from safepathways.discharges.models import Referral
from safepathways.discharges.tests.factories import days_ago
from safepathways.governance import selectors as governance
from safepathways.people import services as people_services
from safepathways.people.models import AccessGrant, AccessGrantKind

LIST = "/api/v1/discharge/referrals/"
KINDS = [(AccessGrantKind.DECLARED, AccessBasis.DECLARED), (AccessGrantKind.BREAK_GLASS, AccessBasis.BREAK_GLASS)]


def _grant(referral: Referral, holder: Persona, kind: str) -> AccessGrant:
    return people_services.grant_access(
        person=referral.person, user=holder.user, kind=kind, reason="covering_duty", reason_detail="Covering duty"
    )


@pytest.mark.parametrize(("kind", "basis"), KINDS)
def test_a_referral_read_under_a_grant_is_in_its_ig_review(
    team_manager: Persona, make_referral: Callable[..., Referral], kind: str, basis: str
) -> None:
    referral = make_referral()
    grant = _grant(referral, team_manager, kind)

    response = team_manager.http.get(f"{LIST}{referral.pk}/")

    assert response.status_code == 200
    path = f"GET {LIST}{referral.pk}/"
    look = AccessEvent.objects.get(person_id=referral.person_id, user=team_manager.user)
    assert (look.what, look.basis, look.grant_id) == (path, basis, grant.pk)
    assert [event.what for event in governance.viewed_under(grant)] == [path]


def test_an_unsafe_discharge_reported_under_a_grant_is_in_its_ig_review(
    team_manager: Persona, make_referral: Callable[..., Referral]
) -> None:
    referral = make_referral()
    grant = _grant(referral, team_manager, AccessGrantKind.DECLARED)

    response = team_manager.http.post(
        f"{LIST}{referral.pk}/unsafe-reports/",
        {
            "reporter_name": "Rose House",
            "reporter_relationship": "provider",
            "what_happened": "No medication",
            "occurred_on": days_ago(1).isoformat(),
        },
        content_type="application/json",
    )

    assert response.status_code == 201, response.json()
    assert [event.what for event in governance.viewed_under(grant)] == [f"POST {LIST}{referral.pk}/unsafe-reports/"]
