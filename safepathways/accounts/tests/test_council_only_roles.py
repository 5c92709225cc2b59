"""Council-only roles (information governance officer, director, administrator): refused in a partner's team, and
given nothing there if a membership like that exists all the same (made before the check, or in the database)."""

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from safepathways.accounts import rules as perms
from safepathways.accounts import services
from safepathways.accounts.models import COUNCIL_ONLY_ROLES, Membership, Role, Team, User
from safepathways.accounts.tests.admin_site import admin_form_data, signed_in_superuser
from safepathways.audit.models import AuditEvent
from safepathways.conftest import Persona
from safepathways.core.errors import ApplicationError


def _fresh(user: User) -> User:
    """The user read again, as a request reads them (memberships are cached on the instance)."""
    return User.objects.get(pk=user.pk)


def test_the_council_only_roles() -> None:
    assert sorted(COUNCIL_ONLY_ROLES) == sorted(
        [Role.INFORMATION_GOVERNANCE_OFFICER, Role.DIRECTOR, Role.ADMINISTRATOR]
    )


def test_the_information_governance_role_counts_only_in_a_council_team(
    make_persona: Callable[..., Persona], ward_team: Team, ig_team: Team
) -> None:
    trust_ig = make_persona(ward_team, Role.INFORMATION_GOVERNANCE_OFFICER).user
    assert not trust_ig.is_information_governance
    assert not trust_ig.has_perm(perms.REVIEW_ACCESS)
    council_ig = make_persona(ig_team, Role.INFORMATION_GOVERNANCE_OFFICER).user
    assert council_ig.is_information_governance and council_ig.has_perm(perms.REVIEW_ACCESS)


def test_council_staff_with_the_role_in_a_partners_team_are_not_information_governance(
    social_worker: Persona, ward_team: Team
) -> None:
    Membership.objects.create(user=social_worker.user, team=ward_team, role=Role.INFORMATION_GOVERNANCE_OFFICER)
    user = _fresh(social_worker.user)
    assert user.is_council_staff and Role.INFORMATION_GOVERNANCE_OFFICER in user.roles
    assert not user.is_information_governance
    assert not user.has_perm(perms.REVIEW_ACCESS)


def test_the_administrator_role_counts_only_in_a_council_team(
    make_persona: Callable[..., Persona], ward_team: Team, team: Team
) -> None:
    assert not make_persona(ward_team, Role.ADMINISTRATOR).user.is_administrator
    assert make_persona(team, Role.ADMINISTRATOR).user.is_administrator
    superuser = User.objects.create_superuser("root@example.test", "correct-horse-battery", full_name="Root")
    assert superuser.is_administrator


@pytest.mark.parametrize("role", sorted(COUNCIL_ONLY_ROLES))
def test_add_user_refuses_a_council_only_role_in_a_partners_team_and_writes_nothing(role: str, ward_team: Team) -> None:
    with pytest.raises(ApplicationError) as raised:
        services.add_user(
            email="ig@royalfree.example", full_name="Ivy Green", team=ward_team, role=role, password=None, by=None
        )
    assert raised.value.field == "role"
    assert raised.value.message == (
        f"{Role(role).label} is a role in the council's own teams only: Ward discharge team is a team of "
        "Royal Free London NHS Foundation Trust. Give a partner the Partner role"
    )
    assert not User.objects.filter(email="ig@royalfree.example").exists()
    assert not Membership.objects.exists()
    assert not AuditEvent.objects.exists()


def test_add_user_refuses_the_role_for_an_existing_user_too(partner: Persona) -> None:
    with pytest.raises(ApplicationError, match="Information governance officer is a role in the council's own"):
        services.add_user(
            email=partner.user.email,
            full_name="",
            team=partner.team,
            role=Role.INFORMATION_GOVERNANCE_OFFICER,
            password=None,
            by=None,
        )
    assert list(partner.user.memberships.values_list("role", flat=True)) == [Role.PARTNER]
    assert not AuditEvent.objects.exists()


def test_add_user_gives_the_roles_in_the_council_and_the_partner_role_in_a_partners_team(
    ig_team: Team, ward_team: Team
) -> None:
    ig = services.add_user(
        email="iris@council.example",
        full_name="Iris Bell",
        team=ig_team,
        role=Role.INFORMATION_GOVERNANCE_OFFICER,
        password=None,
        by=None,
    )
    assert _fresh(ig).is_information_governance
    nurse = services.add_user(
        email="nina@royalfree.example", full_name="Nina", team=ward_team, role=Role.PARTNER, password=None, by=None
    )
    assert list(nurse.memberships.values_list("role", flat=True)) == [Role.PARTNER]


def test_the_add_user_command_says_what_is_wrong(ward_team: Team) -> None:
    with pytest.raises(CommandError, match=r"^--role: Director is a role in the council's own teams only"):
        call_command("add_user", "dir@royalfree.example", "--team", ward_team.slug, "--role", Role.DIRECTOR)
    assert not User.objects.filter(email="dir@royalfree.example").exists()


def test_a_membership_with_a_council_only_role_in_a_partners_team_does_not_validate(
    partner: Persona, ig_team: Team
) -> None:
    wrong = Membership(user=partner.user, team=partner.team, role=Role.ADMINISTRATOR)
    with pytest.raises(ValidationError) as raised:
        wrong.full_clean()
    assert raised.value.message_dict == {
        "role": [
            "Administrator is a role in the council's own teams only: Ward discharge team is a team of Royal Free "
            "London NHS Foundation Trust. Give a partner the Partner role"
        ]
    }
    Membership(user=partner.user, team=ig_team, role=Role.ADMINISTRATOR).full_clean()


def test_the_admin_refuses_a_council_only_role_in_a_partners_team(partner: Persona) -> None:
    _, client = signed_in_superuser()
    url = reverse("admin:accounts_user_change", args=[partner.user.pk])
    data = admin_form_data(client.get(url))
    role_key = next(key for key, value in data.items() if key.endswith("-role") and value == Role.PARTNER)
    before = AuditEvent.objects.count()
    response = client.post(url, {**data, role_key: Role.INFORMATION_GOVERNANCE_OFFICER})
    assert response.status_code == 200
    assert "is a role in the council&#x27;s own teams only" in response.content.decode()
    assert list(partner.user.memberships.values_list("role", flat=True)) == [Role.PARTNER]
    assert AuditEvent.objects.count() == before
