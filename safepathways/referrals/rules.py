"""Permissions for the front door: taking, matching, triaging and following contacts, and merging records."""

from safepathways.accounts.models import User
from safepathways.accounts.roles import PRACTITIONER_ROLES
from safepathways.accounts.rules import _predicate, add_perm, is_council_staff, is_practitioner
from safepathways.people.merge import may_merge, may_unmerge
from safepathways.referrals.models import Contact, partner_organisation_ids

VIEW_FRONT_DOOR = "referrals.view_front_door"  # the awaiting-triage list and contact pages
VIEW_CONTACTS = "referrals.view_contacts"  # a contact and its status; partners only their organisation's
# Any council staff member may take a contact (who called, what they said); partners send their own referrals.
TAKE_CONTACT = "referrals.take_contact"
FIND_MATCHES = "referrals.find_matches"  # who a contact might be: identity only, like search
# Saying who a contact is about (a likely match, a council reference, a new record), when taking it or after.
LINK_PERSON = "referrals.link_person"
TRIAGE_CONTACT = "referrals.triage_contact"
EDIT_CONTACTS = "referrals.edit_contacts"  # correct any contact that is not closed (whoever took it may too)
VIEW_OWN_REFERRALS = "referrals.view_own_referrals"
VIEW_DUPLICATES = "referrals.view_duplicates"
MERGE_PEOPLE = "referrals.merge_people"
UNMERGE_PEOPLE = "referrals.unmerge_people"
DISMISS_DUPLICATES = "referrals.dismiss_duplicates"  # mark a pair as not the same person, or undo that


@_predicate
def is_partner_organisation_user(user: User) -> bool:
    """A partner (NHS, police…) who works for an organisation other than this council."""
    return bool(user.is_authenticated and not user.is_council_staff and partner_organisation_ids(user))


@_predicate
def can_merge(user: User) -> bool:
    return may_merge(user)


@_predicate
def can_unmerge(user: User) -> bool:
    return may_unmerge(user)


def may_edit_contact(user: User, contact: Contact) -> bool:
    """Whoever took the contact (a partner included) may correct it; so may anyone at the front door with the role.

    Whether the contact is still open is a rule of services.update_contact, not a permission.
    """
    if not user.is_authenticated:
        return False
    # The role itself, as is_practitioner tests it: a refused has_perm falls through to Django's tables.
    return contact.taken_by_id == user.pk or (user.is_council_staff and user.has_role(*PRACTITIONER_ROLES))


def register() -> None:
    """Called once from ReferralsConfig.ready()."""
    add_perm(VIEW_FRONT_DOOR, is_council_staff)
    add_perm(VIEW_CONTACTS, is_council_staff | is_partner_organisation_user)
    add_perm(TAKE_CONTACT, is_council_staff | is_partner_organisation_user)
    add_perm(FIND_MATCHES, is_council_staff)
    add_perm(LINK_PERSON, is_practitioner)
    add_perm(TRIAGE_CONTACT, is_practitioner)
    add_perm(EDIT_CONTACTS, is_practitioner)
    add_perm(VIEW_OWN_REFERRALS, is_partner_organisation_user)
    add_perm(VIEW_DUPLICATES, can_merge)
    add_perm(MERGE_PEOPLE, can_merge)
    add_perm(UNMERGE_PEOPLE, can_unmerge)
    add_perm(DISMISS_DUPLICATES, can_merge)
