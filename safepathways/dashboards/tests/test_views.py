"""The dashboard, its download and supervision: access matrix, figures on the page, files, query counts."""

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from markupsafe import escape
from openpyxl import load_workbook
from pytest_django import DjangoAssertNumQueries

from safepathways.accounts.models import Membership, Role, Team
from safepathways.audit.models import AccessEvent, AccessKind, AuditEvent
from safepathways.conftest import Persona
from safepathways.dashboards.tests.conftest import at_noon, waiting
from safepathways.people.models import Person
from safepathways.people.tests.factories import PersonFactory
from safepathways.work import services as work_services
from safepathways.work.models import Breach, BreachKind, Handoff, SupervisionRecord, WorkItem
from safepathways.work.tests.factories import WorkItemFactory

DASHBOARD = reverse("dashboards:dashboard")
SUPERVISION = reverse("dashboards:supervision")


class _Tables(HTMLParser):
    """The text of each cell of each table with an id, row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._table = dict(attrs).get("id")
            if self._table:
                self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table = None
        elif tag in ("td", "th") and self._table and self._cell is not None:
            self.tables[self._table][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables(body: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(body)
    return parser.tables


def handed_off(team: Team, person: Person, times: int = 3) -> None:
    item = WorkItemFactory(team=team, person=person, closed_at=timezone.now())
    for _ in range(times):
        Handoff.objects.create(work_item=item, person=person, to_team=team, reason="Moved")


# ---- access matrix ---------------------------------------------------------------------------

DASHBOARD_URLS = [DASHBOARD, f"{DASHBOARD}?team=nw", f"{DASHBOARD}?format=csv", f"{DASHBOARD}?team=nw&format=xlsx"]


@pytest.mark.parametrize("url", DASHBOARD_URLS)
def test_dashboard_sends_anonymous_users_to_sign_in(anonymous: Client, team: Team, url: str) -> None:
    response = anonymous.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign_in"))


@pytest.mark.parametrize("url", DASHBOARD_URLS)
@pytest.mark.parametrize("persona", ["partner", "ig_officer"])
def test_dashboard_refuses_partners_and_roles_without_it(
    request: pytest.FixtureRequest, team: Team, persona: str, url: str
) -> None:
    handed_off(team, PersonFactory())
    user: Persona = request.getfixturevalue(persona)
    assert user.http.get(url).status_code == 403
    assert not AccessEvent.objects.exists()


@pytest.mark.parametrize("url", DASHBOARD_URLS)
@pytest.mark.parametrize("persona", ["social_worker", "team_manager", "director", "other_team_worker"])
def test_dashboard_is_open_to_practitioners_managers_and_directors(
    request: pytest.FixtureRequest, team: Team, persona: str, url: str
) -> None:
    user: Persona = request.getfixturevalue(persona)
    assert user.http.get(url).status_code == 200


@pytest.mark.parametrize("query", ["team=nope", "team=ward", "format=pdf"])
def test_an_unknown_team_or_format_is_404(social_worker: Persona, ward_team: Team, query: str) -> None:
    assert social_worker.http.get(f"{DASHBOARD}?{query}").status_code == 404


# ---- the page --------------------------------------------------------------------------------


def test_dashboard_shows_the_teams_figures(social_worker: Persona, team: Team, other_team: Team) -> None:
    today = timezone.localdate()
    waiting(team, 2, "red", today)
    waiting(team, 20, "red", today)
    late = waiting(team, 100, "green", today)
    waiting(other_team, 1, "amber", today)
    Breach.objects.create(work_item=late, kind=BreachKind.ALLOCATION_OVERDUE, due_on=today, detected_at=timezone.now())
    often = PersonFactory(given_name="Ada", family_name="Often")
    handed_off(team, often, 4)

    body = social_worker.http.get(DASHBOARD, {"team": "nw"}).content.decode()
    found = tables(body)

    assert '<h1 class="govuk-heading-l">North West neighbourhood team</h1>' in body
    assert '<option value="nw" selected>' in body
    assert '<option value="south">' in body  # the other team has waiting work too
    assert found["priority-band"][1:] == [
        ["Red", "1", "1", "0", "0", "0", "2"],
        ["Amber", "0", "0", "0", "0", "0", "0"],
        ["Green", "0", "0", "0", "1", "0", "1"],
        ["Total", "1", "1", "0", "1", "0", "3"],
    ]
    assert found["breaches"][1:] == [
        ["Keep-in-touch contact overdue", "0"],
        ["Waiting past the allocation timescale", "1"],
    ]
    assert len(found["trend"]) == 13
    assert found["most-handed-off"][1:] == [["Ada Often", "4"]]
    assert f'href="{reverse("people:detail", args=[often.pk])}">Ada Often</a>' in body
    assert "20 days" in body  # median of 2, 20, 100
    assert f"{DASHBOARD}?team=nw&amp;format=csv" in body
    # Looking at the page names people but opens no record: nothing is logged until a download.
    assert not AccessEvent.objects.exists()


def test_whole_service_is_the_default(social_worker: Persona, team: Team, other_team: Team) -> None:
    waiting(team, 2, "red")
    waiting(other_team, 2, "red")
    body = social_worker.http.get(DASHBOARD).content.decode()
    assert '<h1 class="govuk-heading-l">Whole service</h1>' in body
    assert tables(body)["priority-band"][1] == ["Red", "2", "0", "0", "0", "0", "2"]


def test_charts_are_accessible_svg_sized_without_inline_styles(social_worker: Persona, team: Team) -> None:
    waiting(team, 2, "red")
    waiting(team, 2, "amber")
    body = social_worker.http.get(DASHBOARD).content.decode()
    assert body.count('<svg class="app-chart" role="img"') == 4
    for chart in ("chart-priority", "chart-band", "chart-trend-waiting", "chart-trend-allocated"):
        assert f'aria-labelledby="{chart}-title {chart}-desc"' in body
        assert f'<title id="{chart}-title">' in body
        assert f'<desc id="{chart}-desc">' in body
    assert '<desc id="chart-priority-desc">Red: 1; Amber: 1; Green: 0.' in body
    assert '<rect x="150.0" y="4" width="420.0" height="18" fill="#d4351c">' in body
    assert "style=" not in body  # the CSP is style-src 'self'
    assert "<script" not in body.split('id="main-content"')[1].split("</main>")[0]


@pytest.mark.parametrize("rows", [1, 20])
def test_dashboard_query_count_does_not_grow(
    social_worker: Persona, team: Team, rows: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    today = timezone.localdate()
    for n in range(rows):
        item = waiting(team, n * 10, ("red", "amber", "green")[n % 3], today)
        Breach.objects.create(work_item=item, kind=BreachKind.CONTACT_OVERDUE, due_on=today, detected_at=timezone.now())
        WorkItemFactory(
            team=team,
            opened_at=at_noon(today - timedelta(days=30)),
            first_allocated_at=at_noon(today - timedelta(days=n)),
        )
        handed_off(team, PersonFactory())
    # session, user with memberships (permission), teams for the select,
    # dashboard: waiting rows, 12-week trend, breaches by kind, allocations and hand-offs this week, most hand-offs,
    with django_assert_num_queries(9):
        response = social_worker.http.get(DASHBOARD, {"team": "nw"})
    assert response.status_code == 200


# ---- the download ----------------------------------------------------------------------------


def test_csv_download_has_the_tables_and_logs_each_person_named(social_worker: Persona, team: Team) -> None:
    today = timezone.localdate()
    waiting(team, 2, "red", today)
    often = PersonFactory(given_name="=cmd|' /C calc'!A0", family_name="Often")
    handed_off(team, often, 3)

    response = social_worker.http.get(DASHBOARD, {"team": "nw", "format": "csv"})

    assert response["Content-Disposition"] == f'attachment; filename="dashboard-nw-{today:%Y-%m-%d}.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[:3] == [["Summary"], ["Measure", "Value"], ["Dashboard for", "North West neighbourhood team"]]
    band = rows.index(["Priority by wait band"])
    assert rows[band + 2] == ["Red", "1", "0", "0", "0", "0", "1"]
    trend = rows.index(["Trend over 12 weeks"])
    assert rows[trend + 1] == ["Week ending", "Waiting at the end of the week", "Allocated in the week"]
    assert len(rows[trend + 2 : rows.index(["Most hand-offs"]) - 1]) == 12
    # The name would be a formula in a spreadsheet: it is written as text.
    assert rows[-1] == [
        "'=cmd|' /C calc'!A0 Often",
        "3",
        f"http://127.0.0.1{reverse('people:detail', args=[often.pk])}",
    ]
    event = AccessEvent.objects.get()
    assert (event.user, event.person_id, event.kind) == (social_worker.user, often.pk, AccessKind.EXPORT)


def test_xlsx_download_has_one_sheet_per_table(team_manager: Persona, team: Team) -> None:
    waiting(team, 50, "amber")
    handed_off(team, PersonFactory(given_name="Ada", family_name="Often"), 3)
    handed_off(team, PersonFactory(given_name="Bo", family_name="Twice"), 5)

    response = team_manager.http.get(DASHBOARD, {"format": "xlsx"})

    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Summary", "Priority by wait band", "Trend over 12 weeks", "Most hand-offs"]
    band = [list(r) for r in workbook["Priority by wait band"].iter_rows(values_only=True)]
    assert band[2] == ["Amber", 0, 0, 1, 0, 0, 1]
    assert workbook["Priority by wait band"]["A1"].font.bold
    people = [list(r)[:2] for r in workbook["Most hand-offs"].iter_rows(values_only=True)]
    assert people == [["Name", "Hand-offs"], ["Bo Twice", 5], ["Ada Often", 3]]
    assert AccessEvent.objects.filter(kind=AccessKind.EXPORT, user=team_manager.user).count() == 2


@pytest.mark.parametrize("rows", [1, 20])
def test_download_query_count_does_not_grow(
    social_worker: Persona, team: Team, rows: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for n in range(rows):
        waiting(team, n * 10)
    handed_off(team, PersonFactory())
    # session, user with memberships, teams, the six dashboard queries,
    # one access event per person named (here 1; at most 10)
    with django_assert_num_queries(10):
        response = social_worker.http.get(DASHBOARD, {"format": "xlsx"})
    assert response.status_code == 200


# ---- supervision: access matrix -------------------------------------------------------------


def _worker_url(persona: Persona) -> str:
    return reverse("dashboards:supervision_worker", args=[persona.user.pk])


def _record_url(persona: Persona) -> str:
    return reverse("dashboards:record_supervision", args=[persona.user.pk])


def _session(**overrides: Any) -> dict[str, Any]:
    day = timezone.localdate()
    return {
        "held_on_day": day.day,
        "held_on_month": day.month,
        "held_on_year": day.year,
        "notes": "Talked through the red items",
        "agreed_actions": "Visit Mrs Lee",
        **overrides,
    }


def _supervision_url(route: str, worker: Persona) -> str:
    return {
        "list": SUPERVISION,
        "export": f"{SUPERVISION}?format=csv",
        "worker": _worker_url(worker),
        "worker_export": f"{_worker_url(worker)}?format=csv",
        "record": _record_url(worker),
    }[route]


@pytest.mark.parametrize("route", ["list", "export", "worker", "worker_export", "record"])
def test_supervision_sends_anonymous_users_to_sign_in(anonymous: Client, social_worker: Persona, route: str) -> None:
    url = _supervision_url(route, social_worker)
    response = anonymous.post(url, _session()) if route == "record" else anonymous.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign_in"))
    assert not SupervisionRecord.objects.exists()


@pytest.mark.parametrize("route", ["list", "export", "worker", "worker_export", "record"])
@pytest.mark.parametrize("persona", ["partner", "director"])
def test_supervision_refuses_partners_and_directors(
    request: pytest.FixtureRequest, social_worker: Persona, route: str, persona: str
) -> None:
    user: Persona = request.getfixturevalue(persona)
    url = _supervision_url(route, social_worker)
    response = user.http.post(url, _session()) if route == "record" else user.http.get(url)
    assert response.status_code == 403
    assert not SupervisionRecord.objects.exists()
    assert not AuditEvent.objects.exists()
    assert not AccessEvent.objects.exists()


@pytest.mark.parametrize("persona", ["social_worker", "other_team_manager"])
def test_the_roster_export_is_only_of_the_teams_one_manages(
    request: pytest.FixtureRequest, social_worker: Persona, team: Team, persona: str
) -> None:
    _overdue_red_work(team, social_worker)
    user: Persona = request.getfixturevalue(persona)
    response = user.http.get(SUPERVISION, {"format": "csv"})
    if persona == "social_worker":
        # Staff who manage no team have only their own supervision page: no download.
        assert response.status_code == 302
        assert response["Location"] == _worker_url(social_worker)
    else:
        assert response.status_code == 200
        assert "Sam Okafor" not in response.content.decode()
    assert not AccessEvent.objects.exists()


def _csv_rows(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff"))))


def test_the_roster_downloads_as_csv_with_each_highlight_and_logs_each_person_named(
    team_manager: Persona, social_worker: Persona, director: Persona, team: Team
) -> None:
    item = _overdue_red_work(team, social_worker)
    other = _overdue_red_work(team, social_worker)

    response = team_manager.http.get(SUPERVISION, {"format": "csv"})

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="supervision-')
    rows = _csv_rows(response)
    assert rows[0] == ["Team", "Worker", "Role", "Last supervision", "Highlight", "Detail", "Work"]
    # The director, a member of the team with no work allocated, has nothing to raise.
    assert rows[1] == [team.name, director.user.full_name, "Director", "", "Nothing to raise", "", ""]
    sam = [row for row in rows[1:] if row[1] == "Sam Okafor"]
    assert [row[4] for row in sam] == ["Timescales missed", "Timescales missed", "Red priority", "Red priority"]
    assert f"{item.person.full_name}: Assessment – keep-in-touch contact overdue" in sam[0][5] + sam[1][5]
    assert {row[6] for row in sam} == {
        f"http://127.0.0.1{reverse('work:detail', args=[pk])}" for pk in (item.pk, other.pk)
    }
    events = AccessEvent.objects.all()
    assert {e.person_id for e in events} == {item.person_id, other.person_id}
    assert {(e.kind, e.basis, e.user_id) for e in events} == {
        (AccessKind.EXPORT, "service_oversight", team_manager.user.pk)
    }
    assert events.count() == 2  # one look per person, however many highlights name them


def test_the_roster_downloads_as_xlsx(team_manager: Persona, social_worker: Persona, team: Team) -> None:
    _overdue_red_work(team, social_worker)
    response = team_manager.http.get(SUPERVISION, {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    # Headers, and Sam's two highlights: keep-in-touch overdue, red.
    assert sheet.max_row == 3
    assert sheet["E2"].value == "Timescales missed"
    assert str(sheet["F2"].value).endswith(f"(due {timezone.localdate() - timedelta(days=23):%d/%m/%Y})")
    assert AccessEvent.objects.filter(kind=AccessKind.EXPORT).count() == 1


@pytest.mark.parametrize("rows", [1, 20])
def test_roster_download_query_count_does_not_grow(
    team_manager: Persona,
    make_persona: Callable[..., Persona],
    team: Team,
    rows: int,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    for _ in range(rows):
        _overdue_red_work(team, make_persona(team, Role.SOCIAL_WORKER))
    # session, user with memberships, team members, open items, supervision limits, last sessions,
    # the access log insert
    with django_assert_num_queries(7):
        response = team_manager.http.get(SUPERVISION, {"format": "csv"})
    assert len(_csv_rows(response)) == 1 + 2 * rows


def test_a_manager_of_another_team_gets_404_for_a_worker(other_team_manager: Persona, social_worker: Persona) -> None:
    assert other_team_manager.http.get(_worker_url(social_worker)).status_code == 404
    assert other_team_manager.http.post(_record_url(social_worker), _session()).status_code == 404
    assert not SupervisionRecord.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_worker_gets_404_for_a_colleague(
    social_worker: Persona, make_persona: Callable[..., Persona], team: Team
) -> None:
    colleague = make_persona(team, Role.SOCIAL_WORKER)
    assert social_worker.http.get(_worker_url(colleague)).status_code == 404


def test_an_unknown_worker_is_404(team_manager: Persona) -> None:
    assert team_manager.http.get(reverse("dashboards:supervision_worker", args=[987_654])).status_code == 404


def test_a_worker_reads_their_own_records_but_cannot_write_them(
    social_worker: Persona, team_manager: Persona, team: Team
) -> None:
    SupervisionRecord.objects.create(
        worker=social_worker.user,
        supervisor=team_manager.user,
        team=team,
        held_on=timezone.localdate(),
        notes="<script>alert(1)</script>\nSecond line",
        agreed_actions="Book a visit",
    )
    # The list is for managers: a worker is taken to their own records.
    response = social_worker.http.get(SUPERVISION)
    assert response.status_code == 302
    assert response["Location"] == _worker_url(social_worker)

    body = social_worker.http.get(_worker_url(social_worker)).content.decode()
    assert "These are your own supervision records" in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>Second line" in body
    assert "Book a visit" in body
    assert "Record a supervision session" not in body
    assert social_worker.http.post(_record_url(social_worker), _session()).status_code == 403
    assert SupervisionRecord.objects.count() == 1
    assert not AuditEvent.objects.exists()


def test_a_manager_cannot_record_their_own_supervision(team_manager: Persona) -> None:
    assert team_manager.http.post(_record_url(team_manager), _session()).status_code == 403
    assert not SupervisionRecord.objects.exists()


def test_record_is_post_only(team_manager: Persona, social_worker: Persona) -> None:
    assert team_manager.http.get(_record_url(social_worker)).status_code == 405


# ---- supervision: the pages ------------------------------------------------------------------


def test_manager_sees_their_team_with_highlight_counts(
    team_manager: Persona, social_worker: Persona, other_team_worker: Persona, team: Team
) -> None:
    WorkItemFactory(
        team=team,
        allocated_to=social_worker.user,
        priority="red",
        allocated_at=timezone.now(),
        last_contact_at=timezone.now(),
    )
    body = team_manager.http.get(SUPERVISION).content.decode()
    assert f'href="{_worker_url(social_worker)}">Sam Okafor</a>' in body
    assert other_team_worker.user.full_name not in body
    assert "Red priority" in body


def test_manager_sees_a_workers_highlights_linked_to_the_work(
    team_manager: Persona, social_worker: Persona, team: Team
) -> None:
    item = WorkItemFactory(
        team=team,
        allocated_to=social_worker.user,
        priority="red",
        allocated_at=timezone.now(),
        last_contact_at=timezone.now(),
    )
    body = team_manager.http.get(_worker_url(social_worker)).content.decode()
    assert f'href="{reverse("work:detail", args=[item.pk])}"' in body
    assert reverse("work:detail", args=[item.pk]) == f"/work/items/{item.pk}/"
    assert "Red priority (1)" in body
    assert "Record a supervision session" in body


def test_a_workers_page_raises_allocated_work_whose_keep_in_touch_is_overdue(
    team_manager: Persona, social_worker: Persona, team: Team
) -> None:
    item = _overdue_red_work(team, social_worker)
    body = team_manager.http.get(_worker_url(social_worker)).content.decode()
    assert "Timescales missed (1)" in body
    due = timezone.localdate() - timedelta(days=23)
    assert (
        str(escape(f"{item.person.full_name}: Assessment – keep-in-touch contact overdue (due {due:%d/%m/%Y})")) in body
    )


def test_recording_a_session_saves_it_with_the_highlights_and_redirects(
    team_manager: Persona, social_worker: Persona, team: Team
) -> None:
    item = WorkItemFactory(
        team=team,
        allocated_to=social_worker.user,
        priority="red",
        allocated_at=timezone.now(),
        last_contact_at=timezone.now(),
    )

    response = team_manager.http.post(_record_url(social_worker), _session())

    assert response.status_code == 302
    assert response["Location"] == _worker_url(social_worker)
    record = SupervisionRecord.objects.get()
    assert (record.worker, record.supervisor, record.team) == (social_worker.user, team_manager.user, team)
    assert record.highlights[0]["work_item_id"] == str(item.pk)
    assert AuditEvent.objects.get().action == "supervision.recorded"
    page = team_manager.http.get(response["Location"]).content.decode()
    assert "Supervision with Sam Okafor recorded" in page
    assert "Talked through the red items" in page


def test_a_session_with_errors_is_shown_again_and_nothing_is_saved(
    team_manager: Persona, social_worker: Persona
) -> None:
    future = timezone.localdate() + timedelta(days=3)
    response = team_manager.http.post(
        _record_url(social_worker),
        _session(notes="", held_on_day=future.day, held_on_month=future.month, held_on_year=future.year),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "Date of the session must be today or in the past" in body
    assert "Enter what was discussed" in body
    assert not SupervisionRecord.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_worker_in_two_of_the_managers_teams_needs_a_team_chosen(
    team_manager: Persona, social_worker: Persona, other_team: Team
) -> None:
    Membership.objects.create(user=team_manager.user, team=other_team, role=Role.TEAM_MANAGER)
    Membership.objects.create(user=social_worker.user, team=other_team, role=Role.SOCIAL_WORKER)
    missing = team_manager.http.post(_record_url(social_worker), _session())
    assert "Select the team" in missing.content.decode()
    response = team_manager.http.post(_record_url(social_worker), _session(team=str(other_team.pk)))
    assert response.status_code == 302
    assert SupervisionRecord.objects.get().team == other_team


def _overdue_red_work(team: Team, worker: Persona) -> WorkItem:
    """Red work that waited 30 days, past its weekly keep-in-touch date, then taken by the worker."""
    item = work_services.open_work(
        person=PersonFactory(),
        kind="assessment",
        team=team,
        title="Assessment",
        by=None,
        likelihood=5,
        impact=5,
        opened_at=at_noon(timezone.localdate() - timedelta(days=30)),
    )
    return work_services.allocate(work_item=item, to_user=worker.user, by=worker.user, expected_owner_id=None)


@pytest.mark.parametrize("rows", [1, 20])
def test_supervision_list_query_count_does_not_grow(
    team_manager: Persona,
    make_persona: Callable[..., Persona],
    team: Team,
    rows: int,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    for _ in range(rows):
        worker = make_persona(team, Role.SOCIAL_WORKER)
        _overdue_red_work(team, worker)
        SupervisionRecord.objects.create(
            worker=worker.user, supervisor=team_manager.user, team=team, held_on=timezone.localdate()
        )
    # session, user with memberships, team members, open items, supervision limits,
    # last sessions
    with django_assert_num_queries(6):
        response = team_manager.http.get(SUPERVISION)
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 20])
def test_supervision_worker_page_query_count_does_not_grow(
    team_manager: Persona,
    social_worker: Persona,
    team: Team,
    rows: int,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    for _ in range(rows):
        item = _overdue_red_work(team, social_worker)
        SupervisionRecord.objects.create(
            worker=social_worker.user,
            supervisor=team_manager.user,
            team=team,
            held_on=timezone.localdate(),
            highlights=[{"kind": "red", "text": "x", "work_item_id": str(item.pk)}],
        )
    # session, user with memberships, the worker in the manager's teams,
    # open items, supervision limits, the access-log insert for the people named, past sessions
    with django_assert_num_queries(7):
        response = team_manager.http.get(_worker_url(social_worker))
    assert response.status_code == 200
    logged = AccessEvent.objects.filter(user=team_manager.user, what__startswith="supervision of")
    assert logged.count() == rows and {e.kind for e in logged} == {"view"}


# ---- supervision: one worker's download ------------------------------------------------------

WORKER_EXPORT_HEADERS = [
    "Person reference",
    "Person",
    "Work",
    "Work type",
    "Team",
    "Priority",
    "Why highlighted",
    "Opened",
    "Allocated",
    "Last contact",
    "Next contact due",
    "Due",
    "Work link",
]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("persona", "whose", "expected"),
    [
        ("team_manager", "social_worker", 200),  # a worker in a team they manage
        ("social_worker", "social_worker", 200),  # their own
        ("team_manager", "team_manager", 200),  # a manager's own
        ("other_team_manager", "social_worker", 404),  # a worker in a team they do not manage
        ("social_worker", "colleague", 404),  # a colleague's
        ("team_manager", "other_team_worker", 404),  # a worker outside their teams
        ("partner", "social_worker", 403),
        ("director", "social_worker", 403),
    ],
)
def test_the_worker_download_is_open_to_whoever_may_open_the_page(
    request: pytest.FixtureRequest,
    make_persona: Callable[..., Persona],
    team: Team,
    persona: str,
    whose: str,
    expected: int,
    fmt: str,
) -> None:
    user: Persona = request.getfixturevalue(persona)
    worker = make_persona(team, Role.SOCIAL_WORKER) if whose == "colleague" else request.getfixturevalue(whose)
    _overdue_red_work(worker.user.memberships.get().team, worker)
    url = _worker_url(worker)

    # The download answers as the page does.
    assert user.http.get(url).status_code == expected
    response = user.http.get(url, {"format": fmt})

    assert response.status_code == expected
    exports = AccessEvent.objects.filter(kind=AccessKind.EXPORT)
    if expected == 200:
        assert response["Content-Disposition"].startswith('attachment; filename="supervision-')
        assert response["Cache-Control"] == "no-store"
        assert exports.filter(user=user.user).count() == 1
    else:
        assert not AccessEvent.objects.exists()


def test_an_unknown_worker_download_is_404(team_manager: Persona) -> None:
    url = reverse("dashboards:supervision_worker", args=[987_654])
    assert team_manager.http.get(url, {"format": "csv"}).status_code == 404
    assert not AccessEvent.objects.exists()


def test_the_worker_page_links_to_its_downloads(team_manager: Persona, social_worker: Persona) -> None:
    body = team_manager.http.get(_worker_url(social_worker)).content.decode()
    assert f'href="{_worker_url(social_worker)}?format=csv" download>CSV' in body
    assert f'href="{_worker_url(social_worker)}?format=xlsx" download>Excel' in body
    assert "downloads name the people in them and are logged" in body


def test_the_worker_downloads_as_csv_with_each_piece_of_highlighted_work_and_logs_each_person(
    team_manager: Persona, social_worker: Persona, team: Team
) -> None:
    today = timezone.localdate()
    red = _overdue_red_work(team, social_worker)
    quiet = WorkItemFactory(
        team=team,
        allocated_to=social_worker.user,
        priority="green",
        title="Review",
        allocated_at=at_noon(today - timedelta(days=40)),
        opened_at=at_noon(today - timedelta(days=50)),
    )
    # Allocated work with nothing to raise is not in the download, nor is another worker's work.
    WorkItemFactory(
        team=team,
        allocated_to=social_worker.user,
        priority="green",
        allocated_at=timezone.now(),
        last_contact_at=timezone.now(),
        opened_at=timezone.now(),
    )
    WorkItemFactory(team=team, allocated_to=team_manager.user, priority="red", allocated_at=timezone.now())

    response = team_manager.http.get(_worker_url(social_worker), {"format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="supervision-Sam-Okafor-{today:%Y-%m-%d}.csv"'
    rows = _csv_rows(response)
    assert rows[0] == WORKER_EXPORT_HEADERS
    assert len(rows) == 3
    # The red, overdue work first (timescales missed), its reasons one a line and without the name repeated.
    assert rows[1][:6] == [
        red.person.reference,
        red.person.full_name,
        "Assessment",
        red.get_kind_display(),
        team.name,
        "Red",
    ]
    assert rows[1][6].splitlines() == [
        f"Timescales missed: keep-in-touch contact overdue (due {today - timedelta(days=23):%d/%m/%Y})",
        "Red priority: red priority",
    ]
    assert rows[1][7] == (today - timedelta(days=30)).isoformat() + " 12:00"
    assert rows[1][8].startswith(today.isoformat())
    assert rows[1][10] == (today - timedelta(days=23)).isoformat()
    assert rows[1][12] == f"http://127.0.0.1{reverse('work:detail', args=[red.pk])}"
    assert rows[2][:3] == [quiet.person.reference, quiet.person.full_name, "Review"]
    assert rows[2][6] == "No recent contact: no contact recorded for 40 days (limit 28)"
    assert rows[2][9] == ""

    events = AccessEvent.objects.all()
    assert {e.person_id for e in events} == {red.person_id, quiet.person_id}
    assert {(e.kind, e.basis, e.user_id) for e in events} == {
        (AccessKind.EXPORT, "service_oversight", team_manager.user.pk)
    }
    assert all(e.what == "supervision export (csv) of Sam Okafor" for e in events)


def test_the_worker_downloads_as_xlsx(social_worker: Persona, team: Team) -> None:
    item = _overdue_red_work(team, social_worker)
    response = social_worker.http.get(_worker_url(social_worker), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert [cell.value for cell in sheet[1]] == WORKER_EXPORT_HEADERS
    assert sheet.max_row == 2
    assert sheet["A2"].value == item.person.reference
    assert sheet["H2"].value.date() == timezone.localdate() - timedelta(days=30)
    event = AccessEvent.objects.get()
    assert (event.person_id, event.kind, event.user_id) == (item.person_id, AccessKind.EXPORT, social_worker.user.pk)


@pytest.mark.parametrize("rows", [1, 20])
def test_worker_download_query_count_does_not_grow(
    team_manager: Persona,
    social_worker: Persona,
    team: Team,
    rows: int,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    for _ in range(rows):
        _overdue_red_work(team, social_worker)
    # session, user with memberships, the worker in the manager's teams,
    # open items with their people and teams, supervision limits, the access-log insert
    with django_assert_num_queries(6):
        response = team_manager.http.get(_worker_url(social_worker), {"format": "csv"})
    assert len(_csv_rows(response)) == 1 + rows
    assert AccessEvent.objects.filter(kind=AccessKind.EXPORT).count() == rows
