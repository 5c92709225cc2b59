"""'Show older entries' pages the chronology on (time, id): entries written at the same moment are none skipped."""

import re
from datetime import timedelta
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import timezone

from safepathways.conftest import Persona
from safepathways.people import selectors
from safepathways.people.models import Person
from safepathways.people.tests.factories import ChronologyEntryFactory
from safepathways.work.models import WorkItem
from safepathways.work.tests.factories import WorkItemFactory


@pytest.fixture
def client_person(social_worker: Persona) -> Person:
    item: WorkItem = WorkItemFactory.create(team=social_worker.team)
    return item.person


def _small_pages(monkeypatch: pytest.MonkeyPatch, size: int) -> None:
    """Pages of `size` entries, with the compiled chronology queries made again for them (and put back after)."""
    monkeypatch.setattr(selectors, "CHRONOLOGY_PAGE", size)
    for category, before in list(selectors._CHRONOLOGY):
        compiled = selectors._chronology_query(category=category, before=before)
        monkeypatch.setitem(selectors._CHRONOLOGY, (category, before), compiled)


def test_show_older_entries_skips_none_written_at_the_same_moment(
    social_worker: Persona, client_person: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    _small_pages(monkeypatch, 2)
    client_person.chronology.all().delete()
    moment = timezone.now() - timedelta(hours=1)
    for n in range(5):  # five entries written in one transaction share their time
        ChronologyEntryFactory(person=client_person, summary=f"Entry {n}", occurred_at=moment)
    ChronologyEntryFactory(person=client_person, summary="Entry 5", occurred_at=moment - timedelta(days=1))
    url = reverse("people:detail", args=[client_person.pk])
    seen: list[str] = []
    query: dict[str, str] = {}
    for _ in range(6):
        body = social_worker.http.get(url, query).content.decode()
        seen += re.findall(r"Entry \d", body)
        link = re.search(r'before=([^"&]+)&amp;before_id=([0-9a-f-]+)#chronology', body)
        if link is None:
            break
        query = {"before": unquote(link.group(1)), "before_id": link.group(2)}
    # Every entry once: none skipped at a page's edge, none shown twice, the older day's last.
    assert sorted(seen) == [f"Entry {n}" for n in range(6)] and seen[-1] == "Entry 5"


def test_a_cursor_without_an_id_shows_the_entries_of_that_moment_again_rather_than_none(
    social_worker: Persona, client_person: Person
) -> None:
    client_person.chronology.all().delete()
    moment = timezone.now() - timedelta(hours=1)
    ChronologyEntryFactory(person=client_person, summary="Same moment", occurred_at=moment)
    ChronologyEntryFactory(person=client_person, summary="Earlier", occurred_at=moment - timedelta(days=1))
    url = reverse("people:detail", args=[client_person.pk])
    body = social_worker.http.get(url, {"before": moment.isoformat(), "before_id": "not-a-uuid"}).content.decode()
    assert "Same moment" in body and "Earlier" in body
