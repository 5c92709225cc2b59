"""The transitions API over real HTTP routing: scoping, errors that name the field, and pinned query counts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from safepathways.accounts.models import Organisation, User
from safepathways.conftest import Persona
from safepathways.people.tests.factories import PersonFactory
from safepathways.providers.tests.factories import ServiceFactory
from safepathways.transitions import services
from safepathways.transitions.models import ItemStatus, Plan
from safepathways.transitions.tests.conftest import MakePlan

pytestmark = pytest.mark.django_db


def _api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


class TestPlans:
    def test_the_coordinator_is_changed_by_email_to_staff_of_the_team(
        self, make_plan: MakePlan, social_worker: Persona, team_manager: Persona, partner: Persona
    ) -> None:
        plan = make_plan()
        url = reverse("api:transition_plan", args=[plan.pk])
        refused = _api(social_worker.user).patch(url, {"coordinator": partner.user.email}, format="json")
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["field"] == "coordinator"
        response = _api(social_worker.user).patch(url, {"coordinator": team_manager.user.email.upper()}, format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["coordinator"] == team_manager.user.full_name
        plan.refresh_from_db()
        assert plan.coordinator == team_manager.user

    def test_staff_start_a_plan_and_get_its_checklist(self, social_worker: Persona) -> None:
        person = PersonFactory.create()
        ServiceFactory.create(person=person, team=social_worker.team)
        response = _api(social_worker.user).post(
            reverse("api:transition_plans"),
            {
                "person": str(person.pk),
                "kind": "hospital_discharge",
                "moving_from": "UCLH, ward T8",
                "moving_to": "Home",
                "planned_on": (timezone.localdate() + timedelta(days=2)).isoformat(),
                "team": social_worker.team.slug,
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["status"] == "planning"
        assert any(a["label"] == "Transport home arranged" for a in body["arrangements"])

    def test_a_past_date_is_refused_naming_the_field(self, social_worker: Persona) -> None:
        person = PersonFactory.create()
        ServiceFactory.create(person=person, team=social_worker.team)
        response = _api(social_worker.user).post(
            reverse("api:transition_plans"),
            {
                "person": str(person.pk),
                "kind": "hospital_discharge",
                "moving_from": "UCLH",
                "moving_to": "Home",
                "planned_on": (timezone.localdate() - timedelta(days=2)).isoformat(),
                "team": social_worker.team.slug,
            },
            format="json",
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "planned_on"
        assert not Plan.objects.exists()

    def test_a_partner_sees_only_shared_plans_and_updates_only_its_items(
        self,
        make_plan: MakePlan,
        social_worker: Persona,
        partner: Persona,
        police_partner: Persona,
        hospital: Organisation,
    ) -> None:
        plan = make_plan()
        client = _api(partner.user)
        assert client.get(reverse("api:transition_plan", args=[plan.pk])).status_code == 404
        services.share_plan(plan=plan, by=social_worker.user, organisation=hospital)
        assert client.get(reverse("api:transition_plan", args=[plan.pk])).status_code == 200
        assert _api(police_partner.user).get(reverse("api:transition_plan", args=[plan.pk])).status_code == 404
        ours, theirs = plan.arrangements.all()[:2]
        services.update_item(
            plan=plan,
            by=social_worker.user,
            kind="arrangement",
            item_id=ours.pk,
            owner=services.Owner("Ward nurse", organisation=hospital),
            due_on=None,
            status="open",
        )
        done = client.patch(
            reverse("api:transition_plan_item", args=[plan.pk, "arrangement", ours.pk]),
            {"status": "done"},
            format="json",
        )
        assert done.status_code == 200
        ours.refresh_from_db()
        assert ours.status == ItemStatus.DONE
        refused = client.patch(
            reverse("api:transition_plan_item", args=[plan.pk, "arrangement", theirs.pk]),
            {"status": "done"},
            format="json",
        )
        assert refused.status_code == 403
        assert (
            client.post(reverse("api:transition_plan_steps", args=[plan.pk]), {"description": "x"}).status_code == 403
        )

    def test_adding_a_step_without_an_owner_is_refused(self, make_plan: MakePlan, social_worker: Persona) -> None:
        plan = make_plan()
        response = _api(social_worker.user).post(
            reverse("api:transition_plan_steps", args=[plan.pk]), {"description": "Deliver the bed"}, format="json"
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "owner_name"

    @pytest.mark.parametrize("count", [1, 20])
    def test_the_list_query_count_does_not_grow(
        self, make_plan: MakePlan, social_worker: Persona, django_assert_num_queries: DjangoAssertNumQueries, count: int
    ) -> None:
        for _ in range(count):
            make_plan()
        client = _api(social_worker.user)
        client.get(reverse("api:transition_plans"))
        # count; page (force_authenticate: no session or token lookup; memberships cached on the user).
        with django_assert_num_queries(2):
            response = client.get(reverse("api:transition_plans"))
        assert response.json()["count"] == count


class TestGaps:
    def test_open_gaps_for_staff_not_partners(self, social_worker: Persona, partner: Persona) -> None:
        today = timezone.localdate()
        ServiceFactory.create(start_on=today - timedelta(days=50), end_on=today - timedelta(days=2))
        services.sweep_gaps(today=today)
        response = _api(social_worker.user).get(reverse("api:continuity_gaps"))
        assert response.status_code == 200
        assert response.json()["count"] == 1
        assert _api(partner.user).get(reverse("api:continuity_gaps")).status_code == 403
