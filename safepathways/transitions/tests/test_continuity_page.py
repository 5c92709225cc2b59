"""The continuity view reads its counts and pages as compiled SQL (ADR-020): for every filter and page it must list
what the open-gaps queryset lists, in the same order, under the same counts."""

import re
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from django.urls import reverse
from django.utils import timezone

from safepathways.accounts.models import Team
from safepathways.conftest import Persona
from safepathways.people.tests.factories import PersonFactory
from safepathways.transitions import selectors
from safepathways.transitions.models import Gap, GapStatus
from safepathways.transitions.views import PAGE_SIZE

pytestmark = pytest.mark.django_db
ROW = re.compile(r'<tr class="govuk-table__row" id="gap-([0-9a-f-]{36})">')
EXPLAIN_LINK = re.compile(r'href="/transitions/continuity/([0-9a-f-]{36})/explain/"')
RULES = ("service_ended", "plan_past_date", "worker_left")


@pytest.fixture
def gaps(team: Team, other_team: Team) -> None:
    today = timezone.localdate()
    for index in range(PAGE_SIZE + 9):
        Gap.objects.create(
            rule=RULES[index % 3],
            subject_key=f"test:{index}",
            person=PersonFactory(),
            team=(team, other_team, None)[index % 3 if index % 7 else 2],
            detail=f"Gap {index}",
            since=today - timedelta(days=(index * 11) % 97),
            found_on=today,
            status=GapStatus.RESOLVED if index % 13 == 0 else GapStatus.OPEN,
        )


def _total(html: str) -> int:
    found = re.search(r"(\d+) open gaps?, longest first", html)
    assert found
    return int(found.group(1))


@pytest.mark.parametrize(
    "choice", [{}, {"rule": "service_ended"}, {"team": "mine"}, {"rule": "worker_left", "team": "mine"}]
)
@pytest.mark.parametrize("page", [1, 2])
def test_each_filter_and_page_lists_what_the_queryset_lists(
    social_worker: Persona, team: Team, gaps: None, choice: dict[str, str], page: int
) -> None:
    params: dict[str, Any] = dict(choice)
    if params.get("team") == "mine":
        params["team"] = str(team.pk)
    filters = selectors.GapFilter(
        rule=params.get("rule", ""), team_id=UUID(params["team"]) if "team" in params else None
    )
    expected = list(selectors.open_gaps(filters).values_list("pk", flat=True))
    html = social_worker.http.get(reverse("transitions:continuity"), {**params, "page": page}).content.decode()
    assert _total(html) == len(expected)
    start = (page - 1) * PAGE_SIZE if len(expected) > PAGE_SIZE else 0
    listed = [UUID(pk) for pk in ROW.findall(html)]
    assert listed == expected[start : start + PAGE_SIZE]
    # Only the gaps of the worker's own team offer "Explain": another team's would answer 404 (rules.may_explain_gap).
    own = set(selectors.open_gaps(selectors.GapFilter(team_id=team.pk)).values_list("pk", flat=True))
    assert [UUID(pk) for pk in EXPLAIN_LINK.findall(html)] == [pk for pk in listed if pk in own]
    counts = selectors.open_gap_counts(filters.team_id)
    expected_counts = {
        rule: selectors.open_gaps(selectors.GapFilter(rule=rule, team_id=filters.team_id)).count() for rule in RULES
    }
    assert {rule: counts.get(rule, 0) for rule in RULES} == expected_counts


def test_a_team_manager_may_explain_every_gap_listed(team_manager: Persona, gaps: None) -> None:
    html = team_manager.http.get(reverse("transitions:continuity")).content.decode()
    assert EXPLAIN_LINK.findall(html) == ROW.findall(html) and len(ROW.findall(html)) == PAGE_SIZE
