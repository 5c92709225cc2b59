"""Access matrix, the incident journey's pages and pinned query counts."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from markupsafe import escape
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from safepathways.audit.models import AccessEvent
from safepathways.conftest import Persona
from safepathways.continuity.models import AffectedPerson, Incident
from safepathways.people.models import Person
from safepathways.providers.models import Location

pytestmark = pytest.mark.django_db

PAGES = ["continuity:home", "continuity:protocol", "continuity:plans", "continuity:emergency"]


class TestAccess:
    @pytest.mark.parametrize("name", PAGES)
    def test_anonymous_users_sign_in(self, anonymous: Client, name: str) -> None:
        response = anonymous.get(reverse(name))
        assert response.status_code == 302
        assert "sign-in" in response["Location"]

    @pytest.mark.parametrize("name", PAGES)
    def test_partners_are_refused(self, partner: Persona, police_partner: Persona, name: str) -> None:
        assert partner.http.get(reverse(name)).status_code == 403
        assert police_partner.http.get(reverse(name)).status_code == 403

    @pytest.mark.parametrize("name", PAGES)
    def test_council_staff_and_directors_read(
        self, social_worker: Persona, director: Persona, lead: Persona, name: str
    ) -> None:
        for persona in (social_worker, director, lead):
            assert persona.http.get(reverse(name)).status_code == 200

    def test_only_those_who_may_open_an_incident_see_the_form(
        self, social_worker: Persona, lead: Persona, team_manager: Persona
    ) -> None:
        assert social_worker.http.get(reverse("continuity:new_incident")).status_code == 403
        assert lead.http.get(reverse("continuity:new_incident")).status_code == 200
        assert team_manager.http.get(reverse("continuity:new_incident")).status_code == 200

    def test_partners_never_see_an_incident(
        self, open_flood: Callable[[], Incident], make_resident: Callable[..., Person], partner: Persona
    ) -> None:
        make_resident()
        incident = open_flood()
        affected = incident.affected.get()
        assert partner.http.get(reverse("continuity:incident", args=[incident.pk])).status_code == 403
        assert partner.http.get(reverse("continuity:affected", args=[affected.pk])).status_code == 403
        api = APIClient()
        api.force_authenticate(partner.user)
        assert api.get(reverse("api:incidents")).status_code == 403

    def test_only_the_contingency_lead_changes_the_protocol_or_closes(
        self, open_flood: Callable[[], Incident], social_worker: Persona, lead: Persona
    ) -> None:
        incident = open_flood()
        assert social_worker.http.get(reverse("continuity:protocol_step", args=["safe_now"])).status_code == 403
        assert social_worker.http.post(reverse("continuity:close", args=[incident.pk])).status_code == 403
        assert lead.http.get(reverse("continuity:protocol_step", args=["safe_now"])).status_code == 200


class TestPages:
    def test_opening_an_incident_from_the_form(
        self, lead: Persona, flooded_home: Location, make_resident: Callable[..., Person]
    ) -> None:
        make_resident()
        now = timezone.localtime() - timedelta(minutes=5)
        response = lead.http.post(
            reverse("continuity:new_incident"),
            {
                "kind": "flood",
                "title": "Flood at Rose House",
                "location": flooded_home.pk,
                "what_happened": "Water through the ground floor",
                "started_on_day": now.day,
                "started_on_month": now.month,
                "started_on_year": now.year,
                "started_time": now.strftime("%H:%M"),
                "lead": lead.user.pk,
            },
        )
        assert response.status_code == 302
        incident = Incident.objects.get()
        page = lead.http.get(response["Location"]).content.decode()
        assert escape(incident.affected.get().name) in page
        assert "Care Act 2014 s19(3)" in page
        assert AccessEvent.objects.filter(user=lead.user, basis="incident").count() == 1

    def test_closing_with_people_waiting_says_who(
        self, open_flood: Callable[[], Incident], make_resident: Callable[..., Person], lead: Persona
    ) -> None:
        make_resident(given_name="Ada", family_name="Lovell")
        incident = open_flood()
        response = lead.http.post(reverse("continuity:close", args=[incident.pk]), follow=True)
        assert "1 person has no confirmed outcome yet: Ada Lovell" in response.content.decode()
        incident.refresh_from_db()
        assert incident.is_open

    def test_reserving_and_moving_from_the_person_page(
        self,
        open_flood: Callable[[], Incident],
        make_resident: Callable[..., Person],
        vacancies: dict[str, Location],
        lead: Persona,
    ) -> None:
        make_resident()
        affected = open_flood().affected.get()
        url = reverse("continuity:affected", args=[affected.pk])
        assert "Heath View" in lead.http.get(url).content.decode()
        lead.http.post(
            reverse("continuity:reserve", args=[affected.pk]),
            {"location": vacancies["near"].pk, "bed_type": "residential"},
        )
        response = lead.http.post(reverse("continuity:outcome", args=[affected.pk]), {"outcome-outcome": "moved"})
        assert response.status_code == 302
        affected.refresh_from_db()
        assert affected.outcome == "moved" and affected.transition_plan_id is not None


class TestQueries:
    @pytest.mark.parametrize("count", [1, 20])
    def test_the_incident_page_query_count_does_not_grow(
        self,
        open_flood: Callable[[], Incident],
        make_resident: Callable[..., Person],
        vacancies: dict[str, Location],
        lead: Persona,
        django_assert_num_queries: DjangoAssertNumQueries,
        count: int,
    ) -> None:
        for _ in range(count):
            make_resident()
        incident = open_flood()
        url = reverse("continuity:incident", args=[incident.pk])
        lead.http.get(url)
        # session, user with memberships; incident; affected, their steps, their alerts; incident steps; vacancies;
        # postcode centres; access events.
        with django_assert_num_queries(10):
            response = lead.http.get(url)
        assert response.content.decode().count("/continuity/affected/") == count
        assert AffectedPerson.objects.filter(incident=incident).count() == count

    @pytest.mark.parametrize("count", [1, 20])
    def test_the_affected_api_query_count_does_not_grow(
        self,
        open_flood: Callable[[], Incident],
        make_resident: Callable[..., Person],
        vacancies: dict[str, Location],
        lead: Persona,
        django_assert_num_queries: DjangoAssertNumQueries,
        count: int,
    ) -> None:
        for _ in range(count):
            make_resident()
        incident = open_flood()
        api = APIClient()
        api.force_authenticate(lead.user)
        url = reverse("api:incident_affected", args=[incident.pk])
        api.get(url)
        # incident; affected, steps, alerts; incident steps; vacancies; postcode centres; access events.
        with django_assert_num_queries(8):
            response = api.get(url)
        body = response.json()
        assert len(body) == count
        assert body[0]["options"][0]["location_name"] == "Heath View"


class TestContinuityPlansAndEmergency:
    def test_a_manager_writes_a_plan_with_scenarios_and_critical_activities(self, team_manager: Persona) -> None:
        review_on = timezone.localdate() + timedelta(days=180)
        response = team_manager.http.post(
            reverse("continuity:new_plan"),
            {
                "team": team_manager.team.pk,
                "service": "Neighbourhood social work",
                "contacts": "Duty manager 020 7946 0999",
                "next_review_on_day": review_on.day,
                "next_review_on_month": review_on.month,
                "next_review_on_year": review_on.year,
            },
        )
        assert response.status_code == 302
        url = response["Location"]
        team_manager.http.post(
            url, {"form": "scenario", "scenario-kind": "it_outage", "scenario-actions": "Use the printed lists"}
        )
        refused = team_manager.http.post(
            url,
            {
                "form": "activity",
                "activity-activity": "Safeguarding triage",
                "activity-priority": "9",
                "activity-max_downtime_hours": "4",
            },
        )
        assert refused.status_code == 400
        team_manager.http.post(
            url,
            {
                "form": "activity",
                "activity-activity": "Safeguarding triage",
                "activity-priority": "1",
                "activity-max_downtime_hours": "4",
            },
        )
        page = team_manager.http.get(url).content.decode()
        assert "Use the printed lists" in page and "Safeguarding triage" in page

    def test_a_social_worker_cannot_change_a_plan_or_declare_an_emergency(self, social_worker: Persona) -> None:
        assert social_worker.http.get(reverse("continuity:new_plan")).status_code == 403
        response = social_worker.http.post(reverse("continuity:emergency"), {"scenario": "it_outage", "reason": "x"})
        assert response.status_code == 404

    def test_emergency_mode_shows_people_at_risk_and_prints_their_lists(
        self, lead: Persona, social_worker: Persona, make_resident: Callable[..., Person]
    ) -> None:
        person = make_resident(given_name="Iris", family_name="Risk")
        person.alerts.create(
            kind="risk_to_staff",
            reason="Aggressive dog",
            owner=lead.user,
            raised_by=lead.user,
            review_on=timezone.localdate(),
        )
        response = lead.http.post(
            reverse("continuity:emergency"), {"scenario": "severe_weather", "reason": "Snow: most staff cannot travel"}
        )
        assert response.status_code == 302
        page = social_worker.http.get(reverse("continuity:emergency")).content.decode()
        assert "Iris Risk" in page
        printed = social_worker.http.get(reverse("continuity:emergency_print"))
        assert "Iris Risk" in printed.content.decode()
        sheet = social_worker.http.get(reverse("continuity:emergency_print"), {"format": "csv"})
        assert sheet.status_code == 200 and b"Iris Risk" in sheet.content
        assert AccessEvent.objects.filter(user=social_worker.user, person_id=person.pk, kind="export").exists()
