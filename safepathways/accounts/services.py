"""Account changes: sign-out everywhere, second factor, API tokens, users and memberships."""

from functools import partial

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
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
def change_password(*, user: User, new_password: str) -> None:
    """Give the user a new password and sign them out of every other session.

    Both the password and the session generation are part of the session hash (User.get_session_auth_hash), so
    every existing session ends. The view keeps the session it was called from signed in with
    update_session_auth_hash, which reads the new hash from `user`, updated here in place.
    """
    _replace_password(user=user, new_password=new_password)
    audit.record(actor=user, action="user.password_changed", target=user)


@transaction.atomic
def set_password_from_link(*, user: User, new_password: str) -> None:
    """Set the password from the emailed one-time link (a first password, or after forgetting one).

    As change_password: validated, and every session of the user ends. The audit event says how it was set; the
    password is never in it.
    """
    _replace_password(user=user, new_password=new_password)
    audit.record(actor=user, action="user.password_set", target=user, snapshot={"via": "emailed link"})


def _replace_password(*, user: User, new_password: str) -> None:
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as error:
        raise ApplicationError(" ".join(error.messages), field="new_password1") from error
    locked = User.objects.select_for_update().get(pk=user.pk)
    user.set_password(new_password)
    user.session_generation = locked.session_generation + 1
    user.save(update_fields=["password", "session_generation"])


def set_password_link(user: User) -> str:
    """The one-time link that lets a user set their password (Django's token: it stops working once the password
    changes or they sign in, and after PASSWORD_RESET_TIMEOUT)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return str(settings.SAFEPATHWAYS["BASE_URL"]).rstrip("/") + reverse("accounts:set_password", args=[uid, token])


def _link_valid_for() -> str:
    days = max(1, int(settings.PASSWORD_RESET_TIMEOUT) // 86400)
    return "1 day" if days == 1 else f"{days} days"


@transaction.atomic
def send_password_link(*, email: str) -> bool:
    """Email a link to set a new password to the active user with this address; False (and nothing sent) if there
    is none. Callers must answer the same either way, so the page does not reveal who has an account."""
    user = User.objects.filter(email=email.strip().lower(), is_active=True).first()
    if user is None:
        return False
    message = (
        "Someone asked to reset the password of your Safe Pathways account. If it was you, set a new password "
        f"within {_link_valid_for()} here: {set_password_link(user)}\n\n"
        "If it was not you, you can ignore this email: your password has not changed."
    )
    audit.record(actor=None, action="user.password_link_sent", target=user, actor_label="forgotten password page")
    transaction.on_commit(partial(send_mail, "Reset your Safe Pathways password", message, None, [user.email]))
    return True


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
    """Create the user if new and give them a role in a team (idempotent).

    A password given is checked with the configured validators (AUTH_PASSWORD_VALIDATORS) first: refused with
    ApplicationError(field="password") naming each problem.
    """
    label = "" if by else "manage.py add_user"
    user = User.objects.filter(email=email.lower()).first()
    if password:
        candidate = user or User(email=email.lower(), full_name=full_name or email)
        try:
            password_validation.validate_password(password, candidate)
        except ValidationError as error:
            raise ApplicationError(
                "The password is not strong enough: " + " ".join(error.messages), field="password"
            ) from error
    if user is None:
        user = User.objects.create_user(email=email, password=password, full_name=full_name or email)
        audit.record(actor=by, action="user.created", target=user, actor_label=label)
    elif password:
        user.set_password(password)
        user.save(update_fields=["password"])
        audit.record(actor=by, action="user.password_set", target=user, snapshot={"via": "add_user"}, actor_label=label)
    membership, created = Membership.objects.get_or_create(user=user, team=team, role=role)
    if created:
        audit.record(
            actor=by,
            action="membership.added",
            target=membership,
            snapshot={"team": team.slug, "role": role},
            actor_label=label,
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
