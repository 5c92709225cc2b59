"""Permissions for safeguarding: who raises concerns, who decides and enquires, who reads the aggregates.

Roles only: whether a user may see a particular concern is ConcernQuerySet.visible_to (404 outside it).
"""

from safepathways.accounts.models import Role, User
from safepathways.accounts.rules import _predicate, add_perm, is_practitioner
from safepathways.safeguarding.models import is_safeguarding_practitioner, partner_organisation_ids

RAISE_CONCERN = "safeguarding.raise_concern"  # practitioners and partners
VIEW_CONCERN = "safeguarding.view_concern"  # then scoped: safeguarding team, enquiry officer, named partners
VIEW_PERSON_CONCERNS = "safeguarding.view_person_concerns"  # "a concern exists", for anyone who sees the person
DECIDE_CONCERN = "safeguarding.decide_concern"  # the s42(1) decision, picking up front-door work, sharing, closing
RUN_ENQUIRY = "safeguarding.run_enquiry"  # then the service checks: safeguarding team or the enquiry officer
VIEW_WORKLIST = "safeguarding.view_worklist"  # named concerns awaiting decision and open enquiries
VIEW_AGGREGATES = "safeguarding.view_aggregates"  # counts and the Safeguarding Adults Collection tables
# Mark an enquiry plan action complete; then scoped (EnquiryActionQuerySet.completable_by): the safeguarding
# team, the enquiry officer, or partners of the organisation that owns the action.
COMPLETE_ACTION = "safeguarding.complete_action"


@_predicate
def is_safeguarding(user: User) -> bool:
    return is_safeguarding_practitioner(user)


@_predicate
def is_partner_organisation_user(user: User) -> bool:
    return bool(user.is_authenticated and not user.is_council_staff and partner_organisation_ids(user))


@_predicate
def is_director(user: User) -> bool:
    return bool(user.is_authenticated and user.is_council_staff and user.has_role(Role.DIRECTOR))


def register() -> None:
    """Called once from SafeguardingConfig.ready()."""
    add_perm(RAISE_CONCERN, is_practitioner | is_partner_organisation_user)
    add_perm(VIEW_CONCERN, is_practitioner | is_partner_organisation_user)
    add_perm(VIEW_PERSON_CONCERNS, is_practitioner | is_partner_organisation_user)
    add_perm(DECIDE_CONCERN, is_safeguarding)
    add_perm(RUN_ENQUIRY, is_practitioner)
    add_perm(VIEW_WORKLIST, is_safeguarding)
    add_perm(VIEW_AGGREGATES, is_safeguarding | is_director)
    add_perm(COMPLETE_ACTION, is_practitioner | is_partner_organisation_user)
