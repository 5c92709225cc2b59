"""Permissions for mutual aid between councils, as named predicates (django-rules).

Council staff only, and only two roles: contingency leads send, offer, accept, decline, withdraw and disclose;
directors read the requests and their trail. A director sees that personal details were shared and which
fields, but only contingency leads read the details themselves. Partners see nothing.
"""

from safepathways.accounts.models import Role, User
from safepathways.accounts.rules import _predicate, add_perm

VIEW_MUTUAL_AID = "mutual_aid.view_requests"
MANAGE_MUTUAL_AID = "mutual_aid.manage_requests"  # send, offer, accept, decline, withdraw, fulfil, disclose
VIEW_DISCLOSED_DETAILS = "mutual_aid.view_disclosed_details"


def _council(user: User) -> bool:
    return bool(user.is_authenticated and user.is_council_staff)


@_predicate
def is_contingency_lead(user: User) -> bool:
    return _council(user) and user.has_role(Role.CONTINGENCY_LEAD)


@_predicate
def is_director(user: User) -> bool:
    return _council(user) and user.has_role(Role.DIRECTOR)


def register() -> None:
    """Called once from MutualAidConfig.ready()."""
    add_perm(VIEW_MUTUAL_AID, is_contingency_lead | is_director)
    add_perm(MANAGE_MUTUAL_AID, is_contingency_lead)
    add_perm(VIEW_DISCLOSED_DETAILS, is_contingency_lead)
