"""Staff and partner users, the organisations they work for, their teams and their roles."""

import hashlib
import secrets
from typing import Self

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from safepathways.core.compiled import CompiledQuery, field
from safepathways.core.models import BaseModel


class OrganisationKind(models.TextChoices):
    COUNCIL = "council", "Council (this council)"
    NEIGHBOURING_COUNCIL = "neighbouring_council", "Neighbouring council"
    NHS_TRUST = "nhs_trust", "NHS trust"
    ICB = "icb", "Integrated care board"
    GP_PRACTICE = "gp_practice", "GP practice"
    POLICE = "police", "Police"
    HOUSING = "housing", "Housing provider"
    VOLUNTARY = "voluntary", "Voluntary sector"
    CARE_PROVIDER = "care_provider", "Care provider"


# The national identifiers' formats (domain-reference.md §8.2, "Organisation and area codes").
# ONS (GSS) area code: the country's letter (E England, W Wales, S Scotland, N Northern Ireland) and 8 digits, e.g.
# E09000007 Camden, E09000003 Barnet. [0-9] rather than \d, which would also match other scripts' digits.
ONS_CODE_FORMAT = r"^[EWSN][0-9]{8}\Z"
ONS_CODE_DESCRIPTION = "a capital E, W, S or N and 8 digits, for example E09000007"
# NHS ODS organisation code: 3 to 6 capital letters and digits, e.g. QMJ (an ICB, §8.2), RAL (an NHS trust), RAL01
# (a trust site), F83004 or Y03456 (GP practices). The 5-character codes issued since 2021 fit too (§5.2).
ODS_CODE_FORMAT = r"^[A-Z0-9]{3,6}\Z"
ODS_CODE_DESCRIPTION = "3 to 6 capital letters and digits, for example RAL or F83004"
validate_ons_code = RegexValidator(ONS_CODE_FORMAT, f"Enter an ONS code: {ONS_CODE_DESCRIPTION}", "invalid_ons_code")
validate_ods_code = RegexValidator(ODS_CODE_FORMAT, f"Enter an ODS code: {ODS_CODE_DESCRIPTION}", "invalid_ods_code")


class Organisation(BaseModel):
    """An organisation staff or partners work for, with its national identifier."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=OrganisationKind.choices)
    # ONS/GSS code for councils (e.g. E09000007 Camden), ODS code for NHS bodies and GP practices; either may be
    # blank (a police force or a voluntary group has neither). The formats are checked by full_clean (the admin,
    # setup_council), not by the database: code that saves an organisation any other way must call it.
    ons_code = models.CharField(
        "ONS code", max_length=9, blank=True, validators=[validate_ons_code], help_text="For example E09000007"
    )
    ods_code = models.CharField(
        "ODS code", max_length=10, blank=True, validators=[validate_ods_code], help_text="For example RAL or F83004"
    )
    is_this_council = models.BooleanField(
        default=False, help_text="The council that runs this instance; its staff can search the whole record."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            # Scoping (people.selectors) relies on there being at most one home council.
            models.UniqueConstraint(
                fields=["is_this_council"], condition=Q(is_this_council=True), name="one_home_council"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TeamKind(models.TextChoices):
    NEIGHBOURHOOD = "neighbourhood", "Neighbourhood team"
    HOSPITAL_SOCIAL_WORK = "hospital_social_work", "Hospital social work"
    OT_DUTY = "ot_duty", "Occupational therapy duty"
    FRONT_DOOR = "front_door", "Front door"
    DOLS = "dols", "DoLS team"
    SAFEGUARDING = "safeguarding", "Safeguarding"
    TRANSITIONS = "transitions", "Transitions"
    OUT_OF_HOURS = "out_of_hours", "Out of hours"
    PROVIDER_QUALITY = "provider_quality", "Provider quality"
    CONTINGENCY = "contingency", "Contingency planning"
    INFORMATION_GOVERNANCE = "information_governance", "Information governance"
    LEADERSHIP = "leadership", "Leadership"
    ADMINISTRATION = "administration", "System administration"
    PARTNER = "partner", "Partner team"


class Team(BaseModel):
    """A team in an organisation; work, people and scope hang off teams."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=30, choices=TeamKind.choices)
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    SOCIAL_WORKER = "social_worker", "Social worker"
    OCCUPATIONAL_THERAPIST = "occupational_therapist", "Occupational therapist"
    DUTY_WORKER = "duty_worker", "Duty worker"
    FRONT_DOOR_OFFICER = "front_door_officer", "Front door officer"
    TEAM_MANAGER = "team_manager", "Team manager"
    DOLS_LEAD = "dols_lead", "DoLS lead"
    BEST_INTERESTS_ASSESSOR = "best_interests_assessor", "Best interests assessor"
    SAFEGUARDING_LEAD = "safeguarding_lead", "Safeguarding lead"
    PROVIDER_QUALITY_OFFICER = "provider_quality_officer", "Provider quality officer"
    CONTINGENCY_LEAD = "contingency_lead", "Contingency lead"
    PANEL_MEMBER = "panel_member", "Panel member"
    PARTNER = "partner", "Partner"
    INFORMATION_GOVERNANCE_OFFICER = "information_governance_officer", "Information governance officer"
    DIRECTOR = "director", "Director"
    ADMINISTRATOR = "administrator", "Administrator"


# Roles that only make sense in a team of the council that runs this instance, and are refused in any other
# organisation's team (Membership.clean, services.add_user); they are also only honoured there (User.council_roles):
# - information governance officer: reviews who looked at the council's records. The council is the controller of
#   its social care record (UK GDPR art. 4(7), art. 5(2) accountability); a partner's IG team has no part in that.
# - director: the director of adult social services, the officer the council must appoint for its adult social
#   services functions (Local Authority Social Services Act 1970 s.6(A1)).
# - administrator: runs this instance (its users, teams and postcode mapping) and may undo a merge of two records.
# Practitioner roles are left to the permissions, which already need a council team (User.is_council_staff): a trust
# may employ social workers and OTs, and a partner holding one of those roles in its own team is given nothing by it.
COUNCIL_ONLY_ROLES = frozenset({Role.INFORMATION_GOVERNANCE_OFFICER, Role.DIRECTOR, Role.ADMINISTRATOR})


class UserManager(BaseUserManager["User"]):
    def create_user(self, email: str, password: str | None = None, **extra: object) -> "User":
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)

    def with_memberships(self, pk: int | str) -> "User | None":
        """The user with their memberships, teams and organisations, in one query (every signed-in request).

        The memberships are read with their user joined; a user with no membership is read on its own."""
        memberships = _MEMBERSHIPS_WITH_USER.all(user=pk)
        if not memberships:
            user = self.filter(pk=pk).first()
            if user is not None:
                user.remember_memberships([])
            return user
        user = memberships[0].user
        for membership in memberships:
            membership.user = user
        user.remember_memberships(memberships)
        return user


class User(AbstractBaseUser, PermissionsMixin):
    """A member of staff or a partner, who signs in with an email address."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200)
    job_title = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Can use the Django admin site.")
    date_joined = models.DateTimeField(default=timezone.now)
    left_on = models.DateField(null=True, blank=True)
    # Changing this signs the user out of every session ("sign out everywhere").
    session_generation = models.PositiveIntegerField(default=0)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_session_auth_hash(self) -> str:
        """Sessions are bound to the password and to the session generation."""
        key_salt = "safepathways.accounts.User.get_session_auth_hash"
        return salted_hmac(key_salt, f"{self.password}:{self.session_generation}", algorithm="sha256").hexdigest()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    # Memberships are cached on the instance for the request: many checks read them.
    @property
    def memberships_cached(self) -> list["Membership"]:
        cache: list[Membership] | None = getattr(self, "_memberships_cache", None)
        if cache is None:
            cache = list(self.memberships.select_related("team__organisation").all())
            self.remember_memberships(cache)
        return cache

    def remember_memberships(self, memberships: list["Membership"]) -> None:
        """Keep the memberships for the request, with the facts every permission check reads from them."""
        self._memberships_cache = memberships
        self._roles_cache = frozenset(m.role for m in memberships)
        self._council_roles_cache = frozenset(m.role for m in memberships if m.team.organisation.is_this_council)
        self._council_staff_cache = bool(self._council_roles_cache - {Role.PARTNER})

    @property
    def roles(self) -> frozenset[str]:
        self.memberships_cached  # noqa: B018 - loads the memberships and the facts drawn from them
        return self._roles_cache

    @property
    def council_roles(self) -> frozenset[str]:
        """The roles held in teams of the council that runs this instance (not in a partner's teams)."""
        self.memberships_cached  # noqa: B018 - loads the memberships and the facts drawn from them
        return self._council_roles_cache

    @property
    def team_ids(self) -> list[object]:
        return [m.team_id for m in self.memberships_cached]

    @property
    def organisation_ids(self) -> list[object]:
        return list({m.team.organisation_id for m in self.memberships_cached})

    @property
    def is_council_staff(self) -> bool:
        """Works for the council that runs this instance (not a partner)."""
        self.memberships_cached  # noqa: B018 - loads the memberships and the facts drawn from them
        return self._council_staff_cache

    @property
    def is_information_governance(self) -> bool:
        """An information governance officer of the council: the role held in a partner's team counts for nothing
        (COUNCIL_ONLY_ROLES), whatever other memberships the user has."""
        return Role.INFORMATION_GOVERNANCE_OFFICER in self.council_roles

    @property
    def is_administrator(self) -> bool:
        """An administrator of the council (COUNCIL_ONLY_ROLES), or a superuser."""
        return Role.ADMINISTRATOR in self.council_roles or self.is_superuser

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


class Membership(BaseModel):
    """A user's place in a team, with their role in it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=40, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "team", "role"], name="one_role_per_team")]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}, {self.team}"

    def clean(self) -> None:
        """A council-only role (COUNCIL_ONLY_ROLES) is refused in another organisation's team (the admin's check)."""
        if self.team_id is not None and self.role in COUNCIL_ONLY_ROLES:
            problem = council_only_role_problem(self.team, self.role)
            if problem:
                raise ValidationError({"role": problem})


def council_only_role_problem(team: Team, role: str) -> str:
    """What is wrong with giving `role` in `team`: a council-only role in a team of another organisation ("" if
    nothing is)."""
    if role not in COUNCIL_ONLY_ROLES or team.organisation.is_this_council:
        return ""
    return (
        f"{Role(role).label} is a role in the council's own teams only: {team.name} is a team of "
        f"{team.organisation.name}. Give a partner the Partner role"
    )


# Every signed-in request reads this, so it is compiled once per process (ADR-020).
_MEMBERSHIPS_WITH_USER: CompiledQuery[Membership] = CompiledQuery(
    lambda user: (
        Membership.objects.select_related("user", "team__organisation").filter(user_id=user).order_by("created_at")
    ),
    user=field(Membership, "user"),
)


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> Self:
        return self.filter(revoked_at__isnull=True)


class ApiToken(BaseModel):
    """A token a partner system uses to call the API; only a hash of the key is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return secrets.token_urlsafe(32)


class PasswordLinkRequest(models.Model):
    """One request made on the forgotten-password page, kept for the rate-limit window (services.PASSWORD_LINK_WINDOW).

    The limits are counted here, in the database every worker shares, rather than in a per-process cache. Only keyed
    hashes of the email address and of the client's network address are kept, never the values themselves.
    """

    requested_at = models.DateTimeField(db_index=True)
    email_key = models.CharField(max_length=64)
    client_key = models.CharField(max_length=64)

    class Meta:
        indexes = [
            models.Index(fields=["email_key", "requested_at"], name="password_link_by_email"),
            models.Index(fields=["client_key", "requested_at"], name="password_link_by_client"),
        ]

    def __str__(self) -> str:
        return f"password link requested {self.requested_at:%Y-%m-%d %H:%M}"
