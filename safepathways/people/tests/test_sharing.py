"""Sharing a person's record with partner organisations, and stopping."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from markupsafe import escape
from pytest_django import DjangoAssertNumQueries

from safepathways.accounts.models import Organisation
from safepathways.audit.models import AccessEvent, AuditEvent
from safepathways.conftest import Persona
from safepathways.core.errors import ApplicationError
from safepathways.people import services
from safepathways.people.models import ChronologyEntry, Person, Share
from safepathways.work.models import WorkItem
from safepathways.work.tests.factories import WorkItemFactory


@pytest.fixture
def client_person(social_worker: Persona) -> Person:
    item: WorkItem = WorkItemFactory.create(team=social_worker.team)
    return item.person


@pytest.fixture
def share(social_worker: Persona, client_person: Person, hospital: Organisation) -> Share:
    return services.share_with_organisation(
        person=client_person, by=social_worker.user, organisation=hospital, purpose="Hospital discharge planning"
    )


def _share_data(organisation: Organisation) -> dict[str, Any]:
    return {"organisation": organisation.pk, "purpose": "Police welfare check"}


# (url name, method, needs an existing share)
VIEWS = [
    ("people:sharing", "get"),
    ("people:sharing", "post"),
    ("people:share_revoke", "post"),
]


def _call(client: Client, name: str, method: str, person: Person, share: Share, police: Organisation) -> Any:
    if name == "people:share_revoke":
        return client.post(reverse(name, args=[person.pk, share.pk]))
    url = reverse(name, args=[person.pk])
    return client.post(url, _share_data(police)) if method == "post" else client.get(url)


def _nothing_changed(share: Share) -> None:
    assert Share.objects.get().revoked_at is None  # only the fixture's share, still in force
    assert share.pk == Share.objects.get().pk


@pytest.mark.parametrize(("name", "method"), VIEWS)
def test_anonymous_is_sent_to_sign_in(
    anonymous: Client, client_person: Person, share: Share, police: Organisation, name: str, method: str
) -> None:
    response = _call(anonymous, name, method, client_person, share, police)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign_in"))
    _nothing_changed(share)


@pytest.mark.parametrize(("name", "method"), VIEWS)
def test_partner_the_record_is_shared_with_is_refused(
    partner: Persona, client_person: Person, share: Share, police: Organisation, name: str, method: str
) -> None:
    assert share.organisation == partner.team.organisation
    audit_before = AuditEvent.objects.count()
    response = _call(partner.http, name, method, client_person, share, police)
    assert response.status_code == 403
    assert AuditEvent.objects.count() == audit_before
    assert not AccessEvent.objects.exists()
    _nothing_changed(share)


@pytest.mark.parametrize(("name", "method"), VIEWS)
def test_other_team_must_declare_a_relationship(
    other_team_worker: Persona, client_person: Person, share: Share, police: Organisation, name: str, method: str
) -> None:
    audit_before = AuditEvent.objects.count()
    response = _call(other_team_worker.http, name, method, client_person, share, police)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("people:declare", args=[client_person.pk]))
    assert AuditEvent.objects.count() == audit_before
    _nothing_changed(share)


@pytest.mark.parametrize(("name", "method", "expected"), [(*view, 200 if view[1] == "get" else 403) for view in VIEWS])
def test_read_only_role_sees_the_shares_but_cannot_change_them(
    director: Persona,
    client_person: Person,
    share: Share,
    police: Organisation,
    name: str,
    method: str,
    expected: int,
) -> None:
    audit_before = AuditEvent.objects.count()
    response = _call(director.http, name, method, client_person, share, police)
    assert response.status_code == expected
    assert AuditEvent.objects.count() == audit_before
    _nothing_changed(share)
    if method == "get":
        body = response.content.decode()
        assert "Royal Free London NHS Foundation Trust" in body
        assert "share_revoke" not in body and "/stop/" not in body
        assert "Share record" not in body


@pytest.mark.parametrize(("name", "method"), VIEWS)
def test_unknown_person_is_404(
    social_worker: Persona, client_person: Person, share: Share, police: Organisation, name: str, method: str
) -> None:
    stranger = Person(pk=share.pk)  # a real id, but not a person's
    assert _call(social_worker.http, name, method, stranger, share, police).status_code == 404


@pytest.mark.parametrize(("name", "method"), VIEWS)
def test_social_worker_succeeds(
    social_worker: Persona, client_person: Person, share: Share, police: Organisation, name: str, method: str
) -> None:
    response = _call(social_worker.http, name, method, client_person, share, police)
    if method == "get":
        assert response.status_code == 200
        assert AccessEvent.objects.get().what == "sharing page"
    else:
        assert response.status_code == 302
        assert response["Location"] == reverse("people:sharing", args=[client_person.pk])


@pytest.mark.parametrize("shares", [1, 15])
def test_sharing_page_query_count_does_not_grow_with_the_shares(
    social_worker: Persona,
    client_person: Person,
    shares: int,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    for n in range(shares):
        organisation = Organisation.objects.create(name=f"Partner {n}", kind="voluntary")
        services.share_with_organisation(
            person=client_person, by=social_worker.user, organisation=organisation, purpose="Support"
        )
    # session, user with memberships, person, relationship (work), access event, shares with organisation and
    # sharer, partner organisations to choose from
    with django_assert_num_queries(7):
        response = social_worker.http.get(reverse("people:sharing", args=[client_person.pk]))
    assert response.status_code == 200


def test_the_page_lists_each_share_with_who_shared_it_and_why(
    social_worker: Persona, client_person: Person, share: Share, council: Organisation, police: Organisation
) -> None:
    body = social_worker.http.get(reverse("people:sharing", args=[client_person.pk])).content.decode()
    assert "Royal Free London NHS Foundation Trust" in body
    assert "Hospital discharge planning" in body
    assert escape(social_worker.user.full_name) in body
    assert reverse("people:share_revoke", args=[client_person.pk, share.pk]) in body
    # Partners are the choices, in name order; the council itself is not one.
    choices = body[body.index('name="organisation"') :]
    assert choices.index("Metropolitan Police Service") < choices.index("Royal Free London NHS Foundation Trust")
    assert f'value="{council.pk}"' not in choices


def test_sharing_lets_the_partner_in_and_stopping_shuts_them_out(
    social_worker: Persona, police_partner: Persona, client_person: Person, police: Organisation
) -> None:
    record_url = reverse("people:detail", args=[client_person.pk])
    assert police_partner.http.get(record_url).status_code == 404
    social_worker.http.post(reverse("people:sharing", args=[client_person.pk]), _share_data(police))
    share = Share.objects.get(organisation=police)
    assert share.purpose == "Police welfare check"
    assert share.shared_by == social_worker.user
    assert ChronologyEntry.objects.filter(
        summary="Record shared with Metropolitan Police Service: Police welfare check"
    )
    assert police_partner.http.get(record_url).status_code == 200

    response = social_worker.http.post(reverse("people:share_revoke", args=[client_person.pk, share.pk]))
    assert response["Location"] == reverse("people:sharing", args=[client_person.pk])
    assert Share.objects.get().revoked_at is not None
    assert police_partner.http.get(record_url).status_code == 404
    event = AuditEvent.objects.get(action="person.share_revoked")
    assert (event.actor, event.person_id) == (social_worker.user, client_person.pk)
    assert event.snapshot["organisation"] == "Metropolitan Police Service"
    assert ChronologyEntry.objects.filter(summary="Stopped sharing the record with Metropolitan Police Service")
    page = social_worker.http.get(reverse("people:sharing", args=[client_person.pk])).content.decode()
    assert "not shared with any partner organisation" in page
    # A share already stopped cannot be stopped again.
    again = social_worker.http.post(reverse("people:share_revoke", args=[client_person.pk, share.pk]))
    assert again.status_code == 404


def test_sharing_answers_each_field(social_worker: Persona, client_person: Person, police: Organisation) -> None:
    body = social_worker.http.post(reverse("people:sharing", args=[client_person.pk]), {}).content.decode()
    assert "There is a problem" in body
    assert "Select the organisation to share with" in body
    assert "Enter why you are sharing this record" in body
    assert not Share.objects.exists()


def test_a_record_is_not_shared_twice_with_the_same_organisation(
    social_worker: Persona, client_person: Person, share: Share, hospital: Organisation
) -> None:
    data = {"organisation": hospital.pk, "purpose": "Again"}
    body = social_worker.http.post(reverse("people:sharing", args=[client_person.pk]), data).content.decode()
    assert "This record is already shared with Royal Free London NHS Foundation Trust" in body
    assert Share.objects.count() == 1


def test_the_council_cannot_be_chosen(social_worker: Persona, client_person: Person, council: Organisation) -> None:
    data = {"organisation": council.pk, "purpose": "Nothing"}
    body = social_worker.http.post(reverse("people:sharing", args=[client_person.pk]), data).content.decode()
    assert "Select a partner organisation from the list" in body
    assert not Share.objects.exists()
    with pytest.raises(ApplicationError):
        services.share_with_organisation(person=client_person, by=social_worker.user, organisation=council, purpose="x")


def test_revoke_share_service_refuses_a_revoked_share(social_worker: Persona, share: Share) -> None:
    services.revoke_share(share=share, by=social_worker.user)
    with pytest.raises(ApplicationError, match="no longer shared"):
        services.revoke_share(share=share, by=social_worker.user)
    assert AuditEvent.objects.filter(action="person.share_revoked").count() == 1


def test_stop_sharing_is_post_only(social_worker: Persona, client_person: Person, share: Share) -> None:
    response = social_worker.http.get(reverse("people:share_revoke", args=[client_person.pk, share.pk]))
    assert response.status_code == 405


def test_the_person_page_links_to_sharing_for_council_staff(social_worker: Persona, client_person: Person) -> None:
    body = social_worker.http.get(reverse("people:detail", args=[client_person.pk])).content.decode()
    assert reverse("people:sharing", args=[client_person.pk]) in body


def test_partners_are_not_offered_the_sharing_page(partner: Persona, client_person: Person, share: Share) -> None:
    body = partner.http.get(reverse("people:detail", args=[client_person.pk])).content.decode()
    assert escape(client_person.full_name) in body
    assert reverse("people:sharing", args=[client_person.pk]) not in body


def test_the_person_page_links_to_the_access_log_for_information_governance_only(
    social_worker: Persona, ig_officer: Persona, client_person: Person
) -> None:
    access_log = reverse("governance:person_access", args=[client_person.pk])
    body = social_worker.http.get(reverse("people:detail", args=[client_person.pk])).content.decode()
    assert access_log not in body
    assert "Who looked at this record" not in body
    services.grant_access(
        person=client_person, user=ig_officer.user, kind="declared", reason="other", reason_detail="Subject access"
    )
    body = ig_officer.http.get(reverse("people:detail", args=[client_person.pk])).content.decode()
    assert f'href="{access_log}">Who looked at this record</a>' in body
    assert ig_officer.http.get(access_log).status_code == 200
