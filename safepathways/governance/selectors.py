"""Reads for information governance: access logs and access grants awaiting review."""

from uuid import UUID

from django.db.models import Count, QuerySet

from safepathways.audit.models import AccessEvent
from safepathways.people.models import AccessGrant, Person

PAGE_SIZE = 100


def grants_awaiting_review() -> QuerySet[AccessGrant]:
    """The IG review queue, oldest first; the pk breaks ties so that a grant sits on one page only."""
    return AccessGrant.objects.awaiting_review().select_related("user", "person").order_by("granted_at", "pk")


# An access event made under a grant is always a look at that grant's person (people.selectors.resolve_access gives
# only the person's own grant), so the reads below also filter on person_id: it has an index and grant_id has none.


def pages_viewed(grants: list[AccessGrant]) -> dict[UUID, int]:
    """How many pages each grant's holder has viewed under it, by grant id: one query for a page of the queue."""
    if not grants:
        return {}
    return dict(
        AccessEvent.objects.filter(person_id__in={g.person_id for g in grants}, grant_id__in=[g.pk for g in grants])
        .order_by()
        .values("grant_id")
        .annotate(n=Count("id"))
        .values_list("grant_id", "n")
    )


def viewed_under(grant: AccessGrant) -> QuerySet[AccessEvent]:
    """What the holder looked at under the grant, oldest first (the order the reviewer reads the visit in)."""
    return AccessEvent.objects.filter(person_id=grant.person_id, grant_id=grant.pk).order_by("occurred_at", "id")


def access_to_person(person_id: UUID) -> QuerySet[AccessEvent]:
    return AccessEvent.objects.for_person(person_id).select_related("user").order_by("-occurred_at")


def access_by_user(user_id: int) -> QuerySet[AccessEvent]:
    return AccessEvent.objects.filter(user_id=user_id).select_related("user").order_by("-occurred_at")


def references(person_ids: list[UUID]) -> dict[UUID, str]:
    """Each person's council reference, by id (for an export of what a user looked at)."""
    found: dict[UUID, str] = {}
    unique = list(dict.fromkeys(person_ids))
    for start in range(0, len(unique), 2000):
        found.update(Person.objects.filter(pk__in=unique[start : start + 2000]).values_list("pk", "reference"))
    return found
