"""Permissions for people's records and governance, as named predicates (django-rules)."""

from collections.abc import Callable

from rules.permissions import add_perm as _rules_add_perm
from rules.predicates import Predicate

from safepathways.accounts.models import Role, User
from safepathways.accounts.roles import PRACTITIONER_ROLES, REGISTRATION_ROLES


# django-rules ships no annotations; these two wrappers are the only untyped calls.
def _predicate(check: Callable[[User], bool]) -> Predicate:
    return Predicate(check)


def add_perm(name: str, predicate: Predicate) -> None:
    _rules_add_perm(name, predicate)  # type: ignore[no-untyped-call]


@_predicate
def is_practitioner(user: User) -> bool:
    return user.is_authenticated and user.is_council_staff and user.has_role(*PRACTITIONER_ROLES)


@_predicate
def can_register(user: User) -> bool:
    return user.is_authenticated and user.is_council_staff and user.has_role(*REGISTRATION_ROLES)


@_predicate
def is_council_staff(user: User) -> bool:
    return user.is_authenticated and user.is_council_staff


@_predicate
def is_partner(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.PARTNER)


@_predicate
def is_information_governance(user: User) -> bool:
    """An information governance officer in a team of the council: the role in a partner's team gives nothing."""
    return user.is_authenticated and user.is_council_staff and user.is_information_governance


SEARCH_PEOPLE = "people.search"
VIEW_PERSON = "people.view_record"
CREATE_PERSON = "people.create_person"
EDIT_PERSON = "people.edit_person"
RECORD_ALERTS = "people.record_alerts"
RECORD_RISKS = "people.record_risks"
RECORD_NETWORK = "people.record_network"
RECORD_SERVICES = "people.record_services"
DECLARE_RELATIONSHIP = "people.declare_relationship"
VIEW_SHARES = "people.view_shares"
SHARE_RECORD = "people.share_record"
REVIEW_ACCESS = "governance.review_access"
VIEW_PROVIDERS = "providers.view_register"

add_perm(SEARCH_PEOPLE, is_council_staff | is_partner)
add_perm(VIEW_PERSON, is_council_staff | is_partner)
add_perm(CREATE_PERSON, can_register)
add_perm(EDIT_PERSON, is_practitioner)
add_perm(RECORD_ALERTS, is_practitioner)
add_perm(RECORD_RISKS, is_practitioner)
add_perm(RECORD_NETWORK, is_practitioner)
add_perm(RECORD_SERVICES, is_practitioner)
add_perm(DECLARE_RELATIONSHIP, is_council_staff)
add_perm(VIEW_SHARES, is_council_staff)
add_perm(SHARE_RECORD, is_practitioner)
add_perm(REVIEW_ACCESS, is_information_governance)
add_perm(VIEW_PROVIDERS, is_council_staff)
