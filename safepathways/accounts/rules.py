"""Permissions for people's records and governance, as named predicates (django-rules)."""

import rules

from safepathways.accounts.models import Role, User
from safepathways.accounts.roles import PRACTITIONER_ROLES, REGISTRATION_ROLES


@rules.predicate
def is_practitioner(user: User) -> bool:
    return user.is_authenticated and user.is_council_staff and user.has_role(*PRACTITIONER_ROLES)


@rules.predicate
def can_register(user: User) -> bool:
    return user.is_authenticated and user.is_council_staff and user.has_role(*REGISTRATION_ROLES)


@rules.predicate
def is_council_staff(user: User) -> bool:
    return user.is_authenticated and user.is_council_staff


@rules.predicate
def is_partner(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.PARTNER)


@rules.predicate
def is_information_governance(user: User) -> bool:
    return user.is_authenticated and user.is_information_governance


SEARCH_PEOPLE = "people.search"
VIEW_PERSON = "people.view_record"
CREATE_PERSON = "people.create_person"
EDIT_PERSON = "people.edit_person"
RECORD_ALERTS = "people.record_alerts"
RECORD_RISKS = "people.record_risks"
RECORD_NETWORK = "people.record_network"
RECORD_SERVICES = "people.record_services"
DECLARE_RELATIONSHIP = "people.declare_relationship"
REVIEW_ACCESS = "governance.review_access"

rules.add_perm(SEARCH_PEOPLE, is_council_staff | is_partner)
rules.add_perm(VIEW_PERSON, is_council_staff | is_partner)
rules.add_perm(CREATE_PERSON, can_register)
rules.add_perm(EDIT_PERSON, is_practitioner)
rules.add_perm(RECORD_ALERTS, is_practitioner)
rules.add_perm(RECORD_RISKS, is_practitioner)
rules.add_perm(RECORD_NETWORK, is_practitioner)
rules.add_perm(RECORD_SERVICES, is_practitioner)
rules.add_perm(DECLARE_RELATIONSHIP, is_council_staff)
rules.add_perm(REVIEW_ACCESS, is_information_governance)
