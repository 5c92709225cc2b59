"""A person's "Moves and hospital discharges" page (discharges:person), and unsafe discharge reports by a care
provider that follows the transition plan (discharges:report_unsafe_for_plan): access matrices, what each lists,
pinned query counts, and that a refused attempt changes nothing."""

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from markupsafe import escape
from pytest_django import DjangoAssertNumQueries

from safepathways.accounts.models import Organisation, OrganisationKind, Role, Team, TeamKind
from safepathways.audit.models import AccessEvent
from safepathways.conftest import Persona
from safepathways.discharges import services
from safepathways.discharges.models import Referral, UnsafeDischargeReport
from safepathways.discharges.tests.factories import ReferralFactory, days_ago
from safepathways.people import services as people_services
from safepathways.people.tests.factories import PersonFactory
from safepathways.tests.access_matrix import DECLARE, SIGN_IN, check, web_client
from safepathways.transitions import services as transitions
from safepathways.transitions.models import Plan, PlanKind
from safepathways.work.tests.factories import WorkItemFactory

MakeReferral = Callable[..., Referral]
TODAY = timezone.localdate


@pytest.fixture
def provider_organisation(db: None) -> Organisation:
    return Organisation.objects.create(name="Camden Reablement Ltd", kind=OrganisationKind.CARE_PROVIDER)


@pytest.fixture
def provider(make_persona: Callable[..., Persona], provider_organisation: Organisation) -> Persona:
    """A reablement provider's coordinator: a partner the transition plan is shared with, and nothing else."""
    team = Team.objects.create(
        organisation=provider_organisation, name="Reablement office", slug="reablement", kind=TeamKind.PARTNER
    )
    return make_persona(team, Role.PARTNER, name="Ruth Provider")


@pytest.fixture
def planned(
    make_referral: MakeReferral,
    hospital_worker: Persona,
    provider_organisation: Organisation,
) -> tuple[Referral, Plan]:
    """A referral with its pathway 1 agreed, so its transition plan is started (shared with the trust), and the plan
    shared with the reablement provider too."""
    referral = make_referral(discharge_ready_on=days_ago(2))
    services.agree_pathway(
        referral=referral, pathway=1, planned_discharge_on=TODAY() + timedelta(days=1), by=hospital_worker.user
    )
    referral.refresh_from_db()
    plan = referral.plan
    assert plan is not None
    transitions.share_plan(plan=plan, by=hospital_worker.user, organisation=provider_organisation)
    return referral, plan


def _report(occurred_on: date | None = None) -> dict[str, object]:
    day = occurred_on or TODAY()
    return {
        "reporter_name": "Ruth <Provider> & Co",
        "reporter_relationship": "provider",
        "occurred_on_day": day.day,
        "occurred_on_month": day.month,
        "occurred_on_year": day.year,
        "what_happened": "Arrived home with no medication and no key safe code",
    }


class TestPersonPage:
    @pytest.mark.parametrize(
        ("persona", "expected"),
        [
            ("anonymous", SIGN_IN),
            ("hospital_worker", 200),  # works with the person (the referral's work)
            ("social_worker", DECLARE),  # council staff with no working relationship
            ("partner", 404),  # the trust follows its referrals, not the person's record
            ("police_partner", 404),
            ("provider", 404),  # the plan is shared with it, the record is not
        ],
    )
    def test_access(
        self,
        persona: str,
        expected: int | str,
        planned: tuple[Referral, Plan],
        request: pytest.FixtureRequest,
    ) -> None:
        referral, _ = planned
        url = reverse("discharges:person", args=[referral.person_id])
        before = AccessEvent.objects.count()
        check(web_client(persona, request).get(url), expected)
        logged = AccessEvent.objects.count() - before
        assert logged == (1 if expected == 200 else 0)

    def test_the_url_is_the_one_the_person_page_links_to(self) -> None:
        from uuid import UUID

        pk = UUID("8d7c0b5e-0000-4000-8000-000000000000")
        assert reverse("discharges:person", args=[pk]) == f"/discharge/people/{pk}/"

    def test_staff_see_every_referral_and_plan_linked_and_the_look_is_logged(
        self, planned: tuple[Referral, Plan], hospital_worker: Persona
    ) -> None:
        referral, plan = planned
        response = hospital_worker.http.get(reverse("discharges:person", args=[referral.person_id]))
        assert response.status_code == 200
        page = response.content.decode()
        assert "Moves and hospital discharges" in page
        assert f'href="{reverse("discharges:referral", args=[referral.pk])}"' in page
        assert f'href="{reverse("transitions:plan", args=[plan.pk])}"' in page
        assert f'href="{reverse("discharges:report_unsafe_for_person", args=[referral.person_id])}"' in page
        look = AccessEvent.objects.get(person_id=referral.person_id, user=hospital_worker.user)
        assert look.basis == "relationship"
        assert look.what == "Moves and hospital discharges"

    def test_a_partner_with_the_record_shared_sees_only_what_is_shared_with_it(
        self,
        planned: tuple[Referral, Plan],
        hospital_worker: Persona,
        partner: Persona,
        hospital: Organisation,
        other_trust: Organisation,
    ) -> None:
        referral, plan = planned
        person = referral.person
        elsewhere = ReferralFactory.create(
            person=person,
            hospital=other_trust,
            referred_by=hospital_worker.user,
            work_item__team=hospital_worker.team,
            reference="HD9999999",
        )
        hidden_plan = transitions.create_plan(
            person=person,
            kind=PlanKind.BETWEEN_PROVIDERS,
            moving_from="Sunrise Care",
            moving_to="Oak House",
            planned_on=TODAY() + timedelta(days=10),
            team=hospital_worker.team,
            coordinator=hospital_worker.user,
            by=hospital_worker.user,
        )
        people_services.share_with_organisation(
            person=person, by=hospital_worker.user, organisation=hospital, purpose="Continuing care assessment"
        )
        response = partner.http.get(reverse("discharges:person", args=[person.pk]))
        assert response.status_code == 200
        page = response.content.decode()
        assert referral.reference in page
        assert elsewhere.reference not in page
        assert reverse("transitions:plan", args=[plan.pk]) in page
        assert reverse("transitions:plan", args=[hidden_plan.pk]) not in page
        look = AccessEvent.objects.get(person_id=person.pk, user=partner.user)
        assert look.basis == "partner_share"

    def test_with_no_referrals_or_plans_it_says_so_and_offers_the_report(
        self, social_worker: Persona, hospital_team: Team
    ) -> None:
        person = PersonFactory.create(given_name="Ivy", family_name="O'Neill <Jr>")
        WorkItemFactory(team=social_worker.team, person=person)
        response = social_worker.http.get(reverse("discharges:person", args=[person.pk]))
        assert response.status_code == 200
        page = response.content.decode()
        assert "No hospital discharge referrals." in page
        assert "No transition plans." in page
        assert str(escape(person.full_name)) in page and person.full_name not in page
        report = reverse("discharges:report_unsafe_for_person", args=[person.pk])
        assert f'href="{report}"' in page
        # A family's report with no referral: the form is reachable, and the report comes back to this page.
        assert social_worker.http.get(report).status_code == 200
        response = social_worker.http.post(report, {**_report(), "reporter_relationship": "family"})
        assert response.status_code == 302
        assert response["Location"] == reverse("discharges:person", args=[person.pk])
        assert UnsafeDischargeReport.objects.get().referral is None

    def test_staff_outside_the_hospital_team_see_the_referral_but_not_a_link_they_cannot_open(
        self, make_referral: MakeReferral, social_worker: Persona
    ) -> None:
        referral = make_referral()
        WorkItemFactory(team=social_worker.team, person=referral.person)
        page = social_worker.http.get(reverse("discharges:person", args=[referral.person_id])).content.decode()
        assert referral.reference in page
        assert reverse("discharges:referral", args=[referral.pk]) not in page

    @pytest.mark.parametrize("count", [1, 5])
    def test_the_query_count_does_not_grow(
        self,
        hospital: Organisation,
        hospital_worker: Persona,
        django_assert_num_queries: DjangoAssertNumQueries,
        count: int,
    ) -> None:
        person = PersonFactory.create()
        for index in range(count):
            ReferralFactory.create(
                person=person,
                hospital=hospital,
                referred_by=hospital_worker.user,
                work_item__team=hospital_worker.team,
                admitted_on=days_ago(10 + index),
            )
            transitions.create_plan(
                person=person,
                kind=PlanKind.HOSPITAL_DISCHARGE,
                moving_from=f"Ward {index}",
                moving_to="Home",
                planned_on=TODAY() + timedelta(days=index),
                team=hospital_worker.team,
                coordinator=hospital_worker.user,
                by=hospital_worker.user,
            )
        url = reverse("discharges:person", args=[person.pk])
        hospital_worker.http.get(url)
        # session, user with memberships; the person; the team's work with them (the relationship); the access
        # event; the referrals with their hospitals; the plans with their teams.
        with django_assert_num_queries(7):
            response = hospital_worker.http.get(url)
        page = response.content.decode()
        assert page.count('href="/discharge/referrals/') == count
        assert page.count('href="/transitions/plans/') == count


class TestReportingFromTheSharedPlan:
    """Issue: "an 'unsafe discharge' report from anyone (provider, family, staff)". A reablement provider follows
    the transition plan shared with it, and can now report from it."""

    @pytest.mark.parametrize(
        ("persona", "expected"),
        [
            ("anonymous", SIGN_IN),
            ("provider", 200),  # the plan is shared with its organisation
            ("partner", 200),  # the referring trust: the plan is shared with it too
            ("police_partner", 404),  # an unrelated partner
            ("hospital_worker", 200),
            ("social_worker", DECLARE),
        ],
    )
    def test_access(
        self, persona: str, expected: int | str, planned: tuple[Referral, Plan], request: pytest.FixtureRequest
    ) -> None:
        _, plan = planned
        url = reverse("discharges:report_unsafe_for_plan", args=[plan.pk])
        check(web_client(persona, request).get(url), expected)
        posted = web_client(persona, request).post(url, _report())
        if expected == 200:
            assert posted.status_code == 302
            assert UnsafeDischargeReport.objects.count() == 1
        else:
            check(posted, expected)
            assert not UnsafeDischargeReport.objects.exists()

    def test_the_provider_reports_and_the_referrals_team_reviews_it(
        self,
        planned: tuple[Referral, Plan],
        provider: Persona,
        hospital_manager: Persona,
    ) -> None:
        referral, plan = planned
        # Before: the referral route is out of the provider's scope, and so is the person's record.
        assert provider.http.get(reverse("discharges:report_unsafe", args=[referral.pk])).status_code == 404
        assert (
            provider.http.get(reverse("discharges:report_unsafe_for_person", args=[referral.person_id])).status_code
            == 404
        )
        assert provider.http.get(reverse("transitions:plan", args=[plan.pk])).status_code == 200
        url = reverse("discharges:report_unsafe_for_plan", args=[plan.pk])
        page = provider.http.get(url).content.decode()
        assert "Report an unsafe discharge" in page
        assert referral.reference not in page  # the provider follows the plan, not the referral
        look = AccessEvent.objects.get(person_id=referral.person_id, user=provider.user, what="Unsafe discharge report")
        assert look.basis == "partner_share"
        response = provider.http.post(url, _report())
        assert response.status_code == 302
        assert response["Location"] == reverse("transitions:plan", args=[plan.pk])
        report = UnsafeDischargeReport.objects.get()
        assert report.person_id == referral.person_id
        assert report.referral_id == referral.pk
        assert report.reported_by == provider.user
        assert report.reporter_name == "Ruth <Provider> & Co"
        assert report.work_item.team_id == referral.work_item.team_id
        # The referral's team managers are told, and may open the review.
        assert hospital_manager.user.notifications.filter(link__contains=str(report.pk)).exists()
        assert hospital_manager.http.get(reverse("discharges:unsafe_report", args=[report.pk])).status_code == 200

    def test_bad_input_is_shown_on_the_form_and_nothing_is_reported(
        self, planned: tuple[Referral, Plan], provider: Persona
    ) -> None:
        _, plan = planned
        url = reverse("discharges:report_unsafe_for_plan", args=[plan.pk])
        response = provider.http.post(url, _report(TODAY() + timedelta(days=2)))
        assert response.status_code == 400
        assert "must be today or in the past" in response.content.decode()
        assert not UnsafeDischargeReport.objects.exists()

    def test_a_plan_for_another_kind_of_move_is_not_a_discharge(
        self, hospital_worker: Persona, provider: Persona, provider_organisation: Organisation, anonymous: Client
    ) -> None:
        person = PersonFactory.create()
        plan = transitions.create_plan(
            person=person,
            kind=PlanKind.BETWEEN_PROVIDERS,
            moving_from="Sunrise Care",
            moving_to="Oak House",
            planned_on=TODAY() + timedelta(days=3),
            team=hospital_worker.team,
            coordinator=hospital_worker.user,
            by=hospital_worker.user,
            shared_with=[provider_organisation],
        )
        url = reverse("discharges:report_unsafe_for_plan", args=[plan.pk])
        assert provider.http.get(url).status_code == 404
        assert provider.http.post(url, _report()).status_code == 404
        assert not UnsafeDischargeReport.objects.exists()


class TestLinks:
    """The pages are reached from where people look: the person's record and the shared plan."""

    def test_the_persons_record_links_to_their_moves_and_discharges(
        self, hospital_worker: Persona, planned: tuple[Referral, Plan]
    ) -> None:
        referral, _plan = planned
        body = hospital_worker.http.get(reverse("people:detail", args=[referral.person_id])).content.decode()
        assert f'href="{reverse("discharges:person", args=[referral.person_id])}"' in body

    def test_the_shared_plan_offers_the_provider_an_unsafe_discharge_report(
        self, provider: Persona, planned: tuple[Referral, Plan]
    ) -> None:
        _referral, plan = planned
        body = provider.http.get(reverse("transitions:plan", args=[plan.pk])).content.decode()
        assert f'href="{reverse("discharges:report_unsafe_for_plan", args=[plan.pk])}"' in body
