"""Neighbourhoods follow the postcode mapping: recomputed for everyone when the mapping changes."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from safepathways.accounts.models import Team
from safepathways.accounts.tests.admin_site import admin_form_data, signed_in_superuser
from safepathways.audit.models import AuditEvent
from safepathways.audit.services import verify_chain
from safepathways.conftest import Persona
from safepathways.people import services
from safepathways.people.models import ChronologyEntry, Neighbourhood, Person, PostcodeArea
from safepathways.people.tests.factories import PersonFactory


@pytest.fixture
def north(team: Team) -> Neighbourhood:
    return Neighbourhood.objects.create(name="North", team=team)


@pytest.fixture
def south(other_team: Team) -> Neighbourhood:
    return Neighbourhood.objects.create(name="South", team=other_team)


def _neighbourhoods() -> dict[str, str | None]:
    return {
        p.postcode or p.reference: (p.neighbourhood.name if p.neighbourhood else None)
        for p in Person.objects.select_related("neighbourhood")
    }


def test_reassign_follows_the_current_mapping_and_counts_the_changes(
    social_worker: Persona, north: Neighbourhood, south: Neighbourhood
) -> None:
    # As generated or created under an older mapping: everyone in North.
    PersonFactory(postcode="NW1 2AB", neighbourhood=north)
    PersonFactory(postcode="NW1 5AB", neighbourhood=north)
    PersonFactory(postcode="NW5 1AB", neighbourhood=north)
    PersonFactory(postcode="", reference="SP9NOPOST", neighbourhood=north)
    PostcodeArea.objects.create(prefix="NW1", neighbourhood=north)
    PostcodeArea.objects.create(prefix="NW1 2", neighbourhood=south)  # a sector beats its district
    chronology_before = ChronologyEntry.objects.count()

    changed = services.reassign_neighbourhoods(by=social_worker.user, trigger="test")

    assert changed == 3
    assert _neighbourhoods() == {"NW1 2AB": "South", "NW1 5AB": "North", "NW5 1AB": None, "SP9NOPOST": None}
    # The same answer as a person created now would get.
    for person in Person.objects.exclude(postcode=""):
        assert person.neighbourhood == services.neighbourhood_for_postcode(person.postcode)
    event = AuditEvent.objects.get(action="people.neighbourhoods_reassigned")
    assert (event.actor, event.target_type, event.target_id) == (social_worker.user, "people.person", "*")
    assert event.snapshot == {"changed": 3, "trigger": "test"}
    assert ChronologyEntry.objects.count() == chronology_before  # not an event in each person's story
    assert services.reassign_neighbourhoods(by=social_worker.user) == 0  # nothing left to change
    assert AuditEvent.objects.filter(action="people.neighbourhoods_reassigned").count() == 2


def test_the_command_reassigns_and_reports(north: Neighbourhood) -> None:
    PostcodeArea.objects.create(prefix="NW5", neighbourhood=north)
    PersonFactory(postcode="NW5 1AB", neighbourhood=None)
    PersonFactory(postcode="NW5 2CD", neighbourhood=None)
    out = StringIO()
    call_command("reassign_neighbourhoods", stdout=out)
    assert "2 people moved neighbourhood" in out.getvalue()
    assert set(_neighbourhoods().values()) == {"North"}
    event = AuditEvent.objects.get(action="people.neighbourhoods_reassigned")
    assert (event.actor, event.actor_label) == (None, "manage.py reassign_neighbourhoods")
    assert verify_chain().is_intact


def test_changing_a_postcode_area_in_the_admin_moves_people(north: Neighbourhood, south: Neighbourhood) -> None:
    area = PostcodeArea.objects.create(prefix="NW5", neighbourhood=north)
    person = PersonFactory(postcode="NW5 1AB", neighbourhood=north)
    admin, client = signed_in_superuser()
    url = reverse("admin:people_postcodearea_change", args=[area.pk])
    response = client.post(url, {**admin_form_data(client.get(url)), "neighbourhood": str(south.pk)})
    assert response.status_code == 302, response.content.decode()[:2000]
    person.refresh_from_db()
    assert person.neighbourhood == south
    actions = list(AuditEvent.objects.values_list("action", "actor", "snapshot"))
    assert actions == [
        ("people.neighbourhoods_reassigned", admin.pk, {"changed": 1, "trigger": "postcode area changed: NW5 → South"}),
        ("admin.changed", admin.pk, {"object": "NW5 → South", "change": "changed: Neighbourhood"}),
    ]


def test_adding_and_deleting_mappings_in_the_admin_moves_people(north: Neighbourhood, south: Neighbourhood) -> None:
    PostcodeArea.objects.create(prefix="NW1", neighbourhood=north)
    person = PersonFactory(postcode="NW1 2AB", neighbourhood=north)
    _, client = signed_in_superuser()
    added = client.post(reverse("admin:people_postcodearea_add"), {"prefix": "NW1 2", "neighbourhood": str(south.pk)})
    assert added.status_code == 302, added.content.decode()[:2000]
    person.refresh_from_db()
    assert person.neighbourhood == south
    # Deleting the South neighbourhood takes its postcode area with it: the district mapping applies again.
    client.post(reverse("admin:people_neighbourhood_delete", args=[south.pk]), {"post": "yes"})
    assert not Neighbourhood.objects.filter(pk=south.pk).exists()
    person.refresh_from_db()
    assert person.neighbourhood == north
    assert list(
        AuditEvent.objects.filter(action="people.neighbourhoods_reassigned").values_list("snapshot", flat=True)
    ) == [
        {"changed": 1, "trigger": "postcode area added: NW1 2 → South"},
        {"changed": 1, "trigger": "neighbourhood deleted: South"},
    ]
