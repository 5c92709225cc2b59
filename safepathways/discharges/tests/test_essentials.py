"""Essential arrangements of the transition plan in hospital discharge (keys, medication, transport...): readiness,
the referral page and the board, the reason and the hospital team's alert when someone leaves without them, and the
continuity gap that follows until they are done. The issue: "a move cannot be marked ready while an essential
arrangement is open, unless a manager overrides...; never an unsafe discharge"."""

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from markupsafe import escape
from pytest_django import DjangoAssertNumQueries

from safepathways.audit.models import AuditEvent
from safepathways.conftest import Persona
from safepathways.core.errors import ApplicationError
from safepathways.core.identifiers import nhs_number_in_test_range
from safepathways.discharges import gaps, selectors, services
from safepathways.discharges.models import Referral, ReferralStatusName
from safepathways.discharges.tests.conftest import complete_essentials
from safepathways.discharges.tests.factories import days_ago
from safepathways.notifications.models import Notification
from safepathways.people.models import ChronologyEntry
from safepathways.transitions import services as transitions
from safepathways.transitions.models import Arrangement, Gap, GapStatus, ItemStatus, Plan, PlanStatus

MakeReferral = Callable[..., Referral]
TODAY = timezone.localdate
REASON = "Son <Tom> took her home & will collect the keys from the ward tomorrow"


def _date(name: str, day: date, prefix: str = "") -> dict[str, object]:
    key = f"{prefix}-{name}" if prefix else name
    return {f"{key}_day": day.day, f"{key}_month": day.month, f"{key}_year": day.year}


def _planned(make_referral: MakeReferral, hospital_worker: Persona, **overrides: object) -> tuple[Referral, Plan]:
    """A pathway 1 referral with the pathway agreed for today, its plan started (essentials open), and the support
    start arranged: everything ready but the essential arrangements."""
    referral = make_referral(discharge_ready_on=days_ago(2), **overrides)
    by = hospital_worker.user
    services.agree_pathway(referral=referral, pathway=1, planned_discharge_on=TODAY(), by=by)
    services.plan_support_start(
        referral=referral, kind="reablement", provider="Camden reablement", start_on=TODAY(), by=by
    )
    referral.refresh_from_db()
    assert referral.plan is not None
    return referral, referral.plan


def _open_labels(plan: Plan) -> list[str]:
    return list(
        plan.arrangements.filter(is_essential=True, status=ItemStatus.OPEN)
        .order_by("order", "created_at")
        .values_list("label", flat=True)
    )


class TestReadiness:
    def test_a_referral_is_not_ready_while_an_essential_arrangement_is_open(
        self, make_referral: MakeReferral, hospital_worker: Persona
    ) -> None:
        referral, plan = _planned(make_referral, hospital_worker)
        assert referral.status == ReferralStatusName.ASSESSING
        assert not services.is_ready(referral)
        complete_essentials(plan, hospital_worker)
        referral.refresh_from_db()
        assert services.is_ready(referral)
        # The referral follows the plan at once: the last essential put in place makes it ready.
        assert referral.status == ReferralStatusName.READY
        assert referral.statuses.filter(
            name=ReferralStatusName.READY, reason="The transition plan's essential arrangements changed"
        ).exists()

    def test_an_essential_arrangement_open_again_takes_a_ready_referral_back_to_assessing(
        self, make_referral: MakeReferral, hospital_worker: Persona
    ) -> None:
        referral, plan = _planned(make_referral, hospital_worker)
        complete_essentials(plan, hospital_worker)
        referral.refresh_from_db()
        assert referral.status == ReferralStatusName.READY
        keys = plan.arrangements.get(code="keys")
        transitions.update_item(
            plan=plan,
            by=hospital_worker.user,
            kind="arrangement",
            item_id=keys.pk,
            owner=transitions.Owner("Ward 8 nurse"),
            due_on=None,
            status=ItemStatus.OPEN,
        )
        referral.refresh_from_db()
        assert referral.status == ReferralStatusName.ASSESSING

    def test_a_team_managers_override_on_the_plan_makes_it_ready(
        self, make_referral: MakeReferral, hospital_worker: Persona, hospital_manager: Persona
    ) -> None:
        referral, plan = _planned(make_referral, hospital_worker)
        with pytest.raises(ApplicationError):  # only a manager of the plan's team overrides
            transitions.mark_ready(plan=plan, by=hospital_worker.user, override_reason="Family will do the keys")
        transitions.mark_ready(plan=plan, by=hospital_manager.user, override_reason="Family will do the keys")
        referral.refresh_from_db()
        assert referral.status == ReferralStatusName.READY

    def test_pathway_0_without_a_plan_is_ready_as_before(
        self, make_referral: MakeReferral, hospital_worker: Persona
    ) -> None:
        referral = make_referral(discharge_ready_on=days_ago(1), proposed_pathway=0)
        services.agree_pathway(referral=referral, pathway=0, planned_discharge_on=TODAY(), by=hospital_worker.user)
        referral.refresh_from_db()
        assert referral.plan is None
        assert referral.status == ReferralStatusName.READY


class TestDischargeWithEssentialsOpen:
    def test_the_reason_is_required_and_the_hospital_team_is_told(
        self,
        make_referral: MakeReferral,
        hospital_worker: Persona,
        hospital_manager: Persona,
        partner: Persona,
    ) -> None:
        referral, plan = _planned(make_referral, hospital_worker)
        labels = _open_labels(plan)
        assert "Keys or key safe code with the carers" in labels
        with pytest.raises(ApplicationError) as refused:
            services.record_discharge(
                referral=referral, discharged_on=TODAY(), discharged_to="usual_residence", by=partner.user
            )
        assert refused.value.field == "open_essentials_reason"
        assert f"{len(labels)} essential arrangements of the transition plan are not in place" in refused.value.message
        referral.refresh_from_db()
        assert referral.status == ReferralStatusName.ASSESSING
        assert not Notification.objects.exists()

        services.record_discharge(
            referral=referral,
            discharged_on=TODAY(),
            discharged_to="usual_residence",
            open_essentials_reason=f"  {REASON}  ",
            by=partner.user,
        )
        referral.refresh_from_db()
        assert referral.status == ReferralStatusName.DISCHARGED
        assert referral.open_essentials_reason == REASON
        plan.refresh_from_db()
        assert plan.status == PlanStatus.MOVED  # the move is still recorded: the person has gone
        # The hospital team hears at once (not the ward who recorded it), once.
        told = Notification.objects.filter(dedupe_key=f"discharge-open-essentials:{referral.pk}")
        assert {n.recipient for n in told} == {hospital_worker.user, hospital_manager.user}
        assert all("essential arrangements open" in n.message and referral.reference in n.message for n in told)
        event = AuditEvent.objects.get(action="discharge.discharged", target_id=str(referral.pk))
        assert event.snapshot["open_essentials"] == "; ".join(labels)
        entry = ChronologyEntry.objects.filter(person=referral.person, summary__contains="discharged on").get()
        assert REASON in entry.detail and "Keys or key safe code" in entry.detail

    def test_no_reason_is_asked_once_the_essentials_are_in_place(
        self, make_referral: MakeReferral, hospital_worker: Persona, partner: Persona
    ) -> None:
        referral, plan = _planned(make_referral, hospital_worker)
        complete_essentials(plan, hospital_worker)
        services.record_discharge(
            referral=referral, discharged_on=TODAY(), discharged_to="usual_residence", by=partner.user
        )
        referral.refresh_from_db()
        assert referral.open_essentials_reason == ""
        assert not Notification.objects.filter(dedupe_key__startswith="discharge-open-essentials:").exists()

    def test_a_managers_override_does_not_excuse_the_reason(
        self, make_referral: MakeReferral, hospital_worker: Persona, hospital_manager: Persona
    ) -> None:
        referral, plan = _planned(make_referral, hospital_worker)
        transitions.mark_ready(plan=plan, by=hospital_manager.user, override_reason="Family will do the keys")
        with pytest.raises(ApplicationError, match="not in place"):
            services.record_discharge(
                referral=referral, discharged_on=TODAY(), discharged_to="usual_residence", by=hospital_worker.user
            )


class TestContinuityGap:
    def test_the_gap_is_open_from_the_discharge_until_the_essentials_are_done(
        self, make_referral: MakeReferral, hospital_worker: Persona, hospital_manager: Persona
    ) -> None:
        referral, plan = _planned(make_referral, hospital_worker)
        before = list(gaps.discharged_with_essentials_open(TODAY()))
        assert before == []  # still in hospital: the board and the referral page show it, not continuity
        services.record_discharge(
            referral=referral,
            discharged_on=TODAY(),
            discharged_to="usual_residence",
            open_essentials_reason=REASON,
            by=hospital_worker.user,
        )
        transitions.sweep_gaps(today=TODAY())
        gap = Gap.objects.get(rule=gaps.DISCHARGE_ESSENTIALS_OPEN)
        assert gap.person_id == referral.person_id
        assert gap.team_id == referral.work_item.team_id
        assert gap.since == TODAY()
        assert gap.subject_key == f"discharge-essentials:{referral.pk}"
        assert "Keys or key safe code with the carers" in gap.detail
        assert referral.reference in gap.detail
        # Running the sweep again changes nothing.
        transitions.sweep_gaps(today=TODAY() + timedelta(days=1))
        assert Gap.objects.filter(rule=gaps.DISCHARGE_ESSENTIALS_OPEN, status=GapStatus.OPEN).count() == 1
        # Once every essential arrangement is done or not needed, the gap resolves. (transitions.update_item refuses
        # a moved plan, so the rows are written directly here: the rule reads only their status.)
        Arrangement.objects.filter(plan=plan, is_essential=True).update(status=ItemStatus.DONE)
        transitions.sweep_gaps(today=TODAY() + timedelta(days=1))
        gap.refresh_from_db()
        assert gap.status == GapStatus.RESOLVED

    def test_a_discharge_with_the_essentials_done_or_a_person_who_died_is_not_a_gap(
        self, make_referral: MakeReferral, hospital_worker: Persona
    ) -> None:
        done, plan = _planned(make_referral, hospital_worker)
        complete_essentials(plan, hospital_worker)
        services.record_discharge(
            referral=done, discharged_on=TODAY(), discharged_to="usual_residence", by=hospital_worker.user
        )
        died, _ = _planned(make_referral, hospital_worker, nhs_number="9996543226", given_name="Ada")
        services.record_discharge(
            referral=died,
            discharged_on=TODAY(),
            discharged_to="usual_residence",
            open_essentials_reason=REASON,
            by=hospital_worker.user,
        )
        died.person.date_of_death = TODAY()
        died.person.save(update_fields=["date_of_death"])
        assert list(gaps.discharged_with_essentials_open(TODAY())) == []

    def test_the_rule_is_registered_for_the_daily_sweep(self) -> None:
        from safepathways.transitions import gaps as registry

        rule = registry.get_rule(gaps.DISCHARGE_ESSENTIALS_OPEN)
        assert rule is not None
        assert rule.find is gaps.discharged_with_essentials_open


class TestReferralPage:
    def test_the_page_lists_the_open_essentials_and_the_form_asks_why(
        self, make_referral: MakeReferral, hospital_worker: Persona, partner: Persona
    ) -> None:
        referral, plan = _planned(make_referral, hospital_worker)
        page_url = reverse("discharges:referral", args=[referral.pk])
        page = partner.http.get(page_url).content.decode()
        assert "Essential arrangements not in place" in page
        for label in _open_labels(plan):
            assert str(escape(label)) in page
        assert 'name="outcome-open_essentials_reason"' in page
        outcome = {**_date("discharged_on", TODAY(), "outcome"), "outcome-discharged_to": "usual_residence"}
        url = reverse("discharges:outcome", args=[referral.pk])
        response = partner.http.post(url, outcome)
        assert response.status_code == 400
        body = response.content.decode()
        assert "say why the person is leaving hospital without them" in body
        assert 'href="#id_outcome-open_essentials_reason"' in body
        response = partner.http.post(url, {**outcome, "outcome-open_essentials_reason": REASON})
        assert response.status_code == 302
        page = hospital_worker.http.get(page_url).content.decode()
        assert "Left with essential arrangements open" in page
        assert str(escape(REASON)) in page and REASON not in page
        assert "The person left hospital before these essential arrangements" in page
        assert 'name="outcome-open_essentials_reason"' not in page  # discharged: no form

    def test_nothing_is_shown_or_asked_once_they_are_in_place(
        self, make_referral: MakeReferral, hospital_worker: Persona
    ) -> None:
        referral, plan = _planned(make_referral, hospital_worker)
        complete_essentials(plan, hospital_worker)
        page = hospital_worker.http.get(reverse("discharges:referral", args=[referral.pk])).content.decode()
        assert "Essential arrangements not in place" not in page
        assert 'name="outcome-open_essentials_reason"' not in page


class TestBoard:
    def test_the_row_is_marked_with_how_many_are_open(
        self, make_referral: MakeReferral, hospital_worker: Persona, partner: Persona
    ) -> None:
        _, plan = _planned(make_referral, hospital_worker)
        count = len(_open_labels(plan))
        _, ready_plan = _planned(make_referral, hospital_worker, nhs_number="9996543226", given_name="Ada")
        complete_essentials(ready_plan, hospital_worker)
        for who in (hospital_worker, partner):
            page = who.http.get(reverse("discharges:board")).content.decode()
            assert page.count("essential arrangements open") == 1
            assert f"{count} essential arrangements open" in page
        csv = hospital_worker.http.get(reverse("discharges:board"), {"format": "csv"}).content.decode()
        assert "Essential arrangements open" in csv.splitlines()[0]

    @pytest.mark.parametrize("count", [1, 20])
    def test_the_marks_cost_one_query_for_the_whole_board(
        self,
        make_referral: MakeReferral,
        hospital_worker: Persona,
        django_assert_num_queries: DjangoAssertNumQueries,
        count: int,
    ) -> None:
        serial = 7_800_000
        referrals = []
        for _ in range(count):
            while (number := nhs_number_in_test_range(serial)) is None:
                serial += 1
            serial += 1
            referrals.append(_planned(make_referral, hospital_worker, nhs_number=number)[0])
        url = reverse("discharges:board")
        hospital_worker.http.get(url)
        # session, user with memberships; trusts for the filter; the open referrals; the essential arrangements
        # still open, counted per referral; the front door's discharge work (the hospital team only).
        with django_assert_num_queries(6) as captured:
            response = hospital_worker.http.get(url)
        assert response.content.decode().count("essential arrangements open") == count
        # The count is not asked for the board's referrals one id at a time: up to 500 ids sent as parameters cost
        # the page more than its rows.
        (essentials,) = [q["sql"] for q in captured.captured_queries if "transitions_arrangement" in q["sql"]]
        assert not any(str(referral.pk) in essentials or referral.pk.hex in essentials for referral in referrals)

    def test_a_filtered_board_marks_its_rows_too(self, make_referral: MakeReferral, hospital_worker: Persona) -> None:
        referral, plan = _planned(make_referral, hospital_worker)
        count = len(_open_labels(plan))
        page = hospital_worker.http.get(
            reverse("discharges:board"), {"hospital": referral.hospital_id, "pathway": "1"}
        ).content.decode()
        assert f"{count} essential arrangements open" in page
        # The board holds the counts of its own rows only: none for a referral it does not list.
        other = make_referral(nhs_number="9996543226", given_name="Ada")
        services.agree_pathway(referral=other, pathway=2, planned_discharge_on=TODAY(), by=hospital_worker.user)
        board = selectors.board(hospital_worker.user, today=TODAY(), pathway=1)
        assert set(board.open_essentials) == {referral.pk}
        # Once they are in place, the mark goes.
        complete_essentials(plan, hospital_worker)
        page = hospital_worker.http.get(reverse("discharges:board"), {"pathway": "1"}).content.decode()
        assert "essential arrangements open" not in page
