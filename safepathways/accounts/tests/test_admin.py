"""Staff, teams and organisations are kept in the Django admin: every add, change and delete there is audited."""

import pytest
from django.urls import reverse
from django.utils import timezone

from safepathways.accounts.models import Membership, Organisation, Role, Team, User
from safepathways.accounts.tests.admin_site import PASSWORD, admin_form_data, signed_in_superuser
from safepathways.audit.models import AuditEvent
from safepathways.audit.services import verify_chain


@pytest.fixture
def worker(team: Team) -> User:
    # Whole seconds: the admin's date-and-time widget posts the time back without microseconds.
    joined = timezone.now().replace(microsecond=0)
    user = User.objects.create_user("worker@example.test", PASSWORD, full_name="Wes Worker", date_joined=joined)
    Membership.objects.create(user=user, team=team, role=Role.SOCIAL_WORKER)
    return user


def _admin_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action__startswith="admin."))


def test_changing_a_team_writes_one_audit_event(team: Team) -> None:
    admin, client = signed_in_superuser()
    url = reverse("admin:accounts_team_change", args=[team.pk])
    data = admin_form_data(client.get(url))
    before = AuditEvent.objects.count()
    response = client.post(url, {**data, "name": "Kentish Town neighbourhood team"})
    assert response.status_code == 302
    assert AuditEvent.objects.count() == before + 1
    [event] = _admin_events()
    assert (event.actor, event.action, event.target_type, event.target_id) == (
        admin,
        "admin.changed",
        "accounts.team",
        str(team.pk),
    )
    assert event.snapshot["change"] == "changed: Name"
    assert event.snapshot["object"] == "Kentish Town neighbourhood team"
    assert verify_chain().is_intact


def test_making_a_user_staff_writes_one_audit_event_with_the_flags(worker: User) -> None:
    _, client = signed_in_superuser()
    url = reverse("admin:accounts_user_change", args=[worker.pk])
    data = admin_form_data(client.get(url))
    assert "is_staff" not in data
    response = client.post(url, {**data, "is_staff": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    worker.refresh_from_db()
    assert worker.is_staff
    [event] = _admin_events()
    assert (event.action, event.target_type, event.target_id) == ("admin.changed", "accounts.user", str(worker.pk))
    assert event.snapshot["change"] == "changed: Is staff"
    assert (event.snapshot["is_staff"], event.snapshot["is_superuser"], event.snapshot["is_active"]) == (
        True,
        False,
        True,
    )


def test_changing_a_membership_role_writes_one_audit_event(worker: User) -> None:
    _, client = signed_in_superuser()
    membership = worker.memberships.get()
    url = reverse("admin:accounts_user_change", args=[worker.pk])
    data = admin_form_data(client.get(url))
    role_key = next(key for key, value in data.items() if key.endswith("-role") and value == Role.SOCIAL_WORKER)
    response = client.post(url, {**data, role_key: Role.TEAM_MANAGER})
    assert response.status_code == 302, response.content.decode()[:2000]
    membership.refresh_from_db()
    assert membership.role == Role.TEAM_MANAGER
    [event] = _admin_events()
    assert (event.action, event.target_type, event.target_id) == ("admin.changed", "accounts.user", str(worker.pk))
    assert event.snapshot["change"] == "changed membership: Role"


def test_adding_and_deleting_an_organisation_are_audited(db: None) -> None:
    admin, client = signed_in_superuser()
    response = client.post(
        reverse("admin:accounts_organisation_add"),
        {"name": "Camden Carers Centre", "kind": "voluntary", "ons_code": "", "ods_code": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    organisation = Organisation.objects.get(name="Camden Carers Centre")
    client.post(reverse("admin:accounts_organisation_delete", args=[organisation.pk]), {"post": "yes"})
    assert not Organisation.objects.filter(pk=organisation.pk).exists()
    assert [(e.action, e.target_id, e.actor) for e in _admin_events()] == [
        ("admin.added", str(organisation.pk), admin),
        ("admin.deleted", str(organisation.pk), admin),
    ]
    assert verify_chain().is_intact


def test_the_admin_offers_no_bulk_delete(team: Team) -> None:
    # "Delete selected" logs its deletions with one bulk_create, which no receiver sees: deletions go one at a time.
    _, client = signed_in_superuser()
    response = client.get(reverse("admin:accounts_team_changelist"))
    assert response.status_code == 200
    assert "delete_selected" not in response.content.decode()
