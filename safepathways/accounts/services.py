"""Account changes: sign-out everywhere, second factor, API tokens, users and memberships."""

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from safepathways.accounts.models import ApiToken, Membership, Team, User
from safepathways.audit import services as audit
from safepathways.core.errors import ApplicationError


@transaction.atomic
def sign_out_everywhere(*, user: User) -> None:
    """End every session of this user, on every device, by moving the session generation on."""
    User.objects.filter(pk=user.pk).update(session_generation=user.session_generation + 1)
    user.session_generation += 1
    audit.record(actor=user, action="user.signed_out_everywhere", target=user)


@transaction.atomic
def start_totp(*, user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator for the user (replacing any unconfirmed one)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


CODE_FROM_CURRENT_AUTHENTICATOR_FIRST = "Enter a code from your current authenticator app first"


@transaction.atomic
def confirm_totp(*, user: User, device: TOTPDevice, token: str, session_verified: bool) -> bool:
    """Confirm a new authenticator with a code from it; any other confirmed authenticator is replaced.

    `session_verified` says whether this session has passed the second factor with one of the user's existing
    authenticators. Replacing one needs that: otherwise a password alone would be enough to swap in another app
    and defeat the second factor.
    """
    if not session_verified and TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).exists():
        raise ApplicationError(CODE_FROM_CURRENT_AUTHENTICATOR_FIRST)
    if device.user_id != user.pk or not device.verify_token(token):
        return False
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.record(actor=user, action="user.mfa_enabled", target=user)
    return True


@transaction.atomic
def remove_totp(*, user: User, session_verified: bool) -> None:
    """Turn the second factor off: only from a session that has passed it, and never for an administrator."""
    if user.is_administrator:
        raise ApplicationError("Administrators must keep two-factor authentication switched on")
    if not session_verified and TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ApplicationError(CODE_FROM_CURRENT_AUTHENTICATOR_FIRST)
    TOTPDevice.objects.filter(user=user).delete()
    audit.record(actor=user, action="user.mfa_removed", target=user)


@transaction.atomic
def add_user(*, email: str, full_name: str, team: Team, role: str, password: str | None, by: User | None) -> User:
    """Create the user if new and give them a role in a team (idempotent)."""
    user = User.objects.filter(email=email.lower()).first()
    if user is None:
        user = User.objects.create_user(email=email, password=password, full_name=full_name or email)
        audit.record(actor=by, action="user.created", target=user, actor_label="" if by else "manage.py add_user")
    elif password:
        user.set_password(password)
        user.save(update_fields=["password"])
    membership, created = Membership.objects.get_or_create(user=user, team=team, role=role)
    if created:
        audit.record(
            actor=by,
            action="membership.added",
            target=membership,
            snapshot={"team": team.slug, "role": role},
            actor_label="" if by else "manage.py add_user",
        )
    return user


@transaction.atomic
def issue_api_token(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new API token; the key is returned once and only its hash is kept."""
    key = ApiToken.new_key()
    token = ApiToken.objects.create(user=user, name=name, prefix=key[:8], key_hash=ApiToken.hash_key(key))
    audit.record(actor=None, action="api_token.issued", target=token, actor_label="manage.py issue_api_token")
    return token, key


@transaction.atomic
def revoke_api_token(*, token: ApiToken, by: User | None, actor_label: str = "") -> None:
    """Stop a token working at once; the row is kept, with when it was revoked, for the audit trail."""
    if token.revoked_at is not None:
        raise ApplicationError("This token has already been revoked")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(
        actor=by, action="api_token.revoked", target=token, actor_label=actor_label or ("" if by else "system")
    )
