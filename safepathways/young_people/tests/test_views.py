"""Access matrix, the happy paths and pinned query counts for the young people pages."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from markupsafe import escape
from pytest_django import DjangoAssertNumQueries

from safepathways.audit.models import AccessEvent, AuditEvent
from safepathways.conftest import Persona
from safepathways.transitions.models import Plan, PlanKind
from safepathways.work.tests.factories import WorkItemFactory
from safepathways.young_people import services
from safepathways.young_people.milestones import Milestone, add_months, add_years
from safepathways.young_people.models import AccommodationStatus, MilestoneRecord, YoungPeopleSettings, YoungPerson
from safepathways.young_people.tests.factories import YoungPersonFactory, born

pytestmark = pytest.mark.django_db


def _date(prefix: str, name: str, day: date) -> dict[str, object]:
    return {f"{prefix}-{name}_day": day.day, f"{prefix}-{name}_month": day.month, f"{prefix}-{name}_year": day.year}


def _milestone_post(day: date | None = None) -> dict[str, object]:
    return {
        "milestone-code": Milestone.HEALTH_NOTIFIED,
        "milestone-outcome": "done",
        **_date("milestone", "done_on", day or timezone.localdate()),
    }


class TestTrackerAccess:
    @pytest.mark.parametrize("name", ["young_people:tracker", "young_people:import"])
    def test_anonymous_users_are_sent_to_sign_in(self, anonymous: Client, name: str) -> None:
        response = anonymous.get(reverse(name))
        assert response.status_code == 302
        assert "sign-in" in response["Location"]

    def test_partners_are_refused(self, partner: Persona, police_partner: Persona) -> None:
        for persona in (partner, police_partner):
            assert persona.http.get(reverse("young_people:tracker")).status_code == 403

    def test_staff_practitioners_and_oversight_see_the_tracker(
        self,
        transitions_worker: Persona,
        social_worker: Persona,
        team_manager: Persona,
        director: Persona,
        ig_officer: Persona,
    ) -> None:
        for persona in (transitions_worker, social_worker, team_manager, director, ig_officer):
            assert persona.http.get(reverse("young_people:tracker")).status_code == 200

    def test_only_the_transitions_team_may_import(
        self, transitions_worker: Persona, social_worker: Persona, director: Persona
    ) -> None:
        assert social_worker.http.get(reverse("young_people:import")).status_code == 403
        assert director.http.get(reverse("young_people:import")).status_code == 403
        assert transitions_worker.http.get(reverse("young_people:import")).status_code == 200

    def test_only_practitioners_may_decide_about_continuing_healthcare(
        self, anonymous: Client, partner: Persona, director: Persona, transitions_worker: Persona
    ) -> None:
        young_person = YoungPersonFactory.create()
        url = reverse("young_people:continuing_healthcare", args=[young_person.pk])
        data = {"health-decision": "yes", **_date("health", "decided_on", timezone.localdate())}
        assert anonymous.post(url, data).status_code == 302
        assert partner.http.post(url, data).status_code == 403
        assert director.http.post(url, data).status_code == 403
        young_person.refresh_from_db()
        assert young_person.continuing_healthcare == "not_decided"
        assert transitions_worker.http.post(url, data).status_code == 302
        young_person.refresh_from_db()
        assert young_person.continuing_healthcare == "yes"

    def test_a_refused_decision_is_answered_on_its_field(self, transitions_worker: Persona) -> None:
        young_person = YoungPersonFactory.create()
        url = reverse("young_people:continuing_healthcare", args=[young_person.pk])
        response = transitions_worker.http.post(
            url, {"health-decision": "no", "health-reason": "", **_date("health", "decided_on", timezone.localdate())}
        )
        page = response.content.decode()
        assert response.status_code == 400
        assert 'id="id_health-reason-error"' in page and "Say why they are not likely" in page
        assert "govuk-error-summary" in page and 'href="#id_health-reason"' in page
        assert "<title>Error: " in page
        young_person.refresh_from_db()
        assert young_person.continuing_healthcare == "not_decided"

    def test_workshop_attendance_is_recorded_from_the_page(
        self, anonymous: Client, transitions_worker: Persona, partner: Persona, director: Persona
    ) -> None:
        young_person = YoungPersonFactory.create()
        services.record_workshop(
            young_person=young_person,
            offered_on=timezone.localdate(),
            topic="Money at 18",
            offered_to="Aunt",
            attendance="not_yet",
            by=transitions_worker.user,
        )
        workshop = young_person.workshops.get()
        page = transitions_worker.http.get(reverse("young_people:detail", args=[young_person.pk])).content.decode()
        url = reverse("young_people:workshop_attendance", args=[young_person.pk, workshop.pk])
        assert f'action="{url}"' in page
        assert anonymous.post(url, {"attendance": "attended"}).status_code == 302  # to sign in
        assert partner.http.post(url, {"attendance": "attended"}).status_code == 403
        assert director.http.post(url, {"attendance": "attended"}).status_code == 403
        other = YoungPersonFactory.create()  # a workshop is found only under its own young person
        wrong = reverse("young_people:workshop_attendance", args=[other.pk, workshop.pk])
        assert transitions_worker.http.post(wrong, {"attendance": "attended"}).status_code == 404
        response = transitions_worker.http.post(url, {"attendance": "attended"})
        assert response.status_code == 302 and response["Location"].endswith("#workshops")
        workshop.refresh_from_db()
        assert workshop.attendance == "attended"
        assert young_person.person.chronology.filter(summary__contains="Money at 18").exists()
        page = transitions_worker.http.get(reverse("young_people:detail", args=[young_person.pk])).content.decode()
        assert f'action="{url}"' not in page  # recorded: no buttons any more


class TestTracker:
    def test_a_14th_birthday_today_shows_and_one_tomorrow_does_not(self, transitions_worker: Persona) -> None:
        today = timezone.localdate()
        YoungPersonFactory.create(person__given_name="Birthday", person__date_of_birth=add_years(today, -14))
        YoungPersonFactory.create(
            person__given_name="Tomorrow", person__date_of_birth=add_years(today, -14) + timedelta(days=1)
        )
        page = transitions_worker.http.get(reverse("young_people:tracker")).content.decode()
        assert "Birthday" in page
        assert "Tomorrow" not in page

    def test_a_care_leaver_moving_in_6_weeks_unsettled_is_flagged(self, transitions_worker: Persona) -> None:
        YoungPersonFactory.create(
            person__given_name="Leaver",
            person__date_of_birth=born(19),
            is_care_leaver=True,
            planned_move_on=timezone.localdate() + timedelta(days=42),
            accommodation_status=AccommodationStatus.UNSETTLED,
        )
        response = transitions_worker.http.get(reverse("young_people:tracker"), {"care_leavers": "on"})
        page = response.content.decode()
        assert "Moves in 6 weeks: no settled accommodation" in page
        assert 'id="care-leavers-flagged">1<' in page

    def test_a_restricted_record_is_listed_only_for_teams_that_work_with_the_person(
        self, transitions_worker: Persona, social_worker: Persona, director: Persona
    ) -> None:
        YoungPersonFactory.create(
            person__given_name="Hidden", person__is_restricted=True, person__date_of_birth=born(16)
        )
        YoungPersonFactory.create(person__given_name="Listed", person__date_of_birth=born(16))
        for persona in (transitions_worker, social_worker, director):
            page = persona.http.get(reverse("young_people:tracker")).content.decode()
            assert "Listed" in page
            assert "Hidden" not in page  # not its name, milestones or alarms...
            assert "1 young person" in page  # ...nor counted
        # A team that works with the person lists them, as it may open the record.
        hidden = YoungPerson.objects.get(person__given_name="Hidden")
        WorkItemFactory.create(person=hidden.person, team=social_worker.team)
        assert "Hidden" in social_worker.http.get(reverse("young_people:tracker")).content.decode()
        assert "Hidden" not in transitions_worker.http.get(reverse("young_people:tracker")).content.decode()

    def test_filters_are_kept_in_the_pagination_links(self, transitions_worker: Persona) -> None:
        for _ in range(101):
            YoungPersonFactory.create(person__date_of_birth=born(15))
        page = transitions_worker.http.get(reverse("young_people:tracker"), {"age_band": "14-15"}).content.decode()
        assert "?age_band=14-15&amp;page=2" in page

    @pytest.mark.parametrize("count", [1, 20])
    def test_the_tracker_query_count_does_not_grow(
        self, transitions_worker: Persona, django_assert_num_queries: DjangoAssertNumQueries, count: int
    ) -> None:
        for n in range(count):
            young_person = YoungPersonFactory.create(
                person__date_of_birth=born(14 + n % 10),
                is_care_leaver=n % 2 == 0,
                transitions_worker=transitions_worker.user,
            )
            MilestoneRecord.objects.create(
                young_person=young_person,
                code=Milestone.HEALTH_NOTIFIED,
                done_on=timezone.localdate(),
                by=transitions_worker.user,
            )
        transitions_worker.http.get(reverse("young_people:tracker"))  # warm the session and the stored urgency
        # session, user with memberships; workers for the filter; settings; rows whose stored urgency is stale (none);
        # the counts; the page of young people with person, worker, the adult-plan EXISTS and the care-leaver plan
        # subqueries (in the same statement); their milestone records.
        with django_assert_num_queries(8):
            response = transitions_worker.http.get(reverse("young_people:tracker"))
        assert response.status_code == 200
        assert f"{count} young {'person' if count == 1 else 'people'}" in response.content.decode()

    def test_the_stored_urgency_is_worked_out_again_after_a_change(self, transitions_worker: Persona) -> None:
        young_person = YoungPersonFactory.create(
            person__date_of_birth=born(17), transitions_worker=transitions_worker.user
        )
        transitions_worker.http.get(reverse("young_people:tracker"))
        young_person.refresh_from_db()
        assert young_person.assessed_on == timezone.localdate()
        before = young_person.urgency
        # A milestone recorded since makes the row stale, and the next look at the tracker works it out again.
        MilestoneRecord.objects.create(
            young_person=young_person,
            code=Milestone.HEALTH_NOTIFIED,
            done_on=timezone.localdate(),
            by=transitions_worker.user,
        )
        stored_at = young_person.assessed_at
        transitions_worker.http.get(reverse("young_people:tracker"))
        young_person.refresh_from_db()
        assert young_person.assessed_at is not None and stored_at is not None
        assert young_person.assessed_at > stored_at
        assert young_person.urgency <= 2 and before <= 2

    def test_changed_timescales_are_applied_at_the_next_look(self, transitions_worker: Persona) -> None:
        # 16 years 8 months, no worker: the allocation milestone (by 16½ by default) is missed, an alarm.
        young_person = YoungPersonFactory.create(person__date_of_birth=add_months(timezone.localdate(), -(16 * 12 + 8)))
        transitions_worker.http.get(reverse("young_people:tracker"))
        young_person.refresh_from_db()
        assert young_person.alarm_count >= 1
        missed_before = young_person.alarm_count
        # An administrator gives workers until 17 to be allocated: the stored urgency must not wait for tomorrow.
        config = YoungPeopleSettings.current()
        config.allocation_by_months = 17 * 12
        config.save()
        transitions_worker.http.get(reverse("young_people:tracker"))
        young_person.refresh_from_db()
        assert young_person.alarm_count == missed_before - 1


class TestYoungPersonPage:
    def test_anonymous_users_are_sent_to_sign_in(self, anonymous: Client) -> None:
        young_person = YoungPersonFactory.create()
        assert anonymous.get(reverse("young_people:detail", args=[young_person.pk])).status_code == 302

    def test_partners_are_refused(self, partner: Persona) -> None:
        young_person = YoungPersonFactory.create()
        assert partner.http.get(reverse("young_people:detail", args=[young_person.pk])).status_code == 403

    def test_an_unknown_young_person_is_404(self, transitions_worker: Persona) -> None:
        response = transitions_worker.http.get(reverse("young_people:detail", args=[YoungPersonFactory.build().pk]))
        assert response.status_code == 404

    def test_the_transitions_team_opens_it_and_the_look_is_logged(self, transitions_worker: Persona) -> None:
        young_person = YoungPersonFactory.create(is_care_leaver=True)
        response = transitions_worker.http.get(reverse("young_people:detail", args=[young_person.pk]))
        assert response.status_code == 200
        page = response.content.decode()
        assert escape(young_person.person.full_name) in page
        assert "Plan the move to adult services" in page
        assert "Care leaver" in page
        event = AccessEvent.objects.get(user=transitions_worker.user, person_id=young_person.person_id)
        assert event.basis == "relationship"

    def test_staff_without_a_relationship_must_declare_one(
        self, social_worker: Persona, director: Persona, other_team_worker: Persona
    ) -> None:
        young_person = YoungPersonFactory.create()
        for persona in (social_worker, director, other_team_worker):
            response = persona.http.get(reverse("young_people:detail", args=[young_person.pk]))
            assert response.status_code == 302
            assert reverse("people:declare", args=[young_person.person_id]) in response["Location"]
        assert not AccessEvent.objects.exists()

    def test_a_practitioner_working_with_the_person_opens_it(self, social_worker: Persona) -> None:
        young_person = YoungPersonFactory.create()
        WorkItemFactory.create(person=young_person.person, team=social_worker.team)
        assert social_worker.http.get(reverse("young_people:detail", args=[young_person.pk])).status_code == 200

    def test_a_restricted_record_needs_break_glass_even_for_the_transitions_team(
        self, transitions_worker: Persona
    ) -> None:
        young_person = YoungPersonFactory.create(person__is_restricted=True)
        response = transitions_worker.http.get(reverse("young_people:detail", args=[young_person.pk]))
        assert response.status_code == 302
        assert "declare" in response["Location"]

    def test_directors_see_no_recording_forms(self, director: Persona, transitions_worker: Persona) -> None:
        young_person = YoungPersonFactory.create(transitions_worker=director.user)
        page = director.http.get(reverse("young_people:detail", args=[young_person.pk])).content.decode()
        assert "Record a milestone" not in page
        assert "Plan the move to adult services" not in page


class TestRecording:
    def test_anonymous_and_read_only_roles_change_nothing(
        self, anonymous: Client, director: Persona, partner: Persona
    ) -> None:
        young_person = YoungPersonFactory.create()
        url = reverse("young_people:record_milestone", args=[young_person.pk])
        assert anonymous.post(url, _milestone_post()).status_code == 302
        assert director.http.post(url, _milestone_post()).status_code == 403
        assert partner.http.post(url, _milestone_post()).status_code == 403
        assert not MilestoneRecord.objects.exists()
        assert not AuditEvent.objects.filter(action="young_person.milestone_recorded").exists()

    def test_a_milestone_is_recorded_and_the_page_redirects(self, transitions_worker: Persona) -> None:
        young_person = YoungPersonFactory.create()
        url = reverse("young_people:record_milestone", args=[young_person.pk])
        response = transitions_worker.http.post(url, _milestone_post())
        assert response.status_code == 302
        assert response["Location"] == reverse("young_people:detail", args=[young_person.pk])
        assert young_person.milestone_records.get().code == Milestone.HEALTH_NOTIFIED

    def test_errors_show_on_the_page_with_a_summary(self, transitions_worker: Persona) -> None:
        young_person = YoungPersonFactory.create()
        url = reverse("young_people:record_milestone", args=[young_person.pk])
        data = {**_milestone_post(), "milestone-outcome": "not_needed"}
        response = transitions_worker.http.post(url, data)
        assert response.status_code == 400
        page = response.content.decode()
        assert "govuk-error-summary" in page
        assert "Say why this milestone is not needed" in page
        assert not MilestoneRecord.objects.exists()

    def test_care_leaver_details_and_housing_referral(self, transitions_worker: Persona) -> None:
        young_person = YoungPersonFactory.create(is_care_leaver=True, person__date_of_birth=born(19))
        move = timezone.localdate() + timedelta(days=30)
        response = transitions_worker.http.post(
            reverse("young_people:care_leaver", args=[young_person.pk]),
            {
                "care_leaver-personal_adviser_name": "Pat Adviser",
                "care_leaver-accommodation_status": "temporary",
                "care_leaver-homelessness_risk": "high",
                **_date("care_leaver", "planned_move_on", move),
            },
        )
        assert response.status_code == 302
        response = transitions_worker.http.post(
            reverse("young_people:housing_referral", args=[young_person.pk]),
            {"housing-referred_to": "Camden housing options", **_date("housing", "made_on", timezone.localdate())},
        )
        assert response.status_code == 302
        young_person.refresh_from_db()
        assert young_person.personal_adviser_name == "Pat Adviser"
        assert young_person.planned_move_on == move
        assert young_person.housing_referral_to == "Camden housing options"

    def test_dates_before_birth_are_shown_against_their_fields_and_nothing_is_saved(
        self, transitions_worker: Persona
    ) -> None:
        dob = born(19)
        young_person = YoungPersonFactory.create(is_care_leaver=True, person__date_of_birth=dob)
        before = dob - timedelta(days=1)
        move = transitions_worker.http.post(
            reverse("young_people:care_leaver", args=[young_person.pk]),
            {
                "care_leaver-accommodation_status": "temporary",
                "care_leaver-homelessness_risk": "high",
                **_date("care_leaver", "planned_move_on", before),
            },
        )
        referral = transitions_worker.http.post(
            reverse("young_people:housing_referral", args=[young_person.pk]),
            {"housing-referred_to": "Camden housing options", **_date("housing", "made_on", before)},
        )
        assert move.status_code == referral.status_code == 400
        assert 'id="care_leaver-planned_move_on-error"' in move.content.decode()
        assert "The planned move date must be after their date of birth" in move.content.decode()
        assert 'id="housing-made_on-error"' in referral.content.decode()
        assert "The date of the referral must be after their date of birth" in referral.content.decode()
        young_person.refresh_from_db()
        assert young_person.planned_move_on is None and young_person.housing_referral_made_on is None
        assert not AuditEvent.objects.exists()

    def test_meeting_workshop_worker_and_decision_forms(self, transitions_worker: Persona) -> None:
        young_person = YoungPersonFactory.create()
        today = timezone.localdate()
        posts = [
            (
                "planning_meeting",
                {
                    "meeting-took_part": "yes",
                    "meeting-attendees": "Amira, aunt",
                    "meeting-agreed": "Visit college",
                    **_date("meeting", "held_on", today),
                },
            ),
            (
                "workshop",
                {
                    "workshop-topic": "Money at 18",
                    "workshop-offered_to": "Aunt",
                    "workshop-attendance": "not_yet",
                    **_date("workshop", "offered_on", today),
                },
            ),
            ("allocate", {"worker-worker": transitions_worker.user.pk}),
            (
                "significant_benefit",
                {"benefit-decision": "yes", "benefit-reason": "", **_date("benefit", "decided_on", today)},
            ),
            (
                "continuing_healthcare",
                {"health-decision": "no", "health-reason": "No complex needs", **_date("health", "decided_on", today)},
            ),
        ]
        for name, data in posts:
            response = transitions_worker.http.post(reverse(f"young_people:{name}", args=[young_person.pk]), data)
            assert response.status_code == 302, (name, response.content.decode()[:2000])
        young_person.refresh_from_db()
        assert young_person.planning_meetings.count() == 1
        assert young_person.workshops.count() == 1
        assert young_person.transitions_worker == transitions_worker.user
        assert young_person.significant_benefit == "yes"
        assert young_person.continuing_healthcare == "no"
        page = transitions_worker.http.get(reverse("young_people:detail", args=[young_person.pk])).content.decode()
        assert "Not likely to need it" in page and "No complex needs" in page

    def test_plan_the_move_to_adult_services_goes_to_the_plan(self, transitions_worker: Persona) -> None:
        young_person = YoungPersonFactory.create(person__date_of_birth=born(17, 3))
        response = transitions_worker.http.post(reverse("young_people:plan_adult_move", args=[young_person.pk]))
        plan = Plan.objects.get(person=young_person.person, kind=PlanKind.CHILD_TO_ADULT)
        assert response.status_code == 302
        assert response["Location"] == reverse("transitions:plan", args=[plan.pk])
        assert transitions_worker.http.get(response["Location"]).status_code == 200
        page = transitions_worker.http.get(reverse("young_people:detail", args=[young_person.pk])).content.decode()
        assert reverse("transitions:plan", args=[plan.pk]) in page
        again = transitions_worker.http.post(reverse("young_people:plan_adult_move", args=[young_person.pk]))
        assert again.status_code == 302
        assert Plan.objects.count() == 1


class TestUpload:
    HEADER = "childrens_reference,given_name,family_name,date_of_birth,care_leaver"

    def test_a_good_file_is_imported(self, transitions_worker: Persona) -> None:
        content = f"{self.HEADER}\nCS-1,Amira,Hussain,{born(15).isoformat()},no\n".encode()
        response = transitions_worker.http.post(
            reverse("young_people:import"), {"file": SimpleUploadedFile("children.csv", content, "text/csv")}
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("young_people:tracker")
        assert YoungPerson.objects.get().childrens_reference == "CS-1"

    def test_a_bad_file_lists_the_problems_and_writes_nothing(self, transitions_worker: Persona) -> None:
        content = f"{self.HEADER}\nCS-1,Amira,Hussain,{born(15).isoformat()},no\nCS-2,,Okafor,2010-13-01,no\n".encode()
        response = transitions_worker.http.post(
            reverse("young_people:import"), {"file": SimpleUploadedFile("children.csv", content, "text/csv")}
        )
        assert response.status_code == 400
        page = response.content.decode()
        assert "Row 3, column given_name: is empty" in page
        assert "The file has 2 problems" in page
        assert not YoungPerson.objects.exists()
