"""Escalation with history, suspensions blocking new services (and recorded overrides), vacancy rules."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from safepathways.audit.models import AuditEvent
from safepathways.conftest import Persona
from safepathways.core.errors import ApplicationError
from safepathways.notifications.models import Notification
from safepathways.oversight import selectors, services
from safepathways.oversight.models import (
    BedType,
    ConcernCase,
    Escalation,
    EscalationKind,
    EscalationLevel,
    PlacementSuspension,
    Vacancy,
    VacancyChange,
    VacancySource,
)
from safepathways.oversight.tests.factories import ProviderConcernFactory
from safepathways.people.models import ChronologyEntry
from safepathways.people.tests.factories import PersonFactory
from safepathways.providers import services as provider_services
from safepathways.providers.models import Location, ProviderConcern, ProviderConcernSource, ProviderConcernStatus
from safepathways.providers.tests.factories import LocationFactory

Levels = dict[str, EscalationLevel]


def _concern(location: Location, by: Persona) -> ProviderConcern:
    concern: ProviderConcern = ProviderConcernFactory.create(location=location, raised_by=by.user)
    return concern


class TestRaiseConcern:
    def test_links_people_and_tells_the_quality_team(
        self, social_worker: Persona, quality_officer: Persona, rose_house: Location
    ) -> None:
        person = PersonFactory.create()
        concern = services.raise_concern(
            provider=rose_house.provider,
            location=rose_house,
            source=ProviderConcernSource.STAFF,
            category="pressure_ulcers",
            summary="Two residents with grade 3 pressure ulcers",
            people=[person],
            by=social_worker.user,
        )
        assert list(concern.people.all()) == [person]
        assert ChronologyEntry.objects.filter(person=person, summary__contains="Rose House").exists()
        assert Notification.objects.filter(recipient=quality_officer.user).count() == 1
        assert AuditEvent.objects.filter(action="providers.concern_raised").count() == 1

    def test_a_location_of_another_provider_is_refused(self, social_worker: Persona, rose_house: Location) -> None:
        with pytest.raises(ApplicationError) as error:
            services.raise_concern(
                provider=LocationFactory.create().provider,
                location=rose_house,
                source="staff",
                category="",
                summary="x",
                by=social_worker.user,
            )
        assert error.value.field == "location"
        assert not ProviderConcern.objects.exists()


class TestEscalation:
    def test_up_and_down_with_history(self, quality_officer: Persona, rose_house: Location, levels: Levels) -> None:
        concern = _concern(rose_house, quality_officer)
        person = PersonFactory.create()
        concern.people.add(person)
        first = services.escalate_concern(
            concern=concern,
            level=levels["emerging_concern"],
            reason="Medication errors at the monitoring visit",
            owner=quality_officer.user,
            review_on=None,
            actions_agreed="Action plan by Friday",
            by=quality_officer.user,
        )
        assert first.escalation.kind == EscalationKind.LEVEL_SET
        assert first.case.review_on == timezone.localdate() + timedelta(days=levels["emerging_concern"].review_days)
        assert first.suspension is None
        up = services.escalate_concern(
            concern=concern,
            level=levels["large_scale_enquiry"],
            reason="Allegations about several staff",
            owner=quality_officer.user,
            review_on=timezone.localdate() + timedelta(days=7),
            by=quality_officer.user,
        )
        assert up.escalation.kind == EscalationKind.ESCALATED
        assert up.escalation.from_level == levels["emerging_concern"]
        assert up.suspension is not None  # level 4 suspends new placements by default
        down = services.escalate_concern(
            concern=concern,
            level=levels["provider_concerns_meeting"],
            reason="Improvement plan on track",
            owner=quality_officer.user,
            review_on=None,
            by=quality_officer.user,
        )
        assert down.escalation.kind == EscalationKind.DE_ESCALATED
        assert down.suspension is None  # lifting is an explicit decision
        assert ConcernCase.objects.get().level == levels["provider_concerns_meeting"]
        history = list(Escalation.objects.order_by("decided_at", "created_at").values_list("kind", flat=True))
        assert history == [EscalationKind.LEVEL_SET, EscalationKind.ESCALATED, EscalationKind.DE_ESCALATED]
        assert ChronologyEntry.objects.filter(person=person, summary__contains="Provider concern about").count() == 3
        assert AuditEvent.objects.filter(action="oversight.concern_escalated").count() == 1

    def test_level_three_suspends_by_default_unless_told_not_to(
        self, quality_officer: Persona, rose_house: Location, levels: Levels
    ) -> None:
        concern = _concern(rose_house, quality_officer)
        outcome = services.escalate_concern(
            concern=concern,
            level=levels["provider_concerns_meeting"],
            reason="Meeting held",
            owner=quality_officer.user,
            review_on=None,
            suspend_placements=False,
            by=quality_officer.user,
        )
        assert outcome.suspension is None
        assert not PlacementSuspension.objects.exists()

    def test_bad_input_is_refused_and_nothing_is_written(
        self, quality_officer: Persona, rose_house: Location, levels: Levels
    ) -> None:
        concern = _concern(rose_house, quality_officer)
        cases: list[tuple[dict[str, Any], str]] = [
            ({"reason": " "}, "reason"),
            ({"review_on": date(2000, 1, 1)}, "review_on"),
        ]
        for kwargs, field in cases:
            values: dict[str, Any] = {
                "concern": concern,
                "level": levels["emerging_concern"],
                "reason": "r",
                "owner": quality_officer.user,
                "review_on": None,
                "by": quality_officer.user,
                **kwargs,
            }
            with pytest.raises(ApplicationError) as error:
                services.escalate_concern(**values)
            assert error.value.field == field
        assert not Escalation.objects.exists()

    def test_a_closed_concern_cannot_be_escalated_and_closing_needs_the_suspension_lifted(
        self, quality_officer: Persona, rose_house: Location, levels: Levels
    ) -> None:
        concern = _concern(rose_house, quality_officer)
        outcome = services.escalate_concern(
            concern=concern,
            level=levels["large_scale_enquiry"],
            reason="r",
            owner=quality_officer.user,
            review_on=None,
            by=quality_officer.user,
        )
        with pytest.raises(ApplicationError, match="still suspended"):
            services.close_concern(concern=concern, reason="Resolved", by=quality_officer.user)
        assert outcome.suspension is not None
        services.lift_suspension(suspension=outcome.suspension, reason="Improved", by=quality_officer.user)
        closed = services.close_concern(concern=concern, reason="Resolved", by=quality_officer.user)
        assert closed.status == ProviderConcernStatus.CLOSED
        assert Escalation.objects.filter(kind=EscalationKind.CLOSED).count() == 1
        with pytest.raises(ApplicationError, match="closed"):
            services.escalate_concern(
                concern=concern,
                level=levels["routine_monitoring"],
                reason="r",
                owner=quality_officer.user,
                review_on=None,
                by=quality_officer.user,
            )

    def test_an_unassessed_concern_can_be_closed(self, quality_officer: Persona, rose_house: Location) -> None:
        concern = _concern(rose_house, quality_officer)
        services.close_concern(concern=concern, reason="Raised in error", by=quality_officer.user)
        assert Escalation.objects.get().kind == EscalationKind.CLOSED


class TestSuspension:
    def test_blocks_a_new_service_at_the_location_and_an_override_is_recorded(
        self, quality_officer: Persona, social_worker: Persona, rose_house: Location
    ) -> None:
        today = timezone.localdate()
        services.suspend_placements_at(
            location=rose_house, starts_on=today, ends_on=None, reason="Large-scale enquiry", by=quality_officer.user
        )
        person = PersonFactory.create()
        data = {"service_type": "Long Term Support: Residential Care", "start_on": today, "location": rose_house}
        with pytest.raises(ApplicationError) as error:
            provider_services.record_service(person=person, by=social_worker.user, data=dict(data))
        assert error.value.field == "location"
        assert "New placements at Rose House are suspended" in error.value.message
        assert not person.services.exists()
        service = provider_services.record_service(
            person=person, by=social_worker.user, data=dict(data), override_reason="Only home near her daughter"
        )
        assert service.pk is not None
        event = AuditEvent.objects.get(action="service.recorded_with_override")
        # The audit snapshot keeps no free text (only its length); the reason is in the person's chronology.
        assert event.snapshot["override_reason"] == "<27 characters>"
        assert ChronologyEntry.objects.filter(
            person=person,
            summary__startswith="Placement made despite",
            detail="Reason for going ahead: Only home near her daughter",
        ).exists()

    def test_a_service_elsewhere_or_before_the_suspension_is_not_blocked(
        self, quality_officer: Persona, social_worker: Persona, rose_house: Location
    ) -> None:
        today = timezone.localdate()
        services.suspend_placements_at(
            location=rose_house, starts_on=today, ends_on=None, reason="r", by=quality_officer.user
        )
        person = PersonFactory.create()
        provider_services.record_service(
            person=person,
            by=social_worker.user,
            data={"service_type": "Long Term Support: Community", "start_on": today, "location": LocationFactory()},
        )
        provider_services.record_service(
            person=person,
            by=social_worker.user,
            data={
                "service_type": "Long Term Support: Community",
                "start_on": today - timedelta(days=3),
                "location": rose_house,
            },
        )
        assert person.services.count() == 2

    def test_one_suspension_at_a_time_and_lifting_ends_it(self, quality_officer: Persona, rose_house: Location) -> None:
        today = timezone.localdate()
        suspension = services.suspend_placements_at(
            location=rose_house, starts_on=today, ends_on=None, reason="r", by=quality_officer.user
        )
        with pytest.raises(ApplicationError, match="already suspended"):
            services.suspend_placements_at(
                location=rose_house, starts_on=today, ends_on=None, reason="again", by=quality_officer.user
            )
        assert selectors.suspended_location_ids(today) == {rose_house.pk}
        services.lift_suspension(suspension=suspension, reason="Improved", by=quality_officer.user)
        assert selectors.suspended_location_ids(today) == set()
        with pytest.raises(ApplicationError, match="already been lifted"):
            services.lift_suspension(suspension=suspension, reason="again", by=quality_officer.user)

    def test_an_expired_suspension_makes_way_for_a_new_one(
        self, quality_officer: Persona, rose_house: Location
    ) -> None:
        today = timezone.localdate()
        services.suspend_placements_at(
            location=rose_house,
            starts_on=today - timedelta(days=30),
            ends_on=today - timedelta(days=1),
            reason="r",
            by=quality_officer.user,
        )
        assert selectors.suspended_location_ids(today) == set()
        services.suspend_placements_at(
            location=rose_house, starts_on=today, ends_on=None, reason="again", by=quality_officer.user
        )
        assert PlacementSuspension.objects.filter(lifted_at__isnull=True).count() == 1


class TestVacancies:
    def test_record_and_history(self, quality_officer: Persona, rose_house: Location) -> None:
        services.record_vacancy(
            location=rose_house, bed_type=BedType.NURSING, available=3, by=quality_officer.user, source="staff"
        )
        vacancy = services.record_vacancy(
            location=rose_house, bed_type=BedType.NURSING, available=1, by=None, source=VacancySource.API
        )
        assert vacancy.available == 1
        assert Vacancy.objects.count() == 1
        assert list(VacancyChange.objects.order_by("created_at").values_list("previous", "available")) == [
            (None, 3),
            (3, 1),
        ]

    @pytest.mark.parametrize(
        ("bed_type", "available", "message"),
        [
            (BedType.RESIDENTIAL, -1, "Vacancies must be 0 or more"),
            (BedType.RESIDENTIAL, 45, "Rose House has 40 registered places; 45 is more than that"),
            ("suite", 1, "Choose a type of vacancy"),
        ],
    )
    def test_invalid_figures_are_refused(
        self, quality_officer: Persona, rose_house: Location, bed_type: str, available: int, message: str
    ) -> None:
        with pytest.raises(ApplicationError, match=message):
            services.record_vacancy(
                location=rose_house, bed_type=bed_type, available=available, by=quality_officer.user, source="staff"
            )
        assert not Vacancy.objects.exists()

    def test_home_care_hours_are_not_checked_against_places(
        self, quality_officer: Persona, rose_house: Location
    ) -> None:
        vacancy = services.record_vacancy(
            location=rose_house, bed_type=BedType.HOME_CARE_HOURS, available=300, by=None, source="provider"
        )
        assert vacancy.available == 300

    def test_adjust_holds_a_bed_and_never_goes_below_zero(self, quality_officer: Persona, rose_house: Location) -> None:
        services.record_vacancy(location=rose_house, bed_type="residential", available=1, by=None, source="staff")
        held = services.adjust_vacancy(
            location=rose_house, bed_type="residential", delta=-1, by=quality_officer.user, reason="Bed reserved"
        )
        assert held.available == 0
        with pytest.raises(ApplicationError, match="has 0 residential vacancies"):
            services.adjust_vacancy(
                location=rose_house, bed_type="residential", delta=-1, by=quality_officer.user, reason="again"
            )
        assert Vacancy.objects.get().available == 0

    def test_available_vacancies_leave_out_suspended_locations_and_empty_figures(
        self, quality_officer: Persona, rose_house: Location
    ) -> None:
        other = LocationFactory.create(name="Aspen Court")
        empty = LocationFactory.create(name="Birch Lodge")
        for location, available in [(rose_house, 2), (other, 1), (empty, 0)]:
            services.record_vacancy(location=location, bed_type="nursing", available=available, by=None, source="staff")
        services.record_vacancy(location=other, bed_type="respite", available=1, by=None, source="staff")
        services.suspend_placements_at(
            location=rose_house, starts_on=timezone.localdate(), ends_on=None, reason="r", by=quality_officer.user
        )
        rows = list(selectors.available_vacancies())
        assert [(v.location.name, v.bed_type) for v in rows] == [("Aspen Court", "nursing"), ("Aspen Court", "respite")]
        assert [v.bed_type for v in selectors.available_vacancies(["respite"])] == ["respite"]


class TestCqcRating:
    def test_rating_needs_a_past_date(self, quality_officer: Persona, rose_house: Location) -> None:
        with pytest.raises(ApplicationError) as error:
            services.record_cqc_rating(location=rose_house, rating="inadequate", rated_on=None, by=quality_officer.user)
        assert error.value.field == "cqc_rated_on"
        services.record_cqc_rating(
            location=rose_house, rating="inadequate", rated_on=date(2026, 1, 5), by=quality_officer.user
        )
        rose_house.refresh_from_db()
        assert rose_house.cqc_rating == "inadequate"
