"""Reads for information governance: access logs and access grants awaiting review."""

from uuid import UUID

from django.db.models import QuerySet

from safepathways.audit.models import AccessEvent
from safepathways.people.models import AccessGrant

PAGE_SIZE = 100


def grants_awaiting_review() -> QuerySet[AccessGrant]:
    return AccessGrant.objects.awaiting_review().select_related("user", "person").order_by("granted_at")


def access_to_person(person_id: UUID) -> QuerySet[AccessEvent]:
    return AccessEvent.objects.for_person(person_id).select_related("user").order_by("-occurred_at")


def access_by_user(user_id: int) -> QuerySet[AccessEvent]:
    return AccessEvent.objects.filter(user_id=user_id).select_related("user").order_by("-occurred_at")
