"""The waiting list page reads its rows and count as compiled SQL and writes them in Python (ADR-019, ADR-020):
for every filter and page it must list exactly what the waiting list queryset lists, in the same order."""

import re
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from django.urls import reverse
from django.utils import timezone

from safepathways.accounts.models import Team
from safepathways.conftest import Persona
from safepathways.people.models import Neighbourhood
from safepathways.people.tests.factories import PersonFactory
from safepathways.work import selectors, services
from safepathways.work.models import WorkItem, WorkKind
from safepathways.work.views import PAGE_SIZE

pytestmark = pytest.mark.django_db
ROW_LINK = re.compile(r'href="/work/items/([0-9a-f-]{36})/"')


def _item(team: Team, *, days: int = 0, neighbourhood: Neighbourhood | None = None, **kwargs: Any) -> WorkItem:
    values: dict[str, Any] = {"kind": "assessment", "title": "Care Act assessment", "story": "Needs help at home"}
    values.update(kwargs)
    person = PersonFactory(neighbourhood=neighbourhood) if neighbourhood else PersonFactory()
    item = services.open_work(person=person, team=team, by=None, **values)
    if days:
        WorkItem.objects.filter(pk=item.pk).update(opened_at=timezone.now() - timedelta(days=days))
    return item


@pytest.fixture
def waiting(team: Team, other_team: Team) -> dict[str, Any]:
    north = Neighbourhood.objects.create(name="North")
    south = Neighbourhood.objects.create(name="South")
    for index in range(PAGE_SIZE + 12):
        _item(
            team if index % 3 else other_team,
            days=(index * 7) % 250,
            neighbourhood=north if index % 2 else south,
            kind="review" if index % 5 == 0 else "assessment",
            likelihood=1 + index % 5,
            impact=1 + (index * 3) % 5,
        )
    return {"north": north}


def _listed(html: str) -> list[UUID]:
    return [UUID(pk) for pk in ROW_LINK.findall(html)]


def _total(html: str) -> int:
    found = re.search(r"(\d+) waiting</caption>", html)
    assert found, "the page says how many are waiting"
    return int(found.group(1))


@pytest.mark.parametrize(
    "choice",
    [
        {},
        {"priority": "red"},
        {"priority": "green", "kind": "assessment"},
        {"team": "mine"},
        {"neighbourhood": "north", "wait": "6-12w"},
        {"wait": "0-2w"},
        {"wait": "26w+", "team": "mine"},
    ],
)
@pytest.mark.parametrize("page", [1, 2])
def test_each_filter_and_page_lists_what_the_queryset_lists(
    social_worker: Persona, team: Team, waiting: dict[str, Any], choice: dict[str, str], page: int
) -> None:
    params = dict(choice)
    if params.get("team") == "mine":
        params["team"] = str(team.pk)
    if "neighbourhood" in params:
        params["neighbourhood"] = str(waiting["north"].pk)
    filters = selectors.WaitingListFilter(
        team_id=UUID(params["team"]) if "team" in params else None,
        neighbourhood_id=UUID(params["neighbourhood"]) if "neighbourhood" in params else None,
        kind=params.get("kind", ""),
        priority=params.get("priority", ""),
        wait_band=params.get("wait", ""),
    )
    expected = list(selectors.waiting_list(filters).values_list("pk", flat=True))
    html = social_worker.http.get(reverse("work:waiting_list"), {**params, "page": page}).content.decode()
    assert _total(html) == len(expected)
    start = (page - 1) * PAGE_SIZE if len(expected) > PAGE_SIZE else 0  # a page past the end shows the last
    assert _listed(html) == expected[start : start + PAGE_SIZE]
    if not expected:
        assert "No one is waiting with these filters." in html


def test_a_row_shows_the_person_work_priority_wait_and_overdue_dates(social_worker: Persona, team: Team) -> None:
    item = _item(team, days=10, likelihood=5, impact=5)
    item.person.given_name, item.person.family_name = "Shane", "O'Sullivan <b>"
    item.person.save()
    yesterday = timezone.localdate() - timedelta(days=1)
    WorkItem.objects.filter(pk=item.pk).update(next_contact_due=yesterday, allocation_due=yesterday)
    html = social_worker.http.get(reverse("work:waiting_list")).content.decode()
    assert "Shane O&#39;Sullivan &lt;b&gt;" in html and "<b>" not in html.split("<tbody", 1)[1].split("</tbody>")[0]
    assert '<strong class="govuk-tag govuk-tag--red">Red</strong>' in html
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">10</td>' in html
    assert "Overdue</strong>" in html and "Breach</strong>" in html
    assert f"{WorkKind.ASSESSMENT.label}<br>" in html  # the kind of work, as the queryset's display gives it


def test_a_chosen_team_is_checked_against_the_listed_teams_without_another_query(
    social_worker: Persona, team: Team, django_assert_num_queries: Any
) -> None:
    _item(team)
    url = reverse("work:waiting_list")
    # session, user with memberships, teams (checked and listed), neighbourhoods, count, page
    with django_assert_num_queries(6):
        html = social_worker.http.get(url, {"team": str(team.pk), "priority": "red"}).content.decode()
    assert f'<option value="{team.pk}" selected>' in html


@pytest.mark.parametrize("team_value", ["not-a-team", "8a0c3c52-58c3-4bb0-9d6f-6b2f1c9e7a10"])
def test_a_team_that_is_not_listed_is_refused_with_a_message(social_worker: Persona, team_value: str) -> None:
    html = social_worker.http.get(reverse("work:waiting_list"), {"team": team_value}).content.decode()
    assert "Select a valid choice" in html
