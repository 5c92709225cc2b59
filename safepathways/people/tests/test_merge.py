from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from safepathways.accounts.models import Role, Team, TeamKind
from safepathways.audit.models import AuditEvent
from safepathways.conftest import Persona
from safepathways.core.errors import ApplicationError
from safepathways.people import merge
from safepathways.people.models import (
    AccessGrant,
    Alert,
    ChronologyEntry,
    Contact,
    Involvement,
    MergedRow,
    MergeRecord,
    Person,
    Risk,
    Share,
)
from safepathways.people.tests.factories import AlertFactory, ChronologyEntryFactory, PersonFactory, RiskFactory
from safepathways.providers.models import Service
from safepathways.providers.tests.factories import ServiceFactory
from safepathways.referrals.models import Contact as FrontDoorContact
from safepathways.referrals.tests.factories import ContactFactory
from safepathways.work.models import Handoff, WorkItem
from safepathways.work.tests.factories import WorkItemFactory


@pytest.fixture
def administrator(make_persona: Callable[..., Persona], team: Team) -> Persona:
    admin_team = Team.objects.create(
        organisation=team.organisation, name="Admin", slug="admin", kind=TeamKind.ADMINISTRATION
    )
    return make_persona(admin_team, Role.ADMINISTRATOR)


def _everything_on(person: Person, persona: Persona, hospital_partner: Persona) -> dict[type, object]:
    """One row of every kind that hangs off a person, from every app."""
    user, team = persona.user, persona.team
    item = WorkItemFactory(person=person, team=team)
    now = timezone.now()
    return {
        Alert: AlertFactory(person=person, owner=user, raised_by=user),
        Risk: RiskFactory(person=person, owner=user, recorded_by=user),
        Contact: Contact.objects.create(person=person, kind="carer", name="Jo Smith"),
        Involvement: Involvement.objects.create(person=person, role="gp"),
        ChronologyEntry: ChronologyEntryFactory(person=person),
        Service: ServiceFactory(person=person, team=team),
        WorkItem: item,
        Handoff: Handoff.objects.create(work_item=item, person=person, to_team=team, reason="Allocated", by=user),
        Share: Share.objects.create(
            person=person, organisation=hospital_partner.team.organisation, purpose="Discharge", shared_by=user
        ),
        AccessGrant: AccessGrant.objects.create(
            user=user,
            person=person,
            kind="declared",
            reason="other",
            reason_detail="Covering",
            granted_at=now,
            expires_at=now + timedelta(hours=1),
        ),
        FrontDoorContact: ContactFactory(person=person, organisation=team.organisation, taken_by=user),
    }


def test_merge_moves_every_row_and_lists_it(team_manager: Persona, partner: Persona) -> None:
    keep, remove = PersonFactory(), PersonFactory()
    rows = _everything_on(remove, team_manager, partner)
    record = merge.merge_people(keep=keep, remove=remove, by=team_manager.user, reason="Same NHS trace")
    for model, row in rows.items():
        row.refresh_from_db()
        assert row.person_id == keep.pk, model
    remove.refresh_from_db()
    assert remove.merged_into == keep
    listed = set(MergedRow.objects.filter(merge=record).values_list("model_label", "object_id"))
    assert listed == {(model._meta.label_lower, str(row.pk)) for model, row in rows.items()}
    assert AuditEvent.objects.filter(action="person.merged", person_id__in=[keep.pk, remove.pk]).count() == 2
    assert keep.chronology.filter(summary__startswith=f"Record {remove.reference}").exists()
    assert remove.chronology.filter(summary__startswith=f"Merged into {keep.reference}").exists()


def test_unmerge_moves_exactly_those_rows_back(team_manager: Persona, partner: Persona, administrator: Persona) -> None:
    keep, remove = PersonFactory(), PersonFactory()
    kept_alert = AlertFactory(person=keep, owner=team_manager.user, raised_by=team_manager.user)
    rows = _everything_on(remove, team_manager, partner)
    record = merge.merge_people(keep=keep, remove=remove, by=team_manager.user, reason="Same person")
    added_since = RiskFactory(person=keep, owner=team_manager.user, recorded_by=team_manager.user)
    merge.unmerge(merge_record=record, by=administrator.user)
    for model, row in rows.items():
        row.refresh_from_db()
        assert row.person_id == remove.pk, model
    kept_alert.refresh_from_db()
    added_since.refresh_from_db()
    assert kept_alert.person_id == keep.pk and added_since.person_id == keep.pk
    remove.refresh_from_db()
    record.refresh_from_db()
    assert remove.merged_into is None
    assert record.unmerged_by == administrator.user and record.is_undone
    assert AuditEvent.objects.filter(action="person.unmerged").count() == 2
    with pytest.raises(ApplicationError, match="already been undone"):
        merge.unmerge(merge_record=record, by=administrator.user)


def test_a_failed_merge_leaves_nothing_half_moved(
    team_manager: Persona, partner: Persona, monkeypatch: pytest.MonkeyPatch
) -> None:
    keep, remove = PersonFactory(), PersonFactory()
    rows = _everything_on(remove, team_manager, partner)
    audit_before = AuditEvent.objects.count()

    def fail(**kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(merge, "add_to_chronology", fail)
    with pytest.raises(RuntimeError):
        merge.merge_people(keep=keep, remove=remove, by=team_manager.user, reason="Same person")
    for row in rows.values():
        row.refresh_from_db()
        assert row.person_id == remove.pk
    remove.refresh_from_db()
    assert remove.merged_into is None
    assert not MergeRecord.objects.exists() and not MergedRow.objects.exists()
    assert AuditEvent.objects.count() == audit_before


def test_every_link_to_a_person_is_found_from_the_model_graph(db: None) -> None:
    labels = {(link.model._meta.label_lower, link.field_name) for link in merge.person_links()}
    assert {
        ("people.alert", "person_id"),
        ("people.chronologyentry", "person_id"),
        ("providers.service", "person_id"),
        ("work.workitem", "person_id"),
        ("work.handoff", "person_id"),
        ("referrals.contact", "person_id"),
    } <= labels
    assert not any(label.startswith(("people.person", "people.merge")) for label, _ in labels)


@pytest.mark.parametrize("persona", ["social_worker", "director", "partner"])
def test_only_administrators_and_team_managers_merge(db: None, persona: str, request: pytest.FixtureRequest) -> None:
    keep, remove = PersonFactory(), PersonFactory()
    with pytest.raises(ApplicationError, match="administrator or a team manager"):
        merge.merge_people(keep=keep, remove=remove, by=request.getfixturevalue(persona).user, reason="x")
    assert not MergeRecord.objects.exists()


def test_only_administrators_unmerge(team_manager: Persona) -> None:
    record = merge.merge_people(keep=PersonFactory(), remove=PersonFactory(), by=team_manager.user, reason="x")
    with pytest.raises(ApplicationError, match="Only an administrator"):
        merge.unmerge(merge_record=record, by=team_manager.user)


def test_merge_refuses_bad_requests(team_manager: Persona) -> None:
    keep, remove = PersonFactory(), PersonFactory()
    with pytest.raises(ApplicationError, match="two different"):
        merge.merge_people(keep=keep, remove=keep, by=team_manager.user, reason="x")
    with pytest.raises(ApplicationError) as missing:
        merge.merge_people(keep=keep, remove=remove, by=team_manager.user, reason=" ")
    assert missing.value.field == "reason"
    merge.merge_people(keep=keep, remove=remove, by=team_manager.user, reason="Same person")
    with pytest.raises(ApplicationError, match="already been merged"):
        merge.merge_people(keep=PersonFactory(), remove=remove, by=team_manager.user, reason="again")


def test_a_kept_record_merged_away_since_must_be_unmerged_first(team_manager: Persona, administrator: Persona) -> None:
    first, second, third = PersonFactory(), PersonFactory(), PersonFactory()
    earlier = merge.merge_people(keep=second, remove=first, by=team_manager.user, reason="Same")
    later = merge.merge_people(keep=third, remove=second, by=team_manager.user, reason="Same")
    with pytest.raises(ApplicationError, match="undo that merge first"):
        merge.unmerge(merge_record=earlier, by=administrator.user)
    merge.unmerge(merge_record=later, by=administrator.user)
    merge.unmerge(merge_record=earlier, by=administrator.user)
    assert not Person.objects.filter(merged_into__isnull=False).exists()


def test_a_merge_keeps_identity_details_only_the_removed_record_had_and_undo_gives_them_back(
    team_manager: Persona, administrator: Persona
) -> None:
    keep = PersonFactory.create(nhs_number=None, phone="", preferred_name="Peg", postcode="NW5 1AB")
    remove = PersonFactory.create(
        nhs_number="9990000026", nhs_number_status="01", phone="020 7946 0001", preferred_name="Peggy"
    )
    record = merge.merge_people(keep=keep, remove=remove, by=team_manager.user, reason="Same person")
    keep.refresh_from_db()
    remove.refresh_from_db()
    # Gaps filled; what the kept record had is never changed.
    assert keep.nhs_number == "9990000026" and keep.nhs_number_status == "01" and keep.phone == "020 7946 0001"
    assert keep.preferred_name == "Peg" and keep.postcode == "NW5 1AB"
    assert remove.nhs_number is None  # unique: it moved
    assert set(record.filled) >= {"nhs_number", "nhs_number_status", "phone"} and "preferred_name" not in record.filled
    assert "phone" in AuditEvent.objects.filter(action="person.merged").first().snapshot["details_filled"]  # type: ignore[union-attr]
    # Someone corrects the phone after the merge: undo leaves it, but gives the NHS number back.
    keep.phone = "020 7946 0999"
    keep.save()
    merge.unmerge(merge_record=record, by=administrator.user)
    keep.refresh_from_db()
    remove.refresh_from_db()
    assert keep.nhs_number is None and remove.nhs_number == "9990000026"
    assert keep.phone == "020 7946 0999"
