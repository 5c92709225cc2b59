import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from safepathways.accounts.models import Organisation
from safepathways.audit import services as audit
from safepathways.audit.models import AccessEvent, AppendOnlyError, AuditChainHead, AuditEvent
from safepathways.conftest import Persona


def _record(n: int, actor_persona: Persona, target: Organisation) -> None:
    for i in range(n):
        with transaction.atomic():
            audit.record(actor=actor_persona.user, action="test.event", target=target, snapshot={"i": i})


def test_record_chains_each_event_to_the_one_before(social_worker: Persona, council: Organisation) -> None:
    _record(3, social_worker, council)
    events = list(AuditEvent.objects.order_by("id"))
    assert events[0].previous_hash == audit.GENESIS_HASH
    assert events[1].previous_hash == events[0].hash
    assert events[2].previous_hash == events[1].hash
    assert AuditChainHead.objects.get().last_hash == events[2].hash
    assert audit.verify_chain().is_intact


@pytest.mark.django_db(transaction=True)
def test_record_outside_a_transaction_is_refused(social_worker: Persona, council: Organisation) -> None:
    with pytest.raises(RuntimeError, match="transaction"):
        audit.record(actor=social_worker.user, action="test.event", target=council)


def test_sensitive_free_text_is_not_copied_into_the_snapshot(social_worker: Persona, council: Organisation) -> None:
    with transaction.atomic():
        event = audit.record(
            actor=social_worker.user,
            action="t",
            target=council,
            snapshot={"reason_detail": "private words", "kind": "x"},
        )
    assert event.snapshot == {"reason_detail": "<13 characters>", "kind": "x"}


def test_audit_events_cannot_be_changed_or_deleted_through_the_orm(
    social_worker: Persona, council: Organisation
) -> None:
    _record(1, social_worker, council)
    event = AuditEvent.objects.get()
    event.action = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.update(action="tampered")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AccessEvent.objects.all().delete()


def _tamper(sql: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        # A database superuser can bypass the append-only triggers; the hash chain still shows it.
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = origin")


def test_verify_finds_an_altered_event(social_worker: Persona, council: Organisation) -> None:
    _record(4, social_worker, council)
    second = AuditEvent.objects.order_by("id")[1]
    _tamper("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["nothing.happened", second.pk])
    report = audit.verify_chain()
    assert report.first_broken_id == second.pk
    assert "altered" in report.problem


def test_verify_finds_a_removed_event(social_worker: Persona, council: Organisation) -> None:
    _record(4, social_worker, council)
    second = AuditEvent.objects.order_by("id")[1]
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [second.pk])
    report = audit.verify_chain()
    assert not report.is_intact
    assert report.first_broken_id == second.pk + 1


def test_verify_finds_events_removed_from_the_end(social_worker: Persona, council: Organisation) -> None:
    _record(3, social_worker, council)
    last = AuditEvent.objects.order_by("id").last()
    assert last is not None
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [last.pk])
    assert "removed" in audit.verify_chain().problem


def test_verify_audit_chain_command(
    social_worker: Persona, council: Organisation, capsys: pytest.CaptureFixture[str]
) -> None:
    _record(2, social_worker, council)
    call_command("verify_audit_chain")
    assert "Audit chain intact: 2 events verified" in capsys.readouterr().out
    first = AuditEvent.objects.order_by("id").first()
    assert first is not None
    _tamper("UPDATE audit_auditevent SET snapshot = %s WHERE id = %s", ['{"i": 99}', first.pk])
    with pytest.raises(CommandError, match="broken"):
        call_command("verify_audit_chain")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database triggers are PostgreSQL-only")
def test_postgresql_refuses_updates_to_audit_rows(social_worker: Persona, council: Organisation) -> None:
    _record(1, social_worker, council)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'x'")
