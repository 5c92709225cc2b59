"""The DoLS API: a managing authority submits and follows its own requests; staff record and decide."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from safepathways.accounts.models import Organisation
from safepathways.audit.models import AccessBasis, AccessEvent, AuditEvent
from safepathways.conftest import Persona
from safepathways.dols import services
from safepathways.dols.models import DolsRequest
from safepathways.dols.tests.conftest import assess_all
from safepathways.people.models import Person, Share
from safepathways.people.tests.factories import PersonFactory
from safepathways.providers.models import Location

MakeRequest = Callable[..., DolsRequest]
LIST = "/api/v1/dols/requests/"


def _share(person: Person, organisation: Organisation, by: Persona) -> None:
    Share.objects.create(person=person, organisation=organisation, purpose="DoLS request", shared_by=by.user)


@pytest.fixture
def body(resident: Person, care_home: Location) -> dict[str, object]:
    return {
        "person": str(resident.pk),
        "managing_authority": care_home.cqc_location_id,
        "request_type": "urgent",
        "purpose": "Locked door; tries to leave",
        "is_urgent": True,
        "urgent_starts_on": timezone.localdate().isoformat(),
    }


class TestSubmitting:
    def test_anonymous_gets_401(self, anonymous: Client, body: dict[str, object]) -> None:
        assert anonymous.post(LIST, body, content_type="application/json").status_code == 401
        assert not DolsRequest.objects.exists()

    def test_a_managing_authority_submits_and_reads_its_status(
        self,
        care_home_partner: Persona,
        body: dict[str, object],
        resident: Person,
        home_org: Organisation,
        dols_lead: Persona,
        dols_team: object,
    ) -> None:
        _share(resident, home_org, dols_lead)
        response = care_home_partner.http.post(LIST, body, content_type="application/json")
        assert response.status_code == 201, response.json()
        data = response.json()
        assert data["status"] == "received"
        assert data["assessments_due_on"] == (timezone.localdate() + timedelta(days=7)).isoformat()
        assert data["assessments"] == []
        read = care_home_partner.http.get(f"{LIST}{data['id']}/")
        assert read.status_code == 200

    def test_another_organisations_location_is_refused_naming_the_field(
        self, partner: Persona, body: dict[str, object]
    ) -> None:
        response = partner.http.post(LIST, body, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] in {"person", "managing_authority"}
        assert not DolsRequest.objects.exists()

    def test_bad_dates_name_the_field(
        self,
        care_home_partner: Persona,
        body: dict[str, object],
        resident: Person,
        home_org: Organisation,
        dols_lead: Persona,
        dols_team: object,
    ) -> None:
        _share(resident, home_org, dols_lead)
        body["received_on"] = (timezone.localdate() + timedelta(days=3)).isoformat()
        response = care_home_partner.http.post(LIST, body, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["errors"] == [
            {"field": "received_on", "message": "The date the request was received must be today or in the past"}
        ]


class TestReading:
    def test_a_partner_of_another_organisation_gets_404(self, partner: Persona, make_request: MakeRequest) -> None:
        assert partner.http.get(f"{LIST}{make_request().pk}/").status_code == 404

    def test_a_partner_lists_only_its_own(
        self, care_home_partner: Persona, make_request: MakeRequest, home_org: Organisation
    ) -> None:
        make_request()
        mine = make_request(person=PersonFactory.create())
        DolsRequest.objects.filter(pk=mine.pk).update(submitted_by_organisation=home_org)
        data = care_home_partner.http.get(LIST).json()
        assert [r["id"] for r in data["results"]] == [str(mine.pk)]

    def test_a_partner_sees_where_its_request_is_but_not_the_councils_reasons(
        self, care_home_partner: Persona, make_request: MakeRequest, home_org: Organisation, dols_lead: Persona
    ) -> None:
        mine = make_request(person=PersonFactory.create())
        DolsRequest.objects.filter(pk=mine.pk).update(submitted_by_organisation=home_org)
        services.screen_request(dols_request=mine, criteria=["person_objects"], by=dols_lead.user)
        data = care_home_partner.http.get(f"{LIST}{mine.pk}/").json()
        assert [s["status"] for s in data["statuses"]][-1] == "screened"
        assert {s["reason"] for s in data["statuses"]} == {""}
        assert data["priority"] == ""
        staff = dols_lead.http.get(f"{LIST}{mine.pk}/").json()
        assert any(s["reason"].startswith("Priority") for s in staff["statuses"])

    @pytest.mark.parametrize("count", [1, 20])
    def test_the_list_query_count_does_not_grow(
        self,
        dols_lead: Persona,
        make_request: MakeRequest,
        django_assert_num_queries: DjangoAssertNumQueries,
        count: int,
    ) -> None:
        for _ in range(count):
            make_request(person=PersonFactory.create())
        dols_lead.http.get(LIST)
        # session, user with memberships; count; page with location and authorisation; statuses; assessments.
        with django_assert_num_queries(6):
            response = dols_lead.http.get(LIST)
        assert response.json()["count"] == count


class TestStaffEndpoints:
    def test_a_director_cannot_grant_and_nothing_is_written(self, director: Persona, make_request: MakeRequest) -> None:
        dols_request = make_request()
        before = AuditEvent.objects.count()
        response = director.http.post(
            f"{LIST}{dols_request.pk}/authorisation/",
            {"starts_on": "2026-01-01", "ends_on": "2026-06-01", "representative_name": "A"},
            content_type="application/json",
        )
        assert response.status_code == 403
        assert AuditEvent.objects.count() == before

    def test_the_dols_lead_grants_and_dates_are_checked(
        self, dols_lead: Persona, bia: Persona, make_request: MakeRequest
    ) -> None:

        dols_request = make_request()
        assess_all(dols_request, dols_lead, bia.user)
        today = timezone.localdate()
        services.sign_off(dols_request=dols_request, signed_off_on=today, by=dols_lead.user)
        url = f"{LIST}{dols_request.pk}/authorisation/"
        bad = {
            "starts_on": today.isoformat(),
            "ends_on": (today - timedelta(days=1)).isoformat(),
            "representative_name": "A",
        }
        response = dols_lead.http.post(url, bad, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "ends_on"
        good = {**bad, "ends_on": (today + timedelta(days=90)).isoformat()}
        response = dols_lead.http.post(url, good, content_type="application/json")
        assert response.status_code == 201
        assert response.json()["status"] == "granted"

    def test_an_assessment_is_recorded(self, bia: Persona, dols_lead: Persona, make_request: MakeRequest) -> None:

        dols_request = make_request()
        services.screen_request(dols_request=dols_request, criteria=[], by=dols_lead.user)
        services.allocate_request(dols_request=dols_request, assessor=bia.user, by=dols_lead.user)
        response = bia.http.post(
            f"{LIST}{dols_request.pk}/assessments/age/",
            {"outcome": 1, "completed_on": timezone.localdate().isoformat()},
            content_type="application/json",
        )
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == "assessing"


class TestWritesAreLooks:
    """A write the API answers with the request is a look at the person's record, logged as the reads are."""

    def test_a_recorded_assessment_is_logged_and_a_refused_one_is_not(
        self, bia: Persona, dols_lead: Persona, make_request: MakeRequest
    ) -> None:
        dols_request = make_request()
        services.screen_request(dols_request=dols_request, criteria=[], by=dols_lead.user)
        services.allocate_request(dols_request=dols_request, assessor=bia.user, by=dols_lead.user)
        url = f"{LIST}{dols_request.pk}/assessments/age/"

        bad = bia.http.post(url, {"outcome": 1, "completed_on": "not a date"}, content_type="application/json")
        assert bad.status_code == 400
        assert not AccessEvent.objects.filter(user=bia.user).exists()

        good = {"outcome": 1, "completed_on": timezone.localdate().isoformat()}
        assert bia.http.post(url, good, content_type="application/json").status_code == 200
        look = AccessEvent.objects.get(user=bia.user)
        assert (look.person_id, look.what, look.basis, look.grant_id) == (
            dols_request.person_id,
            f"POST {url}",
            AccessBasis.RELATIONSHIP,
            None,
        )

    def test_a_managing_authoritys_submission_is_logged_on_the_share(
        self,
        care_home_partner: Persona,
        body: dict[str, object],
        resident: Person,
        home_org: Organisation,
        dols_lead: Persona,
        dols_team: object,
    ) -> None:
        _share(resident, home_org, dols_lead)
        assert care_home_partner.http.post(LIST, body, content_type="application/json").status_code == 201
        look = AccessEvent.objects.get(user=care_home_partner.user)
        assert (look.person_id, look.what, look.basis) == (resident.pk, f"POST {LIST}", AccessBasis.PARTNER_SHARE)
