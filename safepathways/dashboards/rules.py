"""Permissions for the prioritisation dashboard and supervision, as named predicates (django-rules).

These check the role only, so a refusal reveals nothing about a record. Which worker's
supervision a user may open is scoped in `selectors.supervisable_worker`: outside it is a 404.
"""

from safepathways.accounts.models import Role, User
from safepathways.accounts.rules import _predicate, add_perm, is_practitioner

VIEW_DASHBOARD = "dashboards.view_dashboard"
VIEW_SUPERVISION = "dashboards.view_supervision"
RECORD_SUPERVISION = "dashboards.record_supervision"


@_predicate
def is_director(user: User) -> bool:
    """Directors oversee the service: they read the figures but do not work cases."""
    return user.is_authenticated and user.is_council_staff and user.has_role(Role.DIRECTOR)


@_predicate
def is_team_manager(user: User) -> bool:
    return user.is_authenticated and user.is_council_staff and user.has_role(Role.TEAM_MANAGER)


def register() -> None:
    """Called once from DashboardsConfig.ready()."""
    add_perm(VIEW_DASHBOARD, is_practitioner | is_director)
    # Team managers read their workers' supervision; every practitioner reads their own.
    add_perm(VIEW_SUPERVISION, is_practitioner)
    add_perm(RECORD_SUPERVISION, is_team_manager)
