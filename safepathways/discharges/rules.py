"""Permissions for hospital discharge, as named predicates (django-rules).

- Hospital social work team members (council staff in a team of kind HOSPITAL_SOCIAL_WORK) manage referrals:
  discharge-ready date, pathway, next action, delay reason, support start, outcome, readmission, withdrawal.
- Partners (Role.PARTNER, not council staff) of an NHS trust refer from their wards and follow their own
  trust's referrals (and those shared with their organisation). The ward knows the clinical facts, so they
  may also record the discharge-ready date, the next action and its owner, the delay reason, the outcome
  and a readmission. Agreeing the pathway, the support start and withdrawing stay with the council.
- The out-of-hours team sees what must start at weekends and out of hours, and records whether it did.
- Directors and other oversight roles, and council team managers, read the board and the metrics.
- Anyone signed in may report an unsafe discharge for a person they can see (partners: their referrals, the
  hospital discharge plans shared with them, or a person whose record is shared with them); team managers close
  the review (checked again in discharges.services).
- Anyone signed in may open a person's page of moves and hospital discharges when they may open the person's
  record (people.selectors.resolve_access decides whose).
Which rows each user sees is decided by discharges.selectors, not here.
"""

from safepathways.accounts.models import OrganisationKind, Role, TeamKind, User
from safepathways.accounts.roles import OVERSIGHT_ROLES
from safepathways.accounts.rules import _predicate, add_perm, is_council_staff, is_partner

VIEW_BOARD = "discharges.view_board"  # the board and a referral; partners only their trust's (selectors)
REFER = "discharges.refer"  # the ward referral form and the API POST
UPDATE_REFERRAL = "discharges.update_referral"  # DRD, next action, delay reason, outcome, readmission
PLAN_DISCHARGE = "discharges.plan_discharge"  # pathway, support start, withdraw: the hospital team
VIEW_OUT_OF_HOURS = "discharges.view_out_of_hours"
RECORD_SUPPORT_START = "discharges.record_support_start"
VIEW_METRICS = "discharges.view_metrics"
REPORT_UNSAFE = "discharges.report_unsafe"
VIEW_PERSON_MOVES = "discharges.view_person_moves"  # a person's referrals and plans; whose: resolve_access
VIEW_UNSAFE_REVIEWS = "discharges.view_unsafe_reviews"
CLOSE_UNSAFE_REVIEW = "discharges.close_unsafe_review"


def _is_council(user: User) -> bool:
    return bool(user.is_authenticated and user.is_council_staff)


def _in_team_of_kind(user: User, kind: str) -> bool:
    return any(
        m.team.kind == kind and m.role != Role.PARTNER and m.team.organisation.is_this_council
        for m in user.memberships_cached
    )


@_predicate
def is_hospital_team(user: User) -> bool:
    return _is_council(user) and _in_team_of_kind(user, TeamKind.HOSPITAL_SOCIAL_WORK)


@_predicate
def is_out_of_hours_team(user: User) -> bool:
    return _is_council(user) and _in_team_of_kind(user, TeamKind.OUT_OF_HOURS)


@_predicate
def is_team_manager(user: User) -> bool:
    return _is_council(user) and user.has_role(Role.TEAM_MANAGER)


@_predicate
def is_oversight(user: User) -> bool:
    return _is_council(user) and user.has_role(*OVERSIGHT_ROLES)


@_predicate
def is_trust_partner(user: User) -> bool:
    """A partner user working for an NHS trust (a ward, a discharge team)."""
    if not user.is_authenticated or user.is_council_staff:
        return False
    return any(
        m.role == Role.PARTNER and m.team.organisation.kind == OrganisationKind.NHS_TRUST
        for m in user.memberships_cached
    )


def register() -> None:
    """Called once from DischargesConfig.ready()."""
    add_perm(VIEW_BOARD, is_hospital_team | is_out_of_hours_team | is_team_manager | is_oversight | is_trust_partner)
    add_perm(REFER, is_hospital_team | is_trust_partner)
    add_perm(UPDATE_REFERRAL, is_hospital_team | is_trust_partner)
    add_perm(PLAN_DISCHARGE, is_hospital_team)
    add_perm(VIEW_OUT_OF_HOURS, is_out_of_hours_team | is_hospital_team | is_team_manager | is_oversight)
    add_perm(RECORD_SUPPORT_START, is_out_of_hours_team | is_hospital_team)
    add_perm(VIEW_METRICS, is_hospital_team | is_team_manager | is_oversight)
    add_perm(REPORT_UNSAFE, is_council_staff | is_partner)
    add_perm(VIEW_PERSON_MOVES, is_council_staff | is_partner)
    add_perm(VIEW_UNSAFE_REVIEWS, is_hospital_team | is_team_manager | is_oversight)
    add_perm(CLOSE_UNSAFE_REVIEW, is_team_manager)
