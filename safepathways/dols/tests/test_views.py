"""Access matrix, the happy path and pinned query counts for the DoLS pages."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from safepathways.audit.models import AccessEvent, AuditEvent
from safepathways.conftest import Persona
from safepathways.dols import data_return, selectors, services
from safepathways.dols.models import DolsRequest, DolsSettings, RequestStatusName
from safepathways.dols.tests.conftest import assess_all
from safepathways.people.models import Person
from safepathways.people.tests.factories import PersonFactory
from safepathways.providers.models import Location

MakeRequest = Callable[..., DolsRequest]


def _date(prefix: str, name: str, day: object) -> dict[str, object]:
    return {f"{prefix}-{name}_day": day.day, f"{prefix}-{name}_month": day.month, f"{prefix}-{name}_year": day.year}


class TestTrackerAccess:
    @pytest.mark.parametrize("name", ["dols:tracker", "dols:roster", "dols:return", "dols:court_cases"])
    def test_anonymous_users_are_sent_to_sign_in(self, anonymous: Client, name: str) -> None:
        response = anonymous.get(reverse(name))
        assert response.status_code == 302
        assert "sign-in" in response["Location"]

    @pytest.mark.parametrize("name", ["dols:tracker", "dols:roster", "dols:return", "dols:court_cases"])
    def test_partners_and_practitioners_outside_the_dols_team_are_refused(
        self, partner: Persona, social_worker: Persona, name: str
    ) -> None:
        assert partner.http.get(reverse(name)).status_code == 403
        assert social_worker.http.get(reverse(name)).status_code == 403

    @pytest.mark.parametrize("name", ["dols:tracker", "dols:roster", "dols:return", "dols:court_cases"])
    def test_the_dols_team_and_managers_see_them(
        self, dols_lead: Persona, team_manager: Persona, director: Persona, name: str
    ) -> None:
        for persona in (dols_lead, team_manager, director):
            assert persona.http.get(reverse(name)).status_code == 200


class TestTrackerQueries:
    @pytest.mark.parametrize("count", [1, 20])
    def test_the_tracker_query_count_does_not_grow(
        self,
        make_request: MakeRequest,
        dols_lead: Persona,
        bia: Persona,
        django_assert_num_queries: DjangoAssertNumQueries,
        count: int,
    ) -> None:
        today = timezone.localdate()
        for _ in range(count):
            make_request(person=PersonFactory.create(), received_on=today - timedelta(days=25))
            granted = make_request(person=PersonFactory.create())
            assess_all(granted, dols_lead, bia.user)
            services.sign_off(dols_request=granted, signed_off_on=today, by=dols_lead.user)
            services.grant_authorisation(
                dols_request=granted,
                terms=services.AuthorisationTerms(
                    starts_on=today, ends_on=today + timedelta(days=20), representative_name="A", conditions="C"
                ),
                by=dols_lead.user,
            )
        dols_lead.http.get(reverse("dols:tracker"))  # warm the session and settings row
        # session, user with memberships; settings; waiting counts; the page of waiting requests; the authorisation
        # counts (28 and 56 days, renewals, conditions); forecast: rate, ends by day; court reviews; the expiring,
        # renewals and conditions lists. One fewer than before the tracker paged: the settings are read once.
        with django_assert_num_queries(12):
            response = dols_lead.http.get(reverse("dols:tracker"))
        assert response.status_code == 200
        board = selectors.tracker(timezone.localdate())
        assert board.breached_count == count
        assert len(board.expiring_28) == board.expiring_28_count == count
        assert f"{board.breached_count}</dd>" in response.content.decode()

    def test_the_tracker_pages_the_waiting_requests_by_priority_then_due_date(
        self,
        make_request: MakeRequest,
        dols_lead: Persona,
        monkeypatch: pytest.MonkeyPatch,
        django_assert_num_queries: DjangoAssertNumQueries,
    ) -> None:
        monkeypatch.setattr(selectors, "TRACKER_PAGE_SIZE", 3)
        today = timezone.localdate()
        criteria = {"high": ["person_objects"], "medium": ["contact_restricted"], "low": ["settled_no_objection"]}
        made = []
        for days_ago, priority in [(2, "low"), (9, "high"), (4, "medium"), (1, "high"), (30, "low"), (6, "")]:
            request = make_request(person=PersonFactory.create(), received_on=today - timedelta(days=days_ago))
            if priority:
                services.screen_request(dols_request=request, criteria=criteria[priority], by=dols_lead.user)
            made.append((priority, days_ago, request.reference))
        # High first, then medium or not yet screened, then low; the longest waiting (soonest due) first in each.
        rank = {"high": 0, "medium": 1, "": 1, "low": 2}
        expected = [reference for _, _, reference in sorted(made, key=lambda m: (rank[m[0]], -m[1]))]
        dols_lead.http.get(reverse("dols:tracker"))
        pages = []
        for page in (1, 2):
            with django_assert_num_queries(12):
                response = dols_lead.http.get(reverse("dols:tracker"), {"page": page})
            body = response.content.decode()
            pages.append([reference for reference in expected if f">{reference}</a>" in body])
            assert f"page {page} of 2" in body
        assert pages == [expected[:3], expected[3:]]
        assert selectors.tracker(today, page=9).page == 2  # past the end: the last page

    @pytest.mark.parametrize("count", [1, 20])
    def test_the_return_query_count_does_not_grow(
        self,
        make_request: MakeRequest,
        dols_lead: Persona,
        django_assert_num_queries: DjangoAssertNumQueries,
        count: int,
    ) -> None:
        for _ in range(count):
            make_request(person=PersonFactory.create())
        dols_lead.http.get(reverse("dols:return"))
        # session, user with memberships; settings; requests with person, location and authorisation; assessments.
        with django_assert_num_queries(5):
            response = dols_lead.http.get(reverse("dols:return"))
        assert f"{count} application" in response.content.decode()


class TestRequestPage:
    def test_anonymous_users_are_sent_to_sign_in(self, anonymous: Client, make_request: MakeRequest) -> None:
        response = anonymous.get(reverse("dols:detail", args=[make_request().pk]))
        assert response.status_code == 302

    def test_partners_get_404(self, partner: Persona, make_request: MakeRequest) -> None:
        assert partner.http.get(reverse("dols:detail", args=[make_request().pk])).status_code == 404

    def test_the_dols_team_sees_it_and_the_look_is_logged(self, dols_lead: Persona, make_request: MakeRequest) -> None:
        dols_request = make_request()
        response = dols_lead.http.get(reverse("dols:detail", args=[dols_request.pk]))
        assert response.status_code == 200
        assert AccessEvent.objects.filter(user=dols_lead.user, person_id=dols_request.person_id).count() == 1

    def test_staff_without_a_relationship_must_declare_one(
        self, other_team_worker: Persona, make_request: MakeRequest
    ) -> None:
        response = other_team_worker.http.get(reverse("dols:detail", args=[make_request().pk]))
        assert response.status_code == 302
        assert "declare" in response["Location"]


class TestDecisions:
    def test_a_director_cannot_grant_and_nothing_changes(
        self, director: Persona, make_request: MakeRequest, dols_lead: Persona, bia: Persona
    ) -> None:
        dols_request = make_request()
        assess_all(dols_request, dols_lead, bia.user)
        before = AuditEvent.objects.count()
        response = director.http.post(
            reverse("dols:sign_off", args=[dols_request.pk]), _date("sign_off", "signed_off_on", timezone.localdate())
        )
        assert response.status_code == 403
        dols_request.refresh_from_db()
        assert dols_request.status == RequestStatusName.ASSESSING
        assert AuditEvent.objects.count() == before

    def test_the_dols_lead_signs_off_and_grants(
        self, dols_lead: Persona, make_request: MakeRequest, bia: Persona
    ) -> None:
        dols_request = make_request()
        assess_all(dols_request, dols_lead, bia.user)
        today = timezone.localdate()
        url = reverse("dols:detail", args=[dols_request.pk])
        response = dols_lead.http.post(
            reverse("dols:sign_off", args=[dols_request.pk]), _date("sign_off", "signed_off_on", today)
        )
        assert response.status_code == 302
        assert response["Location"] == url
        too_long = {
            **_date("grant", "starts_on", today),
            **_date("grant", "ends_on", today + timedelta(days=400)),
            "grant-representative_name": "June Pole",
        }
        response = dols_lead.http.post(reverse("dols:grant", args=[dols_request.pk]), too_long)
        assert response.status_code == 400
        assert "at most 12 months" in response.content.decode()
        response = dols_lead.http.post(
            reverse("dols:grant", args=[dols_request.pk]),
            {**too_long, **_date("grant", "ends_on", today + timedelta(days=300))},
        )
        assert response.status_code == 302
        dols_request.refresh_from_db()
        assert dols_request.status == RequestStatusName.GRANTED

    def test_a_request_is_received_from_the_front_door_work(
        self, dols_lead: Persona, dols_team: object, resident: object, care_home: object
    ) -> None:
        from safepathways.work import services as work_services

        work = work_services.open_work(
            person=resident, kind="dols", team=dols_team, title="DoLS", by=None, story="Objects to staying"
        )
        url = reverse("dols:new_request", args=[resident.pk]) + f"?work={work.pk}"
        page = dols_lead.http.get(url)
        assert page.status_code == 200
        assert "Objects to staying" in page.content.decode()
        today = timezone.localdate()
        response = dols_lead.http.post(
            url,
            {
                "managing_authority": care_home.pk,
                "request_type": "urgent",
                "received_on_day": today.day,
                "received_on_month": today.month,
                "received_on_year": today.year,
                "is_urgent": "yes",
                "urgent_starts_on_day": today.day,
                "urgent_starts_on_month": today.month,
                "urgent_starts_on_year": today.year,
                "urgent_period_days": 7,
                "purpose": "Objects to staying",
            },
        )
        assert response.status_code == 302
        dols_request = DolsRequest.objects.get()
        assert dols_request.work_item_id == work.pk
        assert dols_request.assessments_due_on == today + timedelta(days=7)


class TestReturnExport:
    def test_the_placeholder_la_code_blocks_the_export(self, dols_lead: Persona, make_request: MakeRequest) -> None:
        make_request()
        response = dols_lead.http.get(reverse("dols:return_export"))
        assert response.status_code == 302
        assert not AccessEvent.objects.filter(kind="export").exists()

    def test_a_valid_return_downloads_and_logs_each_person(self, dols_lead: Persona, make_request: MakeRequest) -> None:
        DolsSettings.objects.filter(id=1).update(la_code="202")
        dols_request = make_request()
        response = dols_lead.http.get(reverse("dols:return_export"))
        assert response.status_code == 200
        body = response.content.decode()
        assert (
            body.lstrip("\ufeff")
            .splitlines()[0]
            .startswith("Application Reference,Person Reference,LA Code,CQC Location Code")
        )
        assert f"202{dols_request.person.reference}" in body
        assert (dols_request.person.nhs_number or "no-nhs-number") not in body
        assert AccessEvent.objects.filter(kind="export", person_id=dols_request.person_id).count() == 1

    def test_only_the_dols_lead_exports(self, team_manager: Persona) -> None:
        assert team_manager.http.get(reverse("dols:return_export")).status_code == 403
        assert not AccessEvent.objects.exists()

    def test_row_errors_name_the_row_and_field(
        self, dols_lead: Persona, make_request: MakeRequest, care_home: object
    ) -> None:
        care_home.cqc_location_id = ""
        care_home.save()
        make_request()
        response = dols_lead.http.get(reverse("dols:return"))
        assert "has no CQC location ID" in response.content.decode()
        errors = data_return.build(data_return.current_return_year(timezone.localdate())).errors
        assert [(e.row, e.field) for e in errors] == [(1, "CQC Location Code")]


class TestFurtherRequestByStaff:
    def _body(self, care_home: Location, renews: object = "") -> dict[str, object]:
        today = timezone.localdate()
        return {
            "managing_authority": care_home.pk,
            "request_type": "further",
            "renews": renews,
            "received_on_day": today.day,
            "received_on_month": today.month,
            "received_on_year": today.year,
            "is_urgent": "no",
            "purpose": "Still needs the locked door",
        }

    def test_staff_make_a_further_request_renewing_the_authorisation_in_force(
        self, dols_lead: Persona, bia: Persona, make_request: MakeRequest, resident: Person, care_home: Location
    ) -> None:
        first = make_request(received_on=timezone.localdate() - timedelta(days=20))
        assess_all(first, dols_lead, bia.user)
        services.sign_off(dols_request=first, signed_off_on=timezone.localdate(), by=dols_lead.user)
        services.grant_authorisation(
            dols_request=first,
            terms=services.AuthorisationTerms(
                starts_on=first.received_on,
                ends_on=timezone.localdate() + timedelta(days=20),
                representative_name="June Pole",
            ),
            by=dols_lead.user,
        )
        url = reverse("dols:new_request", args=[resident.pk])
        page = dols_lead.http.get(url).content.decode()
        assert f"{first.reference}: " in page  # offered as the authorisation to renew
        missing = dols_lead.http.post(url, self._body(care_home))
        assert missing.status_code == 200
        assert "Choose the authorisation this request renews" in missing.content.decode()
        wrong_type = dols_lead.http.post(
            url, {**self._body(care_home, renews=first.authorisation.pk), "request_type": "standard"}
        )
        assert wrong_type.status_code == 200
        assert "Only a further request renews an authorisation" in wrong_type.content.decode()
        assert DolsRequest.objects.count() == 1
        response = dols_lead.http.post(url, self._body(care_home, renews=first.authorisation.pk))
        assert response.status_code == 302
        further = DolsRequest.objects.exclude(pk=first.pk).get()
        assert further.request_type == "further"
        assert further.renews_id == first.authorisation.pk

    def test_only_authorisations_in_force_are_offered(
        self, dols_lead: Persona, make_request: MakeRequest, resident: Person
    ) -> None:
        waiting = make_request()
        page = dols_lead.http.get(reverse("dols:new_request", args=[resident.pk])).content.decode()
        assert f"{waiting.reference}: " not in page
