"""manage.py revoke_api_token: find the token by email, name or prefix; list them when several match."""

from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from safepathways.accounts.models import ApiToken, Role, Team, User
from safepathways.accounts.services import issue_api_token, revoke_api_token
from safepathways.audit.models import AuditEvent
from safepathways.conftest import Persona
from safepathways.core.errors import ApplicationError


@pytest.fixture
def partner_user(make_persona: Callable[..., Persona], team: Team) -> User:
    return make_persona(team, Role.SOCIAL_WORKER).user


def _works(key: str) -> bool:
    client = APIClient(HTTP_HOST="127.0.0.1")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return bool(client.get("/api/v1/people/").status_code == 200)


def test_revoke_the_only_token_of_a_user_by_email(partner_user: User, capsys: pytest.CaptureFixture[str]) -> None:
    token, key = issue_api_token(user=partner_user, name="Trust EPR")
    assert _works(key)
    call_command("revoke_api_token", partner_user.email.upper())
    assert f"Revoked {token.prefix} 'Trust EPR'" in capsys.readouterr().out
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert not _works(key)
    event = AuditEvent.objects.get(action="api_token.revoked")
    assert event.actor_label == "manage.py revoke_api_token"


def test_several_tokens_are_listed_and_none_revoked(partner_user: User, capsys: pytest.CaptureFixture[str]) -> None:
    first, _ = issue_api_token(user=partner_user, name="Trust EPR")
    second, second_key = issue_api_token(user=partner_user, name="GP system")
    with pytest.raises(CommandError, match="Nothing revoked"):
        call_command("revoke_api_token", partner_user.email)
    listed = capsys.readouterr().out
    assert "2 tokens match" in listed
    assert first.prefix in listed and second.prefix in listed and "'GP system'" in listed
    assert ApiToken.objects.active().count() == 2
    # Then choose one by its prefix (the whole key works too: only its first 8 characters are kept).
    # --prefix=… always: a key may begin with "-", which would read as another option.
    call_command("revoke_api_token", f"--prefix={second_key}")
    assert list(ApiToken.objects.active()) == [first]


def test_revoke_by_name_or_all_of_a_users_tokens(partner_user: User, social_worker: Persona) -> None:
    issue_api_token(user=partner_user, name="Trust EPR")
    issue_api_token(user=partner_user, name="GP system")
    others, _ = issue_api_token(user=social_worker.user, name="Trust EPR")
    call_command("revoke_api_token", partner_user.email, "--name", "trust epr")
    assert set(ApiToken.objects.active().values_list("name", flat=True)) == {"GP system", "Trust EPR"}
    call_command("revoke_api_token", partner_user.email, "--all")
    assert list(ApiToken.objects.active()) == [others]


def test_nothing_to_revoke_is_an_error(partner_user: User) -> None:
    with pytest.raises(CommandError, match="Give the user's email"):
        call_command("revoke_api_token")
    with pytest.raises(CommandError, match="No user has the email"):
        call_command("revoke_api_token", "nobody@example.test")
    with pytest.raises(CommandError, match="No token"):
        call_command("revoke_api_token", partner_user.email)
    token, _ = issue_api_token(user=partner_user, name="Trust EPR")
    revoke_api_token(token=token, by=None)
    with pytest.raises(CommandError, match="No token"):
        call_command("revoke_api_token", f"--prefix={token.prefix}")


def test_a_token_is_revoked_once(partner_user: User) -> None:
    token, _ = issue_api_token(user=partner_user, name="Trust EPR")
    revoke_api_token(token=token, by=None)
    with pytest.raises(ApplicationError, match="already been revoked"):
        revoke_api_token(token=token, by=None)
    assert AuditEvent.objects.filter(action="api_token.revoked").count() == 1
