from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from safepathways.accounts.models import Role, Team
from safepathways.audit.models import AuditEvent
from safepathways.conftest import Persona
from safepathways.core.errors import ApplicationError
from safepathways.dashboards.services import record_supervision
from safepathways.work.models import SupervisionRecord
from safepathways.work.tests.factories import WorkItemFactory


def test_recording_supervision_keeps_the_highlights_and_audits_it(
    team_manager: Persona, social_worker: Persona, team: Team
) -> None:
    item = WorkItemFactory(
        team=team,
        allocated_to=social_worker.user,
        priority="red",
        allocated_at=timezone.now(),
        last_contact_at=timezone.now(),
    )
    held_on = timezone.localdate() - timedelta(days=1)

    record = record_supervision(
        worker=social_worker.user,
        supervisor=team_manager.user,
        team=team,
        held_on=held_on,
        notes="  Talked about Mrs Lee's red rating  ",
        agreed_actions="Visit by Friday",
    )

    assert SupervisionRecord.objects.get() == record
    assert (record.worker, record.supervisor, record.team, record.held_on) == (
        social_worker.user,
        team_manager.user,
        team,
        held_on,
    )
    assert record.notes == "Talked about Mrs Lee's red rating"
    assert record.highlights == [
        {"kind": "red", "text": f"{item.person.full_name}: {item.title} – red priority", "work_item_id": str(item.pk)}
    ]
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.target_id) == ("supervision.recorded", team_manager.user, str(record.pk))
    # Free text stays out of the audit trail.
    assert event.snapshot == {
        "worker_id": social_worker.user.pk,
        "team": "nw",
        "held_on": held_on.isoformat(),
        "highlights": 1,
        "has_agreed_actions": True,
    }


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("other_team_manager", "Only a manager of North West neighbourhood team"),
        ("self", "You cannot record your own supervision"),
        ("not_in_team", "is not in North West neighbourhood team"),
        ("future", "must be today or in the past"),
        ("no_notes", "Enter what was discussed"),
    ],
)
def test_refused_supervision_writes_nothing(
    case: str,
    message: str,
    team_manager: Persona,
    social_worker: Persona,
    other_team_worker: Persona,
    make_persona: Callable[..., Persona],
    other_team: Team,
    team: Team,
) -> None:
    args = {
        "worker": social_worker.user,
        "supervisor": team_manager.user,
        "team": team,
        "held_on": timezone.localdate(),
        "notes": "Notes",
        "agreed_actions": "",
    }
    if case == "other_team_manager":
        args["supervisor"] = make_persona(other_team, Role.TEAM_MANAGER).user
    elif case == "self":
        args["worker"] = team_manager.user
    elif case == "not_in_team":
        args["worker"] = other_team_worker.user
    elif case == "future":
        args["held_on"] = timezone.localdate() + timedelta(days=1)
    else:
        args["notes"] = "   "
    with pytest.raises(ApplicationError, match=message):
        record_supervision(**args)
    assert not SupervisionRecord.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_session_with_nothing_to_raise_keeps_an_empty_list(
    team_manager: Persona, social_worker: Persona, team: Team
) -> None:
    record = record_supervision(
        worker=social_worker.user,
        supervisor=team_manager.user,
        team=team,
        held_on=timezone.localdate(),
        notes="All well",
        agreed_actions="",
    )
    record.refresh_from_db()
    assert record.highlights == []
    assert AuditEvent.objects.get().snapshot["has_agreed_actions"] is False
