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


def rotate_encrypted_values() -> dict[str, int]:
    """Every value of every encrypted field, encrypted again with the first configured key (ADR-021), in one
    transaction: if any value cannot be read with the configured keys, nothing is written."""
    from django.apps import apps
    from django.db import connection

    from safepathways.core import crypto
    from safepathways.core.models import EncryptedTextField

    counts: dict[str, int] = {}
    with transaction.atomic():
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if isinstance(field, EncryptedTextField):
                    counts[f"{model._meta.label}.{field.name}"] = crypto.rewrite_column(
                        connection, model._meta.db_table, field.column, crypto.rotate, pk=model._meta.pk.column
                    )
    return counts
