"""Permissions for provider oversight and vacancies, as named predicates (django-rules).

- The provider quality team (Role.PROVIDER_QUALITY_OFFICER, or council staff in a PROVIDER_QUALITY team) manages
  concerns, escalations, suspensions, CQC ratings, vacancies and the Capacity Tracker import.
- The contingency lead (or the CONTINGENCY team), team managers and directors read everything.
- Any council staff member and any partner may raise a provider concern.
- Partners who work for a care provider (Role.PARTNER in an organisation of kind care_provider) see and update
  the vacancies of their own provider's locations only; selectors.vacancy_locations scopes them.
"""

from safepathways.accounts.models import OrganisationKind, Role, TeamKind, User
from safepathways.accounts.rules import _predicate, add_perm, is_council_staff, is_partner

VIEW_OVERSIGHT = "oversight.view_oversight"  # dashboard, concerns, escalation history, suspensions
RAISE_CONCERN = "oversight.raise_concern"
MANAGE_CONCERNS = "oversight.manage_concerns"  # escalate, de-escalate, close, suspend, lift, CQC rating
VIEW_VACANCIES = "oversight.view_vacancies"  # partners: own locations only
UPDATE_VACANCIES = "oversight.update_vacancies"  # partners: own locations only
IMPORT_CAPACITY = "oversight.import_capacity"


def _council(user: User) -> bool:
    return bool(user.is_authenticated and user.is_council_staff)


@_predicate
def is_provider_quality(user: User) -> bool:
    if not _council(user):
        return False
    in_team = any(m.team.kind == TeamKind.PROVIDER_QUALITY and m.role != Role.PARTNER for m in user.memberships_cached)
    return in_team or user.has_role(Role.PROVIDER_QUALITY_OFFICER)


@_predicate
def is_oversight_reader(user: User) -> bool:
    """The contingency lead or team, team managers and directors."""
    if not _council(user):
        return False
    in_team = any(m.team.kind == TeamKind.CONTINGENCY and m.role != Role.PARTNER for m in user.memberships_cached)
    return in_team or user.has_role(Role.CONTINGENCY_LEAD, Role.TEAM_MANAGER, Role.DIRECTOR)


@_predicate
def is_care_provider_partner(user: User) -> bool:
    """A partner working for a care provider organisation (which locations are theirs: selectors)."""
    return bool(
        user.is_authenticated
        and not user.is_council_staff
        and any(
            m.role == Role.PARTNER and m.team.organisation.kind == OrganisationKind.CARE_PROVIDER
            for m in user.memberships_cached
        )
    )


def register() -> None:
    """Called once from OversightConfig.ready()."""
    add_perm(VIEW_OVERSIGHT, is_provider_quality | is_oversight_reader)
    add_perm(RAISE_CONCERN, is_council_staff | is_partner)
    add_perm(MANAGE_CONCERNS, is_provider_quality)
    add_perm(VIEW_VACANCIES, is_provider_quality | is_oversight_reader | is_care_provider_partner)
    add_perm(UPDATE_VACANCIES, is_provider_quality | is_care_provider_partner)
    add_perm(IMPORT_CAPACITY, is_provider_quality)
