"""Personas and builders for the dashboard and supervision tests."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from typing import Any
from unittest import mock

import pytest
from django.utils import timezone

from safepathways.accounts.models import Role, Team
from safepathways.conftest import Persona
from safepathways.work.models import WorkItem
from safepathways.work.tests.factories import WorkItemFactory


@pytest.fixture
def other_team_manager(make_persona: Callable[..., Persona], other_team: Team) -> Persona:
    return make_persona(other_team, Role.TEAM_MANAGER, name="Owen Other-Manager")


@pytest.fixture
def today() -> date:
    return timezone.localdate()


def at_noon(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


@contextmanager
def on(day: date) -> Iterator[None]:
    """Run services as if it were noon on `day`: allocation and contact times are read from the clock."""
    with mock.patch("django.utils.timezone.now", return_value=at_noon(day)):
        yield


def waiting(team: Team, days: int, priority: str = "amber", today: date | None = None, **fields: Any) -> WorkItem:
    """An unallocated assessment in `team`, requested `days` days before `today`."""
    opened = at_noon((today or timezone.localdate()) - timedelta(days=days))
    item: WorkItem = WorkItemFactory.create(team=team, priority=priority, opened_at=opened, **fields)
    return item
