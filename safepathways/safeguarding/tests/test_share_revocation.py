"""Revoking a partner organisation's share of a concern: the service, the pages, and the partner's 404 after."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from safepathways.accounts.models import Organisation, OrganisationKind
from safepathways.accounts.services import issue_api_token
from safepathways.audit.models import AccessBasis, AccessEvent, AuditEvent
from safepathways.conftest import Persona
from safepathways.core.errors import ApplicationError
from safepathways.safeguarding import services
from safepathways.safeguarding.models import Concern, ConcernShare, Enquiry
from safepathways.safeguarding.tests.conftest import details


@pytest.fixture
def shared(enquiry: Enquiry, lead: Persona, police_partner: Persona) -> ConcernShare:
    """The enquiry's concern shared with the police for a joint enquiry."""
    return services.share_concern(
        concern=enquiry.concern, by=lead.user, organisation=police_partner.team.organisation, purpose="Joint enquiry"
    )


def _state() -> tuple[object, ...]:
    return (
        AuditEvent.objects.count(),
        AccessEvent.objects.count(),
        tuple(ConcernShare.objects.order_by("pk").values_list("revoked_at", "revoke_reason")),
    )


# The service -------------------------------------------------------------------------------------------------


def test_revoking_keeps_the_share_with_who_when_and_why(shared: ConcernShare, lead: Persona) -> None:
    revoked = services.revoke_concern_share(share=shared, by=lead.user, reason="  Police enquiry closed  ")
    shared.refresh_from_db()
    assert shared.revoked_at is not None
    assert (shared.revoked_by, shared.revoke_reason) == (lead.user, "Police enquiry closed")
    assert revoked.pk == shared.pk
    event = AuditEvent.objects.filter(action="safeguarding.concern_share_revoked").get()
    assert (event.actor, event.person_id) == (lead.user, shared.concern.person_id)
    assert event.snapshot["reason"] == "<21 characters>"  # free text: the audit keeps only its length


def test_after_revocation_the_partner_no_longer_sees_the_concern(
    shared: ConcernShare, lead: Persona, police_partner: Persona
) -> None:
    concern = shared.concern
    assert Concern.objects.visible_to(police_partner.user).filter(pk=concern.pk).exists()
    services.revoke_concern_share(share=shared, by=lead.user, reason="No longer needed")
    assert not Concern.objects.visible_to(police_partner.user).filter(pk=concern.pk).exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reason_is_needed_and_nothing_changes_without_one(shared: ConcernShare, lead: Persona, reason: str) -> None:
    before = _state()
    with pytest.raises(ApplicationError) as refused:
        services.revoke_concern_share(share=shared, by=lead.user, reason=reason)
    assert refused.value.field == "reason"
    assert _state() == before


def test_a_share_is_revoked_once(shared: ConcernShare, lead: Persona) -> None:
    services.revoke_concern_share(share=shared, by=lead.user, reason="Done")
    before = _state()
    with pytest.raises(ApplicationError, match="already been revoked"):
        services.revoke_concern_share(share=shared, by=lead.user, reason="Again")
    assert _state() == before


def test_an_ended_share_has_nothing_to_revoke(shared: ConcernShare, lead: Persona) -> None:
    ConcernShare.objects.filter(pk=shared.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ApplicationError, match="already ended"):
        services.revoke_concern_share(share=shared, by=lead.user, reason="Tidy up")


@pytest.mark.parametrize("who", ["social_worker", "police_partner", "director"])
def test_only_the_safeguarding_team_revokes(shared: ConcernShare, request: pytest.FixtureRequest, who: str) -> None:
    persona: Persona = request.getfixturevalue(who)
    before = _state()
    with pytest.raises(ApplicationError, match="Only the safeguarding team"):
        services.revoke_concern_share(share=shared, by=persona.user, reason="Mine to revoke?")
    assert _state() == before


# The pages: the history of shares and the revocation form -----------------------------------------------------


def _pages(shared: ConcernShare) -> list[tuple[str, str, dict[str, Any] | None]]:
    concern = shared.concern
    return [
        ("get", reverse("safeguarding:shares", args=[concern.pk]), None),
        ("get", reverse("safeguarding:revoke_share", args=[concern.pk, shared.pk]), None),
        ("post", reverse("safeguarding:revoke_share", args=[concern.pk, shared.pk]), {"reason": "Enquiry closed"}),
    ]


PAGE_IDS = ["history", "revoke-form", "revoke"]


def _call(client: Client, page: tuple[str, str, dict[str, Any] | None]) -> Any:
    method, url, data = page
    return client.post(url, data or {}) if method == "post" else client.get(url)


@pytest.mark.parametrize("index", range(3), ids=PAGE_IDS)
def test_anonymous_is_sent_to_sign_in(anonymous: Client, shared: ConcernShare, index: int) -> None:
    before = _state()
    response = _call(anonymous, _pages(shared)[index])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign_in"))
    assert _state() == before


@pytest.mark.parametrize("who", ["police_partner", "partner", "social_worker", "director"])
@pytest.mark.parametrize("index", range(3), ids=PAGE_IDS)
def test_anyone_outside_the_safeguarding_team_is_refused(
    shared: ConcernShare, request: pytest.FixtureRequest, who: str, index: int
) -> None:
    """Roles first: even the partner the concern is shared with may not read the history of shares."""
    persona: Persona = request.getfixturevalue(who)
    before = _state()
    assert _call(persona.http, _pages(shared)[index]).status_code == 403
    assert _state() == before


@pytest.mark.parametrize("index", [1, 2], ids=PAGE_IDS[1:])
def test_a_share_of_another_concern_is_not_found(shared: ConcernShare, lead: Persona, index: int) -> None:
    other = services.raise_concern(person=shared.concern.person, by=lead.user, details=details())
    method, url, data = _pages(shared)[index]
    url = url.replace(str(shared.concern.pk), str(other.pk))
    before = _state()
    response = lead.http.post(url, data or {}) if method == "post" else lead.http.get(url)
    assert response.status_code == 404
    assert _state()[2] == before[2]


def test_the_lead_revokes_and_the_partner_then_gets_404_on_the_web_and_the_api(
    shared: ConcernShare, lead: Persona, police_partner: Persona
) -> None:
    concern = shared.concern
    page = reverse("safeguarding:concern", args=[concern.pk])
    api = APIClient(HTTP_HOST="127.0.0.1")
    _, key = issue_api_token(user=police_partner.user, name="test")
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert police_partner.http.get(page).status_code == 200
    assert api.get(f"/api/v1/safeguarding/concerns/{concern.pk}/").status_code == 200

    form = lead.http.get(reverse("safeguarding:revoke_share", args=[concern.pk, shared.pk])).content.decode()
    assert "Revoke the share with Metropolitan Police Service" in form
    response = lead.http.post(
        reverse("safeguarding:revoke_share", args=[concern.pk, shared.pk]), {"reason": "Police enquiry closed"}
    )
    assert response["Location"] == reverse("safeguarding:shares", args=[concern.pk])

    assert police_partner.http.get(page).status_code == 404
    assert api.get(f"/api/v1/safeguarding/concerns/{concern.pk}/").status_code == 404
    assert api.get("/api/v1/safeguarding/concerns/").json()["count"] == 0


def test_a_missing_reason_is_shown_against_the_field(shared: ConcernShare, lead: Persona) -> None:
    before = _state()
    response = lead.http.post(reverse("safeguarding:revoke_share", args=[shared.concern.pk, shared.pk]), {})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter why the share is revoked" in body and 'href="#id_reason"' in body
    assert _state()[2] == before[2]


def test_the_history_shows_current_ended_and_revoked_shares(
    shared: ConcernShare, lead: Persona, police: Organisation
) -> None:
    concern = shared.concern
    housing = Organisation.objects.create(name="Camden Housing Options", kind=OrganisationKind.HOUSING)
    ended = services.share_concern(concern=concern, by=lead.user, organisation=housing, purpose="Rehousing")
    ConcernShare.objects.filter(pk=ended.pk).update(expires_at=timezone.now() - timedelta(days=1))
    services.revoke_concern_share(share=shared, by=lead.user, reason="Police enquiry closed")
    services.share_concern(concern=concern, by=lead.user, organisation=police, purpose="New allegation")
    response = lead.http.get(reverse("safeguarding:shares", args=[concern.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "3 shares" in body
    assert body.count(">Revoked<") == 1 and body.count(">Ended<") == 1 and body.count(">Current<") == 1
    assert "Police enquiry closed" in body and "by Sol Reyes" in body
    assert body.count(">Revoke<") == 1  # only the current share can be revoked
    event = AccessEvent.objects.get(user=lead.user)
    assert (event.person_id, event.basis) == (concern.person_id, AccessBasis.SAFEGUARDING)
    concern_page = lead.http.get(reverse("safeguarding:concern", args=[concern.pk])).content.decode()
    assert reverse("safeguarding:shares", args=[concern.pk]) in concern_page


@pytest.mark.parametrize("rows", [1, 20])
def test_the_history_query_count_is_constant(
    enquiry: Enquiry, lead: Persona, rows: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for n in range(rows):
        organisation = Organisation.objects.create(name=f"Partner {n}", kind=OrganisationKind.VOLUNTARY)
        share = services.share_concern(concern=enquiry.concern, by=lead.user, organisation=organisation, purpose="x")
        if n % 2:
            services.revoke_concern_share(share=share, by=lead.user, reason="Done")
    url = reverse("safeguarding:shares", args=[enquiry.concern.pk])
    # session, user with memberships, the concern (with its joins), access event, shares (organisation, sharer,
    # revoker)
    with django_assert_num_queries(5):
        response = lead.http.get(url)
    assert response.status_code == 200
