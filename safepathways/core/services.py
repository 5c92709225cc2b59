"""Kernel services shared by every app."""

from django.db import transaction

from safepathways.core.models import Counter


def reserve_numbers(name: str, count: int = 1) -> range:
    """Reserve `count` consecutive numbers from a named counter, safely under concurrency."""
    with transaction.atomic():
        counter, _ = Counter.objects.select_for_update().get_or_create(name=name)
        start = counter.value + 1
        counter.value += count
        counter.save(update_fields=["value"])
    return range(start, start + count)
