"""Two people allocating the same work at once: one succeeds, the other is told; no lost update."""

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from django.db import close_old_connections, connection
from django.urls import reverse
from markupsafe import escape

from safepathways.accounts.models import Role, Team
from safepathways.accounts.services import issue_api_token
from safepathways.conftest import Persona
from safepathways.core.errors import ApplicationError
from safepathways.people.tests.factories import PersonFactory
from safepathways.work import services
from safepathways.work.models import Handoff, WorkItem


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks across connections (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_concurrent_self_allocation_has_one_winner(make_persona: Callable[..., Persona], team: Team) -> None:
    workers = [make_persona(team, Role.SOCIAL_WORKER) for _ in range(2)]
    item = services.open_work(person=PersonFactory(), kind="assessment", team=team, title="Assessment", by=None)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def take(persona: Persona) -> None:
        try:
            barrier.wait(timeout=10)
            fresh = WorkItem.objects.get(pk=item.pk)
            services.allocate(work_item=fresh, to_user=persona.user, by=persona.user, expected_owner_id=None)
            outcomes.append("allocated")
        except ApplicationError as error:
            outcomes.append(error.message)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=take, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes.count("allocated") == 1
    loser = next(o for o in outcomes if o != "allocated")
    assert "Someone else changed this allocation" in loser
    winner = WorkItem.objects.select_related("allocated_to").get(pk=item.pk).allocated_to
    assert winner is not None
    assert escape(winner.full_name) in loser
    assert Handoff.objects.count() == 1
    assert WorkItem.objects.get(pk=item.pk).allocated_to_id in {w.user.pk for w in workers}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks across connections (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_two_partner_systems_allocating_over_http_get_one_200_and_one_409(
    make_persona: Callable[..., Persona], team: Team, live_server: Any
) -> None:
    """The same race through the API, over real HTTP: the loser gets 409 with who holds the work, not a lost update."""
    workers = [make_persona(team, Role.SOCIAL_WORKER) for _ in range(2)]
    keys = [issue_api_token(user=w.user, name="race")[1] for w in workers]
    item = services.open_work(person=PersonFactory(), kind="assessment", team=team, title="Assessment", by=None)
    url = f"{live_server.url}{reverse('api:waiting_list_allocation', args=[item.pk])}"
    barrier = threading.Barrier(2)
    answers: list[tuple[int, dict[str, Any]]] = []

    def allocate(persona: Persona, key: str) -> None:
        body = json.dumps({"to_user": persona.user.pk, "expected_owner": None}).encode()
        request = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={"Authorization": f"Token {key}", "Content-Type": "application/json"},
        )
        barrier.wait(timeout=10)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                answers.append((response.status, json.loads(response.read())))
        except urllib.error.HTTPError as refused:
            answers.append((refused.code, json.loads(refused.read())))

    threads = [threading.Thread(target=allocate, args=pair) for pair in zip(workers, keys, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(status for status, _ in answers) == [200, 409]
    winner = WorkItem.objects.select_related("allocated_to").get(pk=item.pk).allocated_to
    assert winner is not None and winner.pk in {w.user.pk for w in workers}
    refusal = next(body for status, body in answers if status == 409)
    assert winner.full_name in json.dumps(refusal)
    assert Handoff.objects.count() == 1
