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


def test_an_override_reason_is_kept_only_as_its_length(social_worker: Persona, council: Organisation) -> None:
    assert "override_reason" in audit.SENSITIVE_FIELDS
    with transaction.atomic():
        event = audit.record(
            actor=social_worker.user,
            action="t",
            target=council,
            snapshot={"override_reason": "Her daughter lives there"},
        )
    assert event.snapshot == {"override_reason": "<24 characters>"}


def test_a_change_to_many_rows_names_the_model(social_worker: Persona) -> None:
    with transaction.atomic():
        event = audit.record(actor=social_worker.user, action="t", target=Organisation, snapshot={"changed": 2})
    assert (event.target_type, event.target_id) == ("accounts.organisation", "*")
    assert audit.verify_chain().is_intact


@pytest.mark.parametrize(
    ("message", "summary"),
    [
        ('[{"added": {}}]', "added"),
        ("", ""),
        ('[{"changed": {"fields": ["Name", "Kind"]}}]', "changed: Name, Kind"),
        (
            '[{"changed": {"fields": ["Is staff"]}}, {"added": {"name": "membership", "object": "Mary Smith"}}]',
            "changed: Is staff; added membership",
        ),
        ("Changed her name to Mary Jones", None),  # free text from custom code: kept only as its length
    ],
)
def test_admin_change_messages_keep_field_names_but_not_object_names(message: str, summary: str | None) -> None:
    assert audit.admin_change_summary(message) == summary


def test_a_log_entry_written_outside_the_admin_is_audited_too(social_worker: Persona, council: Organisation) -> None:
    from django.contrib.admin.models import CHANGE, LogEntry

    LogEntry.objects.log_actions(
        user_id=social_worker.user.pk, queryset=[council], action_flag=CHANGE, change_message="Renamed by hand"
    )
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.target_type, event.target_id) == (
        social_worker.user,
        "admin.changed",
        "accounts.organisation",
        str(council.pk),
    )
    assert event.snapshot == {"object": str(council), "note": "<15 characters>"}
    assert audit.verify_chain().is_intact


def test_admin_changes_to_a_persons_rows_name_the_person_but_not_the_row(social_worker: Persona) -> None:
    from django.contrib.admin.models import DELETION, LogEntry

    from safepathways.people.models import Alert
    from safepathways.people.tests.factories import AlertFactory

    alert: Alert = AlertFactory.create(owner=social_worker.user, raised_by=social_worker.user)
    LogEntry.objects.log_actions(user_id=social_worker.user.pk, queryset=[alert], action_flag=DELETION)
    event = AuditEvent.objects.get()
    assert (event.action, event.target_type, event.person_id) == ("admin.deleted", "people.alert", alert.person_id)
    assert "object" not in event.snapshot
