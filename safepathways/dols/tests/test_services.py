"""The business rules of DoLS requests, decisions and Court of Protection cases."""

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.utils import timezone

from safepathways.accounts.models import Team
from safepathways.audit.models import AuditEvent
from safepathways.conftest import Persona
from safepathways.core.errors import ApplicationError
from safepathways.dols import services
from safepathways.dols.models import (
    Authorisation,
    CourtRoute,
    CourtSetting,
    CourtStatusName,
    DolsRequest,
    RequestStatusName,
    RequestType,
)
from safepathways.dols.tests.conftest import assess_all
from safepathways.people.codes import AlertKind
from safepathways.people.models import Alert, ChronologyEntry, Person
from safepathways.people.tests.factories import PersonFactory
from safepathways.providers.models import Location
from safepathways.providers.tests.factories import LocationFactory
from safepathways.work import services as work_services
from safepathways.work.models import WorkKind

MakeRequest = Callable[..., DolsRequest]


def _terms(start: date, end: date, **extra: object) -> services.AuthorisationTerms:
    return services.AuthorisationTerms(starts_on=start, ends_on=end, representative_name="June Pole", **extra)


def _signed_off(make_request: MakeRequest, dols_lead: Persona, bia: Persona) -> DolsRequest:
    dols_request = make_request()
    assess_all(dols_request, dols_lead, bia.user)
    return services.sign_off(dols_request=dols_request, signed_off_on=timezone.localdate(), by=dols_lead.user)


class TestReceivingRequests:
    def test_a_standard_request_opens_dols_work_due_21_days_after_receipt(
        self, make_request: MakeRequest, dols_team: Team
    ) -> None:
        received = timezone.localdate() - timedelta(days=2)
        dols_request = make_request(received_on=received)
        assert dols_request.assessments_due_on == received + timedelta(days=21)
        assert dols_request.work_item.kind == WorkKind.DOLS
        assert dols_request.work_item.team == dols_team
        assert dols_request.work_item.due_on == dols_request.assessments_due_on
        assert dols_request.assessments.count() == 6
        assert [s.name for s in dols_request.statuses.all()] == [RequestStatusName.RECEIVED]
        assert AuditEvent.objects.filter(action="dols.request_received").count() == 1
        assert ChronologyEntry.objects.filter(person=dols_request.person, category="dols").exists()

    def test_an_urgent_request_is_due_when_the_urgent_authorisation_ends(self, make_request: MakeRequest) -> None:
        today = timezone.localdate()
        dols_request = make_request(
            request_type=RequestType.URGENT, received_on=today, urgent_starts_on=today, urgent_period_days=7
        )
        assert dols_request.is_urgent
        assert dols_request.urgent_expires_on == today + timedelta(days=7)
        assert dols_request.assessments_due_on == today + timedelta(days=7)

    def test_a_request_can_be_chosen_to_go_to_a_neighbourhood_team(
        self, make_request: MakeRequest, dols_lead: Persona, care_home: Location, resident: Person, team: Team
    ) -> None:
        details = services.RequestDetails(
            person=resident, managing_authority=care_home, request_type="standard", received_on=timezone.localdate()
        )
        dols_request = services.create_request(details=details, by=dols_lead.user, team=team)
        assert dols_request.work_item.team == team

    def test_front_door_dols_work_becomes_the_request_with_its_story(
        self, dols_lead: Persona, dols_team: Team, care_home: Location, resident: Person
    ) -> None:
        work = work_services.open_work(
            person=resident,
            kind=WorkKind.DOLS,
            team=dols_team,
            title="DoLS",
            by=None,
            story="Daughter says she objects",
        )
        details = services.RequestDetails(
            person=resident, managing_authority=care_home, request_type="standard", received_on=timezone.localdate()
        )
        dols_request = services.create_request(details=details, by=dols_lead.user, work_item=work)
        work.refresh_from_db()
        assert dols_request.work_item == work
        assert work.story == "Daughter says she objects"
        assert work.due_on == dols_request.assessments_due_on
        with pytest.raises(ApplicationError, match="already been made"):
            services.create_request(details=details, by=dols_lead.user, work_item=work)

    @pytest.mark.parametrize(
        ("overrides", "field", "message"),
        [
            ({"received_on": date.today() + timedelta(days=5)}, "received_on", "today or in the past"),
            ({"request_type": "urgent", "urgent_starts_on": None}, "urgent_starts_on", "urgent authorisation started"),
            (
                {
                    "request_type": "urgent",
                    "urgent_period_days": 9,
                    "urgent_starts_on": date(2026, 1, 1),
                    "received_on": date(2026, 1, 1),
                },
                "urgent_period_days",
                "1 to 7",
            ),
            ({"request_type": "further"}, "renews", "renews"),
        ],
    )
    def test_bad_requests_are_refused_naming_the_field_and_nothing_is_saved(
        self, make_request: MakeRequest, overrides: dict[str, object], field: str, message: str
    ) -> None:
        with pytest.raises(ApplicationError, match=message) as error:
            make_request(**overrides)
        assert error.value.field == field
        assert not DolsRequest.objects.exists()
        assert not AuditEvent.objects.filter(action__startswith="dols.").exists()

    def test_supported_living_goes_to_the_court_of_protection(self, make_request: MakeRequest) -> None:
        with pytest.raises(ApplicationError, match="Court of Protection") as error:
            make_request(managing_authority=LocationFactory.create(location_type="supported_living"))
        assert error.value.field == "managing_authority"

    def test_a_17_year_old_goes_to_the_court_of_protection(self, make_request: MakeRequest) -> None:
        today = timezone.localdate()
        young = PersonFactory.create(date_of_birth=today.replace(year=today.year - 17) - timedelta(days=1))
        with pytest.raises(ApplicationError, match="16 or 17"):
            make_request(person=young)


class TestScreening:
    def test_the_highest_level_ticked_sets_priority_with_every_reason(self, db: None) -> None:
        screening = services.screen_priority(["settled_no_objection", "family_objects"])
        assert screening.priority == "high"
        assert screening.reasons[0].startswith("Family or friends object")
        assert len(screening.reasons) == 2

    def test_low_only_when_only_low_criteria_are_ticked(self, db: None) -> None:
        assert services.screen_priority(["end_of_life"]).priority == "low"
        assert services.screen_priority([]).priority == "medium"

    def test_unknown_criteria_are_refused(self, db: None) -> None:
        with pytest.raises(ApplicationError, match="Unknown"):
            services.screen_priority(["made_up"])

    def test_screening_moves_the_request_and_keeps_the_reasons(
        self, make_request: MakeRequest, dols_lead: Persona
    ) -> None:
        dols_request = services.screen_request(
            dols_request=make_request(), criteria=["restraint_or_covert_medication"], by=dols_lead.user
        )
        assert dols_request.status == RequestStatusName.SCREENED
        assert dols_request.priority == "high"
        assert "covert medication" in dols_request.statuses.last().reason  # type: ignore[union-attr]


class TestTransitions:
    def test_an_assessment_cannot_be_recorded_before_allocation(
        self, make_request: MakeRequest, dols_lead: Persona
    ) -> None:
        dols_request = make_request()
        with pytest.raises(ApplicationError, match="Allocate"):
            services.record_assessment(
                assessment=dols_request.assessments.first(),
                outcome=1,
                completed_on=timezone.localdate(),
                by=dols_lead.user,
            )

    def test_a_decided_request_cannot_be_withdrawn(self, make_request: MakeRequest, dols_lead: Persona) -> None:
        dols_request = services.refuse_authorisation(
            dols_request=make_request(), reason="died", detail="", by=dols_lead.user
        )
        dols_request.work_item.refresh_from_db()
        assert dols_request.work_item.closed_at is not None
        with pytest.raises(ApplicationError, match="cannot become withdrawn"):
            services.withdraw_request(dols_request=dols_request, reason="No longer needed", by=dols_lead.user)

    def test_an_assessment_before_receipt_is_refused(
        self, make_request: MakeRequest, dols_lead: Persona, bia: Persona
    ) -> None:
        dols_request = make_request()
        services.screen_request(dols_request=dols_request, criteria=[], by=dols_lead.user)
        services.allocate_request(dols_request=dols_request, assessor=bia.user, by=dols_lead.user)
        with pytest.raises(ApplicationError, match="before the request was received") as error:
            services.record_assessment(
                assessment=dols_request.assessments.first(),
                outcome=1,
                completed_on=dols_request.received_on - timedelta(days=1),
                by=bia.user,
            )
        assert error.value.field == "completed_on"

    def test_sign_off_needs_every_assessment(self, make_request: MakeRequest, dols_lead: Persona, bia: Persona) -> None:
        dols_request = make_request()
        services.screen_request(dols_request=dols_request, criteria=[], by=dols_lead.user)
        services.allocate_request(dols_request=dols_request, assessor=bia.user, by=dols_lead.user)
        with pytest.raises(ApplicationError, match="Still to do"):
            services.sign_off(dols_request=dols_request, signed_off_on=timezone.localdate(), by=dols_lead.user)

    def test_only_a_dols_lead_signs_off(self, make_request: MakeRequest, dols_lead: Persona, bia: Persona) -> None:
        dols_request = make_request()
        assess_all(dols_request, dols_lead, bia.user)
        with pytest.raises(ApplicationError, match="DoLS lead"):
            services.sign_off(dols_request=dols_request, signed_off_on=timezone.localdate(), by=bia.user)

    def test_allocation_puts_the_work_on_the_assessors_caseload(
        self, make_request: MakeRequest, dols_lead: Persona, bia: Persona
    ) -> None:
        dols_request = services.screen_request(dols_request=make_request(), criteria=[], by=dols_lead.user)
        services.allocate_request(dols_request=dols_request, assessor=bia.user, by=dols_lead.user)
        dols_request.work_item.refresh_from_db()
        assert dols_request.work_item.allocated_to == bia.user
        assert dols_request.work_item.handoffs.filter(to_worker=bia.user).exists()

    def test_allocation_needs_a_current_bia(self, make_request: MakeRequest, dols_lead: Persona) -> None:
        dols_request = services.screen_request(dols_request=make_request(), criteria=[], by=dols_lead.user)
        with pytest.raises(ApplicationError, match="current training"):
            services.allocate_request(dols_request=dols_request, assessor=dols_lead.user, by=dols_lead.user)


class TestGranting:
    def test_granting_raises_the_dols_alert_and_writes_the_story(
        self, make_request: MakeRequest, dols_lead: Persona, bia: Persona
    ) -> None:
        dols_request = _signed_off(make_request, dols_lead, bia)
        today = timezone.localdate()
        authorisation = services.grant_authorisation(
            dols_request=dols_request,
            terms=_terms(today, today + timedelta(days=180), conditions="Weekly walks"),
            by=dols_lead.user,
        )
        dols_request.refresh_from_db()
        assert dols_request.status == RequestStatusName.GRANTED
        assert authorisation.conditions_review_on == today + timedelta(days=28)
        assert Alert.objects.filter(person=dols_request.person, kind=AlertKind.DOLS_IN_PLACE).count() == 1
        assert AuditEvent.objects.filter(action="dols.granted").count() == 1
        names = list(dols_request.statuses.values_list("name", flat=True))
        assert names == ["received", "screened", "allocated", "assessing", "signed_off", "granted"]

    @pytest.mark.parametrize(
        ("start_offset", "end_offset", "field", "message"),
        [
            (0, 366, "ends_on", "at most 12 months"),
            (0, -1, "ends_on", "on or after the day it starts"),
            (-30, 10, "starts_on", "before the request was received"),
        ],
    )
    def test_dates_out_of_order_are_refused_and_nothing_is_half_saved(
        self,
        make_request: MakeRequest,
        dols_lead: Persona,
        bia: Persona,
        start_offset: int,
        end_offset: int,
        field: str,
        message: str,
    ) -> None:
        dols_request = _signed_off(make_request, dols_lead, bia)
        start = timezone.localdate() + timedelta(days=start_offset)
        with pytest.raises(ApplicationError, match=message) as error:
            services.grant_authorisation(
                dols_request=dols_request, terms=_terms(start, start + timedelta(days=end_offset)), by=dols_lead.user
            )
        assert error.value.field == field
        dols_request.refresh_from_db()
        assert dols_request.status == RequestStatusName.SIGNED_OFF
        assert not Authorisation.objects.exists()
        assert not Alert.objects.exists()

    def test_an_unmet_requirement_cannot_be_granted(
        self, make_request: MakeRequest, dols_lead: Persona, bia: Persona
    ) -> None:
        dols_request = make_request()
        services.screen_request(dols_request=dols_request, criteria=[], by=dols_lead.user)
        services.allocate_request(dols_request=dols_request, assessor=bia.user, by=dols_lead.user)
        capacity = dols_request.assessments.get(requirement="mental_capacity")
        services.record_assessment(assessment=capacity, outcome=2, completed_on=timezone.localdate(), by=bia.user)
        services.sign_off(dols_request=dols_request, signed_off_on=timezone.localdate(), by=dols_lead.user)
        today = timezone.localdate()
        with pytest.raises(ApplicationError, match=r"Not met: .*Mental capacity"):
            services.grant_authorisation(dols_request=dols_request, terms=_terms(today, today), by=dols_lead.user)
        refused = services.refuse_authorisation(
            dols_request=dols_request, reason="mental_capacity", detail="Has capacity", by=dols_lead.user
        )
        assert refused.status == RequestStatusName.NOT_GRANTED


class TestUrgentAndAfterwards:
    def test_an_urgent_authorisation_is_extended_once(self, make_request: MakeRequest, dols_lead: Persona) -> None:
        today = timezone.localdate()
        dols_request = make_request(request_type="urgent", received_on=today, urgent_starts_on=today)
        extended = services.extend_urgent(
            dols_request=dols_request, days=7, reason="BIA visit booked", by=dols_lead.user
        )
        assert extended.urgent_expires_on == today + timedelta(days=14)
        assert extended.assessments_due_on == today + timedelta(days=14)
        extended.work_item.refresh_from_db()
        assert extended.work_item.due_on == today + timedelta(days=14)
        with pytest.raises(ApplicationError, match="only once"):
            services.extend_urgent(dols_request=extended, days=1, reason="Again", by=dols_lead.user)

    def test_an_expired_urgent_authorisation_cannot_be_extended(
        self, make_request: MakeRequest, dols_lead: Persona
    ) -> None:
        start = timezone.localdate() - timedelta(days=10)
        dols_request = make_request(request_type="urgent", received_on=start, urgent_starts_on=start)
        with pytest.raises(ApplicationError, match="cannot be extended"):
            services.extend_urgent(dols_request=dols_request, days=7, reason="Late", by=dols_lead.user)

    def test_a_further_request_before_the_renewal_window_is_refused(
        self, make_request: MakeRequest, dols_lead: Persona, bia: Persona
    ) -> None:
        dols_request = _signed_off(make_request, dols_lead, bia)
        today = timezone.localdate()
        authorisation = services.grant_authorisation(
            dols_request=dols_request, terms=_terms(today, today + timedelta(days=100)), by=dols_lead.user
        )
        with pytest.raises(ApplicationError, match="can be made from") as error:
            make_request(request_type="further", renews=authorisation, received_on=today)
        assert error.value.field == "received_on"

    def test_suspension_longer_than_28_days_ends_in_termination(
        self, make_request: MakeRequest, dols_lead: Persona, bia: Persona
    ) -> None:
        dols_request = _signed_off(make_request, dols_lead, bia)
        today = timezone.localdate()
        services.grant_authorisation(
            dols_request=dols_request, terms=_terms(today, today + timedelta(days=200)), by=dols_lead.user
        )
        services.suspend_authorisation(
            dols_request=dols_request, suspended_on=today, reason="In hospital", by=dols_lead.user
        )
        assert services.sweep_authorisations(today=today + timedelta(days=28)).terminated == 0
        result = services.sweep_authorisations(today=today + timedelta(days=29))
        assert result.terminated == 1
        dols_request.refresh_from_db()
        assert dols_request.status == RequestStatusName.TERMINATED
        assert services.sweep_authorisations(today=today + timedelta(days=30)).terminated == 0

    def test_authorisations_past_their_end_expire(
        self, make_request: MakeRequest, dols_lead: Persona, bia: Persona
    ) -> None:
        dols_request = _signed_off(make_request, dols_lead, bia)
        today = timezone.localdate()
        services.grant_authorisation(
            dols_request=dols_request, terms=_terms(today, today + timedelta(days=10)), by=dols_lead.user
        )
        assert services.sweep_authorisations(today=today + timedelta(days=10)).expired == 0
        assert services.sweep_authorisations(today=today + timedelta(days=11)).expired == 1
        dols_request.refresh_from_db()
        assert dols_request.status == RequestStatusName.EXPIRED
        dols_request.work_item.refresh_from_db()
        assert dols_request.work_item.closed_at is not None
        # The "DoLS in place" alert ends with the authorisation.
        alert = Alert.objects.get(person=dols_request.person, kind=AlertKind.DOLS_IN_PLACE)
        assert alert.ended_at is not None and dols_request.reference in alert.end_reason


class TestCourtOfProtection:
    def test_a_case_goes_from_preparation_to_an_order_with_a_review_date(
        self, dols_lead: Persona, dols_team: Team, resident: Person
    ) -> None:
        court_case = services.open_court_case(
            person=resident,
            setting=CourtSetting.SUPPORTED_LIVING,
            route=CourtRoute.RE_X,
            restrictions="Door sensors; 1:1 in the community",
            by=dols_lead.user,
            team=dols_team,
        )
        today = timezone.localdate()
        with pytest.raises(ApplicationError, match="checklist"):
            services.submit_court_application(court_case=court_case, submitted_on=today, by=dols_lead.user)
        services.update_checklist(
            court_case=court_case, done=[c for c, _ in services.Copdol11Item.choices], by=dols_lead.user
        )
        services.record_consultation(
            court_case=court_case,
            name="Edna Pole",
            relationship="The person",
            consulted_on=today,
            views="Likes living here",
            objects=False,
            by=dols_lead.user,
        )
        services.submit_court_application(court_case=court_case, submitted_on=today, by=dols_lead.user)
        services.record_court_order(
            court_case=court_case, order_made_on=today, review_months=12, court_reference="COP 123", by=dols_lead.user
        )
        assert court_case.status == CourtStatusName.ORDER_MADE
        assert court_case.review_due_on is not None
        assert court_case.review_reminder_on == court_case.review_due_on - timedelta(days=56)

    def test_an_objection_rules_out_the_re_x_procedure(
        self, dols_lead: Persona, dols_team: Team, resident: Person
    ) -> None:
        court_case = services.open_court_case(
            person=resident,
            setting=CourtSetting.OWN_HOME,
            route=CourtRoute.RE_X,
            restrictions="Locked door",
            by=dols_lead.user,
            team=dols_team,
        )
        services.update_checklist(
            court_case=court_case, done=[c for c, _ in services.Copdol11Item.choices], by=dols_lead.user
        )
        services.record_consultation(
            court_case=court_case,
            name="Sam Pole",
            relationship="Son",
            consulted_on=timezone.localdate(),
            views="Objects",
            objects=True,
            by=dols_lead.user,
        )
        with pytest.raises(ApplicationError, match="Re X"):
            services.submit_court_application(
                court_case=court_case, submitted_on=timezone.localdate(), by=dols_lead.user
            )
