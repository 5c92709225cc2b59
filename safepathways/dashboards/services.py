"""Recording a supervision session. SupervisionRecord is a work model; this leaf is its only writer."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from safepathways.accounts.models import Membership, Role, Team, User
from safepathways.audit import services as audit
from safepathways.core.errors import ApplicationError
from safepathways.work.models import SupervisionRecord
from safepathways.work.selectors import supervision_highlights
from safepathways.work.services import is_team_manager


@transaction.atomic
def record_supervision(
    *, worker: User, supervisor: User, team: Team, held_on: date, notes: str, agreed_actions: str
) -> SupervisionRecord:
    """Record a session with a snapshot of the worker's highlights as they stand, and audit it.

    Only a manager of `team` may record it, for a member of the team other than themself.
    """
    if not (supervisor.is_council_staff and is_team_manager(supervisor, team)):
        raise ApplicationError(f"Only a manager of {team.name} can record supervision for its staff")
    if worker.pk == supervisor.pk:
        raise ApplicationError("You cannot record your own supervision")
    if not Membership.objects.filter(user=worker, team=team).exclude(role=Role.PARTNER).exists():
        raise ApplicationError(f"{worker.full_name} is not in {team.name}", field="team")
    if held_on > timezone.localdate():
        raise ApplicationError("Date of the session must be today or in the past", field="held_on")
    if not notes.strip():
        raise ApplicationError("Enter what was discussed", field="notes")
    highlights = supervision_highlights(worker)
    record = SupervisionRecord(
        worker=worker,
        supervisor=supervisor,
        team=team,
        held_on=held_on,
        highlights=[{"kind": h.kind, "text": h.text, "work_item_id": str(h.work_item_id)} for h in highlights],
        notes=notes.strip(),
        agreed_actions=agreed_actions.strip(),
    )
    # An empty list of highlights is a good supervision, but the model field is not blank=True.
    record.full_clean(exclude=["highlights"])
    record.save()
    # Notes and actions are free text about cases: the audit snapshot keeps counts, not words.
    audit.record(
        actor=supervisor,
        action="supervision.recorded",
        target=record,
        snapshot={
            "worker_id": worker.pk,
            "team": team.slug,
            "held_on": held_on.isoformat(),
            "highlights": len(highlights),
            "has_agreed_actions": bool(record.agreed_actions),
        },
    )
    return record
