"""The discharge API: a trust's system refers and follows its own referrals; the hospital team decides."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from safepathways.accounts.models import Organisation
from safepathways.conftest import Persona
from safepathways.core.identifiers import nhs_number_in_test_range
from safepathways.discharges.models import Referral, UnsafeDischargeReport
from safepathways.discharges.tests.conftest import complete_essentials
from safepathways.discharges.tests.factories import EDITH_NHS_NUMBER, days_ago

MakeReferral = Callable[..., Referral]
LIST = "/api/v1/discharge/referrals/"
BOARD = "/api/v1/discharge/board/"


def _numbers(count: int) -> list[str]:
    found: list[str] = []
    serial = 7_800_000
    while len(found) < count:
        number = nhs_number_in_test_range(serial)
        if number:
            found.append(number)
        serial += 1
    return found


@pytest.fixture
def body() -> dict[str, object]:
    return {
        "ward": "Ward 8 North",
        "nhs_number": EDITH_NHS_NUMBER,
        "given_name": "Edith",
        "family_name": "Cole",
        "date_of_birth": "1938-04-02",
        "admitted_on": days_ago(6).isoformat(),
        "discharge_ready_on": days_ago(1).isoformat(),
        "proposed_pathway": 1,
        "needs": "Lives alone",
    }


class TestReferring:
    def test_anonymous_gets_401(self, anonymous: Client, body: dict[str, object]) -> None:
        assert anonymous.post(LIST, body, content_type="application/json").status_code == 401

    def test_the_trusts_system_refers_without_naming_its_own_trust(
        self, partner: Persona, body: dict[str, object], hospital_team: object
    ) -> None:
        response = partner.http.post(LIST, body, content_type="application/json")
        assert response.status_code == 201, response.json()
        data = response.json()
        assert data["status"] == "received"
        assert data["hospital"] == "RAL"
        assert data["person"]["nhs_number"] == EDITH_NHS_NUMBER
        assert partner.http.get(f"{LIST}{data['id']}/").status_code == 200

    def test_dates_out_of_order_name_the_field(
        self, partner: Persona, body: dict[str, object], hospital_team: object
    ) -> None:
        body["discharge_ready_on"] = days_ago(8).isoformat()
        response = partner.http.post(LIST, body, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["errors"] == [
            {"field": "discharge_ready_on", "message": "The discharge-ready date cannot be before the admission date"}
        ]
        assert not Referral.objects.exists()

    def test_police_and_other_council_staff_cannot_refer(
        self, police_partner: Persona, social_worker: Persona, body: dict[str, object]
    ) -> None:
        assert police_partner.http.post(LIST, body, content_type="application/json").status_code == 403
        assert social_worker.http.post(LIST, body, content_type="application/json").status_code == 403

    def test_another_trust_is_refused(
        self, partner: Persona, body: dict[str, object], other_trust: Organisation, hospital_team: object
    ) -> None:
        body["hospital"] = "RRV"
        response = partner.http.post(LIST, body, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "hospital"


class TestReading:
    def test_a_partner_lists_only_its_own_and_gets_404_for_others(
        self,
        make_referral: MakeReferral,
        partner: Persona,
        hospital_worker: Persona,
        other_trust: Organisation,
    ) -> None:
        mine = make_referral()
        theirs = make_referral(hospital=other_trust, by=hospital_worker, nhs_number=_numbers(1)[0])
        data = partner.http.get(LIST).json()
        assert [r["id"] for r in data["results"]] == [str(mine.pk)]
        assert partner.http.get(f"{LIST}{theirs.pk}/").status_code == 404
        assert len(hospital_worker.http.get(LIST).json()["results"]) == 2

    @pytest.mark.parametrize("count", [1, 20])
    def test_the_list_query_count_does_not_grow(
        self,
        make_referral: MakeReferral,
        hospital_worker: Persona,
        django_assert_num_queries: DjangoAssertNumQueries,
        count: int,
    ) -> None:
        for number in _numbers(count):
            make_referral(nhs_number=number)
        hospital_worker.http.get(LIST)
        # session, user with memberships; count; page with person, hospital, delay reason, owner organisation;
        # status history.
        with django_assert_num_queries(5):
            response = hospital_worker.http.get(LIST)
        assert response.json()["count"] == count

    @pytest.mark.parametrize("count", [1, 20])
    def test_the_board_query_count_does_not_grow(
        self,
        make_referral: MakeReferral,
        partner: Persona,
        django_assert_num_queries: DjangoAssertNumQueries,
        count: int,
    ) -> None:
        for index, number in enumerate(_numbers(count)):
            make_referral(nhs_number=number, discharge_ready_on=days_ago(index % 4))
        partner.http.get(BOARD)
        # session, user with memberships; the board's rows (the API needs no trusts for a filter form).
        with django_assert_num_queries(3):
            response = partner.http.get(BOARD)
        data = response.json()
        assert data["count"] == count
        days = [row["days_since_ready"] for row in data["results"]]
        assert days == sorted(days, reverse=True)

    def test_the_board_filters_by_pathway(self, make_referral: MakeReferral, partner: Persona) -> None:
        make_referral(proposed_pathway=3)
        assert partner.http.get(BOARD, {"pathway": "1"}).json()["count"] == 0
        assert partner.http.get(BOARD, {"pathway": "3"}).json()["count"] == 1
        assert partner.http.get(BOARD, {"pathway": "7"}).status_code == 400


class TestUpdating:
    def test_a_next_action_without_an_owner_is_refused_and_nothing_changes(
        self, make_referral: MakeReferral, partner: Persona
    ) -> None:
        referral = make_referral()
        response = partner.http.patch(
            f"{LIST}{referral.pk}/",
            {
                "discharge_ready_on": days_ago(1).isoformat(),
                "next_action": "Order a hospital bed",
                "next_action_due": timezone.localdate().isoformat(),
            },
            content_type="application/json",
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "next_action_owner_name"
        referral.refresh_from_db()
        assert referral.discharge_ready_on is None  # the whole PATCH is one transaction

    def test_a_partner_cannot_agree_the_pathway(self, make_referral: MakeReferral, partner: Persona) -> None:
        referral = make_referral()
        response = partner.http.patch(f"{LIST}{referral.pk}/", {"agreed_pathway": 1}, content_type="application/json")
        assert response.status_code == 403

    def test_the_hospital_team_agrees_pathway_support_and_delay(
        self, make_referral: MakeReferral, hospital_worker: Persona
    ) -> None:
        referral = make_referral(discharge_ready_on=days_ago(3))
        today = timezone.localdate()
        response = hospital_worker.http.patch(
            f"{LIST}{referral.pk}/",
            {
                "agreed_pathway": 1,
                "planned_discharge_on": today.isoformat(),
                "support_kind": "reablement",
                "support_provider": "Camden reablement",
                "support_start_on": (today + timedelta(days=1)).isoformat(),
                "support_start_time": "08:00",
                "delay_reason": "p1_care_at_home",
            },
            content_type="application/json",
        )
        assert response.status_code == 200, response.json()
        data = response.json()
        # Not ready yet: the transition plan's essential arrangements (keys, medication, transport...) are open.
        assert data["status"] == "assessing"
        assert data["delay_reason"] == "p1_care_at_home"
        assert data["support_start_time"] == "08:00:00"
        referral.refresh_from_db()
        assert referral.plan is not None
        complete_essentials(referral.plan, hospital_worker)
        response = hospital_worker.http.patch(
            f"{LIST}{referral.pk}/", {"discharge_ready_on": days_ago(3).isoformat()}, content_type="application/json"
        )
        assert response.json()["status"] == "ready"

    def test_outcome_and_readmission(self, make_referral: MakeReferral, partner: Persona) -> None:
        referral = make_referral(discharge_ready_on=days_ago(5), proposed_pathway=0)
        url = f"{LIST}{referral.pk}/outcome/"
        early = {"discharged_on": days_ago(6).isoformat(), "discharged_to": "usual_residence"}
        response = partner.http.post(url, early, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "discharged_on"
        response = partner.http.post(
            url,
            {"discharged_on": days_ago(4).isoformat(), "discharged_to": "usual_residence"},
            content_type="application/json",
        )
        assert response.status_code == 200
        response = partner.http.post(url, {"readmitted_on": days_ago(1).isoformat()}, content_type="application/json")
        assert response.json()["is_early_readmission"] is True

    def test_a_pathway_1_discharge_with_no_support_start_needs_the_reason(
        self, make_referral: MakeReferral, partner: Persona
    ) -> None:
        referral = make_referral(discharge_ready_on=days_ago(5))
        url = f"{LIST}{referral.pk}/outcome/"
        body = {"discharged_on": days_ago(1).isoformat(), "discharged_to": "usual_residence"}
        response = partner.http.post(url, body, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "no_support_reason"
        reason = "Discharged himself against advice"
        response = partner.http.post(url, {**body, "no_support_reason": reason}, content_type="application/json")
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == "discharged"
        assert response.json()["no_support_reason"] == reason

    def test_an_unsafe_report_opens_a_review(
        self, make_referral: MakeReferral, partner: Persona, hospital_manager: Persona
    ) -> None:
        referral = make_referral()
        response = partner.http.post(
            f"{LIST}{referral.pk}/unsafe-reports/",
            {
                "reporter_name": "Rose House",
                "reporter_relationship": "provider",
                "what_happened": "No medication",
                "occurred_on": days_ago(1).isoformat(),
            },
            content_type="application/json",
        )
        assert response.status_code == 201
        assert response.json()["under_review"] is True
        assert UnsafeDischargeReport.objects.filter(referral=referral).count() == 1
