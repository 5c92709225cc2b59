"""The young people API: children's services create or update records; staff read them with their milestones."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from safepathways.accounts.models import Team
from safepathways.audit.models import AccessBasis, AccessEvent, AuditEvent
from safepathways.conftest import Persona
from safepathways.people.models import Share
from safepathways.work.tests.factories import WorkItemFactory
from safepathways.young_people import selectors
from safepathways.young_people.milestones import Milestone
from safepathways.young_people.models import MilestoneRecord, YoungPerson
from safepathways.young_people.tests.factories import YoungPersonFactory, born

pytestmark = pytest.mark.django_db
LIST = "/api/v1/young-people/"


def _detail(young_person: YoungPerson) -> str:
    return f"{LIST}{young_person.pk}/"


def _body(**overrides: object) -> dict[str, object]:
    return {
        "childrens_reference": "CS-77",
        "given_name": "Amira",
        "family_name": "Hussain",
        "date_of_birth": born(14).isoformat(),
        "nhs_number": "9990000018",
        "has_ehc_plan": True,
        **overrides,
    }


class TestCreateOrUpdate:
    def test_anonymous_gets_401(self, anonymous: Client) -> None:
        assert anonymous.post(LIST, _body(), content_type="application/json").status_code == 401
        assert anonymous.get(LIST).status_code == 401

    @pytest.mark.parametrize("persona_name", ["social_worker", "director", "partner"])
    def test_only_the_transitions_team_sends_records(self, request: pytest.FixtureRequest, persona_name: str) -> None:
        persona: Persona = request.getfixturevalue(persona_name)
        assert persona.http.post(LIST, _body(), content_type="application/json").status_code == 403
        assert not YoungPerson.objects.exists()

    def test_post_creates_then_updates_by_reference(self, transitions_worker: Persona) -> None:
        response = transitions_worker.http.post(LIST, _body(), content_type="application/json")
        assert response.status_code == 201, response.json()
        data = response.json()
        assert data["childrens_reference"] == "CS-77"
        assert data["age"] == 14
        assert {m["code"] for m in data["milestones"]} >= {Milestone.HEALTH_NOTIFIED.value}
        again = transitions_worker.http.post(
            LIST, _body(is_care_leaver=True, accommodation_status="unsettled"), content_type="application/json"
        )
        assert again.status_code == 200
        assert again.json()["id"] == data["id"]
        assert again.json()["is_care_leaver"] is True
        assert YoungPerson.objects.count() == 1

    def test_errors_name_the_field(self, transitions_worker: Persona) -> None:
        response = transitions_worker.http.post(
            LIST, _body(date_of_birth=born(26).isoformat()), content_type="application/json"
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "date_of_birth"
        bad_choice = transitions_worker.http.post(
            LIST, _body(homelessness_risk="extreme"), content_type="application/json"
        )
        assert bad_choice.status_code == 400
        assert bad_choice.json()["errors"][0]["field"] == "homelessness_risk"

    @pytest.mark.parametrize(
        ("field", "message"),
        [
            ("ehc_plan_ends_on", "The EHC plan end date must be after their date of birth"),
            ("planned_move_on", "The planned move date must be after their date of birth"),
        ],
    )
    def test_a_date_before_birth_is_a_field_error_and_nothing_is_written(
        self, transitions_worker: Persona, field: str, message: str
    ) -> None:
        before = (born(14) - timedelta(days=1)).isoformat()
        response = transitions_worker.http.post(LIST, _body(**{field: before}), content_type="application/json")
        assert response.status_code == 400
        assert response.json()["errors"] == [{"field": field, "message": message}]
        assert not YoungPerson.objects.exists()
        assert not AuditEvent.objects.exists()


class TestReading:
    def test_partners_are_refused(self, partner: Persona) -> None:
        young_person = YoungPersonFactory.create()
        assert partner.http.get(LIST).status_code == 403
        assert partner.http.get(_detail(young_person)).status_code == 403

    def test_detail_has_milestones_and_alarms_and_the_look_is_logged(self, transitions_worker: Persona) -> None:
        young_person = YoungPersonFactory.create(person__date_of_birth=born(17, 7))
        response = transitions_worker.http.get(_detail(young_person))
        assert response.status_code == 200
        data = response.json()
        assert data["alarms"][0] == {"level": "RED", "code": "no_adult_plan", "text": "17½ or older with no adult plan"}
        states = {m["code"]: m["state"] for m in data["milestones"]}
        assert states["worker_allocated"] == "missed"
        assert AccessEvent.objects.filter(person_id=young_person.person_id, kind="api").count() == 1

    def test_staff_without_a_relationship_are_told_to_declare_one(self, social_worker: Persona) -> None:
        young_person = YoungPersonFactory.create()
        response = social_worker.http.get(_detail(young_person))
        assert response.status_code == 403
        assert response.json()["detail"].startswith("Declare your working relationship")

    def test_unknown_is_404(self, transitions_worker: Persona) -> None:
        assert transitions_worker.http.get(_detail(YoungPersonFactory.build())).status_code == 404

    def test_filter_by_childrens_reference(self, transitions_worker: Persona) -> None:
        YoungPersonFactory.create(childrens_reference="CS-A")
        YoungPersonFactory.create(childrens_reference="CS-B")
        data = transitions_worker.http.get(LIST, {"childrens_reference": "CS-B"}).json()
        assert [r["childrens_reference"] for r in data["results"]] == ["CS-B"]

    @pytest.mark.parametrize("count", [1, 20])
    def test_the_list_query_count_does_not_grow(
        self, transitions_worker: Persona, django_assert_num_queries: DjangoAssertNumQueries, count: int
    ) -> None:
        for n in range(count):
            young_person = YoungPersonFactory.create(
                person__date_of_birth=born(14 + n % 10), transitions_worker=transitions_worker.user
            )
            MilestoneRecord.objects.create(
                young_person=young_person,
                code=Milestone.HEALTH_NOTIFIED,
                done_on=timezone.localdate() - timedelta(days=1),
                by=transitions_worker.user,
            )
        transitions_worker.http.get(LIST)
        # session, user with memberships; count; page with person, worker and the adult-plan EXISTS; milestone records;
        # the access log (one insert for the page); settings.
        with django_assert_num_queries(7):
            response = transitions_worker.http.get(LIST)
        assert response.json()["count"] == count


def _worked_with(team: Team, **fields: object) -> YoungPerson:
    """A young person whose council record has open work of `team`."""
    young_person = YoungPersonFactory.create(**fields)
    WorkItemFactory.create(person=young_person.person, team=team)
    return young_person


def _listed(persona: Persona) -> set[str]:
    response = persona.http.get(LIST)
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


def _opened(persona: Persona, *young_people: YoungPerson) -> set[str]:
    return {str(yp.pk) for yp in young_people if persona.http.get(_detail(yp)).status_code == 200}


class TestWhoIsListed:
    """The list holds only the young people the caller may open one by one, and never a restricted record they could
    not open."""

    def test_a_practitioner_lists_only_the_young_people_their_team_works_with(
        self, social_worker: Persona, other_team: Team
    ) -> None:
        ours = _worked_with(social_worker.team)
        ours_restricted = _worked_with(social_worker.team, person__is_restricted=True)
        another_teams = _worked_with(other_team)
        restricted = _worked_with(other_team, person__is_restricted=True)
        nobodys = YoungPersonFactory.create()

        listed = _listed(social_worker)

        assert listed == {str(ours.pk), str(ours_restricted.pk)}
        everyone = (ours, ours_restricted, another_teams, restricted, nobodys)
        assert listed == _opened(social_worker, *everyone)

    def test_the_look_is_logged_on_the_working_relationship(self, social_worker: Persona) -> None:
        ours = _worked_with(social_worker.team)
        YoungPersonFactory.create()
        _listed(social_worker)
        looks = AccessEvent.objects.filter(kind="api")
        assert [(e.person_id, e.basis) for e in looks] == [(ours.person_id, AccessBasis.RELATIONSHIP)]

    def test_a_practitioner_with_no_young_people_gets_an_empty_list_and_no_look_is_logged(
        self, social_worker: Persona
    ) -> None:
        YoungPersonFactory.create()
        assert _listed(social_worker) == set()
        assert not AccessEvent.objects.exists()
        assert not AuditEvent.objects.exists()

    def test_the_transitions_team_lists_its_caseload_but_not_a_restricted_record_it_cannot_open(
        self, transitions_worker: Persona, other_team: Team
    ) -> None:
        caseload = YoungPersonFactory.create()
        restricted = _worked_with(other_team, person__is_restricted=True)
        restricted_ours = _worked_with(transitions_worker.team, person__is_restricted=True)

        listed = _listed(transitions_worker)

        assert listed == {str(caseload.pk), str(restricted_ours.pk)}
        assert listed == _opened(transitions_worker, caseload, restricted, restricted_ours)

    def test_oversight_lists_the_caseload_without_restricted_records(self, director: Persona) -> None:
        caseload = YoungPersonFactory.create()
        YoungPersonFactory.create(person__is_restricted=True)

        assert _listed(director) == {str(caseload.pk)}
        assert set(AccessEvent.objects.values_list("person_id", "basis")) == {
            (caseload.person_id, AccessBasis.SERVICE_OVERSIGHT)
        }

    def test_an_allocated_worker_outside_the_team_lists_their_young_person(self, social_worker: Persona) -> None:
        allocated = YoungPersonFactory.create(transitions_worker=social_worker.user)
        YoungPersonFactory.create(transitions_worker=social_worker.user, person__is_restricted=True)
        assert _listed(social_worker) == {str(allocated.pk)}

    def test_a_partners_scope_holds_only_what_is_shared_with_their_organisation(
        self, partner: Persona, social_worker: Persona
    ) -> None:
        # Partners are refused the list (test_partners_are_refused); were the rule widened, the scope still holds
        # only what is shared with their organisation, as the person's record does.
        shared = YoungPersonFactory.create()
        YoungPersonFactory.create()
        Share.objects.create(
            person=shared.person,
            organisation=partner.team.organisation,
            purpose="Hospital discharge",
            shared_by=social_worker.user,
        )
        scope = selectors.api_scope(partner.user)
        assert list(selectors.api_young_people(scope=scope)) == [shared]
        assert scope.basis == AccessBasis.PARTNER_SHARE

    @pytest.mark.parametrize("count", [1, 20])
    def test_a_practitioners_list_query_count_does_not_grow(
        self, social_worker: Persona, django_assert_num_queries: DjangoAssertNumQueries, count: int
    ) -> None:
        for _ in range(count):
            _worked_with(social_worker.team)
            YoungPersonFactory.create()
        social_worker.http.get(LIST)
        # session, user with memberships; count; page; milestone records; the access log; settings.
        with django_assert_num_queries(7):
            response = social_worker.http.get(LIST)
        assert response.json()["count"] == count


class TestPatch:
    def test_a_move_before_birth_is_a_field_error_and_nothing_changes(self, transitions_worker: Persona) -> None:
        dob = born(19)
        young_person = YoungPersonFactory.create(is_care_leaver=True, person__date_of_birth=dob)
        before = dob - timedelta(days=1)
        response = transitions_worker.http.patch(
            _detail(young_person), {"planned_move_on": before.isoformat()}, content_type="application/json"
        )
        assert response.status_code == 400
        assert response.json()["errors"] == [
            {"field": "planned_move_on", "message": "The planned move date must be after their date of birth"}
        ]
        young_person.refresh_from_db()
        assert young_person.planned_move_on is None
        assert not AuditEvent.objects.exists()

    def test_a_director_cannot_change_and_nothing_is_written(self, director: Persona) -> None:
        young_person = YoungPersonFactory.create()
        response = director.http.patch(_detail(young_person), {"is_care_leaver": True}, content_type="application/json")
        assert response.status_code == 403
        young_person.refresh_from_db()
        assert young_person.is_care_leaver is False

    def test_the_transitions_team_changes_care_leaver_details(self, transitions_worker: Persona) -> None:
        young_person = YoungPersonFactory.create(person__date_of_birth=born(19))
        move = timezone.localdate() + timedelta(days=42)
        response = transitions_worker.http.patch(
            _detail(young_person),
            {"is_care_leaver": True, "planned_move_on": move.isoformat(), "accommodation_status": "unsettled"},
            content_type="application/json",
        )
        assert response.status_code == 200, response.json()
        codes = [a["code"] for a in response.json()["alarms"]]
        assert "move_unsettled" in codes
