"""Two people allocating the same work at once: one succeeds, the other is told; no lost update."""

import threading
from collections.abc import Callable

import pytest
from django.db import close_old_connections, connection
from markupsafe import escape

from safepathways.accounts.models import Role, Team
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
