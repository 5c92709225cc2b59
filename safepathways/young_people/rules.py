"""Permissions for young people and care leavers, as named predicates (django-rules).

The transitions team and practitioners record; directors and other oversight roles read; the transitions team
imports from children's services. Partners (housing, NHS, police) see nothing here: the tracker holds children's
services information shared with adult social care under its own agreement. Partners take part through transition
plans (transitions.Plan.shared_with), which young people's moves create.
"""

from safepathways.accounts.models import Role, TeamKind, User
from safepathways.accounts.roles import OVERSIGHT_ROLES
from safepathways.accounts.rules import _predicate, add_perm, is_practitioner

VIEW_TRACKER = "young_people.view_tracker"  # the tracker, a young person's page and the API reads
RECORD_WORK = "young_people.record_work"  # milestones, meetings, workshops, care leaver details, plans
IMPORT_RECORDS = "young_people.import_records"  # CSV or spreadsheet upload, the API's create-or-update


@_predicate
def is_transitions_team(user: User) -> bool:
    """Council staff working in a transitions team in a role that records: any role but partner or an oversight
    role (a director, an information governance officer or a panel member in the team reads, as elsewhere)."""
    return bool(
        user.is_authenticated
        and user.is_council_staff
        and any(
            m.team.kind == TeamKind.TRANSITIONS and m.role != Role.PARTNER and m.role not in OVERSIGHT_ROLES
            for m in user.memberships_cached
        )
    )


@_predicate
def is_oversight(user: User) -> bool:
    return bool(user.is_authenticated and user.is_council_staff and user.has_role(*OVERSIGHT_ROLES))


def register() -> None:
    """Called once from YoungPeopleConfig.ready()."""
    add_perm(VIEW_TRACKER, is_transitions_team | is_practitioner | is_oversight)
    add_perm(RECORD_WORK, is_transitions_team | is_practitioner)
    add_perm(IMPORT_RECORDS, is_transitions_team)
