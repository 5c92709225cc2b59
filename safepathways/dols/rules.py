"""Permissions for DoLS and Court of Protection work, as named predicates (django-rules).

The DoLS lead signs off and decides; best interests assessors and practitioners record; directors and
other oversight roles read; partners (managing authorities) submit and follow only their own requests.
"""

from safepathways.accounts.models import Role, TeamKind, User
from safepathways.accounts.roles import OVERSIGHT_ROLES
from safepathways.accounts.rules import _predicate, add_perm, is_council_staff, is_practitioner

VIEW_TRACKER = "dols.view_tracker"  # the tracker, the roster and the data return: DoLS team and managers
VIEW_REQUEST = "dols.view_request"  # one request; partners only their organisation's (scoped in selectors)
SUBMIT_REQUEST = "dols.submit_request"  # receive a request: staff, or a managing authority through the API
RECORD_WORK = "dols.record_work"  # screen, oversight, assessments, extension, court case preparation
DECIDE = "dols.decide"  # sign off, grant, refuse, suspend, reinstate, terminate
MANAGE_ROSTER = "dols.manage_roster"
EXPORT_RETURN = "dols.export_return"
# A care home's or hospital's own requests on the web: list, submit, renew, follow. Partners only (staff have the
# tracker); which requests are theirs is scoped in selectors, as the API's are.
MANAGING_AUTHORITY = "dols.managing_authority"


def _is_council(user: User) -> bool:
    return bool(user.is_authenticated and user.is_council_staff)


@_predicate
def is_dols_lead(user: User) -> bool:
    return _is_council(user) and user.has_role(Role.DOLS_LEAD)


@_predicate
def is_bia(user: User) -> bool:
    return _is_council(user) and user.has_role(Role.BEST_INTERESTS_ASSESSOR)


@_predicate
def is_dols_team_or_manager(user: User) -> bool:
    """A member of the DoLS team, a team manager or a director/oversight role."""
    if not _is_council(user):
        return False
    in_dols_team = any(m.team.kind == TeamKind.DOLS and m.role != Role.PARTNER for m in user.memberships_cached)
    return in_dols_team or user.has_role(Role.DOLS_LEAD, Role.TEAM_MANAGER, *OVERSIGHT_ROLES)


@_predicate
def is_oversight(user: User) -> bool:
    return _is_council(user) and user.has_role(*OVERSIGHT_ROLES)


@_predicate
def is_partner_organisation_user(user: User) -> bool:
    return bool(user.is_authenticated and not user.is_council_staff and user.has_role(Role.PARTNER))


def register() -> None:
    """Called once from DolsConfig.ready()."""
    add_perm(VIEW_TRACKER, is_dols_team_or_manager)
    add_perm(VIEW_REQUEST, is_council_staff | is_partner_organisation_user)
    add_perm(SUBMIT_REQUEST, is_practitioner | is_partner_organisation_user)
    add_perm(RECORD_WORK, is_dols_lead | is_bia | is_practitioner)
    add_perm(DECIDE, is_dols_lead)
    add_perm(MANAGE_ROSTER, is_dols_lead)
    add_perm(EXPORT_RETURN, is_dols_lead)
    add_perm(MANAGING_AUTHORITY, is_partner_organisation_user)
