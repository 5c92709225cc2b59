"""Incidents: everyone listed at once, the protocol's clocks, matching, the no-one-lost rule, learning."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from safepathways.conftest import Persona
from safepathways.continuity import selectors, services
from safepathways.continuity.models import (
    AffectedPerson,
    ClockFrom,
    EmergencyMode,
    Incident,
    IncidentStep,
    ProtocolStep,
)
from safepathways.core.errors import ApplicationError
from safepathways.oversight import services as oversight
from safepathways.oversight.models import Vacancy
from safepathways.people.models import ChronologyEntry, Person
from safepathways.providers.models import Location
from safepathways.transitions.models import PlanKind, PlanStatus

pytestmark = pytest.mark.django_db


class TestOpening:
    def test_everyone_receiving_services_there_is_listed_with_next_of_kin(
        self, open_flood: Callable[[], Incident], make_resident: Callable[..., Person]
    ) -> None:
        residents = [make_resident() for _ in range(3)]
        incident = open_flood()
        affected = list(incident.affected.order_by("name"))
        assert {a.person_id for a in affected} == {p.pk for p in residents}
        first = affected[0]
        assert first.bed_type == "residential"
        assert "Jane Doe" in first.next_of_kin and "020 7946 0001" in first.next_of_kin
        assert first.family_postcode == "N6 5AA"
        assert ChronologyEntry.objects.filter(person=residents[0], category="continuity").exists()

    def test_the_protocol_steps_are_copied_with_their_clocks(
        self, open_flood: Callable[[], Incident], make_resident: Callable[..., Person]
    ) -> None:
        make_resident()
        incident = open_flood()
        incident_steps = IncidentStep.objects.filter(incident=incident, affected__isnull=True)
        person_steps = IncidentStep.objects.filter(incident=incident, affected__isnull=False)
        assert incident_steps.filter(code="safe_now").get().due_at == incident.started_at + timedelta(hours=1)
        assert person_steps.filter(code="contact_family").get().due_at == incident.started_at + timedelta(hours=4)
        # The welfare check's clock starts at the move.
        assert person_steps.get(code="welfare_check").due_at is None

    def test_a_second_open_incident_for_the_same_place_is_refused(self, open_flood: Callable[[], Incident]) -> None:
        first = open_flood()
        with pytest.raises(ApplicationError) as error:
            open_flood()
        assert first.reference in error.value.message
        assert Incident.objects.count() == 1

    def test_a_start_in_the_future_is_refused(self, lead: Persona, flooded_home: Location) -> None:
        with pytest.raises(ApplicationError) as error:
            services.open_incident(
                kind="fire",
                title="Fire",
                what_happened="x",
                started_at=timezone.now() + timedelta(hours=2),
                lead=lead.user,
                by=lead.user,
                location=flooded_home,
            )
        assert error.value.field == "started_at"

    def test_changing_the_protocol_does_not_rewrite_an_open_incident(
        self, open_flood: Callable[[], Incident], make_resident: Callable[..., Person], lead: Persona
    ) -> None:
        make_resident()
        incident = open_flood()
        services.save_protocol_step(
            by=lead.user,
            definition=services.StepDefinition(
                code="contact_family",
                title="Phone the family",
                scope="person",
                owner_role="Duty social worker",
                clock_hours=2,
                clock_from=ClockFrom.START,
                after="list_people",
            ),
            reason="Families asked to hear sooner",
        )
        step = IncidentStep.objects.get(incident=incident, code="contact_family")
        assert step.title == "Contact the person's family or next of kin"
        assert step.due_at == incident.started_at + timedelta(hours=4)
        assert ProtocolStep.objects.get(code="contact_family").clock_hours == 2

    def test_a_step_cannot_come_after_itself(self, lead: Persona) -> None:
        with pytest.raises(ApplicationError) as error:
            services.save_protocol_step(
                by=lead.user,
                definition=services.StepDefinition(
                    code="safe_now",
                    title="Safe",
                    scope="incident",
                    owner_role="Lead",
                    clock_hours=1,
                    clock_from="start",
                    after="review",
                ),
                reason="test",
            )
        assert error.value.field == "after"


class TestMatchingAndOutcomes:
    def test_options_are_ranked_by_distance_from_family_then_quality_never_inadequate(
        self, open_flood: Callable[[], Incident], make_resident: Callable[..., Person], vacancies: dict[str, Location]
    ) -> None:
        make_resident()
        incident = open_flood()
        affected = incident.affected.get()
        options = selectors.placement_options(incident, [affected])[affected.pk]
        names = [o.location_name for o in options]
        assert names == ["Heath View", "Covent Court"]  # the family is in N6; Grim Lodge is rated inadequate
        near, far = options[0].distance_km, options[1].distance_km
        assert near is not None and far is not None and near < far

    def test_reserving_holds_a_bed_and_moving_records_a_plan_and_starts_the_welfare_clock(
        self,
        open_flood: Callable[[], Incident],
        make_resident: Callable[..., Person],
        vacancies: dict[str, Location],
        lead: Persona,
    ) -> None:
        make_resident()
        incident = open_flood()
        affected = incident.affected.get()
        near = vacancies["near"]
        services.reserve_bed(affected=affected, location=near, bed_type="residential", by=lead.user)
        assert Vacancy.objects.get(location=near, bed_type="residential").available == 1
        with pytest.raises(ApplicationError):
            services.reserve_bed(affected=affected, location=incident.location, bed_type="residential", by=lead.user)
        now = timezone.now()
        moved = services.record_outcome(affected=affected, by=lead.user, outcome="moved", now=now)
        assert moved.outcome_detail == "Heath View"
        plan = moved.transition_plan
        assert plan is not None and plan.kind == PlanKind.EMERGENCY_MOVE and plan.status == PlanStatus.MOVED
        welfare = IncidentStep.objects.get(affected=affected, code="welfare_check")
        assert welfare.due_at == now + timedelta(hours=24)
        # The record now says where they receive care: the old service ended with the reason, a new one started.
        assert affected.person is not None
        tomorrow = timezone.localdate() + timedelta(days=1)
        assert [s.location_id for s in affected.person.services.current(tomorrow)] == [near.pk]
        ended = affected.person.services.get(location=incident.location)
        assert ended.end_on == timezone.localdate() and ended.end_reason.startswith(incident.reference)

    def test_a_move_goes_ahead_when_the_service_component_has_since_been_retired(
        self,
        open_flood: Callable[[], Incident],
        make_resident: Callable[..., Person],
        vacancies: dict[str, Location],
        lead: Persona,
    ) -> None:
        from safepathways.providers.models import ServiceComponentCode

        make_resident()
        ServiceComponentCode.objects.filter(code="Long Term Residential Care").update(is_active=False)
        incident = open_flood()
        affected = incident.affected.get()
        services.reserve_bed(affected=affected, location=vacancies["near"], bed_type="residential", by=lead.user)
        services.record_outcome(affected=affected, by=lead.user, outcome="moved", now=timezone.now())
        assert affected.person is not None
        new = affected.person.services.get(location=vacancies["near"])
        assert new.service_component == ""  # left blank, not refused: the emergency move is recorded

    def test_a_suspended_location_is_not_offered_or_reservable(
        self,
        open_flood: Callable[[], Incident],
        make_resident: Callable[..., Person],
        vacancies: dict[str, Location],
        lead: Persona,
    ) -> None:
        make_resident()
        incident = open_flood()
        affected = incident.affected.get()
        oversight.suspend_placements_at(
            location=vacancies["near"],
            starts_on=timezone.localdate(),
            ends_on=None,
            reason="Concerns meeting",
            by=lead.user,
        )
        names = [o.location_name for o in selectors.placement_options(incident, [affected])[affected.pk]]
        assert "Heath View" not in names
        with pytest.raises(ApplicationError) as error:
            services.reserve_bed(affected=affected, location=vacancies["near"], bed_type="residential", by=lead.user)
        assert "suspended" in error.value.message

    def test_a_move_needs_a_reserved_bed_and_other_outcomes_say_where(
        self, open_flood: Callable[[], Incident], make_resident: Callable[..., Person], lead: Persona
    ) -> None:
        make_resident()
        affected = open_flood().affected.get()
        with pytest.raises(ApplicationError):
            services.record_outcome(affected=affected, by=lead.user, outcome="moved")
        with pytest.raises(ApplicationError) as error:
            services.record_outcome(affected=affected, by=lead.user, outcome="family")
        assert error.value.field == "detail"
        done = services.record_outcome(
            affected=affected, by=lead.user, outcome="family", detail="With her daughter in N6"
        )
        assert done.outcome_confirmed_by == lead.user


class TestNobodyIsLost:
    def test_the_incident_closes_only_when_everyone_has_an_outcome(
        self, open_flood: Callable[[], Incident], make_resident: Callable[..., Person], lead: Persona
    ) -> None:
        make_resident(given_name="Ada", family_name="Lovell")
        make_resident(given_name="Bert", family_name="Ames")
        incident = open_flood()
        services.add_affected(
            incident=incident,
            by=lead.user,
            details=services.AffectedDetails(
                name="Cora Self", date_of_birth=None, funding="self_funded", bed_type="residential"
            ),
        )
        with pytest.raises(ApplicationError) as error:
            services.close_incident(incident=incident, by=lead.user)
        assert "3 people have no confirmed outcome" in error.value.message
        for affected in AffectedPerson.objects.filter(incident=incident):
            services.record_outcome(affected=affected, by=lead.user, outcome="stayed")
        closed = services.close_incident(incident=incident, by=lead.user)
        assert not closed.is_open

    def test_someone_funded_by_another_council_needs_the_council_named(
        self, open_flood: Callable[[], Incident], lead: Persona
    ) -> None:
        incident = open_flood()
        with pytest.raises(ApplicationError) as error:
            services.add_affected(
                incident=incident,
                by=lead.user,
                details=services.AffectedDetails(name="Dan Other", date_of_birth=None, funding="other_council"),
            )
        assert error.value.field == "funding_council"

    def test_the_review_can_change_the_protocol(self, open_flood: Callable[[], Incident], lead: Persona) -> None:
        incident = open_flood()
        services.close_incident(incident=incident, by=lead.user)
        review = services.write_review(
            incident=incident,
            by=lead.user,
            what_happened="Flood at night",
            what_worked="Neighbouring homes took people",
            what_to_change="Check the basement pump yearly",
            change=services.StepDefinition(
                code="pump_check",
                title="Ask the provider about flood defences",
                scope="incident",
                owner_role="Provider quality officer",
                clock_hours=168,
                clock_from="start",
                after="review",
            ),
        )
        assert review.protocol_changed
        assert ProtocolStep.objects.filter(code="pump_check", after_id="review").exists()
        with pytest.raises(ApplicationError):
            services.write_review(
                incident=incident, by=lead.user, what_happened="a", what_worked="b", what_to_change="c"
            )


class TestEmergencyMode:
    def test_only_one_emergency_at_a_time_and_staff_are_told(self, lead: Persona, social_worker: Persona) -> None:
        services.declare_emergency(by=lead.user, scenario="it_outage", reason="The case system is down")
        assert social_worker.user.notifications.filter(message__contains="Emergency mode").exists()
        with pytest.raises(ApplicationError):
            services.declare_emergency(by=lead.user, scenario="it_outage", reason="Again")
        services.end_emergency(by=lead.user)
        assert not EmergencyMode.objects.filter(is_active=True).exists()


def test_the_flow_chart_places_each_step_below_the_one_it_follows() -> None:
    chart = selectors.flow_chart()
    boxes = {b.step.code: b for b in chart.boxes}
    assert boxes["list_people"].y > boxes["safe_now"].y
    assert boxes["find_placement"].y > boxes["list_people"].y
    assert len(chart.arrows) == ProtocolStep.objects.filter(is_active=True, after__isnull=False).count()
