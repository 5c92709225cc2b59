"""Permissions for transition plans and the continuity view, as named predicates (django-rules).

Practitioners plan moves; team managers of the plan's team may also override readiness (checked in
transitions.services); oversight roles read; partners see only plans shared with their organisation (scoped in
selectors). Every practitioner reads the continuity view, but closes as explained only the gaps of their own
teams (may_explain_gap).
"""

from uuid import UUID

from safepathways.accounts.models import Role, User
from safepathways.accounts.roles import OVERSIGHT_ROLES
from safepathways.accounts.rules import _predicate, add_perm, is_council_staff, is_partner, is_practitioner

VIEW_PLANS = "transitions.view_plans"  # a plan; partners only those shared with them
PLAN_MOVES = "transitions.plan_moves"  # start and change plans, record moves and checks
FOLLOW_PLANS = "transitions.follow_plans"  # partners: mark their own steps and arrangements done
VIEW_CONTINUITY = "transitions.view_continuity"  # the continuity view of gaps
EXPLAIN_GAPS = "transitions.explain_gaps"


@_predicate
def is_oversight(user: User) -> bool:
    return bool(user.is_authenticated and user.is_council_staff and user.has_role(*OVERSIGHT_ROLES))


def may_explain_gap(user: User, team_id: UUID | None) -> bool:
    """Whether `user` may close this team's gap as explained (checked by the view, which answers 404, and the service).

    The practitioners of the gap's team, who hold the work it is about; and team managers, the service-wide role
    here: they look across teams on the continuity view and pick up the gaps no team holds (team_id None). ADR-004
    gives other staff a way to read a person's record, not to close another team's finding about it.
    """
    if not user.has_perm(EXPLAIN_GAPS):
        return False
    if user.has_role(Role.TEAM_MANAGER):
        return True
    return team_id is not None and any(m.team_id == team_id and m.role != Role.PARTNER for m in user.memberships_cached)


def register() -> None:
    """Called once from TransitionsConfig.ready()."""
    add_perm(VIEW_PLANS, is_council_staff | is_partner)
    add_perm(PLAN_MOVES, is_practitioner)
    add_perm(FOLLOW_PLANS, is_practitioner | is_partner)
    add_perm(VIEW_CONTINUITY, is_practitioner | is_oversight)
    add_perm(EXPLAIN_GAPS, is_practitioner)
