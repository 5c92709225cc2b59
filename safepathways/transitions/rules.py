"""Permissions for transition plans and the continuity view, as named predicates (django-rules).

Practitioners plan moves; team managers may also override readiness (checked in transitions.services);
oversight roles read; partners see only plans shared with their organisation (scoped in selectors).
"""

from safepathways.accounts.models import User
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


def register() -> None:
    """Called once from TransitionsConfig.ready()."""
    add_perm(VIEW_PLANS, is_council_staff | is_partner)
    add_perm(PLAN_MOVES, is_practitioner)
    add_perm(FOLLOW_PLANS, is_practitioner | is_partner)
    add_perm(VIEW_CONTINUITY, is_practitioner | is_oversight)
    add_perm(EXPLAIN_GAPS, is_practitioner)
