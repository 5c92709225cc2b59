from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from safepathways.accounts.models import Team
from safepathways.audit.models import AccessBasis, AccessEvent, AuditEvent
from safepathways.conftest import Persona
from safepathways.people.tests.factories import PersonFactory
from safepathways.work import services
from safepathways.work.models import Handoff, KeepInTouch, WorkItem


def _item(team: Team, **kwargs: Any) -> WorkItem:
    defaults: dict[str, Any] = {"kind": "assessment", "title": "Care Act assessment", "story": "Struggling with stairs"}
    defaults.update(kwargs)
    return services.open_work(person=PersonFactory(), team=team, by=None, **defaults)


def _client(name: str, request: pytest.FixtureRequest) -> Client:
    client: Client = (
        request.getfixturevalue("anonymous") if name == "anonymous_client" else request.getfixturevalue(name).http
    )
    return client


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous_client", 302), ("partner", 403), ("ig_officer", 403), ("director", 200), ("social_worker", 200)],
)
@pytest.mark.parametrize("page", ["work:waiting_list", "work:duty"])
def test_list_access_matrix(persona: str, expected: int, page: str, team: Team, request: pytest.FixtureRequest) -> None:
    _item(team)
    assert _client(persona, request).get(reverse(page)).status_code == expected


def test_waiting_list_shows_red_first_and_filters(social_worker: Persona, team: Team, other_team: Team) -> None:
    _item(team, likelihood=1, impact=1, title="Green one")
    _item(other_team, likelihood=5, impact=5, title="Red one")
    body = social_worker.http.get(reverse("work:waiting_list")).content.decode()
    assert body.index(">Red<") < body.index(">Green<")
    filtered = social_worker.http.get(reverse("work:waiting_list"), {"priority": "green"}).content.decode()
    assert ">Red<" not in filtered
    by_team = social_worker.http.get(reverse("work:waiting_list"), {"team": str(other_team.pk)}).content.decode()
    assert ">Green<" not in by_team


@pytest.mark.parametrize("rows", [1, 20])
def test_waiting_list_query_count_is_constant(
    social_worker: Persona, team: Team, rows: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for _ in range(rows):
        _item(team)
    # session, user with memberships, teams (filter), neighbourhoods (filter), count, page,
    # session save (3)
    with django_assert_num_queries(6):
        response = social_worker.http.get(reverse("work:waiting_list"))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 20])
def test_duty_view_query_count_is_constant(
    social_worker: Persona, team: Team, rows: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for _ in range(rows):
        _item(team)
    # session, user with memberships, teams, items
    with django_assert_num_queries(4):
        response = social_worker.http.get(reverse("work:duty"))
    assert response.content.decode().count("Care Act assessment") == rows


def test_duty_view_puts_breaches_first(social_worker: Persona, team: Team) -> None:
    _item(team, title="Fresh")
    old = _item(team, title="Overdue")
    WorkItem.objects.filter(pk=old.pk).update(allocation_due=timezone.localdate() - timedelta(days=1))
    body = social_worker.http.get(reverse("work:duty")).content.decode()
    assert body.index("Overdue") < body.index("Fresh")
    assert "Allocation overdue" in body


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous_client", 302), ("partner", 403), ("other_team_worker", 200), ("social_worker", 200)],
)
def test_detail_access_matrix(persona: str, expected: int, team: Team, request: pytest.FixtureRequest) -> None:
    item = _item(team)
    response = _client(persona, request).get(reverse("work:detail", args=[item.pk]))
    assert response.status_code == expected
    if expected == 200:
        assert "Struggling with stairs" in response.content.decode()


def test_another_team_sees_waiting_work_on_the_shared_list_and_the_look_is_logged(
    other_team_worker: Persona, team: Team
) -> None:
    item = _item(team)
    other_team_worker.http.get(reverse("work:detail", args=[item.pk]))
    assert AccessEvent.objects.get().basis == AccessBasis.WAITING_LIST


def test_allocated_work_of_another_team_needs_a_relationship(
    other_team_worker: Persona, social_worker: Persona, team: Team
) -> None:
    item = _item(team)
    services.allocate(work_item=item, to_user=social_worker.user, by=social_worker.user, expected_owner_id=None)
    response = other_team_worker.http.get(reverse("work:detail", args=[item.pk]))
    assert response.status_code == 302
    assert "/declare/" in response["Location"]


def test_take_work(social_worker: Persona, team: Team) -> None:
    item = _item(team)
    response = social_worker.http.post(reverse("work:take", args=[item.pk]), {"expected_owner": ""})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.allocated_to == social_worker.user


@pytest.mark.parametrize(("persona", "expected"), [("anonymous_client", 302), ("partner", 403), ("director", 403)])
def test_write_actions_refused_change_nothing(
    persona: str, expected: int, team: Team, request: pytest.FixtureRequest
) -> None:
    item = _item(team)
    before = AuditEvent.objects.count()
    client = _client(persona, request)
    for name, data in [
        ("work:take", {"expected_owner": ""}),
        ("work:keep_in_touch", {"method": "phone", "summary": "Fine"}),
        ("work:retriage", {"likelihood": 5, "impact": 5, "why": "x"}),
        ("work:close", {"outcome": "Done"}),
    ]:
        assert client.post(reverse(name, args=[item.pk]), data).status_code == expected
    item.refresh_from_db()
    assert item.allocated_to is None and item.closed_at is None and item.priority == "green"
    assert AuditEvent.objects.count() == before
    assert not KeepInTouch.objects.exists()


def test_keep_in_touch_form_errors_and_success(social_worker: Persona, team: Team) -> None:
    item = _item(team)
    url = reverse("work:keep_in_touch", args=[item.pk])
    body = social_worker.http.post(url, {"situation_changed": "on"}).content.decode()
    assert "Enter what was said and what has changed" in body
    assert "Choose the new likelihood and impact" in body
    response = social_worker.http.post(url, {"method": "phone", "summary": "Daughter now visiting daily"})
    assert response.status_code == 302
    assert KeepInTouch.objects.get().summary == "Daughter now visiting daily"


def test_retriage_form(social_worker: Persona, team: Team) -> None:
    item = _item(team)
    url = reverse("work:retriage", args=[item.pk])
    assert (
        "Enter why the rating is changing"
        in social_worker.http.post(url, {"likelihood": 5, "impact": 5}).content.decode()
    )
    social_worker.http.post(
        url, {"likelihood": 5, "impact": 5, "risk_flags": ["safeguarding"], "why": "Financial abuse"}
    )
    item.refresh_from_db()
    assert item.priority == "red"
    assert item.risk_flags == ["safeguarding"]


def test_manager_allocates_and_a_stale_form_is_told(social_worker: Persona, team_manager: Persona, team: Team) -> None:
    item = _item(team)
    url = reverse("work:allocate", args=[item.pk])
    team_manager.http.post(url, {"to_user": social_worker.user.pk, "expected_owner": ""})
    item.refresh_from_db()
    assert item.allocated_to == social_worker.user
    response = team_manager.http.post(url, {"to_user": team_manager.user.pk, "expected_owner": ""}, follow=True)
    assert "Someone else changed this allocation" in response.content.decode()
    assert Handoff.objects.count() == 1


def test_letter_says_who_to_call(social_worker: Persona, team: Team) -> None:
    item = _item(team)
    body = social_worker.http.get(reverse("work:letter", args=[item.pk])).content.decode()
    assert "You are on our waiting list" in body
    assert "999" in body and item.person.reference in body


def test_reassign_is_for_the_teams_managers(
    social_worker: Persona, team_manager: Persona, team: Team, other_team: Team
) -> None:
    assert social_worker.http.get(reverse("work:reassign", args=[team.slug])).status_code == 403
    assert team_manager.http.get(reverse("work:reassign", args=[other_team.slug])).status_code == 404
    item = _item(team)
    services.allocate(work_item=item, to_user=social_worker.user, by=social_worker.user, expected_owner_id=None)
    response = team_manager.http.post(
        reverse("work:reassign", args=[team.slug]),
        {"from_user": social_worker.user.pk, "to_user": "", "reason": "Leaving"},
    )
    assert response.status_code == 302
    assert WorkItem.objects.waiting().count() == 1


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_waiting_list_exports_and_logs_each_person(social_worker: Persona, team: Team, fmt: str) -> None:
    items = [_item(team) for _ in range(3)]
    response = social_worker.http.get(reverse("work:waiting_list"), {"format": fmt, "priority": "green"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    if fmt == "csv":
        text = response.content.decode()
        assert text.splitlines()[0].lstrip("\ufeff").startswith("Reference,Name")  # BOM for Excel
        assert all(item.person.reference in text for item in items)
    else:
        import io

        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet is not None
        assert sheet.max_row == 4
    events = AccessEvent.objects.filter(kind="export")
    assert {e.person_id for e in events} == {item.person_id for item in items}


def test_duty_export(social_worker: Persona, team: Team) -> None:
    _item(team)
    response = social_worker.http.get(reverse("work:duty"), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert AccessEvent.objects.filter(kind="export").count() == 1
