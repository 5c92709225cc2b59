"""Access matrix, the journey through a plan's pages, the family copy and PDF, and pinned query counts."""

import contextlib
import re
import uuid
import zlib
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from markupsafe import escape
from pytest_django import DjangoAssertNumQueries

from safepathways.accounts.models import Organisation, Role, Team
from safepathways.audit.models import AccessEvent
from safepathways.conftest import Persona
from safepathways.people.tests.factories import PersonFactory
from safepathways.providers.tests.factories import ServiceFactory
from safepathways.transitions import services
from safepathways.transitions.models import Gap, GapStatus, ItemStatus, Plan, PlanStatus, TransitionSettings
from safepathways.transitions.tests.conftest import MakePlan, complete_essentials

pytestmark = pytest.mark.django_db


def _date(prefix: str, name: str, day: object) -> dict[str, object]:
    return {f"{prefix}-{name}_day": day.day, f"{prefix}-{name}_month": day.month, f"{prefix}-{name}_year": day.year}


def _pdf_objects(body: bytes) -> bytes:
    """The PDF's objects with its compressed object streams inflated (WeasyPrint packs the catalogue in one)."""
    parts = [body]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", body, re.DOTALL):
        with contextlib.suppress(zlib.error):
            parts.append(zlib.decompress(match.group(1)))
    return b"".join(parts)


class TestAccess:
    @pytest.mark.parametrize("name", ["transitions:plans", "transitions:continuity"])
    def test_anonymous_users_are_sent_to_sign_in(self, anonymous: Client, name: str) -> None:
        response = anonymous.get(reverse(name))
        assert response.status_code == 302
        assert "sign-in" in response["Location"]

    def test_the_continuity_view_is_for_council_practitioners_and_oversight(
        self, social_worker: Persona, director: Persona, partner: Persona
    ) -> None:
        assert social_worker.http.get(reverse("transitions:continuity")).status_code == 200
        assert director.http.get(reverse("transitions:continuity")).status_code == 200
        assert partner.http.get(reverse("transitions:continuity")).status_code == 403

    def test_the_team_sees_its_plan_and_the_access_is_logged(self, make_plan: MakePlan, social_worker: Persona) -> None:
        plan = make_plan()
        response = social_worker.http.get(reverse("transitions:plan", args=[plan.pk]))
        assert response.status_code == 200
        assert AccessEvent.objects.filter(
            user=social_worker.user, person_id=plan.person_id, what="transition plan"
        ).exists()

    def test_staff_of_another_team_declare_a_relationship_first(
        self, make_plan: MakePlan, other_team_worker: Persona
    ) -> None:
        plan = make_plan()
        response = other_team_worker.http.get(reverse("transitions:plan", args=[plan.pk]))
        assert response.status_code == 302
        assert reverse("people:declare", args=[plan.person_id]) in response["Location"]

    def test_a_partner_sees_only_plans_shared_with_their_organisation(
        self,
        make_plan: MakePlan,
        social_worker: Persona,
        partner: Persona,
        police_partner: Persona,
        hospital: Organisation,
    ) -> None:
        plan = make_plan()
        url = reverse("transitions:plan", args=[plan.pk])
        assert partner.http.get(url).status_code == 404
        services.share_plan(plan=plan, by=social_worker.user, organisation=hospital)
        assert partner.http.get(url).status_code == 200
        assert police_partner.http.get(url).status_code == 404
        listing = partner.http.get(reverse("transitions:plans")).content.decode()
        assert escape(plan.person.full_name) in listing
        assert police_partner.http.get(reverse("transitions:plans")).content.decode().count(plan.person.full_name) == 0

    def test_sharing_is_stopped_from_the_plan_and_the_partner_loses_it_at_once(
        self,
        anonymous: Client,
        make_plan: MakePlan,
        social_worker: Persona,
        partner: Persona,
        other_team_worker: Persona,
        hospital: Organisation,
    ) -> None:
        plan = make_plan()
        services.share_plan(plan=plan, by=social_worker.user, organisation=hospital)
        url = reverse("transitions:plan", args=[plan.pk])
        stop = reverse("transitions:unshare", args=[plan.pk, hospital.pk])
        assert f'action="{stop}"' in social_worker.http.get(url).content.decode()
        assert anonymous.post(stop).status_code == 302  # to sign in
        assert partner.http.post(stop).status_code == 403  # partners follow their items, they do not share
        assert other_team_worker.http.post(stop).status_code == 302  # declare a relationship first
        assert plan.shared_with.count() == 1
        response = social_worker.http.post(stop)
        assert response.status_code == 302 and response["Location"] == url
        assert plan.shared_with.count() == 0
        assert partner.http.get(url).status_code == 404
        assert social_worker.http.post(stop).status_code == 404  # no longer shared: nothing to stop

    def test_a_partner_cannot_change_the_plan(
        self, make_plan: MakePlan, social_worker: Persona, partner: Persona, hospital: Organisation
    ) -> None:
        plan = make_plan()
        services.share_plan(plan=plan, by=social_worker.user, organisation=hospital)
        response = partner.http.post(reverse("transitions:add_step", args=[plan.pk]), {"step-description": "X"})
        assert response.status_code == 403
        assert plan.steps.count() == 0

    def test_a_partner_updates_only_the_items_their_organisation_owns(
        self, make_plan: MakePlan, social_worker: Persona, partner: Persona, hospital: Organisation
    ) -> None:
        plan = make_plan()
        services.share_plan(plan=plan, by=social_worker.user, organisation=hospital)
        ours, theirs = plan.arrangements.all()[:2]
        services.update_item(
            plan=plan,
            by=social_worker.user,
            kind="arrangement",
            item_id=ours.pk,
            owner=services.Owner("Ward 8 nurse", organisation=hospital),
            due_on=None,
            status="open",
        )
        url = reverse("transitions:item", args=[plan.pk, "arrangement", ours.pk])
        assert partner.http.get(url).status_code == 200
        response = partner.http.post(url, {"status": "done", "note": "Booked for 2pm", "owner_name": "Someone else"})
        assert response.status_code == 302
        ours.refresh_from_db()
        assert ours.status == ItemStatus.DONE
        assert ours.owner_name == "Ward 8 nurse"  # a partner cannot hand their item to someone else
        other = reverse("transitions:item", args=[plan.pk, "arrangement", theirs.pk])
        assert partner.http.get(other).status_code == 403

    def test_the_family_copy_and_pdf(self, make_plan: MakePlan, social_worker: Persona) -> None:
        plan = make_plan()
        page = social_worker.http.get(reverse("transitions:family_copy", args=[plan.pk]))
        assert page.status_code == 200
        assert f"You are moving from {plan.moving_from} to {plan.moving_to}" in page.content.decode()
        pdf = social_worker.http.get(reverse("transitions:family_copy_pdf", args=[plan.pk]))
        assert pdf.status_code == 200
        assert pdf["Content-Type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")
        objects = _pdf_objects(pdf.content)
        assert b"/StructTreeRoot" in objects  # tagged, for screen readers
        assert b"/Lang" in objects

    def test_the_family_copy_words_risks_and_the_check_interval_plainly(
        self, make_plan: MakePlan, social_worker: Persona
    ) -> None:
        plan = make_plan()
        for risk in ("GP cannot visit before Friday", "if the key safe code is wrong", "The carer cannot come"):
            services.add_risk(
                plan=plan,
                by=social_worker.user,
                risk=risk,
                contingency="Call the duty team",
                owner=services.Owner("Jo"),
            )
        page = social_worker.http.get(reverse("transitions:family_copy", args=[plan.pk])).content.decode()
        assert "If GP cannot visit before Friday: Call the duty team" in page
        assert "If the key safe code is wrong: Call the duty team" in page
        assert "If the carer cannot come: Call the duty team" in page
        assert "If if" not in page and "If gp" not in page
        assert "within 3 days of the move" in page
        TransitionSettings.objects.update_or_create(pk=1, defaults={"post_move_check_hours": 36})
        page = social_worker.http.get(reverse("transitions:family_copy", args=[plan.pk])).content.decode()
        assert "within 36 hours of the move" in page


class TestJourney:
    def test_start_plan_add_step_mark_ready_move_and_check(self, social_worker: Persona, team_manager: Persona) -> None:
        person = PersonFactory.create()
        ServiceFactory.create(person=person, team=social_worker.team)
        today = timezone.localdate()
        response = social_worker.http.post(
            reverse("transitions:new_plan", args=[person.pk]),
            {
                "kind": "out_of_care_home",
                "moving_from": "Rose House",
                "moving_to": "Home",
                **{f"planned_on_{k}": v for k, v in (("day", today.day), ("month", today.month), ("year", today.year))},
                "team": social_worker.team.pk,
                "coordinator": social_worker.user.pk,
            },
        )
        assert response.status_code == 302
        plan = Plan.objects.get(person=person)
        url = reverse("transitions:plan", args=[plan.pk])
        # A step without an owner is refused with the field named.
        refused = social_worker.http.post(
            reverse("transitions:add_step", args=[plan.pk]), {"step-description": "Book transport"}
        )
        assert refused.status_code == 400
        assert "Enter who will do it" in refused.content.decode()
        added = social_worker.http.post(
            reverse("transitions:add_step", args=[plan.pk]),
            {
                "step-description": "Book transport",
                "step-owner_name": "Jo Bloggs",
                "step-owner_role": "Care home manager",
            },
        )
        assert added.status_code == 302
        # Not ready while essential arrangements are open.
        not_ready = social_worker.http.post(reverse("transitions:ready", args=[plan.pk]), {})
        assert not_ready.status_code == 400
        assert "essential arrangements are still open" in not_ready.content.decode()
        complete_essentials(plan, social_worker.user)
        assert social_worker.http.post(reverse("transitions:ready", args=[plan.pk]), {}).status_code == 302
        moved = social_worker.http.post(reverse("transitions:move", args=[plan.pk]), _date("move", "moved_on", today))
        assert moved.status_code == 302
        checked = social_worker.http.post(
            reverse("transitions:check", args=[plan.pk]),
            {"check-spoke_to": "Her son", "check-went_as_planned": "yes"},
        )
        assert checked.status_code == 302
        plan.refresh_from_db()
        assert plan.status == PlanStatus.CHECKED
        assert "Moved and checked" in social_worker.http.get(url).content.decode()

    def test_a_manager_overrides_readiness_on_the_page(self, make_plan: MakePlan, team_manager: Persona) -> None:
        plan = make_plan(team=team_manager.team)
        response = team_manager.http.post(
            reverse("transitions:ready", args=[plan.pk]), {"ready-override_reason": "Family bring medication tonight"}
        )
        assert response.status_code == 302
        plan.refresh_from_db()
        assert plan.status == PlanStatus.READY

    def test_changing_the_coordinator_to_council_staff_of_the_team(
        self, make_plan: MakePlan, social_worker: Persona, team_manager: Persona, partner: Persona
    ) -> None:
        plan = make_plan(planned_on=timezone.localdate() + timedelta(days=3))
        url = reverse("transitions:details", args=[plan.pk])
        form = {
            "details-moving_from": plan.moving_from,
            "details-moving_to": plan.moving_to,
            **_date("details", "planned_on", plan.planned_on),
        }
        page = social_worker.http.get(reverse("transitions:plan", args=[plan.pk])).content.decode()
        assert f'<option value="{team_manager.user.pk}"' in page
        assert f'<option value="{partner.user.pk}"' not in page
        refused = social_worker.http.post(url, {**form, "details-coordinator": partner.user.pk})
        assert refused.status_code == 400
        plan.refresh_from_db()
        assert plan.coordinator == social_worker.user
        assert social_worker.http.post(url, {**form, "details-coordinator": team_manager.user.pk}).status_code == 302
        plan.refresh_from_db()
        assert plan.coordinator == team_manager.user
        assert plan.person.chronology.filter(summary="Taylor Green now coordinates the move").exists()

    def test_explaining_a_gap(self, social_worker: Persona) -> None:
        today = timezone.localdate()
        ServiceFactory.create(
            start_on=today - timedelta(days=100), end_on=today - timedelta(days=5), team=social_worker.team
        )
        services.sweep_gaps(today=today)
        gap = Gap.objects.get()
        page = social_worker.http.get(reverse("transitions:continuity")).content.decode()
        assert escape(gap.person.full_name) in page
        response = social_worker.http.post(
            reverse("transitions:explain_gap", args=[gap.pk]),
            {"explanation": "Moved to live with her daughter in Leeds"},
        )
        assert response.status_code == 302
        gap.refresh_from_db()
        assert gap.status == GapStatus.EXPLAINED


class TestExplainGapAccess:
    """The explain page: practitioners of the gap's team and team managers; others practitioners get 404."""

    @pytest.fixture
    def gap(self, social_worker: Persona) -> Gap:
        today = timezone.localdate()
        ServiceFactory.create(
            start_on=today - timedelta(days=100), end_on=today - timedelta(days=5), team=social_worker.team
        )
        services.sweep_gaps(today=today)
        return Gap.objects.get()

    def test_the_access_matrix(
        self,
        gap: Gap,
        social_worker: Persona,
        other_team_worker: Persona,
        director: Persona,
        partner: Persona,
        make_persona: Callable[..., Persona],
        other_team: Team,
    ) -> None:
        url = reverse("transitions:explain_gap", args=[gap.pk])
        other_manager = make_persona(other_team, Role.TEAM_MANAGER)
        assert social_worker.http.get(url).status_code == 200
        assert other_manager.http.get(url).status_code == 200
        assert director.http.get(url).status_code == 403
        assert partner.http.get(url).status_code == 403
        assert other_team_worker.http.get(url).status_code == 404
        unknown = reverse("transitions:explain_gap", args=[uuid.uuid4()])
        assert social_worker.http.get(unknown).status_code == 404

    def test_another_teams_worker_cannot_close_it(self, gap: Gap, other_team_worker: Persona) -> None:
        response = other_team_worker.http.post(
            reverse("transitions:explain_gap", args=[gap.pk]), {"explanation": "Not ours to say"}
        )
        assert response.status_code == 404
        gap.refresh_from_db()
        assert gap.status == GapStatus.OPEN

    def test_the_page_query_count(
        self, gap: Gap, social_worker: Persona, django_assert_num_queries: DjangoAssertNumQueries
    ) -> None:
        url = reverse("transitions:explain_gap", args=[gap.pk])
        social_worker.http.get(url)
        # session, user with memberships; the gap with its person and team.
        with django_assert_num_queries(3):
            assert social_worker.http.get(url).status_code == 200


class TestQueries:
    @pytest.mark.parametrize("count", [1, 20])
    def test_the_plans_list_query_count_does_not_grow(
        self, make_plan: MakePlan, social_worker: Persona, django_assert_num_queries: DjangoAssertNumQueries, count: int
    ) -> None:
        for _ in range(count):
            make_plan()
        social_worker.http.get(reverse("transitions:plans"))
        # session, user with memberships; count; page of plans.
        with django_assert_num_queries(4):
            response = social_worker.http.get(reverse("transitions:plans"))
        assert response.content.decode().count("/transitions/plans/") == count

    @pytest.mark.parametrize("count", [1, 20])
    def test_the_continuity_view_query_count_does_not_grow(
        self, social_worker: Persona, django_assert_num_queries: DjangoAssertNumQueries, count: int
    ) -> None:
        today = timezone.localdate()
        for _ in range(count):
            ServiceFactory.create(
                start_on=today - timedelta(days=100), end_on=today - timedelta(days=5), team=social_worker.team
            )
        services.sweep_gaps(today=today)
        social_worker.http.get(reverse("transitions:continuity"))
        # session, user with memberships; counts per rule (which give the pager its total); teams (filter); page.
        with django_assert_num_queries(5):
            response = social_worker.http.get(reverse("transitions:continuity"))
        assert response.content.decode().count("/explain/") == count
        assert f"{count} open gap" in response.content.decode()

    @pytest.mark.parametrize("steps", [1, 10])
    def test_the_plan_page_query_count_does_not_grow(
        self, make_plan: MakePlan, social_worker: Persona, django_assert_num_queries: DjangoAssertNumQueries, steps: int
    ) -> None:
        plan = make_plan()
        for n in range(steps):
            services.add_step(
                plan=plan, by=social_worker.user, description=f"Step {n}", owner=services.Owner("Jo"), due_on=None
            )
        url = reverse("transitions:plan", args=[plan.pk])
        social_worker.http.get(url)
        # session, user with memberships; plan; steps, arrangements, risks, shared with, history; access event;
        # organisations for the owner choices of three forms and the share form; the coordinators to choose from.
        with django_assert_num_queries(14):
            assert social_worker.http.get(url).status_code == 200
