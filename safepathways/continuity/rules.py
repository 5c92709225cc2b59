"""Permissions for incidents, the protocol, continuity plans and emergency mode (django-rules).

Council staff only: nothing about the people affected is shared with partners here. Contingency leads run
incidents, change the protocol and declare emergency mode (directors too); provider quality officers, team
managers and duty workers (the out-of-hours team included) open incidents; every practitioner records the steps,
placements and outcomes; oversight roles read.
"""

from safepathways.accounts.models import Role, User
from safepathways.accounts.roles import OVERSIGHT_ROLES
from safepathways.accounts.rules import _predicate, add_perm, is_practitioner

VIEW_INCIDENTS = "continuity.view_incidents"
OPEN_INCIDENT = "continuity.open_incident"
RECORD_INCIDENT_WORK = "continuity.record_incident_work"
LEAD_INCIDENTS = "continuity.lead_incidents"  # close, review, change the protocol
MANAGE_PLANS = "continuity.manage_plans"
DECLARE_EMERGENCY = "continuity.declare_emergency"


def _council(user: User) -> bool:
    return bool(user.is_authenticated and user.is_council_staff)


@_predicate
def is_oversight(user: User) -> bool:
    return _council(user) and user.has_role(*OVERSIGHT_ROLES)


@_predicate
def is_contingency_lead(user: User) -> bool:
    return _council(user) and user.has_role(Role.CONTINGENCY_LEAD)


@_predicate
def may_open_incident(user: User) -> bool:
    return _council(user) and user.has_role(
        Role.CONTINGENCY_LEAD, Role.PROVIDER_QUALITY_OFFICER, Role.TEAM_MANAGER, Role.DUTY_WORKER
    )


@_predicate
def is_manager_or_contingency(user: User) -> bool:
    return _council(user) and user.has_role(Role.CONTINGENCY_LEAD, Role.TEAM_MANAGER)


@_predicate
def is_director_or_contingency(user: User) -> bool:
    return _council(user) and user.has_role(Role.CONTINGENCY_LEAD, Role.DIRECTOR)


def register() -> None:
    """Called once from ContinuityConfig.ready()."""
    add_perm(VIEW_INCIDENTS, is_practitioner | is_oversight)
    add_perm(OPEN_INCIDENT, may_open_incident)
    add_perm(RECORD_INCIDENT_WORK, is_practitioner)
    add_perm(LEAD_INCIDENTS, is_contingency_lead)
    add_perm(MANAGE_PLANS, is_manager_or_contingency)
    add_perm(DECLARE_EMERGENCY, is_director_or_contingency)
