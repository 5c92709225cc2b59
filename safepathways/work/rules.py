"""Permissions for the waiting list, the duty view and work items."""

from safepathways.accounts.models import Role, User
from safepathways.accounts.rules import _predicate, add_perm, is_practitioner

VIEW_WAITING_LIST = "work.view_waiting_list"
WORK_ON_ITEMS = "work.work_on_items"
MANAGE_TEAM_WORK = "work.manage_team_work"


@_predicate
def is_council_reader(user: User) -> bool:
    """Practitioners, and directors who oversee the service, read the central list."""
    return user.is_authenticated and user.is_council_staff and (is_practitioner(user) or user.has_role(Role.DIRECTOR))


@_predicate
def is_team_manager(user: User) -> bool:
    return user.is_authenticated and user.is_council_staff and user.has_role(Role.TEAM_MANAGER)


def register() -> None:
    add_perm(VIEW_WAITING_LIST, is_council_reader)
    add_perm(WORK_ON_ITEMS, is_practitioner)
    add_perm(MANAGE_TEAM_WORK, is_team_manager)
