"""Messages to staff: an in-app inbox, copied by email."""

from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q

from safepathways.core.models import BaseModel


class NotificationQuerySet(models.QuerySet["Notification"]):
    def unread(self) -> Self:
        return self.filter(read_at__isnull=True)


class Notification(BaseModel):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    message = models.CharField(max_length=300)
    link = models.CharField(max_length=300, blank=True)
    # Identifies what the notification is about, so a repeated sweep does not notify twice.
    dedupe_key = models.CharField(max_length=120, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], condition=~Q(dedupe_key=""), name="one_notification_per_key"
            )
        ]

    def __str__(self) -> str:
        return self.message
