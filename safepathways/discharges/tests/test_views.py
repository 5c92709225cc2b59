"""Access matrix, happy paths, bad input and pinned query counts for the hospital discharge pages."""

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from markupsafe import escape
from pytest_django import DjangoAssertNumQueries

from safepathways.accounts.models import Organisation
from safepathways.audit.models import AccessEvent, AuditEvent
from safepathways.conftest import Persona
from safepathways.discharges import selectors, services
from safepathways.discharges.models import Referral, ReferralStatusName, UnsafeDischargeReport
from safepathways.discharges.tests.conftest import FRONT_DOOR_STORY
from safepathways.discharges.tests.factories import EDITH_NHS_NUMBER, days_ago, ward_referral
from safepathways.people.tests.factories import PersonFactory
from safepathways.work.models import WorkItem

MakeReferral = Callable[..., Referral]
MakeWork = Callable[..., WorkItem]


def _date(name: str, day: date, prefix: str = "") -> dict[str, object]:
    key = f"{prefix}-{name}" if prefix else name
    return {f"{key}_day": day.day, f"{key}_month": day.month, f"{key}_year": day.year}


def _login_redirect(response: HttpResponse) -> bool:
    return response.status_code == 302 and "sign-in" in response["Location"]


class TestPageAccess:
    """Council hospital staff, other council staff, the trust's partner, a police partner, anonymous."""

    @pytest.mark.parametrize(
        ("name", "hospital_staff", "other_staff", "trust_partner", "police_user"),
        [
            ("discharges:board", 200, 403, 200, 403),
            ("discharges:new_referral", 200, 403, 200, 403),
            ("discharges:out_of_hours", 200, 403, 403, 403),
            ("discharges:metrics", 200, 403, 403, 403),
            ("discharges:unsafe_reports", 200, 403, 403, 403),
        ],
    )
    def test_list_pages(
        self,
        name: str,
        hospital_staff: int,
        other_staff: int,
        trust_partner: int,
        police_user: int,
        hospital_worker: Persona,
        social_worker: Persona,
        partner: Persona,
        police_partner: Persona,
        anonymous: Client,
    ) -> None:
        url = reverse(name)
        assert hospital_worker.http.get(url).status_code == hospital_staff
        assert social_worker.http.get(url).status_code == other_staff
        assert partner.http.get(url).status_code == trust_partner
        assert police_partner.http.get(url).status_code == police_user
        assert _login_redirect(anonymous.get(url))

    def test_oversight_and_out_of_hours_roles(self, director: Persona, ooh_worker: Persona) -> None:
        assert director.http.get(reverse("discharges:board")).status_code == 200
        assert director.http.get(reverse("discharges:metrics")).status_code == 200
        assert ooh_worker.http.get(reverse("discharges:out_of_hours")).status_code == 200
        assert ooh_worker.http.get(reverse("discharges:metrics")).status_code == 403

    def test_the_referral_page(
        self,
        make_referral: MakeReferral,
        hospital_worker: Persona,
        social_worker: Persona,
        partner: Persona,
        police_partner: Persona,
        anonymous: Client,
    ) -> None:
        referral = make_referral()
        url = reverse("discharges:referral", args=[referral.pk])
        response = hospital_worker.http.get(url)
        assert response.status_code == 200
        assert "Edith Cole" in response.content.decode()
        assert social_worker.http.get(url).status_code == 403
        assert partner.http.get(url).status_code == 200
        assert police_partner.http.get(url).status_code == 403
        assert _login_redirect(anonymous.get(url))
        looks = AccessEvent.objects.filter(person_id=referral.person_id)
        assert {e.basis for e in looks} == {"relationship", "partner_share"}

    def test_the_referring_trusts_partner_sees_the_referral_and_the_plan_but_not_the_persons_record(
        self, make_referral: MakeReferral, hospital_worker: Persona, partner: Persona
    ) -> None:
        """Issue 5: a partner sees only the plans and referrals shared with it. Referring someone does not open
        their whole record (chronology, alerts, risks, contacts) to the ward."""
        referral = make_referral(discharge_ready_on=days_ago(1))
        person_page = reverse("people:detail", args=[referral.person_id])
        assert partner.http.get(person_page).status_code == 404
        page = partner.http.get(reverse("discharges:referral", args=[referral.pk]))
        assert page.status_code == 200
        assert str(escape(referral.person.full_name)) in page.content.decode()
        assert referral.reference in partner.http.get(reverse("discharges:board")).content.decode()
        assert partner.http.get(f"/api/v1/discharge/referrals/{referral.pk}/").status_code == 200
        # The transition plan the hospital team starts is shared with the trust: the ward follows it too.
        services.agree_pathway(
            referral=referral,
            pathway=1,
            planned_discharge_on=timezone.localdate() + timedelta(days=1),
            by=hospital_worker.user,
        )
        referral.refresh_from_db()
        assert referral.plan is not None
        assert partner.http.get(reverse("transitions:plan", args=[referral.plan.pk])).status_code == 200
        assert partner.http.get(person_page).status_code == 404
        # The hospital team works with the person, so opens their record as before.
        assert hospital_worker.http.get(person_page).status_code == 200

    def test_another_trusts_partner_gets_404(
        self,
        make_referral: MakeReferral,
        make_persona: Callable[..., Persona],
        other_trust: Organisation,
    ) -> None:
        from safepathways.accounts.models import Role, Team, TeamKind

        ward = Team.objects.create(organisation=other_trust, name="UCLH ward", slug="uclh-ward", kind=TeamKind.PARTNER)
        stranger = make_persona(ward, Role.PARTNER, name="Una Stranger")
        referral = make_referral()
        assert stranger.http.get(reverse("discharges:referral", args=[referral.pk])).status_code == 404
        response = stranger.http.post(
            reverse("discharges:set_ready_date", args=[referral.pk]), _date("discharge_ready_on", days_ago(1), "ready")
        )
        assert response.status_code == 404
        referral.refresh_from_db()
        assert referral.discharge_ready_on is None

    def test_council_staff_without_a_relationship_must_declare_one(
        self, make_referral: MakeReferral, ooh_worker: Persona
    ) -> None:
        response = ooh_worker.http.get(reverse("discharges:referral", args=[make_referral().pk]))
        assert response.status_code == 302
        assert "declare" in response["Location"]

    def test_taking_over_front_door_work(
        self,
        make_front_door_work: MakeWork,
        make_persona: Callable[..., Persona],
        council: Organisation,
        hospital_worker: Persona,
        social_worker: Persona,
        ooh_worker: Persona,
        director: Persona,
        partner: Persona,
        police_partner: Persona,
        anonymous: Client,
    ) -> None:
        """Only the hospital team takes over the front door's work: the trust's partner may refer but gets a 404
        (the work and its story are the council's); staff of another hospital team declare a relationship first."""
        from safepathways.accounts.models import Role, Team, TeamKind

        work = make_front_door_work()
        url = f"{reverse('discharges:new_referral')}?work={work.pk}"
        page = hospital_worker.http.get(url)
        assert page.status_code == 200
        assert str(escape(work.person.full_name)) in page.content.decode()
        assert AccessEvent.objects.filter(person_id=work.person_id, user=hospital_worker.user).exists()
        assert partner.http.get(url).status_code == 404
        assert partner.http.post(url, {}).status_code == 404
        for refused in (social_worker, ooh_worker, director, police_partner):
            assert refused.http.get(url).status_code == 403
            assert refused.http.post(url, {}).status_code == 403
        assert _login_redirect(anonymous.get(url))
        assert _login_redirect(anonymous.post(url, {}))
        elsewhere = Team.objects.create(
            organisation=council,
            name="Hospital social work – UCLH",
            slug="hospital-uclh",
            kind=TeamKind.HOSPITAL_SOCIAL_WORK,
        )
        other_team = make_persona(elsewhere, Role.SOCIAL_WORKER, name="Omar Reed")
        response = other_team.http.get(url)
        assert response.status_code == 302 and "declare" in response["Location"]
        assert not Referral.objects.exists()

    def test_the_front_door_work_on_the_board_is_shown_only_to_the_hospital_team(
        self,
        make_front_door_work: MakeWork,
        hospital_worker: Persona,
        director: Persona,
        partner: Persona,
    ) -> None:
        work = make_front_door_work()
        link = f"{reverse('discharges:new_referral')}?work={work.pk}"
        assert link in hospital_worker.http.get(reverse("discharges:board")).content.decode()
        for without in (director, partner):
            page = without.http.get(reverse("discharges:board")).content.decode()
            assert link not in page
            assert str(escape(work.person.full_name)) not in page
            assert "Discharge work from the front door" not in page


class TestBoard:
    def test_a_partner_sees_only_its_own_trusts_referrals_and_those_shared_with_it(
        self,
        make_referral: MakeReferral,
        hospital_worker: Persona,
        partner: Persona,
        other_trust: Organisation,
        hospital: Organisation,
    ) -> None:
        mine = make_referral()
        theirs = make_referral(hospital=other_trust, by=hospital_worker, nhs_number="9996543226", given_name="Ada")
        shared = make_referral(hospital=other_trust, by=hospital_worker, nhs_number="9996543234", given_name="Bertha")
        shared.shared_with.add(hospital)
        page = partner.http.get(reverse("discharges:board")).content.decode()
        assert mine.reference in page
        assert shared.reference in page
        assert theirs.reference not in page
        everyone = hospital_worker.http.get(reverse("discharges:board")).content.decode()
        assert all(r.reference in everyone for r in (mine, theirs, shared))

    def test_the_hospital_team_shares_a_referral_and_stops_sharing_it(
        self,
        anonymous: Client,
        social_worker: Persona,
        make_referral: MakeReferral,
        hospital_worker: Persona,
        partner: Persona,
        other_trust: Organisation,
        hospital: Organisation,
    ) -> None:
        referral = make_referral(hospital=other_trust, by=hospital_worker, nhs_number="9996543226", given_name="Ada")
        page_url = reverse("discharges:referral", args=[referral.pk])
        share_url = reverse("discharges:share", args=[referral.pk])
        assert partner.http.get(page_url).status_code == 404
        assert anonymous.post(share_url, {"share-organisation": str(hospital.pk)}).status_code == 302
        assert partner.http.post(share_url, {"share-organisation": str(hospital.pk)}).status_code == 403
        # Council staff outside the hospital team: not their decision (the hospital team plans discharges).
        assert social_worker.http.post(share_url, {"share-organisation": str(hospital.pk)}).status_code == 403
        assert not referral.shared_with.exists()
        refused = hospital_worker.http.post(share_url, {"share-organisation": str(other_trust.pk)})
        assert refused.status_code == 400 and "sees it already" in refused.content.decode()
        assert hospital_worker.http.post(share_url, {"share-organisation": str(hospital.pk)}).status_code == 302
        assert partner.http.get(page_url).status_code == 200
        assert referral.reference in partner.http.get(reverse("discharges:board")).content.decode()
        stop = reverse("discharges:unshare", args=[referral.pk, hospital.pk])
        assert f'action="{stop}"' in hospital_worker.http.get(page_url).content.decode()
        assert hospital_worker.http.post(stop).status_code == 302
        assert partner.http.get(page_url).status_code == 404
        assert referral.reference not in partner.http.get(reverse("discharges:board")).content.decode()
        assert hospital_worker.http.post(stop).status_code == 404

    def test_longest_since_discharge_ready_first_and_filters(
        self, make_referral: MakeReferral, hospital_worker: Persona
    ) -> None:
        recent = make_referral(discharge_ready_on=days_ago(1), nhs_number="9996543226", given_name="Ada")
        longest = make_referral(discharge_ready_on=days_ago(8), nhs_number="9996543234", given_name="Bertha")
        not_ready = make_referral(nhs_number="9996543242", given_name="Cora", proposed_pathway=3)
        page = hospital_worker.http.get(reverse("discharges:board")).content.decode()
        assert page.index(longest.reference) < page.index(recent.reference) < page.index(not_ready.reference)
        assert "8 days" in page
        filtered = hospital_worker.http.get(reverse("discharges:board"), {"pathway": "3"}).content.decode()
        assert not_ready.reference in filtered
        assert recent.reference not in filtered

    def test_the_board_downloads_as_csv_and_logs_each_look(
        self, make_referral: MakeReferral, hospital_worker: Persona
    ) -> None:
        referral = make_referral(discharge_ready_on=days_ago(2))
        response = hospital_worker.http.get(reverse("discharges:board"), {"format": "csv"})
        assert response.status_code == 200
        assert referral.reference in response.content.decode()
        assert AccessEvent.objects.filter(person_id=referral.person_id, kind="export").count() == 1

    def test_the_board_escapes_what_people_typed(self, make_referral: MakeReferral, hospital_worker: Persona) -> None:
        referral = make_referral(discharge_ready_on=days_ago(3), ward='Ward <b>7</b> "East"')
        services.set_next_action(
            referral=referral,
            action="Call <script>alert(1)</script> the family",
            owner_name="Nina & Co",
            owner_organisation=referral.hospital,
            due_on=timezone.localdate(),
            by=hospital_worker.user,
        )
        body = hospital_worker.http.get(reverse("discharges:board")).content.decode()
        assert "<script>alert(1)</script>" not in body
        assert "Call &lt;script&gt;alert(1)&lt;/script&gt; the family" in body
        assert "Ward &lt;b&gt;7&lt;/b&gt; &#34;East&#34;" in body
        assert "Nina &amp; Co" in body
        assert f'href="{reverse("discharges:referral", args=[referral.pk])}"' in body
        assert "3 days" in body

    @pytest.mark.parametrize("count", [1, 20])
    def test_the_board_query_count_does_not_grow(
        self,
        make_referral: MakeReferral,
        make_front_door_work: MakeWork,
        hospital_worker: Persona,
        partner: Persona,
        django_assert_num_queries: DjangoAssertNumQueries,
        count: int,
    ) -> None:
        from safepathways.core.identifiers import nhs_number_in_test_range

        serial = 7_700_000
        for index in range(count):
            while (number := nhs_number_in_test_range(serial)) is None:
                serial += 1
            serial += 1
            referral = make_referral(nhs_number=number, discharge_ready_on=days_ago(index % 5))
            services.set_next_action(
                referral=referral,
                action="Book reablement",
                owner_name="Nina Patel",
                owner_organisation=referral.hospital,
                due_on=timezone.localdate(),
                by=hospital_worker.user,
            )
            make_front_door_work()
        hospital_worker.http.get(reverse("discharges:board"))
        # session, user with memberships; trusts for the filter; open referrals with person, hospital, delay reason
        # and the next action owner's organisation; the essential arrangements still open on their transition plans,
        # counted per referral; the front door's discharge work no referral has taken over yet, with its person and
        # team (the hospital team only).
        with django_assert_num_queries(6):
            response = hospital_worker.http.get(reverse("discharges:board"))
        page = response.content.decode()
        assert page.count("Book reablement") == count
        assert page.count("Start the discharge referral") == count
        # The trust's partner does not see the front door's work, and is not charged its query.
        partner.http.get(reverse("discharges:board"))
        with django_assert_num_queries(5):
            partner.http.get(reverse("discharges:board"))


class TestReferralForm:
    def test_a_ward_partner_refers_and_the_hospital_team_sees_it(
        self, partner: Persona, hospital: Organisation, hospital_team: object, hospital_worker: Persona
    ) -> None:
        url = reverse("discharges:new_referral")
        assert f'value="{hospital.pk}" selected' in partner.http.get(url).content.decode()
        body = {
            "hospital": hospital.pk,
            "ward": "Ward 8 North",
            "nhs_number": EDITH_NHS_NUMBER,
            "given_name": "Edith",
            "family_name": "Cole",
            **_date("date_of_birth", date(1938, 4, 2)),
            **_date("admitted_on", days_ago(6)),
            **_date("discharge_ready_on", days_ago(7)),
            "proposed_pathway": "1",
            "needs": "Lives alone; needs help to wash",
        }
        response = partner.http.post(url, body)
        assert response.status_code == 200
        assert "cannot be before the admission date" in response.content.decode()
        assert not Referral.objects.exists()
        body.update(_date("discharge_ready_on", days_ago(1)))
        response = partner.http.post(url, body)
        assert response.status_code == 302
        referral = Referral.objects.get()
        assert response["Location"] == reverse("discharges:referral", args=[referral.pk])
        assert referral.referred_by == partner.user
        assert referral.reference in hospital_worker.http.get(reverse("discharges:board")).content.decode()


class TestTakingOverFrontDoorWork:
    """`?work=<id>`: the hospital team starts the referral from the front door's work, its person and its story."""

    def _body(self, hospital: Organisation, **overrides: object) -> dict[str, object]:
        return {
            "hospital": hospital.pk,
            "ward": "Ward 8 North",
            **_date("admitted_on", days_ago(6)),
            **_date("discharge_ready_on", days_ago(1)),
            "proposed_pathway": "1",
            "needs": FRONT_DOOR_STORY + " Ward: needs a frame.",
            **overrides,
        }

    def test_the_form_starts_from_the_work_person_and_story(
        self, make_front_door_work: MakeWork, hospital_worker: Persona
    ) -> None:
        work = make_front_door_work()
        page = hospital_worker.http.get(f"{reverse('discharges:new_referral')}?work={work.pk}").content.decode()
        assert str(escape(work.person.full_name)) in page
        number = work.person.nhs_number
        assert number and number in page
        assert str(escape(FRONT_DOOR_STORY)) in page  # the needs field, filled in
        assert FRONT_DOOR_STORY not in page
        assert 'name="nhs_number"' not in page  # nobody retypes who the person is
        assert "Start the discharge referral" in page

    def test_posting_makes_one_referral_on_the_same_work_and_the_board_stops_listing_it(
        self, make_front_door_work: MakeWork, hospital_worker: Persona, hospital: Organisation
    ) -> None:
        work = make_front_door_work()
        board = reverse("discharges:board")
        link = f"{reverse('discharges:new_referral')}?work={work.pk}"
        assert link in hospital_worker.http.get(board).content.decode()
        refused = hospital_worker.http.post(link, self._body(hospital, ward=""))
        assert refused.status_code == 200
        assert not Referral.objects.exists()
        response = hospital_worker.http.post(link, self._body(hospital))
        assert response.status_code == 302
        referral = Referral.objects.get()
        assert response["Location"] == reverse("discharges:referral", args=[referral.pk])
        assert (referral.work_item_id, referral.person_id) == (work.pk, work.person_id)
        assert referral.needs.endswith("Ward: needs a frame.")
        assert WorkItem.objects.count() == 1
        page = hospital_worker.http.get(board).content.decode()
        assert link not in page
        assert referral.reference in page
        assert "Discharge work from the front door" not in page  # no empty table: it shows when work waits

    def test_work_already_taken_over_leads_to_its_referral_or_is_refused(
        self,
        make_front_door_work: MakeWork,
        hospital_worker: Persona,
        hospital: Organisation,
        other_trust: Organisation,
    ) -> None:
        work = make_front_door_work()
        link = f"{reverse('discharges:new_referral')}?work={work.pk}"
        assert hospital_worker.http.post(link, self._body(hospital)).status_code == 302
        referral = Referral.objects.get()
        response = hospital_worker.http.get(link)
        assert response.status_code == 302
        assert response["Location"] == reverse("discharges:referral", args=[referral.pk])
        # A second colleague posting the form they opened before: refused, saying which referral took it.
        second = hospital_worker.http.post(link, self._body(other_trust))
        assert second.status_code == 200
        assert f"{referral.reference} has already taken over this work" in second.content.decode()
        assert Referral.objects.count() == 1
        assert WorkItem.objects.count() == 1

    def test_work_unknown_closed_or_not_front_door_discharge_work_is_404(
        self, make_front_door_work: MakeWork, hospital_worker: Persona, social_worker: Persona
    ) -> None:
        from safepathways.work import services as work_services

        closed = make_front_door_work()
        work_services.close_work(work_item=closed, by=hospital_worker.user, outcome="Went home without support")
        review = services.report_unsafe_discharge(
            person=PersonFactory.create(),
            details=services.UnsafeReportDetails("June Cole", "family", "No carers came", days_ago(1)),
            by=social_worker.user,
        ).work_item
        assessment = make_front_door_work(kind="assessment")
        url = reverse("discharges:new_referral")
        for work_id in ("not-a-uuid", closed.pk, review.pk, assessment.pk, "8d7c0b5e-0000-4000-8000-000000000000"):
            assert hospital_worker.http.get(f"{url}?work={work_id}").status_code == 404


class TestDecisions:
    def test_the_hospital_team_agrees_the_pathway_and_the_next_action(
        self, make_referral: MakeReferral, hospital_worker: Persona
    ) -> None:
        referral = make_referral(discharge_ready_on=days_ago(2))
        today = timezone.localdate()
        response = hospital_worker.http.post(
            reverse("discharges:agree_pathway", args=[referral.pk]),
            {"pathway-pathway": "1", **_date("planned_discharge_on", today + timedelta(days=1), "pathway")},
        )
        assert response.status_code == 302
        missing_owner = {"action-next_action": "Book reablement", **_date("next_action_due", today, "action")}
        response = hospital_worker.http.post(reverse("discharges:next_action", args=[referral.pk]), missing_owner)
        assert response.status_code == 400
        assert "Enter who owns the next action" in response.content.decode()
        response = hospital_worker.http.post(
            reverse("discharges:next_action", args=[referral.pk]),
            {**missing_owner, "action-next_action_owner_name": "Hana Ito"},
        )
        assert response.status_code == 302
        referral.refresh_from_db()
        assert referral.agreed_pathway == 1
        assert referral.plan is not None
        assert referral.next_action_owner_name == "Hana Ito"
        page = hospital_worker.http.get(reverse("discharges:referral", args=[referral.pk])).content.decode()
        assert reverse("transitions:plan", args=[referral.plan.pk]) in page

    def test_a_partner_cannot_agree_the_pathway_and_nothing_changes(
        self, make_referral: MakeReferral, partner: Persona
    ) -> None:
        referral = make_referral()
        before = AuditEvent.objects.count()
        response = partner.http.post(reverse("discharges:agree_pathway", args=[referral.pk]), {"pathway-pathway": "1"})
        assert response.status_code == 403
        referral.refresh_from_db()
        assert referral.agreed_pathway is None
        assert AuditEvent.objects.count() == before

    def test_the_ward_records_the_discharge_and_a_readmission(
        self, make_referral: MakeReferral, partner: Persona
    ) -> None:
        referral = make_referral(discharge_ready_on=days_ago(5), proposed_pathway=0)
        outcome = {**_date("discharged_on", days_ago(4), "outcome"), "outcome-discharged_to": "usual_residence"}
        future = {**outcome, **_date("discharged_on", timezone.localdate() + timedelta(days=1), "outcome")}
        response = partner.http.post(reverse("discharges:outcome", args=[referral.pk]), future)
        assert response.status_code == 400
        assert "The discharge date must be today or in the past" in response.content.decode()
        assert partner.http.post(reverse("discharges:outcome", args=[referral.pk]), outcome).status_code == 302
        response = partner.http.post(
            reverse("discharges:readmission", args=[referral.pk]), _date("readmitted_on", days_ago(1), "readmission")
        )
        assert response.status_code == 302
        referral.refresh_from_db()
        assert referral.status == ReferralStatusName.DISCHARGED
        assert referral.is_early_readmission

    def test_a_pathway_1_discharge_with_no_support_start_asks_why(
        self, make_referral: MakeReferral, partner: Persona, hospital_worker: Persona
    ) -> None:
        referral = make_referral(discharge_ready_on=days_ago(3))
        url = reverse("discharges:outcome", args=[referral.pk])
        page = partner.http.get(reverse("discharges:referral", args=[referral.pk])).content.decode()
        assert 'name="outcome-no_support_reason"' in page
        outcome = {**_date("discharged_on", days_ago(1), "outcome"), "outcome-discharged_to": "usual_residence"}
        response = partner.http.post(url, outcome)
        assert response.status_code == 400
        body = response.content.decode()
        assert "say why the person is leaving hospital without it" in body
        assert 'href="#id_outcome-no_support_reason"' in body  # the error summary links to the field
        reason = "Son <Tom> & his wife took her home; she refused reablement"
        assert partner.http.post(url, {**outcome, "outcome-no_support_reason": reason}).status_code == 302
        referral.refresh_from_db()
        assert referral.status == ReferralStatusName.DISCHARGED
        assert referral.no_support_reason == reason
        page = hospital_worker.http.get(reverse("discharges:referral", args=[referral.pk])).content.decode()
        assert str(escape(reason)) in page
        assert reason not in page

    def test_the_reason_is_not_asked_when_support_is_arranged(
        self, make_referral: MakeReferral, hospital_worker: Persona
    ) -> None:
        referral = make_referral(discharge_ready_on=days_ago(3))
        services.plan_support_start(
            referral=referral,
            kind="reablement",
            provider="Camden reablement",
            start_on=timezone.localdate(),
            by=hospital_worker.user,
        )
        page = hospital_worker.http.get(reverse("discharges:referral", args=[referral.pk])).content.decode()
        assert 'name="outcome-no_support_reason"' not in page
        outcome = {**_date("discharged_on", days_ago(0), "outcome"), "outcome-discharged_to": "usual_residence"}
        assert hospital_worker.http.post(reverse("discharges:outcome", args=[referral.pk]), outcome).status_code == 302

    @pytest.mark.parametrize(
        ("name", "body"),
        [
            ("discharges:set_ready_date", {}),
            ("discharges:agree_pathway", {"pathway-pathway": "1"}),
            ("discharges:next_action", {}),
            ("discharges:delay_reason", {}),
            ("discharges:support_start", {}),
            ("discharges:outcome", {}),
            ("discharges:readmission", {}),
            ("discharges:close", {}),
        ],
    )
    def test_other_council_staff_and_the_police_are_refused_every_action(
        self,
        make_referral: MakeReferral,
        social_worker: Persona,
        police_partner: Persona,
        anonymous: Client,
        name: str,
        body: dict[str, object],
    ) -> None:
        url = reverse(name, args=[make_referral().pk])
        assert social_worker.http.post(url, body).status_code == 403
        assert police_partner.http.post(url, body).status_code == 403
        assert _login_redirect(anonymous.post(url, body))
        assert social_worker.http.get(url).status_code in {403, 405}


class TestOutOfHours:
    def test_the_out_of_hours_team_records_a_weekend_start(
        self, make_referral: MakeReferral, hospital_worker: Persona, ooh_worker: Persona, partner: Persona
    ) -> None:
        today = timezone.localdate()
        saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
        referral = make_referral(discharge_ready_on=days_ago(1))
        services.plan_support_start(
            referral=referral,
            kind="reablement",
            provider="Camden reablement",
            start_on=saturday,
            by=hospital_worker.user,
        )
        page = ooh_worker.http.get(reverse("discharges:out_of_hours")).content.decode()
        assert referral.reference in page
        assert "Out of hours" in page
        url = reverse("discharges:record_start", args=[referral.pk])
        assert ooh_worker.http.get(url).status_code == 200
        assert partner.http.get(url).status_code == 403
        response = ooh_worker.http.post(url, {"happened": "started", **_date("started_on", today)})
        assert response.status_code == 400
        assert "Enter the time it started" in response.content.decode()
        response = ooh_worker.http.post(
            url, {"happened": "not_started", "reason": "Carer off sick; agency cannot cover"}
        )
        assert response.status_code == 302
        referral.refresh_from_db()
        assert referral.support_not_started_reason == "Carer off sick; agency cannot cover"
        response = ooh_worker.http.post(
            url,
            {
                "happened": "started",
                **_date("started_on", today),
                "started_time": "00:00",
                "confirmed_with": "Agency carer",
            },
        )
        assert response.status_code == 302
        referral.refresh_from_db()
        assert referral.support_started_by == ooh_worker.user
        assert ooh_worker.http.get(url).status_code == 404

    def test_a_start_before_the_discharge_is_refused_on_the_date_field(
        self, make_referral: MakeReferral, hospital_worker: Persona, ooh_worker: Persona
    ) -> None:
        referral = make_referral(admitted_on=days_ago(10), discharge_ready_on=days_ago(4))
        services.plan_support_start(
            referral=referral,
            kind="reablement",
            provider="Camden reablement",
            start_on=timezone.localdate(),
            by=hospital_worker.user,
        )
        services.record_discharge(
            referral=referral, discharged_on=days_ago(1), discharged_to="usual_residence", by=hospital_worker.user
        )
        url = reverse("discharges:record_start", args=[referral.pk])
        started = {"happened": "started", "started_time": "19:00", "confirmed_with": "Agency carer"}
        response = ooh_worker.http.post(url, {**started, **_date("started_on", days_ago(2))})
        assert response.status_code == 400
        body = response.content.decode()
        assert "The support cannot have started before the discharge" in body
        assert 'href="#started_on_day"' in body  # FIELD_ALIASES: the service's started_at is the form's started_on
        referral.refresh_from_db()
        assert referral.support_started_at is None
        assert ooh_worker.http.post(url, {**started, **_date("started_on", days_ago(1))}).status_code == 302

    @pytest.mark.parametrize("count", [1, 20])
    def test_the_out_of_hours_query_count_does_not_grow(
        self,
        make_referral: MakeReferral,
        hospital_worker: Persona,
        ooh_worker: Persona,
        django_assert_num_queries: DjangoAssertNumQueries,
        count: int,
    ) -> None:
        today = timezone.localdate()
        for index, number in enumerate(_numbers(count)):
            referral = make_referral(nhs_number=number, given_name=f"O'Brien <{index}>", discharge_ready_on=days_ago(1))
            services.plan_support_start(
                referral=referral,
                kind="reablement",
                provider="Camden reablement",
                start_on=today + timedelta(days=index % 5),
                by=hospital_worker.user,
            )
        url = reverse("discharges:out_of_hours")
        ooh_worker.http.get(url)
        # session, user with memberships; the discharge settings; the starts with person and hospital.
        with django_assert_num_queries(4):
            response = ooh_worker.http.get(url)
        page = response.content.decode()
        assert page.count("/support-started/") == count
        assert page.count(reverse("discharges:record_start", args=[referral.pk])) == 1
        assert str(escape(referral.person.full_name)) in page
        assert referral.person.full_name not in page

    def test_a_list_longer_than_its_limit_says_so(
        self,
        make_referral: MakeReferral,
        hospital_worker: Persona,
        ooh_worker: Persona,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setattr(selectors, "OUT_OF_HOURS_LIMIT", 2)
        today = timezone.localdate()
        for index, number in enumerate(_numbers(3)):
            referral = make_referral(nhs_number=number, discharge_ready_on=days_ago(1))
            services.plan_support_start(
                referral=referral,
                kind="reablement",
                provider="Camden reablement",
                start_on=today + timedelta(days=index),
                by=hospital_worker.user,
            )
        page = ooh_worker.http.get(reverse("discharges:out_of_hours")).content.decode()
        assert page.count("/support-started/") == 2
        assert "Only the first 2 starts are listed" in page
        monkeypatch.setattr(selectors, "OUT_OF_HOURS_LIMIT", 3)
        assert "Only the first" not in ooh_worker.http.get(reverse("discharges:out_of_hours")).content.decode()


def _numbers(count: int) -> list[str]:
    """NHS numbers from the test range, away from the factories' own."""
    from safepathways.core.identifiers import nhs_number_in_test_range

    found: list[str] = []
    serial = 7_900_000
    while len(found) < count:
        number = nhs_number_in_test_range(serial)
        if number:
            found.append(number)
        serial += 1
    return found


def _reports(count: int, by: Persona, *, closed: int = 0) -> list[UnsafeDischargeReport]:
    """Unsafe discharge reports written straight to the table (for lists and counts); the first `closed` closed."""
    from safepathways.work.tests.factories import WorkItemFactory

    now = timezone.now()
    made = []
    for index in range(count):
        person = PersonFactory.create(family_name=f"O'Hara <{index}>")
        is_closed = index < closed
        made.append(
            UnsafeDischargeReport.objects.create(
                person=person,
                reporter_name=f"Rose & Co {index}",
                reporter_relationship="provider",
                what_happened="No carers came",
                occurred_on=days_ago(1),
                reported_at=now - timedelta(minutes=index),
                reported_by=by.user,
                work_item=WorkItemFactory(
                    person=person, team=by.team, kind="discharge", title="Review of an unsafe discharge report"
                ),
                review_outcome="lessons" if is_closed else "",
                review_closed_at=now if is_closed else None,
                review_closed_by=by.user if is_closed else None,
            )
        )
    return made


class TestUnsafeReportList:
    @pytest.mark.parametrize("count", [1, 20])
    def test_the_query_count_does_not_grow(
        self,
        hospital_manager: Persona,
        django_assert_num_queries: DjangoAssertNumQueries,
        count: int,
    ) -> None:
        reports = _reports(count, hospital_manager)
        url = reverse("discharges:unsafe_reports")
        hospital_manager.http.get(url)
        # session, user with memberships; the counts (total, under review); the page with person and hospital.
        with django_assert_num_queries(4):
            response = hospital_manager.http.get(url)
        page = response.content.decode()
        assert page.count('href="/discharge/unsafe-reports/') == count
        assert all(str(escape(r.person.full_name)) in page for r in reports)
        assert all(r.person.full_name not in page for r in reports)
        assert f"{count} report{'s' if count != 1 else ''}, {count} under review" in page

    def test_it_pages_with_the_total_instead_of_stopping(self, hospital_manager: Persona) -> None:
        reports = _reports(53, hospital_manager, closed=3)
        url = reverse("discharges:unsafe_reports")
        first = hospital_manager.http.get(url).content.decode()
        assert "53 reports, 50 under review" in first
        links = [reverse("discharges:unsafe_report", args=[r.pk]) for r in reports]
        assert sum(link in first for link in links) == 50
        assert 'href="?page=2"' in first
        # Under review first (newest first), then the closed ones on the second page.
        second = hospital_manager.http.get(url, {"page": "2"}).content.decode()
        assert sum(link in second for link in links) == 3
        assert all(link in second for link in links[:3])
        assert "53 reports, 50 under review" in second
        assert 'href="?page=1"' in second
        # A page past the end shows the last page rather than an error.
        assert hospital_manager.http.get(url, {"page": "9"}).status_code == 200


class TestUnsafeReports:
    def test_a_partner_reports_and_a_manager_closes_the_review(
        self,
        make_referral: MakeReferral,
        partner: Persona,
        hospital_worker: Persona,
        hospital_manager: Persona,
        police_partner: Persona,
    ) -> None:
        referral = make_referral()
        url = reverse("discharges:report_unsafe", args=[referral.pk])
        assert police_partner.http.get(url).status_code == 404  # may report, but not about this referral
        assert partner.http.get(url).status_code == 200
        body = {
            "reporter_name": "Rose House",
            "reporter_relationship": "provider",
            **_date("occurred_on", days_ago(1)),
            "what_happened": "Arrived with no medication",
        }
        assert partner.http.post(url, body).status_code == 302
        report = UnsafeDischargeReport.objects.get()
        page = reverse("discharges:unsafe_report", args=[report.pk])
        assert hospital_worker.http.get(page).status_code == 200
        assert partner.http.get(page).status_code == 403
        close = reverse("discharges:close_review", args=[report.pk])
        closing = {"outcome": "lessons", "findings": "Pharmacy missed the TTO"}
        assert hospital_worker.http.post(close, closing).status_code == 403
        assert hospital_manager.http.post(close, {"outcome": "lessons"}).status_code == 400
        assert hospital_manager.http.post(close, closing).status_code == 302
        report.refresh_from_db()
        assert not report.is_under_review

    def test_staff_report_about_a_person_they_work_with(self, social_worker: Persona, hospital_team: object) -> None:
        from safepathways.work.tests.factories import WorkItemFactory

        person = PersonFactory.create()
        url = reverse("discharges:report_unsafe_for_person", args=[person.pk])
        assert "declare" in social_worker.http.get(url)["Location"]
        WorkItemFactory(team=social_worker.team, person=person)
        assert social_worker.http.get(url).status_code == 200

    def test_a_future_date_is_refused(self, make_referral: MakeReferral, partner: Persona) -> None:
        referral = make_referral()
        body = {
            "reporter_name": "June Cole",
            "reporter_relationship": "family",
            **_date("occurred_on", timezone.localdate() + timedelta(days=2)),
            "what_happened": "No carers came",
        }
        response = partner.http.post(reverse("discharges:report_unsafe", args=[referral.pk]), body)
        assert response.status_code == 400
        assert not UnsafeDischargeReport.objects.exists()


def test_the_ward_referral_service_creates_rows_the_board_lists(
    hospital: Organisation, hospital_team: object, partner: Persona
) -> None:
    referral = services.create_referral(details=ward_referral(hospital), by=partner.user)
    assert referral.reference in partner.http.get(reverse("discharges:board")).content.decode()
