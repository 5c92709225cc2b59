"""Reads for information governance: access logs and access grants awaiting review."""

from uuid import UUID

from django.db.models import QuerySet

from safepathways.audit.models import AccessEvent
from safepathways.people.models import AccessGrant, Person

PAGE_SIZE = 100


def grants_awaiting_review() -> QuerySet[AccessGrant]:
    return AccessGrant.objects.awaiting_review().select_related("user", "person").order_by("granted_at")


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
