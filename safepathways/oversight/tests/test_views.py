"""Every oversight page: the access matrix, the journeys through the forms, and pinned query counts."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from safepathways.audit.models import AuditEvent
from safepathways.conftest import Persona
from safepathways.oversight import services
from safepathways.oversight.models import EscalationLevel, PlacementSuspension, Vacancy
from safepathways.oversight.tests.factories import ProviderConcernFactory
from safepathways.people.tests.factories import PersonFactory
from safepathways.providers.models import Location, ProviderConcern
from safepathways.providers.tests.factories import LocationFactory

Levels = dict[str, EscalationLevel]


@pytest.fixture
def concern(rose_house: Location, quality_officer: Persona) -> ProviderConcern:
    found: ProviderConcern = ProviderConcernFactory.create(location=rose_house, raised_by=quality_officer.user)
    return found


def _client(persona: str, request: pytest.FixtureRequest) -> Client:
    if persona == "anonymous":
        client: Client = request.getfixturevalue("anonymous")
        return client
    found: Persona = request.getfixturevalue(persona)
    return found.http


READERS = ["quality_officer", "contingency_lead", "team_manager", "director"]
REFUSED = ["social_worker", "partner", "provider_partner"]

PAGES: dict[str, Callable[[ProviderConcern, Location], str]] = {
    "dashboard": lambda c, loc: reverse("oversight:dashboard"),
    "concerns": lambda c, loc: reverse("oversight:concerns"),
    "concern": lambda c, loc: reverse("oversight:concern", args=[c.pk]),
    "location": lambda c, loc: reverse("oversight:location", args=[loc.pk]),
}
MANAGE_PAGES: dict[str, Callable[[ProviderConcern, Location], str]] = {
    "close_concern": lambda c, loc: reverse("oversight:close_concern", args=[c.pk]),
    "suspend": lambda c, loc: reverse("oversight:suspend", args=[loc.pk]),
    "rating": lambda c, loc: reverse("oversight:rating", args=[loc.pk]),
    "import_capacity": lambda c, loc: reverse("oversight:import_capacity"),
}


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 302), *((p, 200) for p in READERS), *((p, 403) for p in REFUSED)],
)
def test_read_pages_access_matrix(
    page: str,
    persona: str,
    expected: int,
    concern: ProviderConcern,
    rose_house: Location,
    request: pytest.FixtureRequest,
) -> None:
    response = _client(persona, request).get(PAGES[page](concern, rose_house))
    assert response.status_code == expected


@pytest.mark.parametrize("page", list(MANAGE_PAGES))
@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", 302),
        ("quality_officer", 200),
        ("director", 403),
        ("contingency_lead", 403),
        ("provider_partner", 403),
    ],
)
def test_manage_pages_access_matrix(
    page: str,
    persona: str,
    expected: int,
    concern: ProviderConcern,
    rose_house: Location,
    request: pytest.FixtureRequest,
) -> None:
    response = _client(persona, request).get(MANAGE_PAGES[page](concern, rose_house))
    assert response.status_code == expected


def test_missing_records_are_404(quality_officer: Persona) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    assert quality_officer.http.get(reverse("oversight:concern", args=[missing])).status_code == 404
    assert quality_officer.http.get(reverse("oversight:location", args=[missing])).status_code == 404


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 302), ("director", 403), ("quality_officer", 302)],
)
def test_escalate_access_matrix_changes_nothing_when_refused(
    persona: str, expected: int, concern: ProviderConcern, levels: Levels, request: pytest.FixtureRequest
) -> None:
    officer: Persona = request.getfixturevalue("quality_officer")
    response = _client(persona, request).post(
        reverse("oversight:escalate", args=[concern.pk]),
        {
            "level": "large_scale_enquiry",
            "reason": "Allegations",
            "owner": str(officer.user.pk),
            "suspend_placements": "level",
        },
    )
    assert response.status_code == expected
    if persona == "quality_officer":
        assert PlacementSuspension.objects.count() == 1
    else:
        assert not PlacementSuspension.objects.exists()
        assert not AuditEvent.objects.exists()


def test_escalation_form_errors_are_shown(quality_officer: Persona, concern: ProviderConcern) -> None:
    response = quality_officer.http.post(
        reverse("oversight:escalate", args=[concern.pk]), {"level": "emerging_concern"}
    )
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()


class TestRaiseConcern:
    @pytest.mark.parametrize(
        ("persona", "expected"),
        [("anonymous", 302), ("social_worker", 200), ("partner", 200), ("quality_officer", 200)],
    )
    def test_access_matrix(self, persona: str, expected: int, request: pytest.FixtureRequest) -> None:
        assert _client(persona, request).get(reverse("oversight:raise_concern")).status_code == expected

    def test_staff_link_people_by_reference(self, social_worker: Persona, rose_house: Location) -> None:
        person = PersonFactory.create()
        post = {
            "provider": str(rose_house.provider_id),
            "location": str(rose_house.pk),
            "source": "whistleblowing",
            "category": "staffing",
            "summary": "Night shifts with one carer",
            "people": f"{person.reference.lower()}, SP9999999",
        }
        refused = social_worker.http.post(reverse("oversight:raise_concern"), post)
        assert "No council record has the reference SP9999999" in refused.content.decode()
        post["people"] = person.reference
        response = social_worker.http.post(reverse("oversight:raise_concern"), post)
        assert response.status_code == 302
        created = ProviderConcern.objects.get()
        assert created.source == "whistleblowing"
        assert list(created.people.all()) == [person]

    def test_a_partners_concern_is_recorded_as_from_a_partner(self, partner: Persona, rose_house: Location) -> None:
        response = partner.http.post(
            reverse("oversight:raise_concern"),
            {"provider": str(rose_house.provider_id), "category": "medication", "summary": "Discharge medicines lost"},
        )
        assert response.status_code == 302
        assert ProviderConcern.objects.get().source == "partner"


def test_close_and_suspend_and_lift_through_the_pages(
    quality_officer: Persona, concern: ProviderConcern, rose_house: Location
) -> None:
    day = timezone.localdate()
    http = quality_officer.http
    response = http.post(
        reverse("oversight:suspend", args=[rose_house.pk]),
        {"starts_on_day": day.day, "starts_on_month": day.month, "starts_on_year": day.year, "reason": "Embargo"},
    )
    assert response.status_code == 302
    assert (
        "New placements are suspended" in http.get(reverse("oversight:location", args=[rose_house.pk])).content.decode()
    )
    assert http.post(reverse("oversight:lift", args=[rose_house.pk]), {"reason": "Improved"}).status_code == 302
    assert http.get(reverse("oversight:lift", args=[rose_house.pk])).status_code == 404
    assert http.post(reverse("oversight:close_concern", args=[concern.pk]), {"reason": "Resolved"}).status_code == 302
    concern.refresh_from_db()
    assert concern.status == "closed"


class TestVacancies:
    @pytest.mark.parametrize(
        ("persona", "expected"),
        [
            ("anonymous", 302),
            ("quality_officer", 200),
            ("director", 200),
            ("contingency_lead", 200),
            ("provider_partner", 200),
            ("social_worker", 403),
            ("partner", 403),
        ],
    )
    def test_list_access_matrix(self, persona: str, expected: int, request: pytest.FixtureRequest) -> None:
        assert _client(persona, request).get(reverse("oversight:vacancies")).status_code == expected

    @pytest.mark.parametrize(
        ("persona", "expected"),
        [("anonymous", 302), ("quality_officer", 200), ("provider_partner", 200), ("director", 403), ("partner", 403)],
    )
    def test_edit_access_matrix(
        self, persona: str, expected: int, rose_house: Location, request: pytest.FixtureRequest
    ) -> None:
        assert (
            _client(persona, request).get(reverse("oversight:edit_vacancies", args=[rose_house.pk])).status_code
            == expected
        )

    def test_a_provider_sees_and_edits_only_its_own_locations(
        self, provider_partner: Persona, rose_house: Location
    ) -> None:
        other = LocationFactory.create(name="Elsewhere House")
        page = provider_partner.http.get(reverse("oversight:vacancies")).content.decode()
        assert "Rose House" in page
        assert "Elsewhere House" not in page
        assert provider_partner.http.get(reverse("oversight:edit_vacancies", args=[other.pk])).status_code == 404
        response = provider_partner.http.post(
            reverse("oversight:edit_vacancies", args=[rose_house.pk]), {"nursing": "2", "residential": "0"}
        )
        assert response.status_code == 302
        assert dict(Vacancy.objects.values_list("bed_type", "available")) == {"nursing": 2, "residential": 0}
        assert set(Vacancy.objects.values_list("source", flat=True)) == {"provider"}

    def test_too_many_beds_are_refused_with_the_places(self, quality_officer: Persona, rose_house: Location) -> None:
        response = quality_officer.http.post(
            reverse("oversight:edit_vacancies", args=[rose_house.pk]), {"nursing": "45"}
        )
        assert "Rose House has 40 registered places; 45 is more than that" in response.content.decode()
        assert not Vacancy.objects.exists()

    def test_import_page_refuses_a_bad_file_listing_problems(
        self, quality_officer: Persona, rose_house: Location
    ) -> None:
        bad = SimpleUploadedFile("ct.csv", b"location_cqc_id,bed_type,vacancies\n1-900000001,nursing,-1\n")
        response = quality_officer.http.post(reverse("oversight:import_capacity"), {"file": bad})
        assert response.status_code == 400
        assert "Row 2, column vacancies: must be 0 or more" in response.content.decode()
        good = SimpleUploadedFile("ct.csv", b"location_cqc_id,bed_type,vacancies\n1-900000001,nursing,2\n")
        assert quality_officer.http.post(reverse("oversight:import_capacity"), {"file": good}).status_code == 302
        assert Vacancy.objects.get().available == 2


# --- pinned query counts ----------------------------------------------------------------------------------------------


def _many_concerns(rows: int, by: Persona, levels: Levels) -> None:
    for n in range(rows):
        location = LocationFactory.create()
        concern: ProviderConcern = ProviderConcernFactory.create(
            location=location, raised_by=by.user, source="safeguarding_enquiry"
        )
        concern.people.add(PersonFactory.create())
        services.escalate_concern(
            concern=concern,
            level=levels["emerging_concern"] if n % 2 else levels["provider_concerns_meeting"],
            reason="r",
            owner=by.user,
            review_on=timezone.localdate() + timedelta(days=3),
            by=by.user,
        )
        services.record_vacancy(location=location, bed_type="nursing", available=n % 3, by=None, source="staff")
        services.record_vacancy(location=location, bed_type="residential", available=1, by=None, source="staff")


@pytest.mark.parametrize("rows", [1, 20])
def test_concerns_list_query_count_is_constant(
    quality_officer: Persona, levels: Levels, rows: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    _many_concerns(rows, quality_officer, levels)
    # session, user with memberships, levels (filter form), providers (filter form), count, page
    with django_assert_num_queries(6):
        response = quality_officer.http.get(reverse("oversight:concerns"))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 20])
def test_dashboard_query_count_is_constant(
    quality_officer: Persona, levels: Levels, rows: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    _many_concerns(rows, quality_officer, levels)
    # session, user with memberships, settings, counts by level, levels, unassessed, overdue, ratings, clusters,
    # suspensions
    with django_assert_num_queries(10):
        response = quality_officer.http.get(reverse("oversight:dashboard"))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 20])
def test_vacancies_query_count_is_constant(
    quality_officer: Persona, levels: Levels, rows: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    _many_concerns(rows, quality_officer, levels)
    # session, user with memberships, count, page, vacancies (prefetch), suspended ids
    with django_assert_num_queries(6):
        response = quality_officer.http.get(reverse("oversight:vacancies"))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 20])
def test_concern_detail_query_count_is_constant(
    quality_officer: Persona,
    rose_house: Location,
    levels: Levels,
    rows: int,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    concern: ProviderConcern = ProviderConcernFactory.create(location=rose_house, raised_by=quality_officer.user)
    for n in range(rows):
        concern.people.add(PersonFactory.create())
        services.escalate_concern(
            concern=concern,
            level=levels["routine_monitoring"] if n % 2 else levels["emerging_concern"],
            reason=f"review {n}",
            owner=quality_officer.user,
            review_on=None,
            by=quality_officer.user,
        )
    # session, user with memberships, concern, people, escalations, suspensions, current suspension,
    # levels and owners (form)
    with django_assert_num_queries(9):
        response = quality_officer.http.get(reverse("oversight:concern", args=[concern.pk]))
    assert response.status_code == 200
