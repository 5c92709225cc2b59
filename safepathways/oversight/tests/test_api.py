"""The oversight API over real routing: who may do what, errors that name the field, pinned query counts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from safepathways.accounts.models import User
from safepathways.conftest import Persona
from safepathways.oversight import services
from safepathways.oversight.models import EscalationLevel, PlacementSuspension, Vacancy
from safepathways.oversight.tests.factories import ProviderConcernFactory
from safepathways.people.tests.factories import PersonFactory
from safepathways.providers.models import Location, ProviderConcern
from safepathways.providers.tests.factories import LocationFactory

pytestmark = pytest.mark.django_db
Levels = dict[str, EscalationLevel]


def _api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


class TestConcerns:
    def test_raise_escalate_and_read(self, quality_officer: Persona, rose_house: Location, levels: Levels) -> None:
        person = PersonFactory.create()
        client = _api(quality_officer.user)
        created = client.post(
            reverse("api:oversight_concerns"),
            {
                "provider": str(rose_house.provider_id),
                "location": str(rose_house.pk),
                "source": "cqc",
                "category": "cqc_findings",
                "summary": "Warning notice served",
                "people": [person.reference],
            },
            format="json",
        )
        assert created.status_code == 201, created.json()
        pk = created.json()["id"]
        assert created.json()["level"] is None
        escalated = client.post(
            reverse("api:oversight_concern_escalations", args=[pk]),
            {"level": "provider_concerns_meeting", "reason": "Warning notice", "actions_agreed": "Improvement plan"},
            format="json",
        )
        assert escalated.status_code == 201, escalated.json()
        body = escalated.json()
        assert body["level"] == "provider_concerns_meeting"
        assert body["people"] == [person.reference]
        assert [h["kind"] for h in body["history"]] == ["level_set"]
        assert PlacementSuspension.objects.filter(location=rose_house).exists()
        assert client.get(reverse("api:oversight_concern", args=[pk])).json()["summary"] == "Warning notice served"

    def test_errors_name_the_field(self, quality_officer: Persona, rose_house: Location) -> None:
        client = _api(quality_officer.user)
        response = client.post(
            reverse("api:oversight_concerns"),
            {"provider": str(rose_house.provider_id), "summary": "x", "people": ["SP0000000"]},
            format="json",
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "people"
        concern: ProviderConcern = ProviderConcernFactory.create(location=rose_house, raised_by=quality_officer.user)
        bad_level = client.post(
            reverse("api:oversight_concern_escalations", args=[concern.pk]),
            {"level": "nope", "reason": "r"},
            format="json",
        )
        assert bad_level.json()["errors"][0]["field"] == "level"
        past = client.post(
            reverse("api:oversight_concern_escalations", args=[concern.pk]),
            {"level": "emerging_concern", "reason": "r", "review_on": "2000-01-01"},
            format="json",
        )
        assert past.status_code == 400
        assert past.json()["errors"][0]["field"] == "review_on"

    def test_access(
        self,
        partner: Persona,
        director: Persona,
        social_worker: Persona,
        rose_house: Location,
        quality_officer: Persona,
    ) -> None:
        concern: ProviderConcern = ProviderConcernFactory.create(location=rose_house, raised_by=quality_officer.user)
        assert APIClient().get(reverse("api:oversight_concerns")).status_code in (401, 403)
        assert _api(partner.user).get(reverse("api:oversight_concerns")).status_code == 403
        assert _api(social_worker.user).get(reverse("api:oversight_concern", args=[concern.pk])).status_code == 403
        assert _api(director.user).get(reverse("api:oversight_concerns")).status_code == 200
        refused = _api(director.user).post(
            reverse("api:oversight_concern_escalations", args=[concern.pk]),
            {"level": "emerging_concern", "reason": "r"},
            format="json",
        )
        assert refused.status_code == 403
        raised = _api(partner.user).post(
            reverse("api:oversight_concerns"),
            {"provider": str(rose_house.provider_id), "source": "staff", "summary": "Lost medicines"},
            format="json",
        )
        assert raised.status_code == 201
        assert raised.json()["source"] == "partner"

    @pytest.mark.parametrize("rows", [1, 20])
    def test_list_query_count_is_constant(
        self, quality_officer: Persona, levels: Levels, rows: int, django_assert_num_queries: DjangoAssertNumQueries
    ) -> None:
        for _ in range(rows):
            concern: ProviderConcern = ProviderConcernFactory.create(raised_by=quality_officer.user)
            services.escalate_concern(
                concern=concern,
                level=levels["emerging_concern"],
                reason="r",
                owner=quality_officer.user,
                review_on=None,
                by=quality_officer.user,
            )
        client = _api(quality_officer.user)
        # memberships, count, page (with provider, location, case, level, owner)
        with django_assert_num_queries(3):
            response = client.get(reverse("api:oversight_concerns"))
        assert response.json()["count"] == rows


class TestVacancies:
    def test_a_provider_updates_its_own_location_by_cqc_id(
        self, provider_partner: Persona, rose_house: Location
    ) -> None:
        other = LocationFactory.create(cqc_location_id="1-900000099")
        client = _api(provider_partner.user)
        url = reverse("api:oversight_vacancy", args=[rose_house.cqc_location_id, "nursing"])
        response = client.put(url, {"available": 4}, format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["available"] == 4
        assert Vacancy.objects.get().source == "api"
        too_many = client.put(url, {"available": 41}, format="json")
        assert too_many.status_code == 400
        assert too_many.json()["detail"] == "Rose House has 40 registered places; 41 is more than that"
        assert too_many.json()["errors"][0]["field"] == "available"
        negative = client.put(url, {"available": -1}, format="json")
        assert negative.status_code == 400
        elsewhere = reverse("api:oversight_vacancy", args=[other.cqc_location_id, "nursing"])
        assert client.put(elsewhere, {"available": 1}, format="json").status_code == 404
        assert (
            client.put(
                reverse("api:oversight_vacancy", args=[rose_house.cqc_location_id, "suite"]),
                {"available": 1},
                format="json",
            ).status_code
            == 404
        )
        listed = client.get(reverse("api:oversight_vacancies")).json()
        assert [row["location_name"] for row in listed["results"]] == ["Rose House"]

    def test_access(self, partner: Persona, social_worker: Persona, director: Persona, rose_house: Location) -> None:
        url = reverse("api:oversight_vacancy", args=[rose_house.cqc_location_id, "nursing"])
        assert _api(partner.user).get(reverse("api:oversight_vacancies")).status_code == 403
        assert _api(social_worker.user).get(reverse("api:oversight_vacancies")).status_code == 403
        assert _api(director.user).get(reverse("api:oversight_vacancies")).status_code == 200
        assert _api(director.user).put(url, {"available": 1}, format="json").status_code == 403
        assert not Vacancy.objects.exists()

    def test_filter_by_bed_type(self, director: Persona, rose_house: Location) -> None:
        services.record_vacancy(location=rose_house, bed_type="nursing", available=1, by=None, source="staff")
        services.record_vacancy(location=rose_house, bed_type="respite", available=1, by=None, source="staff")
        client = _api(director.user)
        body = client.get(reverse("api:oversight_vacancies"), {"bed_type": "respite"}).json()
        assert [row["bed_type"] for row in body["results"]] == ["respite"]
        assert client.get(reverse("api:oversight_vacancies"), {"bed_type": "suite"}).status_code == 400

    @pytest.mark.parametrize("rows", [1, 20])
    def test_list_query_count_is_constant(
        self, director: Persona, quality_officer: Persona, rows: int, django_assert_num_queries: DjangoAssertNumQueries
    ) -> None:
        for n in range(rows):
            location = LocationFactory.create()
            services.record_vacancy(location=location, bed_type="nursing", available=n % 4, by=None, source="staff")
            if n == 0:
                services.suspend_placements_at(
                    location=location,
                    starts_on=timezone.localdate() - timedelta(days=1),
                    ends_on=None,
                    reason="r",
                    by=quality_officer.user,
                )
        client = _api(director.user)
        # memberships, count, page (with location, provider, updated_by), suspended ids
        with django_assert_num_queries(4):
            response = client.get(reverse("api:oversight_vacancies"))
        assert response.json()["count"] == rows
