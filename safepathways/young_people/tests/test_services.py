"""Services: children's services records in, milestones and meetings recorded, plans started; the tracker's reads."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from safepathways.audit.models import AuditEvent
from safepathways.conftest import Persona
from safepathways.core.errors import ApplicationError
from safepathways.people.models import ChronologyEntry, Person
from safepathways.people.tests.factories import PersonFactory
from safepathways.transitions.models import Plan, PlanKind
from safepathways.young_people import selectors, services
from safepathways.young_people.milestones import Milestone, add_years
from safepathways.young_people.models import (
    AccommodationStatus,
    MilestoneOutcome,
    SignificantBenefit,
    YoungPeopleSettings,
    YoungPerson,
)
from safepathways.young_people.tests.factories import YoungPersonFactory, born

pytestmark = pytest.mark.django_db


def _record(**overrides: object) -> services.ChildrensRecord:
    data: dict[str, object] = {
        "childrens_reference": "CS-1001",
        "given_name": "Amira",
        "family_name": "Hussain",
        "date_of_birth": born(15),
        "nhs_number": "9990000018",
        "postcode": "nw5 1ab",
        "has_ehc_plan": True,
    }
    data.update(overrides)
    return services.ChildrensRecord(**data)


class TestFromChildrensServices:
    def test_a_new_young_person_gets_a_council_record_and_a_chronology_entry(self, transitions_worker: Persona) -> None:
        result = services.upsert_from_childrens_services(record=_record(), by=transitions_worker.user)
        assert result.created and result.person_created
        person = result.young_person.person
        assert person.nhs_number == "9990000018"
        assert person.postcode == "NW5 1AB"
        assert result.young_person.has_ehc_plan is True
        assert _story(person).startswith("Known to children's services (CS-1001)")
        assert AuditEvent.objects.filter(action="young_person.imported", person_id=person.pk).count() == 1

    def test_it_matches_an_existing_person_by_nhs_number(self, transitions_worker: Persona) -> None:
        existing = PersonFactory.create(nhs_number="9990000018", date_of_birth=born(15))
        result = services.upsert_from_childrens_services(record=_record(), by=transitions_worker.user)
        assert result.created and not result.person_created
        assert result.young_person.person == existing
        assert Person.objects.count() == 1

    def test_a_reimport_updates_by_reference_and_leaves_unsent_fields(self, transitions_worker: Persona) -> None:
        first = services.upsert_from_childrens_services(
            record=_record(personal_adviser_name="Pat Adviser"), by=transitions_worker.user
        )
        again = services.upsert_from_childrens_services(
            record=_record(is_care_leaver=True, has_ehc_plan=None), by=transitions_worker.user
        )
        assert not again.created and again.young_person.pk == first.young_person.pk
        young_person = YoungPerson.objects.get()
        assert young_person.is_care_leaver and young_person.has_ehc_plan
        assert young_person.personal_adviser_name == "Pat Adviser"

    def test_a_different_date_of_birth_is_refused(self, transitions_worker: Persona) -> None:
        PersonFactory.create(nhs_number="9990000018", date_of_birth=date(2009, 1, 1), reference="SP0000042")
        with pytest.raises(ApplicationError, match="does not match the council record SP0000042") as error:
            services.upsert_from_childrens_services(record=_record(), by=transitions_worker.user)
        assert error.value.field == "date_of_birth"
        assert not YoungPerson.objects.exists()

    def test_an_nhs_number_of_another_young_person_is_refused(self, transitions_worker: Persona) -> None:
        services.upsert_from_childrens_services(record=_record(), by=transitions_worker.user)
        with pytest.raises(ApplicationError, match="children's reference CS-1001"):
            services.upsert_from_childrens_services(
                record=_record(childrens_reference="CS-2"), by=transitions_worker.user
            )

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"date_of_birth": born(25)}, "date_of_birth"),
            ({"date_of_birth": timezone.localdate() + timedelta(days=1)}, "date_of_birth"),
            ({"nhs_number": "9990000019"}, "nhs_number"),
            ({"postcode": "NOT A CODE"}, "postcode"),
            ({"ehc_plan_ends_on": add_years(born(15), 25) + timedelta(days=1)}, "ehc_plan_ends_on"),
            ({"accommodation_status": "castle"}, "accommodation_status"),
            ({"given_name": " "}, "given_name"),
        ],
    )
    def test_bad_records_name_the_field(
        self, transitions_worker: Persona, overrides: dict[str, object], field: str
    ) -> None:
        with pytest.raises(ApplicationError) as error:
            services.upsert_from_childrens_services(record=_record(**overrides), by=transitions_worker.user)
        assert error.value.field == field
        assert not Person.objects.exists()


def _story(person: Person) -> str:
    return ChronologyEntry.objects.filter(person=person, category="young_people").get().summary


class TestRecording:
    def test_a_milestone_is_recorded_once(self, transitions_worker: Persona) -> None:
        young_person = YoungPersonFactory.create()
        today = timezone.localdate()
        services.record_milestone(
            young_person=young_person, code=Milestone.HEALTH_NOTIFIED, done_on=today, by=transitions_worker.user
        )
        with pytest.raises(ApplicationError, match="already recorded"):
            services.record_milestone(
                young_person=young_person, code=Milestone.HEALTH_NOTIFIED, done_on=today, by=transitions_worker.user
            )
        assert young_person.milestone_records.count() == 1

    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"code": "nonsense"}, "code"),
            ({"done_on": date(2099, 1, 1)}, "done_on"),
            ({"done_on": date(2000, 1, 1)}, "done_on"),
            ({"outcome": MilestoneOutcome.NOT_NEEDED}, "note"),
        ],
    )
    def test_bad_milestones_are_refused(
        self, transitions_worker: Persona, kwargs: dict[str, object], field: str
    ) -> None:
        young_person = YoungPersonFactory.create()
        data: dict[str, object] = {"code": Milestone.CHC_SCREENING, "done_on": timezone.localdate(), **kwargs}
        with pytest.raises(ApplicationError) as error:
            services.record_milestone(young_person=young_person, by=transitions_worker.user, **data)
        assert error.value.field == field

    def test_allocating_a_worker_meets_the_allocation_milestone(self, transitions_worker: Persona) -> None:
        young_person = YoungPersonFactory.create()
        services.allocate_transitions_worker(
            young_person=young_person, worker=transitions_worker.user, by=transitions_worker.user
        )
        young_person.refresh_from_db()
        assert young_person.transitions_worker == transitions_worker.user
        assert young_person.milestone_records.get().code == Milestone.WORKER_ALLOCATED

    def test_no_significant_benefit_needs_written_reasons(self, transitions_worker: Persona) -> None:
        young_person = YoungPersonFactory.create()
        with pytest.raises(ApplicationError, match="reasons") as error:
            services.decide_significant_benefit(
                young_person=young_person,
                decision=SignificantBenefit.NO,
                decided_on=timezone.localdate(),
                reason="",
                by=transitions_worker.user,
            )
        assert error.value.field == "reason"
        services.decide_significant_benefit(
            young_person=young_person,
            decision=SignificantBenefit.NO,
            decided_on=timezone.localdate(),
            reason="No needs for care and support are likely after 18",
            by=transitions_worker.user,
        )
        young_person.refresh_from_db()
        assert young_person.significant_benefit == SignificantBenefit.NO

    def test_not_likely_to_need_continuing_healthcare_needs_a_reason(self, transitions_worker: Persona) -> None:
        young_person = YoungPersonFactory.create()
        today = timezone.localdate()
        decide = services.decide_continuing_healthcare
        with pytest.raises(ApplicationError, match="not likely") as error:
            decide(young_person=young_person, decision="no", decided_on=today, reason=" ", by=transitions_worker.user)
        assert error.value.field == "reason"
        with pytest.raises(ApplicationError) as error:
            decide(
                young_person=young_person,
                decision="not_decided",
                decided_on=today,
                reason="",
                by=transitions_worker.user,
            )
        assert error.value.field == "decision"
        with pytest.raises(ApplicationError) as error:
            decide(
                young_person=young_person,
                decision="yes",
                decided_on=today + timedelta(days=1),
                reason="",
                by=transitions_worker.user,
            )
        assert error.value.field == "decided_on"
        decide(young_person=young_person, decision="no", decided_on=today, reason="No complex health needs", by=None)
        young_person.refresh_from_db()
        assert young_person.continuing_healthcare == "no"
        assert young_person.continuing_healthcare_reason == "No complex health needs"
        assert young_person.person.chronology.filter(summary__contains="not likely to need").exists()

    def test_meetings_workshops_and_housing_referrals_are_recorded(self, transitions_worker: Persona) -> None:
        young_person = YoungPersonFactory.create(is_care_leaver=True)
        today = timezone.localdate()
        services.record_planning_meeting(
            young_person=young_person,
            held_on=today,
            attendees="Amira, her aunt, college tutor",
            agreed="Visit two supported living schemes",
            young_person_took_part=True,
            by=transitions_worker.user,
        )
        workshop = services.record_workshop(
            young_person=young_person,
            offered_on=today,
            topic="Money at 18",
            offered_to="Aunt",
            attendance="not_yet",
            by=transitions_worker.user,
        )
        services.record_workshop_attendance(workshop=workshop, attendance="attended", by=transitions_worker.user)
        services.record_housing_referral(
            young_person=young_person, made_on=today, referred_to="Camden housing options", by=transitions_worker.user
        )
        young_person.refresh_from_db()
        assert young_person.planning_meetings.count() == 1
        assert young_person.workshops.get().attendance == "attended"
        assert young_person.housing_referral_to == "Camden housing options"
        with pytest.raises(ApplicationError) as error:
            services.record_planning_meeting(
                young_person=young_person,
                held_on=today,
                attendees="",
                agreed="x",
                young_person_took_part=False,
                by=transitions_worker.user,
            )
        assert error.value.field == "attendees"

    def test_update_refuses_an_ehc_plan_beyond_25(self, transitions_worker: Persona) -> None:
        young_person = YoungPersonFactory.create()
        too_late = add_years(young_person.person.date_of_birth, 25) + timedelta(days=1)
        with pytest.raises(ApplicationError) as error:
            services.update_young_person(
                young_person=young_person, by=transitions_worker.user, data={"ehc_plan_ends_on": too_late}
            )
        assert error.value.field == "ehc_plan_ends_on"
        services.update_young_person(
            young_person=young_person,
            by=transitions_worker.user,
            data={"accommodation_status": AccommodationStatus.HOMELESS, "is_care_leaver": True},
        )
        young_person.refresh_from_db()
        assert young_person.accommodation_status == AccommodationStatus.HOMELESS


class TestDatesBeforeBirth:
    """A date that must come after the young person's birth is refused before anything is written."""

    def test_a_record_with_an_ehc_plan_end_or_a_move_before_birth_names_each_field(self) -> None:
        dob = born(15)
        record = _record(
            date_of_birth=dob, ehc_plan_ends_on=dob - timedelta(days=400), planned_move_on=dob - timedelta(days=10)
        )
        problems = services.check_record(record, timezone.localdate())
        assert [(p.field, p.message) for p in problems] == [
            ("ehc_plan_ends_on", "The EHC plan end date must be after their date of birth"),
            ("planned_move_on", "The planned move date must be after their date of birth"),
        ]
        later = _record(date_of_birth=dob, ehc_plan_ends_on=dob + timedelta(days=1), planned_move_on=dob + timedelta(1))
        assert services.check_record(later, timezone.localdate()) == []

    def test_children_services_records_with_dates_before_birth_are_refused(self, transitions_worker: Persona) -> None:
        dob = born(15)
        with pytest.raises(ApplicationError) as error:
            services.upsert_from_childrens_services(
                record=_record(date_of_birth=dob, ehc_plan_ends_on=dob - timedelta(days=1)), by=transitions_worker.user
            )
        assert error.value.field == "ehc_plan_ends_on"
        assert not Person.objects.exists()
        assert not AuditEvent.objects.exists()

    @pytest.mark.parametrize(
        ("field", "message"),
        [
            ("planned_move_on", "The planned move date must be after their date of birth"),
            ("ehc_plan_ends_on", "The EHC plan end date must be after their date of birth"),
        ],
    )
    def test_an_update_with_a_date_before_birth_is_refused(
        self, transitions_worker: Persona, field: str, message: str
    ) -> None:
        dob = born(19)
        young_person = YoungPersonFactory.create(is_care_leaver=True, person__date_of_birth=dob)
        before = dob - timedelta(days=30)
        with pytest.raises(ApplicationError) as error:
            services.update_young_person(young_person=young_person, by=transitions_worker.user, data={field: before})
        assert (error.value.field, error.value.message) == (field, message)
        young_person.refresh_from_db()
        assert getattr(young_person, field) is None
        assert not AuditEvent.objects.exists()

    def test_a_housing_referral_before_birth_is_refused(self, transitions_worker: Persona) -> None:
        young_person = YoungPersonFactory.create(is_care_leaver=True, person__date_of_birth=born(19))
        with pytest.raises(ApplicationError) as error:
            services.record_housing_referral(
                young_person=young_person,
                made_on=date(1990, 1, 1),
                referred_to="Camden Housing",
                by=transitions_worker.user,
            )
        assert (error.value.field, error.value.message) == (
            "made_on",
            "The date of the referral must be after their date of birth",
        )
        young_person.refresh_from_db()
        assert young_person.housing_referral_made_on is None and young_person.housing_referral_to == ""
        assert not AuditEvent.objects.exists()
        assert not ChronologyEntry.objects.exists()


class TestPlans:
    def test_plan_the_move_to_adult_services_for_the_18th_birthday(self, transitions_worker: Persona) -> None:
        young_person = YoungPersonFactory.create(person__date_of_birth=born(17, 2))
        plan = services.plan_move_to_adult_services(young_person=young_person, by=transitions_worker.user)
        assert plan.kind == PlanKind.CHILD_TO_ADULT
        assert plan.planned_on == add_years(young_person.person.date_of_birth, 18)
        assert plan.team == transitions_worker.team
        with pytest.raises(ApplicationError, match="already open"):
            services.plan_move_to_adult_services(young_person=young_person, by=transitions_worker.user)

    def test_plan_a_care_leavers_move_on_its_date(self, transitions_worker: Persona) -> None:
        move = timezone.localdate() + timedelta(days=42)
        young_person = YoungPersonFactory.create(
            person__date_of_birth=born(19), is_care_leaver=True, planned_move_on=move
        )
        plan = services.plan_accommodation_move(young_person=young_person, by=transitions_worker.user)
        assert plan.kind == PlanKind.CARE_LEAVER and plan.planned_on == move
        assert Plan.objects.count() == 1


class TestTracker:
    def _names(self, today: date) -> set[str]:
        board = selectors.tracker(today, selectors.TrackerFilters(), YoungPeopleSettings.current())
        return {row.young_person.person.given_name for row in board.rows}

    def test_a_14th_birthday_today_puts_them_on_the_tracker_and_tomorrows_does_not(self) -> None:
        today = timezone.localdate()
        YoungPersonFactory.create(person__given_name="Birthday", person__date_of_birth=add_years(today, -14))
        YoungPersonFactory.create(
            person__given_name="Tomorrow", person__date_of_birth=add_years(today, -14) + timedelta(days=1)
        )
        YoungPersonFactory.create(person__given_name="TwentyFive", person__date_of_birth=add_years(today, -25))
        YoungPersonFactory.create(
            person__given_name="Nearly25", person__date_of_birth=add_years(today, -25) + timedelta(days=1)
        )
        assert self._names(today) == {"Birthday", "Nearly25"}
        assert "Tomorrow" in self._names(today + timedelta(days=1))

    def test_born_on_29_february_appears_on_1_march_in_a_common_year(self) -> None:
        YoungPersonFactory.create(person__given_name="Leap", person__date_of_birth=date(2012, 2, 29))
        assert "Leap" not in self._names(date(2026, 2, 28))
        assert "Leap" in self._names(date(2026, 3, 1))

    def test_the_local_date_decides_a_birthday_not_the_utc_date(self, monkeypatch: pytest.MonkeyPatch) -> None:
        # 23:30 UTC on 14 June is 00:30 on 15 June in London (BST).
        instant = datetime(2026, 6, 14, 23, 30, tzinfo=UTC)
        monkeypatch.setattr(timezone, "now", lambda: instant)
        YoungPersonFactory.create(person__given_name="Midnight", person__date_of_birth=date(2012, 6, 15))
        assert timezone.localdate() == date(2026, 6, 15)
        assert "Midnight" in self._names(timezone.localdate())
        assert "Midnight" not in self._names(instant.date())

    def test_rows_are_sorted_by_most_urgent_alarm_and_filtered(self, transitions_worker: Persona) -> None:
        today = timezone.localdate()
        YoungPersonFactory.create(person__given_name="Calm", person__date_of_birth=born(14, days=10))
        YoungPersonFactory.create(person__given_name="Red", person__date_of_birth=born(17, 7))
        YoungPersonFactory.create(
            person__given_name="Leaver",
            person__date_of_birth=born(19),
            is_care_leaver=True,
            significant_benefit=SignificantBenefit.NO,
            significant_benefit_reason="No care needs",
            personal_adviser_name="Pat",
            planned_move_on=today + timedelta(days=42),
            accommodation_status=AccommodationStatus.TEMPORARY,
        )
        board = selectors.tracker(today, selectors.TrackerFilters(), YoungPeopleSettings.current())
        names = [row.young_person.person.given_name for row in board.rows]
        assert names[-1] == "Calm"
        assert set(names[:2]) == {"Red", "Leaver"}
        assert board.care_leavers_flagged == 1
        leavers = selectors.tracker(
            today, selectors.TrackerFilters(care_leavers_only=True), YoungPeopleSettings.current()
        )
        assert [r.young_person.person.given_name for r in leavers.rows] == ["Leaver"]
        band = selectors.tracker(today, selectors.TrackerFilters(age_band="16-17"), YoungPeopleSettings.current())
        assert [r.young_person.person.given_name for r in band.rows] == ["Red"]
        alarms = selectors.tracker(today, selectors.TrackerFilters(alarms_only=True), YoungPeopleSettings.current())
        assert "Calm" not in {r.young_person.person.given_name for r in alarms.rows}
        unallocated = selectors.tracker(today, selectors.TrackerFilters(worker="none"), YoungPeopleSettings.current())
        assert unallocated.total == 3
