"""Account changes: sign-out everywhere, second factor, API tokens, users and memberships."""

import re
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice

from safepathways.accounts.models import (
    ONS_CODE_DESCRIPTION,
    ONS_CODE_FORMAT,
    ApiToken,
    Membership,
    Organisation,
    OrganisationKind,
    PasswordLinkRequest,
    Team,
    TeamKind,
    User,
    council_only_role_problem,
)
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


# At most this many password links in the window for one email address, and from one client address; requests over
# the limit get the same answer but send nothing. Requests are counted in the database (PasswordLinkRequest), which
# every worker and every instance shares.
PASSWORD_LINKS_PER_ADDRESS = 3
PASSWORD_LINKS_PER_CLIENT = 20
PASSWORD_LINK_WINDOW = timedelta(hours=1)


def _rate_key(kind: str, value: str) -> str:
    """A keyed hash of an email or network address: requests can be counted by it, and it cannot be read back."""
    return salted_hmac(f"safepathways.accounts.password-link.{kind}", value, algorithm="sha256").hexdigest()


@transaction.atomic
def request_password_link(*, email: str, client_address: str) -> bool:
    """A request from the forgotten-password page: email a link unless this address, or this client, has asked too
    often in the last PASSWORD_LINK_WINDOW. True if a link was sent.

    Both counts move on every request, for an address with an account or without one, so neither an address nor a
    sender can be used to test the other, and callers answer the same whatever this returns. Requests older than the
    window are deleted as new ones come in.
    """
    now = timezone.now()
    since = now - PASSWORD_LINK_WINDOW
    email = email.strip().lower()
    email_key, client_key = _rate_key("email", email), _rate_key("client", client_address)
    PasswordLinkRequest.objects.filter(requested_at__lt=since).delete()
    PasswordLinkRequest.objects.create(requested_at=now, email_key=email_key, client_key=client_key)
    counts = PasswordLinkRequest.objects.filter(
        Q(email_key=email_key) | Q(client_key=client_key), requested_at__gte=since
    ).aggregate(
        for_address=Count("id", filter=Q(email_key=email_key)),
        from_client=Count("id", filter=Q(client_key=client_key)),
    )
    if counts["for_address"] > PASSWORD_LINKS_PER_ADDRESS or counts["from_client"] > PASSWORD_LINKS_PER_CLIENT:
        return False
    return send_password_link(email=email)


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
def add_user(
    *,
    email: str,
    full_name: str,
    team: Team,
    role: str,
    password: str | None,
    by: User | None,
    superuser: bool = False,
) -> User:
    """Create the user if new and give them a role in a team (idempotent).

    A password given is checked with the configured validators (AUTH_PASSWORD_VALIDATORS) first: refused with
    ApplicationError(field="password") naming each problem. `superuser` also lets them use the Django admin site with
    every permission (is_staff and is_superuser): the first administrator of a new instance needs it to add the
    neighbourhood teams and the postcode mapping.

    A council-only role (models.COUNCIL_ONLY_ROLES: information governance officer, director, administrator) in a
    team of another organisation is refused with ApplicationError(field="role"), before anything is written.
    """
    problem = council_only_role_problem(team, role)
    if problem:
        raise ApplicationError(problem, field="role")
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
    if superuser and not (user.is_staff and user.is_superuser):
        User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
        user.is_staff = user.is_superuser = True
        audit.record(
            actor=by,
            action="user.made_superuser",
            target=user,
            snapshot={"is_staff": True, "is_superuser": True},
            actor_label=label,
        )
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


# The council's own teams that every instance has, with the slugs the product's settings name by default (the front
# door's routes, the DoLS, safeguarding and young people's settings): the synthetic borough uses the same ones
# (borough/reference.py). Neighbourhood teams differ in every council and are added in the admin with the postcode
# mapping; hospital social work is one team here, which a council can split by hospital in the admin.
STANDARD_TEAMS: list[tuple[str, str, str]] = [
    ("Front door", "front-door", TeamKind.FRONT_DOOR),
    ("Hospital social work", "hospital-social-work", TeamKind.HOSPITAL_SOCIAL_WORK),
    ("Occupational therapy duty", "ot-duty", TeamKind.OT_DUTY),
    ("DoLS team", "dols", TeamKind.DOLS),
    ("Safeguarding adults", "safeguarding", TeamKind.SAFEGUARDING),
    ("Transitions", "transitions", TeamKind.TRANSITIONS),
    ("Emergency duty (out of hours)", "out-of-hours", TeamKind.OUT_OF_HOURS),
    ("Provider quality", "provider-quality", TeamKind.PROVIDER_QUALITY),
    ("Contingency planning", "contingency", TeamKind.CONTINGENCY),
    ("Information governance", "information-governance", TeamKind.INFORMATION_GOVERNANCE),
    ("Adult social care leadership", "leadership", TeamKind.LEADERSHIP),
    ("System administration", "administration", TeamKind.ADMINISTRATION),
]


@dataclass
class CouncilSetUp:
    """What set_up_council made, and what was there already."""

    council: Organisation
    council_created: bool
    teams_created: list[Team] = field(default_factory=list)
    teams_reused: list[Team] = field(default_factory=list)


@transaction.atomic
def set_up_council(*, name: str, ons_code: str, by: User | None, actor_label: str = "") -> CouncilSetUp:
    """Create the council that runs this instance and its standard teams (STANDARD_TEAMS); idempotent.

    What exists already is reused and left as it is: the council (there is one only) and any team with a standard
    slug. A council already set up with another ONS code, or a standard slug taken by another organisation's team, is
    refused, rather than a second council made or a partner's team used. Each row created is audited.
    """
    name, ons_code = name.strip(), ons_code.strip().upper()
    if not name:
        raise ApplicationError("Enter the council's name", field="name")
    if not re.match(ONS_CODE_FORMAT, ons_code):
        raise ApplicationError(f"{ons_code!r} is not an ONS code: {ONS_CODE_DESCRIPTION}", field="ons_code")
    label = actor_label or ("" if by else "system")
    council = Organisation.objects.select_for_update().filter(is_this_council=True).first()
    created = council is None
    if council is None:
        council = Organisation(name=name, kind=OrganisationKind.COUNCIL, ons_code=ons_code, is_this_council=True)
        council.full_clean()
        council.save()
        snapshot = {"name": name, "ons_code": ons_code, "is_this_council": True}
        audit.record(actor=by, action="organisation.created", target=council, snapshot=snapshot, actor_label=label)
    elif council.ons_code != ons_code:
        raise ApplicationError(
            f"This instance is already set up for {council.name} (ONS code {council.ons_code or 'blank'}), not "
            f"{ons_code}: correct the council in the admin",
            field="ons_code",
        )
    result = CouncilSetUp(council=council, council_created=created)
    existing = Team.objects.select_related("organisation").in_bulk(
        [slug for _, slug, _ in STANDARD_TEAMS], field_name="slug"
    )
    for team_name, slug, kind in STANDARD_TEAMS:
        team = existing.get(slug)
        if team is not None:
            if team.organisation_id != council.pk:
                raise ApplicationError(
                    f"The slug {slug!r} belongs to {team.name} of {team.organisation}, not to the council: "
                    "change that team's slug in the admin",
                    field="team",
                )
            result.teams_reused.append(team)
            continue
        team = Team(organisation=council, name=team_name, slug=slug, kind=kind)
        team.full_clean()
        team.save()
        audit.record(
            actor=by, action="team.created", target=team, snapshot={"slug": slug, "kind": kind}, actor_label=label
        )
        result.teams_created.append(team)
    return result
