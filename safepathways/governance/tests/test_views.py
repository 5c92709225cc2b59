import re
from collections.abc import Callable

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse
from markupsafe import escape
from pytest_django import DjangoAssertNumQueries
from pytest_django.asserts import assertRedirects

from safepathways.accounts.models import Role, Team, User
from safepathways.audit.models import AccessBasis, AccessEvent, AccessKind, AuditEvent
from safepathways.conftest import Persona
from safepathways.governance.selectors import PAGE_SIZE
from safepathways.people import services as people_services
from safepathways.people.models import AccessGrant, AccessGrantKind, Person
from safepathways.people.tests.factories import PersonFactory


@pytest.fixture
def grant(other_team_worker: Persona) -> AccessGrant:
    person: Person = PersonFactory.create()
    return people_services.grant_access(
        person=person,
        user=other_team_worker.user,
        kind=AccessGrantKind.DECLARED,
        reason="covering_duty",
        reason_detail="Duty",
    )


@pytest.fixture
def partner_ig_officer(make_persona: Callable[..., Persona], ward_team: Team) -> Persona:
    """An NHS trust's own information governance officer: the role in a partner's team (made directly, as add_user
    and the admin refuse it) gives nothing here. Reviewing access to the council's records is the council's."""
    return make_persona(ward_team, Role.INFORMATION_GOVERNANCE_OFFICER, name="Tara Trust")


def _client(name: str, request: pytest.FixtureRequest) -> Client:
    client: Client = (
        request.getfixturevalue("anonymous") if name == "anonymous_client" else request.getfixturevalue(name).http
    )
    return client


PERSONAS = [
    ("anonymous_client", 302),
    ("partner", 403),
    ("partner_ig_officer", 403),
    ("social_worker", 403),
    ("ig_officer", 200),
]


def _args(page: str, grant: AccessGrant) -> list[object]:
    args: dict[str, list[object]] = {
        "home": [],
        "person_access": [grant.person.pk],
        "user_access": [grant.user.pk],
        "review": [grant.pk],
    }
    return args[page]


def _written() -> tuple[int, int]:
    """The last audit event's id and the last access event's id: what a request writes comes after them."""
    last_audit = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    last_access = AccessEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return last_audit, last_access


def _audited_since(last_audit: int) -> list[str]:
    return list(AuditEvent.objects.filter(id__gt=last_audit).order_by("id").values_list("action", flat=True))


def _assert_sent_to_sign_in(response: HttpResponse, url: str) -> None:
    assert response.status_code == 302
    assert response["Location"] == f"{resolve_url(settings.LOGIN_URL)}?next={url}"


@pytest.mark.parametrize(("persona", "expected"), PERSONAS)
@pytest.mark.parametrize("page", ["home", "person_access", "user_access", "review"])
def test_access_matrix(
    persona: str, expected: int, page: str, grant: AccessGrant, request: pytest.FixtureRequest
) -> None:
    url = reverse(f"governance:{page}", args=_args(page, grant))
    before = _written()
    response = _client(persona, request).get(url)
    if persona == "anonymous_client":
        _assert_sent_to_sign_in(response, url)
    else:
        assert response.status_code == expected
    if expected != 200:
        # A refused look is not a look: it is neither logged as access to a record nor audited.
        assert _written() == before


@pytest.mark.parametrize(("persona", "expected"), [*PERSONAS[:-1], ("ig_officer", 302)])
def test_review_decision_access_matrix(
    persona: str, expected: int, grant: AccessGrant, request: pytest.FixtureRequest
) -> None:
    url = reverse("governance:review", args=[grant.pk])
    last_audit, last_access = _written()
    response = _client(persona, request).post(url, {"outcome": "inappropriate", "note": "No reason to look"})
    grant.refresh_from_db()
    if persona == "anonymous_client":
        _assert_sent_to_sign_in(response, url)
    elif persona != "ig_officer":
        assert response.status_code == expected
    if persona != "ig_officer":
        # Nothing changed: the grant still awaits review and is still in force, and nothing was written.
        assert (grant.reviewed_at, grant.reviewed_by, grant.review_outcome, grant.revoked_at) == (None, None, "", None)
        assert _written() == (last_audit, last_access)
        return
    assertRedirects(response, reverse("governance:home"), fetch_redirect_response=False)
    assert grant.reviewed_by == request.getfixturevalue("ig_officer").user
    assert grant.review_outcome == "inappropriate" and grant.revoked_at is not None
    assert _audited_since(last_audit) == ["access.reviewed"]
    assert _written()[1] == last_access


@pytest.mark.parametrize("persona", [name for name, _ in PERSONAS])
@pytest.mark.parametrize("page", ["home", "person_access", "user_access"])
def test_read_only_screens_refuse_posts(
    persona: str, page: str, grant: AccessGrant, request: pytest.FixtureRequest
) -> None:
    before = _written()
    response = _client(persona, request).post(reverse(f"governance:{page}", args=_args(page, grant)), {})
    assert response.status_code == 405
    assert _written() == before


def test_declared_access_waits_for_review_with_what_was_viewed(
    ig_officer: Persona, other_team_worker: Persona, grant: AccessGrant
) -> None:
    other_team_worker.http.get(reverse("people:detail", args=[grant.person.pk]))
    body = ig_officer.http.get(reverse("governance:home")).content.decode()
    assert grant.person.reference in body
    assert "Declared working relationship" in body
    review = ig_officer.http.get(reverse("governance:review", args=[grant.pk])).content.decode()
    assert "person page" in review
    response = ig_officer.http.post(
        reverse("governance:review", args=[grant.pk]), {"outcome": "appropriate", "note": "OK"}
    )
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.reviewed_by == ig_officer.user
    assert grant.person.reference not in ig_officer.http.get(reverse("governance:home")).content.decode()
    # a reviewed grant cannot be reviewed again
    assert ig_officer.http.get(reverse("governance:review", args=[grant.pk])).status_code == 404


def test_access_judged_not_appropriate_ends_at_once(
    ig_officer: Persona, other_team_worker: Persona, grant: AccessGrant
) -> None:
    record = reverse("people:detail", args=[grant.person.pk])
    assert other_team_worker.http.get(record).status_code == 200
    response = ig_officer.http.post(
        reverse("governance:review", args=[grant.pk]), {"outcome": "inappropriate", "note": "No reason to look"}
    )
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    # The record is closed to them again: as for any council user with no relationship (ADR-004), they are sent to
    # declare one, which IG will see, rather than shown the record.
    again = other_team_worker.http.get(record)
    assert again.status_code == 302
    assert again["Location"].startswith(reverse("people:declare", args=[grant.person.pk]))


def test_review_needs_an_outcome(ig_officer: Persona, grant: AccessGrant) -> None:
    body = ig_officer.http.post(reverse("governance:review", args=[grant.pk]), {}).content.decode()
    assert "There is a problem" in body
    grant.refresh_from_db()
    assert grant.reviewed_at is None


def test_who_looked_at_a_person_and_what_a_user_looked_at(ig_officer: Persona, social_worker: Persona) -> None:
    from safepathways.work.tests.factories import WorkItemFactory

    person = WorkItemFactory(team=social_worker.team).person
    social_worker.http.get(reverse("people:detail", args=[person.pk]))
    by_person = ig_officer.http.get(reverse("governance:person_access", args=[person.pk])).content.decode()
    assert escape(social_worker.user.full_name) in by_person
    by_user = ig_officer.http.get(reverse("governance:user_access", args=[social_worker.user.pk])).content.decode()
    assert person.reference in by_user
    # the IG officer's own look at the access log is itself logged
    assert AccessEvent.objects.filter(user=ig_officer.user, basis=AccessBasis.GOVERNANCE).count() == 1


def test_lookup_by_reference_and_email(ig_officer: Persona, social_worker: Persona) -> None:
    person = PersonFactory()
    response = ig_officer.http.get(reverse("governance:home"), {"reference": person.reference.lower()})
    assert response["Location"] == reverse("governance:person_access", args=[person.pk])
    response = ig_officer.http.get(reverse("governance:home"), {"email": social_worker.user.email})
    assert response["Location"] == reverse("governance:user_access", args=[social_worker.user.pk])
    missing = ig_officer.http.get(reverse("governance:home"), {"reference": "SP0000000"}).content.decode()
    assert "No person has that reference" in missing


@pytest.mark.parametrize("persona", ["partner_ig_officer", "partner", "social_worker"])
def test_lookups_are_refused_and_reveal_nothing(
    persona: str, social_worker: Persona, request: pytest.FixtureRequest
) -> None:
    restricted: Person = PersonFactory.create(is_restricted=True)
    client = _client(persona, request)
    before = _written()
    for query in ({"reference": restricted.reference}, {"email": social_worker.user.email}):
        response = client.get(reverse("governance:home"), query)
        assert response.status_code == 403
        assert restricted.reference not in response.content.decode()
    assert _written() == before


def test_the_menu_offers_governance_to_the_councils_officer_only(
    ig_officer: Persona, partner_ig_officer: Persona
) -> None:
    link = f'href="{reverse("governance:home")}"'
    assert link in ig_officer.http.get(reverse("core:home")).content.decode()
    assert link not in partner_ig_officer.http.get(reverse("core:home")).content.decode()


def _grants(user: User, n: int) -> list[AccessGrant]:
    return [
        people_services.grant_access(
            person=PersonFactory(), user=user, kind=AccessGrantKind.BREAK_GLASS, reason="emergency", reason_detail="x"
        )
        for _ in range(n)
    ]


@pytest.mark.parametrize("rows", [1, 20, PAGE_SIZE + 1])
def test_review_queue_query_count_is_constant(
    ig_officer: Persona, other_team_worker: Persona, rows: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for grant in _grants(other_team_worker.user, rows):
        _log(grant.person, other_team_worker.user, 2, grant=grant)
    # session, user with memberships, count, the page of grants with user and person, their pages-viewed counts
    with django_assert_num_queries(5):
        response = ig_officer.http.get(reverse("governance:home"))
    assert response.status_code == 200
    assert response.content.decode().count('<td class="govuk-table__cell">2</td>') == min(rows, PAGE_SIZE)


def test_a_review_queue_longer_than_a_page_is_paged_oldest_first(
    ig_officer: Persona, other_team_worker: Persona
) -> None:
    grants = _grants(other_team_worker.user, PAGE_SIZE + 2)
    first = ig_officer.http.get(reverse("governance:home")).content.decode()
    second = ig_officer.http.get(reverse("governance:home"), {"page": 2}).content.decode()
    assert f"{PAGE_SIZE + 2} awaiting review, oldest first: page 1 of 2." in first
    assert "page 2 of 2." in second
    on_first = {g.pk for g in grants if reverse("governance:review", args=[g.pk]) in first}
    on_second = {g.pk for g in grants if reverse("governance:review", args=[g.pk]) in second}
    # Each grant is on one page only, and the two granted last wait on the second.
    assert (len(on_first), len(on_second)) == (PAGE_SIZE, 2)
    assert on_second == {grants[-2].pk, grants[-1].pk}


@pytest.mark.parametrize("rows", [1, 20, PAGE_SIZE + 1])
def test_review_page_query_count_is_constant(
    ig_officer: Persona,
    grant: AccessGrant,
    rows: int,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    _log(grant.person, grant.user, rows, grant=grant)
    # session, user with memberships, the grant with its user and person, count, the page of what was viewed
    with django_assert_num_queries(5):
        response = ig_officer.http.get(reverse("governance:review", args=[grant.pk]))
    assert response.status_code == 200


def test_what_a_grant_was_used_for_is_paged_with_its_total(ig_officer: Persona, grant: AccessGrant) -> None:
    _log(grant.person, grant.user, PAGE_SIZE + 5, grant=grant)
    _log(grant.person, grant.user, 3)  # looks at the record on another basis are not the grant's
    url = reverse("governance:review", args=[grant.pk])
    first = ig_officer.http.get(url).content.decode()
    assert re.search(rf"Pages viewed\s*</dt>\s*<dd[^>]*>\s*{PAGE_SIZE + 5}\s*</dd>", first)
    assert "Oldest first: page 1 of 2." in first
    assert first.count(": person page</li>") == PAGE_SIZE
    second = ig_officer.http.get(url, {"page": 2}).content.decode()
    assert second.count(": person page</li>") == 5


@pytest.mark.parametrize("rows", [1, 20])
def test_access_log_query_count_is_constant(
    ig_officer: Persona, social_worker: Persona, rows: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    from safepathways.work.tests.factories import WorkItemFactory

    person = WorkItemFactory(team=social_worker.team).person
    for _ in range(rows):
        social_worker.http.get(reverse("people:detail", args=[person.pk]))
    # session, user with memberships, person, access-event insert, count, events
    with django_assert_num_queries(6):
        ig_officer.http.get(reverse("governance:person_access", args=[person.pk]))
    # session, user with memberships, user, count, events, people
    with django_assert_num_queries(6):
        ig_officer.http.get(reverse("governance:user_access", args=[social_worker.user.pk]))


BASIS, KIND = AccessBasis.RELATIONSHIP, AccessKind.VIEW


def _log(person: Person, user: object, n: int, grant: AccessGrant | None = None) -> None:
    from django.utils import timezone

    basis = BASIS
    if grant:
        basis = AccessBasis.DECLARED if grant.kind == AccessGrantKind.DECLARED else AccessBasis.BREAK_GLASS
    AccessEvent.objects.bulk_create(
        AccessEvent(
            occurred_at=timezone.now(),
            user=user,
            person_id=person.pk,
            what="person page",
            basis=basis,
            kind=KIND,
            grant_id=grant.pk if grant else None,
        )
        for _ in range(n)
    )


def test_an_access_log_longer_than_a_page_is_paged(ig_officer: Persona, social_worker: Persona) -> None:
    person: Person = PersonFactory.create()
    _log(person, social_worker.user, PAGE_SIZE + 5)
    url = reverse("governance:person_access", args=[person.pk])
    first = ig_officer.http.get(url).content.decode()
    # The officer's own look at the log is logged before the log is read, so it is the newest entry.
    assert f"{PAGE_SIZE + 6} entries, page 1 of 2" in first
    assert first.count("Viewed record: person page") == PAGE_SIZE - 1
    second = ig_officer.http.get(url, {"page": 2}).content.decode()
    assert second.count("Viewed record: person page") == 7  # and now a second look at the log on page 1
    by_user = ig_officer.http.get(reverse("governance:user_access", args=[social_worker.user.pk]), {"page": 2})
    assert by_user.content.decode().count("Viewed record: person page") == 5


def test_the_whole_access_log_downloads_and_the_download_is_logged(ig_officer: Persona, social_worker: Persona) -> None:
    person: Person = PersonFactory.create()
    _log(person, social_worker.user, PAGE_SIZE + 5)
    response = ig_officer.http.get(reverse("governance:person_access", args=[person.pk]), {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0] == "When,Who,Email,What,Basis"
    assert sum(social_worker.user.email in line for line in lines) == PAGE_SIZE + 5
    assert AccessEvent.objects.filter(user=ig_officer.user, what="access log export (csv)").count() == 1
    by_user = ig_officer.http.get(reverse("governance:user_access", args=[social_worker.user.pk]), {"format": "xlsx"})
    assert by_user.status_code == 200 and "spreadsheetml" in by_user["Content-Type"]


@pytest.mark.parametrize("rows", [1, 30])
@pytest.mark.parametrize("log", ["person", "user"])
def test_access_log_downloads_read_a_constant_number_of_queries(
    log: str,
    rows: int,
    ig_officer: Persona,
    social_worker: Persona,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    person: Person = PersonFactory.create()
    _log(person, social_worker.user, rows)
    url = (
        reverse("governance:person_access", args=[person.pk])
        if log == "person"
        else reverse("governance:user_access", args=[social_worker.user.pk])
    )
    with django_assert_num_queries(EXPORT_QUERIES[log]):
        response = ig_officer.http.get(url, {"format": "csv"})
    assert response.status_code == 200


# person: session, user with memberships, the person, the officer's look logged, every event with its user;
# user: session, user with memberships, the user, every event, the references of the people in them, and the
# officer's look at each of those people logged in one insert
EXPORT_QUERIES = {"person": 5, "user": 6}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_downloading_what_a_user_looked_at_logs_a_look_at_each_person_in_it(
    fmt: str, ig_officer: Persona, social_worker: Persona
) -> None:
    seen: list[Person] = PersonFactory.create_batch(3)
    for person in seen:
        _log(person, social_worker.user, 2)
    not_seen: Person = PersonFactory.create()
    url = reverse("governance:user_access", args=[social_worker.user.pk])
    response = ig_officer.http.get(url, {"format": fmt})
    assert response.status_code == 200
    events = AccessEvent.objects.filter(user=ig_officer.user)
    # One event per person listed (not per row), under the governance basis, as an export.
    assert sorted(str(e.person_id) for e in events) == sorted(str(p.pk) for p in seen)
    assert {(e.kind, e.basis, e.what) for e in events} == {
        (AccessKind.EXPORT, AccessBasis.GOVERNANCE, f"access log of {social_worker.user.email} export ({fmt})")
    }
    assert not events.filter(person_id=not_seen.pk).exists()
    # The IG officer's own looks are now in each person's access log.
    page = ig_officer.http.get(reverse("governance:person_access", args=[seen[0].pk])).content.decode()
    assert "Exported: access log of" in page
