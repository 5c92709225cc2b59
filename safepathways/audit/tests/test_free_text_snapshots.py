"""What staff type never goes into the append-only audit trail: a snapshot keeps only its length. Values chosen
from a code list (what was decided) are kept."""

import pytest
from django.db import transaction

from safepathways.accounts.models import Organisation, Team
from safepathways.audit import services as audit
from safepathways.audit.models import AuditEvent
from safepathways.conftest import Persona
from safepathways.people import services as people_services
from safepathways.people.models import AccessGrantKind, ReviewOutcome
from safepathways.people.tests.factories import PersonFactory
from safepathways.work import services as work_services
from safepathways.work.tests.factories import WorkItemFactory

OUTCOME = "Disclosed abuse by her son; moved to refuge at 12 Acacia Road"


def _snapshot(persona: Persona, target: Organisation, action: str, **values: object) -> dict[str, object]:
    with transaction.atomic():
        event = audit.record(actor=persona.user, action=action, target=target, snapshot=values)
    snapshot: dict[str, object] = event.snapshot
    return snapshot


def test_closing_work_keeps_only_the_length_of_the_outcome_typed(social_worker: Persona, team: Team) -> None:
    item = WorkItemFactory.create(team=team, allocated_to=social_worker.user)

    work_services.close_work(work_item=item, by=social_worker.user, outcome=OUTCOME)

    event = AuditEvent.objects.get(action="work.closed")
    assert event.snapshot == {"outcome": f"<{len(OUTCOME)} characters>"}
    assert "Acacia" not in str(event.snapshot)
    assert audit.verify_chain().is_intact


@pytest.mark.parametrize(
    ("action", "key"),
    [
        ("dols.oversight_recorded", "decision"),  # what the discussion decided, typed
        ("young_person.workshop", "topic"),
        ("discharge.next_action", "owner"),  # who owns the next action, typed at the daily meeting
    ],
)
def test_other_free_text_is_kept_only_as_its_length(
    social_worker: Persona, council: Organisation, action: str, key: str
) -> None:
    snapshot = _snapshot(social_worker, council, action, **{key: "Her son, Mr Acacia"})
    assert snapshot == {key: "<18 characters>"}


@pytest.mark.parametrize(
    ("action", "key", "code"),
    [
        ("access.reviewed", "outcome", "inappropriate"),
        ("continuity.outcome", "outcome", "moved"),
        ("discharge.review_closed", "outcome", "provider_concern"),
        ("young_person.milestone_recorded", "outcome", "not_needed"),
        ("safeguarding.concern_decided", "decision", "section_42"),
        ("young_person.significant_benefit", "decision", "no"),
    ],
)
def test_a_value_from_a_code_list_is_kept(
    social_worker: Persona, council: Organisation, action: str, key: str, code: str
) -> None:
    assert _snapshot(social_worker, council, action, **{key: code}) == {key: code}


def test_under_a_coded_action_text_that_is_not_a_code_is_still_kept_only_as_its_length(
    social_worker: Persona, council: Organisation
) -> None:
    assert _snapshot(social_worker, council, "access.reviewed", outcome="Moved to refuge") == {
        "outcome": "<15 characters>"
    }


def test_an_owner_named_by_another_action_is_kept(social_worker: Persona, council: Organisation) -> None:
    # A transition step's owner is an organisation: the audit names it.
    snapshot = _snapshot(social_worker, council, "transition.step_updated", owner="Royal Free Hospital")
    assert snapshot == {"owner": "Royal Free Hospital"}


def test_the_ig_review_outcome_is_kept(other_team_worker: Persona, ig_officer: Persona) -> None:
    person = PersonFactory.create()
    grant = people_services.grant_access(
        person=person,
        user=other_team_worker.user,
        kind=AccessGrantKind.DECLARED,
        reason="covering_duty",
        reason_detail="Covering duty",
    )

    people_services.review_access_grant(
        grant=grant, by=ig_officer.user, outcome=ReviewOutcome.INAPPROPRIATE, note="Not on the rota"
    )

    event = AuditEvent.objects.get(action="access.reviewed")
    assert event.snapshot["outcome"] == "inappropriate"
