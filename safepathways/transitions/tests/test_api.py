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
from safepathways.transitions.tests.conftest import MakePlan, complete_essentials

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

    def test_a_move_is_planned_made_ready_moved_and_checked_through_the_api(
        self, make_plan: MakePlan, social_worker: Persona, partner: Persona, hospital: Organisation
    ) -> None:
        plan = make_plan()
        api = _api(social_worker.user)

        def url(action: str) -> str:
            return reverse(f"api:transition_plan_{action}", args=[plan.pk])

        added = api.post(
            url("arrangements"),
            {"label": "Key safe fitted", "owner_name": "Handyperson service", "is_essential": True},
            format="json",
        )
        assert added.status_code == 201, added.json()
        assert "Key safe fitted" in [a["label"] for a in added.json()["arrangements"]]
        risk = api.post(
            url("risks"),
            {"risk": "The carer cannot come", "contingency": "Reablement visits twice", "owner_name": "Duty"},
            format="json",
        )
        assert risk.status_code == 201, risk.json()
        refused = api.post(url("ready"), {}, format="json")  # essential arrangements are still open
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["field"] == "override_reason"
        assert _api(partner.user).post(url("ready"), {}, format="json").status_code == 403
        complete_essentials(plan, social_worker.user)
        assert api.post(url("ready"), {}, format="json").json()["status"] == "ready"
        moved = api.post(url("move"), {"moved_on": timezone.localdate().isoformat()}, format="json")
        assert moved.status_code == 200 and moved.json()["status"] == "moved", moved.json()
        checked = api.post(url("check"), {"spoke_to": "Her daughter", "went_as_planned": True}, format="json")
        assert checked.status_code == 200 and checked.json()["status"] == "checked", checked.json()

    def test_sharing_is_given_and_taken_back_through_the_api(
        self, make_plan: MakePlan, social_worker: Persona, partner: Persona, hospital: Organisation
    ) -> None:
        plan = make_plan()
        api = _api(social_worker.user)
        shared = api.post(
            reverse("api:transition_plan_shares", args=[plan.pk]), {"organisation": str(hospital.pk)}, format="json"
        )
        assert shared.status_code == 200, shared.json()
        detail = reverse("api:transition_plan", args=[plan.pk])
        assert _api(partner.user).get(detail).status_code == 200
        stop = reverse("api:transition_plan_share", args=[plan.pk, hospital.pk])
        assert _api(partner.user).delete(stop).status_code == 403
        assert api.delete(stop).status_code == 200
        assert _api(partner.user).get(detail).status_code == 404
        assert api.delete(stop).status_code == 404

    def test_a_plan_is_cancelled_with_a_reason(self, make_plan: MakePlan, social_worker: Persona) -> None:
        plan = make_plan()
        url = reverse("api:transition_plan_cancel", args=[plan.pk])
        missing = _api(social_worker.user).post(url, {"reason": ""}, format="json")
        assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "reason"
        done = _api(social_worker.user).post(url, {"reason": "She chose to stay in hospital"}, format="json")
        assert done.status_code == 200 and done.json()["status"] == "cancelled"

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

    def test_open_gaps_filter_by_team(self, social_worker: Persona, other_team_worker: Persona) -> None:
        today = timezone.localdate()
        ServiceFactory.create(start_on=today - timedelta(days=50), end_on=today - timedelta(days=2))
        ServiceFactory.create(
            start_on=today - timedelta(days=50), end_on=today - timedelta(days=2), team=social_worker.team
        )
        services.sweep_gaps(today=today)
        url = reverse("api:continuity_gaps")
        assert _api(social_worker.user).get(url).json()["count"] == 2
        mine = _api(social_worker.user).get(url, {"team": social_worker.team.slug}).json()
        assert mine["count"] == 1 and mine["results"][0]["team"] == social_worker.team.slug
        assert _api(social_worker.user).get(url, {"team": other_team_worker.team.slug}).json()["count"] == 0
        unknown = _api(social_worker.user).get(url, {"team": "no-such-team"})
        assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "team"

    @pytest.mark.parametrize("count", [1, 20])
    def test_the_gaps_query_count_does_not_grow(
        self, social_worker: Persona, django_assert_num_queries: DjangoAssertNumQueries, count: int
    ) -> None:
        today = timezone.localdate()
        for _ in range(count):
            ServiceFactory.create(
                start_on=today - timedelta(days=50), end_on=today - timedelta(days=2), team=social_worker.team
            )
        services.sweep_gaps(today=today)
        client = _api(social_worker.user)
        url = reverse("api:continuity_gaps")
        client.get(url)
        # count; page of gaps with their people and teams (force_authenticate: no session or token lookup).
        with django_assert_num_queries(2):
            response = client.get(url)
        assert response.json()["count"] == count
        assert {gap["team"] for gap in response.json()["results"]} == {social_worker.team.slug}
