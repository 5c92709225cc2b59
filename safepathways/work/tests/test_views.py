from collections.abc import Callable
from datetime import timedelta
from itertools import pairwise
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from markupsafe import escape
from pytest_django import DjangoAssertNumQueries

from safepathways.accounts.models import Organisation, Role, Team, TeamKind, User
from safepathways.audit.models import AccessBasis, AccessEvent, AuditEvent
from safepathways.conftest import Persona
from safepathways.people.models import ChronologyEntry
from safepathways.people.tests.factories import PersonFactory
from safepathways.work import services, views
from safepathways.work.models import CaseloadCap, Handoff, KeepInTouch, RiskFlag, WorkItem


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
    # session, user with memberships, teams, count, page
    with django_assert_num_queries(5):
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
    response = team_manager.http.post(url, {"to_user": team_manager.user.pk, "expected_owner": ""})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Someone else changed this allocation" in body
    assert Handoff.objects.count() == 1
    # The page shown again carries the holder it shows, so sending again is a choice made knowing who holds it.
    assert f'name="expected_owner" value="{social_worker.user.pk}"' in body


def test_letter_says_who_to_call(social_worker: Persona, team: Team) -> None:
    item = _item(team)
    body = social_worker.http.get(reverse("work:letter", args=[item.pk])).content.decode()
    assert "You are on our waiting list" in body
    assert "999" in body and item.person.reference in body


def test_recording_the_letter_as_sent_logs_a_letter_contact_and_moves_the_schedule_on(
    social_worker: Persona, team: Team
) -> None:
    item = _item(team, opened_at=timezone.now() - timedelta(days=40))  # green: monthly, so a contact is overdue
    letter = social_worker.http.get(reverse("work:letter", args=[item.pk])).content.decode()
    assert f'action="{reverse("work:letter_sent", args=[item.pk])}"' in letter
    assert "Record that the letter was sent" in letter

    response = social_worker.http.post(reverse("work:letter_sent", args=[item.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("work:detail", args=[item.pk])
    contact = KeepInTouch.objects.get()
    assert (contact.work_item, contact.method, contact.by) == (item, "letter", social_worker.user)
    item.refresh_from_db()
    assert item.next_contact_due == timezone.localdate() + timedelta(days=28)
    assert item.last_contact_at == contact.contacted_at
    entry = ChronologyEntry.objects.get(person=item.person, summary="Keep-in-touch: Letter")
    assert entry.detail == services.WAITING_LETTER_SUMMARY
    page = social_worker.http.get(response["Location"]).content.decode()
    assert "Letter recorded as sent" in page
    assert "Sent the waiting letter" in page


def test_the_letter_is_recorded_as_sent_once_a_day(social_worker: Persona, team: Team) -> None:
    item = _item(team)
    url = reverse("work:letter_sent", args=[item.pk])
    social_worker.http.post(url)
    again = social_worker.http.post(url)
    assert again["Location"] == reverse("work:letter", args=[item.pk])
    page = social_worker.http.get(again["Location"]).content.decode()
    assert "already been recorded as sent today" in page
    assert KeepInTouch.objects.count() == 1
    assert social_worker.http.get(url).status_code == 405


def test_the_letter_of_closed_work_cannot_be_recorded_as_sent(social_worker: Persona, team: Team) -> None:
    item = _item(team)
    services.close_work(work_item=item, by=social_worker.user, outcome="No longer needed")
    assert (
        "Record that the letter was sent"
        not in social_worker.http.get(reverse("work:letter", args=[item.pk])).content.decode()
    )
    social_worker.http.post(reverse("work:letter_sent", args=[item.pk]))
    assert not KeepInTouch.objects.exists()


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


def test_duty_view_pages_and_counts_everything_unallocated(
    social_worker: Persona, team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for n in range(3):
        _item(team, title=f"Assessment {n}")
    first = social_worker.http.get(reverse("work:duty")).content.decode()
    assert "3 unallocated" in first
    assert sum(f"Assessment {n}" in first for n in range(3)) == 2
    assert 'href="?&amp;page=2"' in first
    second = social_worker.http.get(reverse("work:duty"), {"page": 2}).content.decode()
    assert sum(f"Assessment {n}" in second for n in range(3)) == 1
    assert "3 unallocated" in second


def test_duty_view_page_links_keep_the_chosen_team(
    social_worker: Persona, team: Team, other_team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    _item(other_team, title="South one")
    _item(other_team, title="South two")
    body = social_worker.http.get(reverse("work:duty"), {"team": other_team.slug}).content.decode()
    assert "2 unallocated" in body
    assert f'href="?team={other_team.slug}&amp;page=2"' in body


@pytest.mark.parametrize("rows", [1, 20])
def test_duty_view_for_a_chosen_team_query_count_is_constant(
    social_worker: Persona,
    other_team: Team,
    rows: int,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    for _ in range(rows):
        _item(other_team)
    # session, user with memberships, teams (the chosen one found among them), count, page
    with django_assert_num_queries(5):
        response = social_worker.http.get(reverse("work:duty"), {"team": other_team.slug})
    assert "Care Act assessment" in response.content.decode()


@pytest.fixture
def out_of_hours_team(council: Organisation) -> Team:
    return Team.objects.create(
        organisation=council, name="Emergency duty (out of hours)", slug="out-of-hours", kind=TeamKind.OUT_OF_HOURS
    )


def test_out_of_hours_work_is_on_the_out_of_hours_teams_duty_view(
    make_persona: Callable[..., Persona], out_of_hours_team: Team, social_worker: Persona, team: Team
) -> None:
    # As the front door's out-of-hours route opens it (referrals migration 0002).
    _item(out_of_hours_team, kind="out_of_hours", title="Out-of-hours handover")
    _item(team, title="Daytime assessment")
    night_worker = make_persona(out_of_hours_team, Role.DUTY_WORKER)
    body = night_worker.http.get(reverse("work:duty")).content.decode()
    assert "Out-of-hours handover" in body
    assert "Daytime assessment" not in body
    # Anyone else on duty can choose the team.
    chosen = social_worker.http.get(reverse("work:duty"), {"team": out_of_hours_team.slug}).content.decode()
    assert "Out-of-hours handover" in chosen


def test_duty_view_links_team_managers_to_reassignment(social_worker: Persona, team_manager: Persona) -> None:
    link = reverse("work:reassign", args=[team_manager.team.slug])
    assert link in team_manager.http.get(reverse("work:duty")).content.decode()
    assert link not in social_worker.http.get(reverse("work:duty")).content.decode()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous_client", 302),
        ("partner", 403),
        ("director", 403),
        ("social_worker", 403),
        ("other_team_worker", 403),
        ("team_manager", 200),
    ],
)
def test_reassign_access_matrix(persona: str, expected: int, team: Team, request: pytest.FixtureRequest) -> None:
    assert _client(persona, request).get(reverse("work:reassign", args=[team.slug])).status_code == expected


def test_a_leavers_closed_account_can_have_its_caseload_moved(
    make_persona: Callable[..., Persona], team_manager: Persona, social_worker: Persona, team: Team
) -> None:
    leaver = make_persona(team, Role.SOCIAL_WORKER, name="Lee Leaver")
    item = _item(team)
    services.allocate(work_item=item, to_user=leaver.user, by=leaver.user, expected_owner_id=None)
    gone_without_work = make_persona(team, Role.SOCIAL_WORKER, name="Gale Gone")
    User.objects.filter(pk__in=[leaver.user.pk, gone_without_work.user.pk]).update(is_active=False)
    url = reverse("work:reassign", args=[team.slug])
    form = team_manager.http.get(url).content.decode()
    assert f"{escape('Lee Leaver')} (account closed)" in form
    assert "Gale Gone" not in form
    response = team_manager.http.post(
        url, {"from_user": leaver.user.pk, "to_user": social_worker.user.pk, "reason": "Left the council"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.allocated_to == social_worker.user


def test_a_closed_account_is_offered_as_whose_work_to_move_but_never_as_who_takes_it(
    make_persona: Callable[..., Persona], team_manager: Persona, social_worker: Persona, team: Team
) -> None:
    leaver = make_persona(team, Role.SOCIAL_WORKER, name="Lee Leaver")
    item = _item(team)
    services.allocate(work_item=item, to_user=social_worker.user, by=social_worker.user, expected_owner_id=None)
    services.allocate(work_item=_item(team), to_user=leaver.user, by=leaver.user, expected_owner_id=None)
    User.objects.filter(pk=leaver.user.pk).update(is_active=False)
    response = team_manager.http.post(
        reverse("work:reassign", args=[team.slug]),
        {"from_user": social_worker.user.pk, "to_user": leaver.user.pk, "reason": "Mix-up"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    item.refresh_from_db()
    assert item.allocated_to == social_worker.user


@pytest.mark.parametrize("workers", [1, 4])
def test_reassign_page_query_count_is_constant(
    make_persona: Callable[..., Persona],
    team_manager: Persona,
    team: Team,
    workers: int,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    for _ in range(workers):
        worker = make_persona(team, Role.SOCIAL_WORKER)
        services.allocate(work_item=_item(team), to_user=worker.user, by=worker.user, expected_owner_id=None)
    # session, user with memberships, whose work may move (with caseloads), who may take it (with caseloads)
    with django_assert_num_queries(4):
        response = team_manager.http.get(reverse("work:reassign", args=[team.slug]))
    assert response.status_code == 200


def _cap(team: Team, cap: int, user: User | None = None) -> None:
    CaseloadCap.objects.create(team=team, user=user, cap=cap)


def test_allocation_errors_are_shown_against_the_field_with_what_was_typed(
    social_worker: Persona, team_manager: Persona, team: Team
) -> None:
    _cap(team, 1)
    services.allocate(work_item=_item(team), to_user=social_worker.user, by=social_worker.user, expected_owner_id=None)
    item = _item(team)
    url = reverse("work:allocate", args=[item.pk])
    typed = {"to_user": social_worker.user.pk, "expected_owner": "", "reason": "Knows the family"}
    response = team_manager.http.post(url, typed)
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert 'href="#id_over_cap_reason"' in body
    assert 'id="id_over_cap_reason-error"' in body
    assert 'value="Knows the family"' in body
    assert f'<option value="{social_worker.user.pk}" selected>' in body
    item.refresh_from_db()
    assert item.allocated_to is None
    # Giving the reason allocates, with the note and the reason on the hand-off.
    response = team_manager.http.post(url, typed | {"over_cap_reason": "Only worker who speaks Somali"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.allocated_to == social_worker.user
    assert item.handoffs.get().reason == "Knows the family (over cap: Only worker who speaks Somali)"


def test_allocating_with_no_worker_chosen_is_told_against_the_field(team_manager: Persona, team: Team) -> None:
    item = _item(team)
    response = team_manager.http.post(reverse("work:allocate", args=[item.pk]), {"expected_owner": ""})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'href="#id_to_user"' in body and "Choose a worker to allocate to" in body


def test_a_refused_allocation_shown_again_is_logged_as_a_look(
    social_worker: Persona, team_manager: Persona, team: Team
) -> None:
    item = _item(team)
    team_manager.http.post(reverse("work:allocate", args=[item.pk]), {"expected_owner": ""})
    assert AccessEvent.objects.filter(user=team_manager.user, person_id=item.person_id).count() == 1


def test_allocate_dropdown_shows_each_workers_caseload_against_their_cap(
    make_persona: Callable[..., Persona], social_worker: Persona, team_manager: Persona, team: Team
) -> None:
    _cap(team, 15)
    _cap(team, 3, social_worker.user)
    uncapped_team_worker = make_persona(team, Role.OCCUPATIONAL_THERAPIST, name="Uma Other")
    for _ in range(2):
        services.allocate(
            work_item=_item(team), to_user=social_worker.user, by=social_worker.user, expected_owner_id=None
        )
    body = team_manager.http.get(reverse("work:detail", args=[_item(team).pk])).content.decode()
    assert f"{escape('Sam Okafor')} — 2 of 3" in body
    assert f"{escape(uncapped_team_worker.user.full_name)} — 0 of 15" in body
    CaseloadCap.objects.all().delete()
    body = team_manager.http.get(reverse("work:detail", args=[_item(team).pk])).content.decode()
    assert f"{escape('Sam Okafor')} — 2 open, no cap" in body


@pytest.mark.parametrize("workers", [1, 5])
def test_detail_query_count_is_constant(
    make_persona: Callable[..., Persona],
    team_manager: Persona,
    team: Team,
    workers: int,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    for _ in range(workers):
        worker = make_persona(team, Role.SOCIAL_WORKER)
        _cap(team, 2, worker.user)
        services.allocate(work_item=_item(team), to_user=worker.user, by=worker.user, expected_owner_id=None)
    item = _item(team)
    # session, user with memberships, the item, access check (person, relationship), access log insert, triages,
    # contacts, hand-offs, breaches, workers with their caseloads and caps (one query for all)
    with django_assert_num_queries(11):
        response = team_manager.http.get(reverse("work:detail", args=[item.pk]))
    assert response.content.decode().count(" of 2</option>") == workers


def test_keep_in_touch_records_when_it_happened(social_worker: Persona, team: Team) -> None:
    item = _item(team)
    url = reverse("work:keep_in_touch", args=[item.pk])
    yesterday = timezone.localdate() - timedelta(days=1)
    data = {
        "method": "visit",
        "summary": "Home visit",
        "contacted_on_day": yesterday.day,
        "contacted_on_month": yesterday.month,
        "contacted_on_year": yesterday.year,
    }
    body = social_worker.http.post(url, data).content.decode()
    assert "Enter the time of the contact" in body
    assert 'value="Home visit"' in body or ">Home visit</textarea>" in body
    response = social_worker.http.post(url, data | {"contacted_time": "14:05"})
    assert response.status_code == 302
    contacted = timezone.localtime(KeepInTouch.objects.get().contacted_at)
    assert (contacted.date(), contacted.hour, contacted.minute) == (yesterday, 14, 5)


@pytest.mark.parametrize(
    ("when", "message"),
    [
        ({"contacted_time": "25:00"}, "Enter the time like 9:30 or 14:05"),
        ({"contacted_on_day": "1", "contacted_on_month": "1", "contacted_on_year": "2999"}, "today or in the past"),
    ],
)
def test_keep_in_touch_refuses_a_contact_in_the_future_or_a_wrong_time(
    social_worker: Persona, team: Team, when: dict[str, str], message: str
) -> None:
    item = _item(team)
    response = social_worker.http.post(
        reverse("work:keep_in_touch", args=[item.pk]), {"method": "phone", "summary": "Fine"} | when
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not KeepInTouch.objects.exists()


def test_keep_in_touch_refuses_a_time_later_today(social_worker: Persona, team: Team) -> None:
    later = timezone.localtime() + timedelta(minutes=30)
    if later.date() != timezone.localdate():
        pytest.skip("run within half an hour of midnight: no later time today")
    item = _item(team)
    response = social_worker.http.post(
        reverse("work:keep_in_touch", args=[item.pk]),
        {"method": "phone", "summary": "Fine", "contacted_time": f"{later:%H:%M}"},
    )
    assert "The contact cannot be in the future" in response.content.decode()
    assert not KeepInTouch.objects.exists()


def test_keep_in_touch_new_risk_flags_re_rate_the_work(social_worker: Persona, team: Team) -> None:
    item = _item(team, flags=["recent-fall"])  # 2 × 2 = 4, raised to amber by the fall
    url = reverse("work:keep_in_touch", args=[item.pk])
    form = social_worker.http.get(url).content.decode()
    assert 'value="recent-fall" checked' in form
    # The same flags sent back leave the rating alone.
    social_worker.http.post(url, {"method": "phone", "summary": "No change", "risk_flags": ["recent-fall"]})
    item.refresh_from_db()
    assert item.priority == "amber" and item.triages.count() == 1
    response = social_worker.http.post(
        url, {"method": "phone", "summary": "Told us of financial abuse", "risk_flags": ["recent-fall", "safeguarding"]}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.priority == "red"
    assert item.risk_flags == ["recent-fall", "safeguarding"]
    assert (item.likelihood, item.impact) == (2, 2)
    assert KeepInTouch.objects.get(summary="Told us of financial abuse").situation_changed


def test_keep_in_touch_does_not_re_rate_for_a_flag_switched_off_since(social_worker: Persona, team: Team) -> None:
    item = _item(team, flags=["recent-fall", "lives-alone"])
    RiskFlag.objects.filter(code="lives-alone").update(is_active=False)
    response = social_worker.http.post(
        reverse("work:keep_in_touch", args=[item.pk]),
        {"method": "phone", "summary": "No change", "risk_flags": ["recent-fall"]},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.risk_flags == ["recent-fall", "lives-alone"]
    assert item.triages.count() == 1


def test_re_rating_work_with_a_flag_switched_off_since_keeps_it(social_worker: Persona, team: Team) -> None:
    item = _item(team, flags=["recent-fall", "lives-alone"])
    RiskFlag.objects.filter(code="lives-alone").update(is_active=False)
    url = reverse("work:retriage", args=[item.pk])
    form = social_worker.http.get(url).content.decode()
    assert 'value="lives-alone"' not in form  # no box for a switched-off flag
    response = social_worker.http.post(
        url, {"likelihood": 3, "impact": 3, "risk_flags": ["recent-fall"], "why": "Reviewed at the MDT"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.risk_flags == ["recent-fall", "lives-alone"]
    assert item.priority_reasons[-1] == "Lives alone with no support: no longer in use, not counted"


def test_a_manager_moves_work_to_another_team_from_its_page(
    team_manager: Persona, social_worker: Persona, team: Team, other_team: Team
) -> None:
    item = _item(team)
    detail = reverse("work:detail", args=[item.pk])
    transfer = reverse("work:transfer", args=[item.pk])
    assert transfer in team_manager.http.get(detail).content.decode()
    assert transfer not in social_worker.http.get(detail).content.decode()
    # The team itself is not offered; the teams that hold work are.
    form = team_manager.http.get(transfer).content.decode()
    assert escape(other_team.name) in form and f'value="{team.pk}"' not in form

    refused = team_manager.http.post(transfer, {"reason": "Moved home"}).content.decode()
    assert "Choose the team the work moves to" in refused and 'href="#id_to_team"' in refused
    assert WorkItem.objects.get(pk=item.pk).team == team

    response = team_manager.http.post(transfer, {"to_team": other_team.pk, "reason": "Moved to Kentish Town"})
    assert response.status_code == 302 and response["Location"] == detail
    page = team_manager.http.get(detail).content.decode()
    assert f"{escape(team.name)} → {escape(other_team.name)} (Moved to Kentish Town)" in page
    # The manager no longer manages the team holding the work: the link and the page are gone for them.
    assert transfer not in page
    assert team_manager.http.get(transfer).status_code == 403


@pytest.mark.parametrize("moves", [1, 4])
def test_detail_with_team_handoffs_keeps_its_query_count(
    moves: int,
    make_persona: Callable[..., Persona],
    team: Team,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    item = _item(team)
    teams = [team] + [
        Team.objects.create(organisation=team.organisation, name=f"Team {n}", slug=f"t{n}", kind=TeamKind.NEIGHBOURHOOD)
        for n in range(moves)
    ]
    for before, after in pairwise(teams):
        manager = make_persona(before, Role.TEAM_MANAGER)
        services.transfer_work(work_item=item, to_team=after, by=manager.user, reason="Boundary")
    viewer = make_persona(teams[-1], Role.TEAM_MANAGER)
    with django_assert_num_queries(11):
        response = viewer.http.get(reverse("work:detail", args=[item.pk]))
    assert response.content.decode().count("(Boundary)") == moves


def test_a_manager_moves_a_neighbourhoods_work_from_the_duty_view(
    team_manager: Persona, team: Team, other_team: Team
) -> None:
    from safepathways.people.models import Neighbourhood

    area = Neighbourhood.objects.create(name="Kentish Town", team=team)
    item = services.open_work(
        person=PersonFactory(neighbourhood=area), kind="assessment", team=team, title="Assessment", by=None
    )
    url = reverse("work:transfer_team", args=[team.slug])
    assert url in team_manager.http.get(reverse("work:duty")).content.decode()

    refused = team_manager.http.post(url, {"neighbourhood": area.pk, "reason": "Boundary review"}).content.decode()
    assert "Choose the team the work moves to" in refused

    response = team_manager.http.post(url, {"neighbourhood": area.pk, "to_team": other_team.pk, "reason": "Review"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.team == other_team
    page = team_manager.http.get(response["Location"]).content.decode()
    assert f"Moved 1 item of work from {escape(team.name)} to {escape(other_team.name)}" in page


@pytest.mark.parametrize("rows", [1, 4])
@pytest.mark.parametrize("page", ["work:waiting_list", "work:duty"])
def test_downloads_read_a_constant_number_of_queries(
    page: str, rows: int, social_worker: Persona, team: Team, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for _ in range(rows):
        _item(team)
    # session, user with memberships, the council's work teams (and, for the waiting list's filter, the
    # neighbourhoods), the rows with their person, neighbourhood and team, and one insert logging every person
    with django_assert_num_queries(DOWNLOAD_QUERIES[page]):
        response = social_worker.http.get(reverse(page), {"format": "csv"})
    assert response.status_code == 200
    assert len(response.content.decode().strip().splitlines()) == rows + 1
    assert AccessEvent.objects.filter(kind="export").count() == rows


DOWNLOAD_QUERIES = {"work:waiting_list": 6, "work:duty": 5}


def test_a_manager_of_another_team_is_refused_the_move_and_nothing_is_logged(
    make_persona: Callable[..., Persona], team: Team, other_team: Team
) -> None:
    item = _item(team)
    other_manager = make_persona(other_team, Role.TEAM_MANAGER)
    looks = AccessEvent.objects.count()
    assert other_manager.http.get(reverse("work:transfer", args=[item.pk])).status_code == 403
    assert AccessEvent.objects.count() == looks
