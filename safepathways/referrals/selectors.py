"""Screen-shaped reads of the front door: what awaits triage, a partner's own contacts, one contact's page
(with the person's open work, for triage), and the duplicates screen's merges and 'not the same person' decisions."""

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from django.db.models import Case, IntegerField, QuerySet, Value, When

from safepathways.accounts.models import Team, TeamKind, User
from safepathways.people.models import MergeRecord, Person
from safepathways.referrals.models import (
    URGENCY_ORDER,
    Contact,
    ContactRevision,
    ContactRoute,
    ContactStatus,
    FrontDoorSettings,
    NotDuplicate,
    RouteSetting,
    Urgency,
    partner_organisation_ids,
)
from safepathways.work.models import RiskFlag, WorkItem

URGENCY_RANK = Case(
    *(When(urgency=urgency, then=Value(rank)) for urgency, rank in URGENCY_ORDER.items()),
    default=Value(len(Urgency)),
    output_field=IntegerField(),
)
# Teams that take routed work (an officer may send work to one of these instead of the usual team).
ROUTABLE_TEAM_KINDS = (
    TeamKind.NEIGHBOURHOOD,
    TeamKind.HOSPITAL_SOCIAL_WORK,
    TeamKind.OT_DUTY,
    TeamKind.FRONT_DOOR,
    TeamKind.DOLS,
    TeamKind.SAFEGUARDING,
    TeamKind.TRANSITIONS,
    TeamKind.OUT_OF_HOURS,
)


def front_door_settings() -> FrontDoorSettings:
    """The settings row, or its defaults if an administrator has deleted it."""
    return FrontDoorSettings.objects.filter(id=1).first() or FrontDoorSettings()


def route_settings() -> dict[str, RouteSetting]:
    """Active routes that open work, by route code."""
    return {setting.route: setting for setting in RouteSetting.objects.filter(is_active=True)}


def _in_triage_order(contacts: QuerySet[Contact]) -> QuerySet[Contact]:
    return (
        contacts.select_related("person", "organisation")
        .annotate(urgency_rank=URGENCY_RANK)
        .order_by("screening_due_on", "urgency_rank", "received_at", "id")
    )


def awaiting_triage() -> QuerySet[Contact]:
    """Every contact waiting for triage: due first, then urgent first, then oldest, with the person joined."""
    return _in_triage_order(Contact.objects.awaiting_triage())


def partner_contacts(user: User) -> QuerySet[Contact]:
    """The contacts a partner's organisation made, newest first, with their status history and routes."""
    return (
        Contact.objects.made_by(partner_organisation_ids(user))
        .select_related("organisation")
        .with_history()
        .order_by("-received_at", "id")
    )


def api_contacts(user: User) -> QuerySet[Contact]:
    """The API collection: council staff get the contacts awaiting triage, a partner its own."""
    if user.is_council_staff:
        return _in_triage_order(Contact.objects.awaiting_triage().with_history())
    return partner_contacts(user)


def visible_contact(user: User, pk: UUID | str) -> Contact | None:
    """One contact in the user's scope (a partner sees only its organisation's), with its history and corrections."""
    return (
        Contact.objects.visible_to(user)
        .select_related("person__neighbourhood", "organisation", "taken_by", "triaged_by")
        .with_history()
        .with_revisions()
        .filter(pk=pk)
        .first()
    )


@dataclass(frozen=True)
class ContactPage:
    contact: Contact
    statuses: list[ContactStatus]
    routes: list[ContactRoute]
    revisions: list[ContactRevision]


def contact_page(contact: Contact) -> ContactPage:
    """A contact loaded by visible_contact, with its timeline, the work it opened and its corrections."""
    return ContactPage(
        contact=contact,
        statuses=list(contact.statuses.all()),
        routes=list(contact.routes.all()),
        revisions=list(contact.revisions.all()),
    )


def open_work_of(person_id: UUID, *, kinds: Sequence[str] | None = None) -> list[WorkItem]:
    """The person's open work (waiting or allocated), oldest first, with its team: what triage must see before
    it opens more (work.models.WorkItemQuerySet.open). One query, however much work there is."""
    work = WorkItem.objects.open().filter(person_id=person_id)
    if kinds is not None:
        work = work.filter(kind__in=list(kinds))
    return list(work.select_related("team").order_by("opened_at", "id"))


def live_person(pk: UUID | str) -> Person | None:
    """A person a contact can be linked to: any record not merged into another (identity only is shown)."""
    return Person.objects.filter(pk=pk, merged_into__isnull=True).first()


def live_person_by_reference(reference: str) -> Person | None:
    return Person.objects.filter(reference=reference.strip().upper(), merged_into__isnull=True).first()


def people_to_merge(first: UUID | str, second: UUID | str) -> tuple[Person, Person] | None:
    """Two live records, in the order asked, for the merge page; None if either is missing or merged."""
    found = {
        str(p.pk): p
        for p in Person.objects.filter(pk__in=[first, second], merged_into__isnull=True).select_related("neighbourhood")
    }
    if str(first) == str(second) or len(found) != 2:
        return None
    return found[str(first)], found[str(second)]


def recent_merges(limit: int = 20) -> list[MergeRecord]:
    return list(MergeRecord.objects.select_related("kept", "removed", "merged_by", "unmerged_by")[:limit])


def merge_record(pk: UUID | str) -> MergeRecord | None:
    return MergeRecord.objects.filter(pk=pk).first()


def recent_dismissals(limit: int = 20) -> list[NotDuplicate]:
    """The latest 'not the same person' decisions, undone ones included, newest first, with both records."""
    return list(NotDuplicate.objects.select_related("first", "second", "created_by", "undone_by")[:limit])


def dismissal(pk: UUID | str) -> NotDuplicate | None:
    return NotDuplicate.objects.filter(pk=pk).first()


def active_risk_flags() -> QuerySet[RiskFlag]:
    return RiskFlag.objects.filter(is_active=True).order_by("label")


def routable_teams() -> QuerySet[Team]:
    return Team.objects.filter(organisation__is_this_council=True, kind__in=ROUTABLE_TEAM_KINDS).order_by("name")


def team_by_slug(slug: str) -> Team | None:
    return Team.objects.filter(slug=slug, organisation__is_this_council=True).first() if slug else None
