"""manage.py setup_council: a fresh instance gets its council and standard teams, so the first staff can be added."""

from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from safepathways.accounts.models import Membership, Organisation, OrganisationKind, Role, Team, TeamKind, User
from safepathways.accounts.services import STANDARD_TEAMS
from safepathways.audit.models import AuditEvent

ISLINGTON = ["--name", "London Borough of Islington", "--ons-code", "E09000019"]


def _setup(*args: str, capsys: pytest.CaptureFixture[str]) -> str:
    call_command("setup_council", *args)
    return capsys.readouterr().out


def test_on_an_empty_database_the_first_staff_member_can_be_added_to_the_front_door(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(CommandError, match="No team has the slug 'front-door'"):
        call_command("add_user", "first@council.example", "--team", "front-door", "--role", "front_door_officer")
    out = _setup(*ISLINGTON, capsys=capsys)
    council = Organisation.objects.get()
    assert (council.name, council.kind, council.ons_code, council.is_this_council) == (
        "London Borough of Islington",
        OrganisationKind.COUNCIL,
        "E09000019",
        True,
    )
    assert "Created the council: London Borough of Islington (ONS code E09000019)." in out
    assert "Created team Front door (front-door)." in out
    teams = {t.slug: t for t in Team.objects.all()}
    assert set(teams) == {slug for _, slug, _ in STANDARD_TEAMS}
    assert all(t.organisation_id == council.pk for t in teams.values())
    assert not any(t.kind in (TeamKind.NEIGHBOURHOOD, TeamKind.PARTNER) for t in teams.values())

    call_command("add_user", "first@council.example", "--team", "front-door", "--role", "front_door_officer")
    membership = Membership.objects.get(user__email="first@council.example")
    assert (membership.team.slug, membership.role) == ("front-door", Role.FRONT_DOOR_OFFICER)
    assert User.objects.get(email="first@council.example").is_council_staff
    assert len(mail.outbox) == 1  # the link to set a password


def test_each_row_created_is_audited_and_running_again_creates_nothing(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    _setup(*ISLINGTON, capsys=capsys)
    events = list(AuditEvent.objects.values_list("action", "actor_label"))
    assert events.count(("organisation.created", "manage.py setup_council")) == 1
    assert events.count(("team.created", "manage.py setup_council")) == len(STANDARD_TEAMS)
    before = (Organisation.objects.count(), Team.objects.count(), AuditEvent.objects.count())

    out = _setup(*ISLINGTON, capsys=capsys)
    assert (Organisation.objects.count(), Team.objects.count(), AuditEvent.objects.count()) == before
    assert "Reused the council: London Borough of Islington" in out
    assert "Reused team Front door (front-door)." in out
    assert "Created" not in out
    assert f"0 teams created, {len(STANDARD_TEAMS)} already there" in out


def test_defaults_come_from_the_council_settings(db: None, settings: Any, capsys: pytest.CaptureFixture[str]) -> None:
    settings.SAFEPATHWAYS = {
        **settings.SAFEPATHWAYS,
        "COUNCIL_NAME": "Wiltshire Council",
        "COUNCIL_ONS_CODE": "E06000054",
    }
    _setup(capsys=capsys)
    assert Organisation.objects.filter(is_this_council=True, name="Wiltshire Council", ons_code="E06000054").exists()


def test_a_team_already_there_is_kept_and_the_rest_are_added(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    council = Organisation.objects.create(
        name="Islington Council", kind=OrganisationKind.COUNCIL, ons_code="E09000019", is_this_council=True
    )
    own = Team.objects.create(organisation=council, name="Access service", slug="front-door", kind=TeamKind.FRONT_DOOR)
    out = _setup(*ISLINGTON, capsys=capsys)
    assert "Reused the council: Islington Council" in out
    assert "Reused team Access service (front-door)." in out
    assert Team.objects.get(slug="front-door").name == own.name
    assert Team.objects.count() == len(STANDARD_TEAMS)
    assert not AuditEvent.objects.filter(action="organisation.created").exists()


def test_refuses_another_ons_code_or_a_slug_held_by_a_partner_and_changes_nothing(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    _setup(*ISLINGTON, capsys=capsys)
    with pytest.raises(CommandError, match="already set up for London Borough of Islington"):
        call_command("setup_council", "--name", "Camden", "--ons-code", "E09000007")
    assert Organisation.objects.count() == 1

    Team.objects.filter(slug="dols").delete()
    trust = Organisation.objects.create(name="Royal Free", kind=OrganisationKind.NHS_TRUST)
    Team.objects.create(organisation=trust, name="Trust DoLS office", slug="dols", kind=TeamKind.PARTNER)
    before = (Team.objects.count(), AuditEvent.objects.count())
    with pytest.raises(CommandError, match="'dols' belongs to Trust DoLS office of Royal Free"):
        call_command("setup_council", *ISLINGTON)
    assert (Team.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize("code", ["", "E0900007", "09000007X", "camden"])
def test_refuses_a_malformed_ons_code(db: None, code: str) -> None:
    with pytest.raises(CommandError, match="not an ONS code"):
        call_command("setup_council", "--name", "A council", "--ons-code", code)
    assert not Organisation.objects.exists()


def test_the_first_administrator_can_be_given_the_admin_site(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    _setup(*ISLINGTON, capsys=capsys)
    call_command(
        "add_user", "admin@council.example", "--team", "administration", "--role", "administrator", "--superuser"
    )
    user = User.objects.get(email="admin@council.example")
    assert user.is_staff and user.is_superuser and user.is_administrator
    event = AuditEvent.objects.get(action="user.made_superuser")
    assert (event.target_id, event.actor_label, event.snapshot) == (
        str(user.pk),
        "manage.py add_user",
        {"is_staff": True, "is_superuser": True},
    )
    # Again: nothing more to do, nothing more audited.
    call_command(
        "add_user", "admin@council.example", "--team", "administration", "--role", "administrator", "--superuser"
    )
    assert AuditEvent.objects.filter(action="user.made_superuser").count() == 1
