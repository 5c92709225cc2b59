from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from safepathways.audit.models import AccessBasis, AccessEvent, AuditEvent
from safepathways.conftest import Persona
from safepathways.people.models import Person
from safepathways.people.tests.factories import PersonFactory
from safepathways.safeguarding import services
from safepathways.safeguarding.models import Concern, ConcernShare, ConcernStatus, Enquiry, EnquiryAction
from safepathways.safeguarding.tests.conftest import TESTS_MET, details


def _today() -> dict[str, Any]:
    today = timezone.localdate()
    return {"day": today.day, "month": today.month, "year": today.year}


def _date(name: str) -> dict[str, Any]:
    return {f"{name}_{part}": value for part, value in _today().items()}


@dataclass(frozen=True)
class View:
    name: str
    method: str
    target: str  # "none", "person", "concern"
    data: Callable[[Persona], dict[str, Any]] | None = None


VIEWS = [
    View("safeguarding:dashboard", "get", "none"),
    View("safeguarding:collection", "get", "none"),
    View("safeguarding:person", "get", "person"),
    View("safeguarding:raise", "get", "person"),
    View(
        "safeguarding:raise",
        "post",
        "person",
        lambda p: {
            "summary": "Unexplained bruises",
            "abuse_types": ["physical"],
            "location_of_risk": "own_home",
            "source_of_risk": "known",
        },
    ),
    View("safeguarding:concern", "get", "concern"),
    View("safeguarding:decide", "get", "concern"),
    View(
        "safeguarding:decide",
        "post",
        "concern",
        lambda p: {
            "has_care_and_support_needs": "yes",
            "care_and_support_needs_reason": "Home care",
            "is_experiencing_or_at_risk": "yes",
            "experiencing_or_at_risk_reason": "Bruising",
            "is_unable_to_protect_self": "yes",
            "unable_to_protect_self_reason": "Dementia",
            "decision": "section_42",
            "decision_reason": "Duty applies",
        },
    ),
    View("safeguarding:share", "post", "concern", lambda p: {"organisation": "", "purpose": "Joint enquiry"}),
    View(
        "safeguarding:strategy",
        "post",
        "enquiry",
        lambda p: {**_date("held_on"), "attendees": "Police", "decisions": "Visit"},
    ),
    View(
        "safeguarding:add_action",
        "post",
        "enquiry",
        lambda p: {"description": "Visit", "owner_name": "Gita", **_date("due_on")},
    ),
    View("safeguarding:complete_action", "get", "action"),
    View(
        "safeguarding:complete_action",
        "post",
        "action",
        lambda p: {**_date("completed_on"), "result": "Visited; Mary is safe at home"},
    ),
]
IDS = [f"{v.name}-{v.method}" for v in VIEWS]


@pytest.fixture
def records(enquiry: Enquiry, mary_known_to_team: Person, police_partner: Persona) -> dict[str, Any]:
    """An open enquiry (for enquiry views) and a fresh concern awaiting decision (for the others)."""
    fresh = services.raise_concern(person=mary_known_to_team, by=enquiry.concern.raised_by, details=details())
    action = services.add_enquiry_action(
        enquiry=enquiry,
        by=enquiry.officer,
        description="Visit Mary at home",
        owner_name="Gita",
        due_on=timezone.localdate(),
    )
    return {
        "enquiry": enquiry.concern,
        "concern": fresh,
        "person": mary_known_to_team,
        "police": police_partner,
        "action": action,
    }


def _call(client: Client, view: View, records: dict[str, Any]) -> Any:
    if view.target == "action":
        args = [records["enquiry"].pk, records["action"].pk]
    else:
        args = [] if view.target == "none" else [records[view.target].pk]
    url = reverse(view.name, args=args)
    data = view.data(records["police"]) if view.data else {}
    if data.get("organisation") == "":
        data["organisation"] = str(records["police"].team.organisation_id)
    return client.post(url, data) if view.method == "post" else client.get(url)


def _state() -> tuple[int, ...]:
    return (
        AuditEvent.objects.count(),
        AccessEvent.objects.count(),
        ConcernStatus.objects.count(),
        Concern.objects.count(),
        ConcernShare.objects.count(),
        EnquiryAction.objects.count(),
    )


@pytest.mark.parametrize("view", VIEWS, ids=IDS)
def test_anonymous_is_sent_to_sign_in(anonymous: Client, records: dict[str, Any], view: View) -> None:
    before = _state()
    response = _call(anonymous, view, records)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign_in"))
    assert _state() == before


PARTNER_FORBIDDEN = {
    "safeguarding:dashboard",
    "safeguarding:collection",
    "safeguarding:decide",
    "safeguarding:share",
    "safeguarding:strategy",
    "safeguarding:add_action",
}


@pytest.mark.parametrize("view", VIEWS, ids=IDS)
def test_partner_of_another_organisation_sees_nothing_and_changes_nothing(
    partner: Persona, records: dict[str, Any], view: View
) -> None:
    before = _state()
    response = _call(partner.http, view, records)
    if view.name in PARTNER_FORBIDDEN:
        assert response.status_code == 403  # roles first: partners never decide, enquire or read aggregates
    else:
        assert response.status_code == 404  # the person and the concern are not theirs
    assert _state() == before


@pytest.mark.parametrize("view", VIEWS, ids=IDS)
def test_director_reads_aggregates_only(director: Persona, records: dict[str, Any], view: View) -> None:
    before = _state()
    response = _call(director.http, view, records)
    if view.name in {"safeguarding:dashboard", "safeguarding:collection"}:
        assert response.status_code == 200
        assert records["concern"].reference not in response.content.decode()
    else:
        assert response.status_code == 403
        assert _state() == before


@pytest.mark.parametrize("view", VIEWS, ids=IDS)
def test_another_practitioner_gets_no_detail(social_worker: Persona, records: dict[str, Any], view: View) -> None:
    """The neighbourhood social worker who raised the concern and works with Mary sees no safeguarding detail."""
    before = _state()
    response = _call(social_worker.http, view, records)
    if view.name in {"safeguarding:person", "safeguarding:raise"}:
        assert response.status_code in (200, 302)
        return
    if view.name in {"safeguarding:dashboard", "safeguarding:collection", "safeguarding:decide", "safeguarding:share"}:
        assert response.status_code == 403
    else:
        assert response.status_code == 404
    assert _state() == before


@pytest.mark.parametrize("view", VIEWS, ids=IDS)
def test_the_safeguarding_lead_succeeds(lead: Persona, records: dict[str, Any], view: View) -> None:
    before = _state()
    response = _call(lead.http, view, records)
    if view.method == "get":
        assert response.status_code == 200
    else:
        assert response.status_code == 302, response.content.decode()[:3000]
        assert _state() != before


def test_viewing_a_concern_writes_an_access_event(lead: Persona, concern: Concern) -> None:
    lead.http.get(reverse("safeguarding:concern", args=[concern.pk]))
    event = AccessEvent.objects.get(user=lead.user)
    assert (event.person_id, event.what) == (concern.person_id, f"safeguarding concern {concern.reference}")
    assert event.basis == AccessBasis.SAFEGUARDING  # team membership, not a working relationship with the person


def test_the_enquiry_officer_outside_the_team_sees_and_works_the_enquiry(
    decided: Concern, lead: Persona, other_team_worker: Persona
) -> None:
    services.open_enquiry(
        concern=decided, by=lead.user, officer=other_team_worker.user, started_on=timezone.localdate()
    )
    body = other_team_worker.http.get(reverse("safeguarding:concern", args=[decided.pk])).content.decode()
    assert "Record the outcome" in body
    assert AccessEvent.objects.get(user=other_team_worker.user).basis == AccessBasis.SAFEGUARDING
    response = other_team_worker.http.post(
        reverse("safeguarding:add_action", args=[decided.pk]),
        {"description": "Visit", "owner_name": "Olive", **_date("due_on")},
    )
    assert response.status_code == 302


def test_the_person_page_says_only_that_a_concern_exists(social_worker: Persona, enquiry: Enquiry) -> None:
    body = social_worker.http.get(reverse("safeguarding:person", args=[enquiry.concern.person_id])).content.decode()
    assert "A safeguarding concern was received" in body
    assert enquiry.concern.reference not in body
    assert "Bruises" not in body


def test_a_named_partner_sees_the_detail(
    enquiry: Enquiry, lead: Persona, police_partner: Persona, mary_known_to_team: Person
) -> None:
    url = reverse("safeguarding:concern", args=[enquiry.concern.pk])
    assert police_partner.http.get(url).status_code == 404
    services.share_concern(
        concern=enquiry.concern, by=lead.user, organisation=police_partner.team.organisation, purpose="Joint enquiry"
    )
    body = police_partner.http.get(url).content.decode()
    assert "Bruises on both arms" in body
    assert AccessEvent.objects.filter(user=police_partner.user, basis=AccessBasis.SAFEGUARDING).count() == 1


def test_the_concern_page_lists_only_current_shares(enquiry: Enquiry, lead: Persona, police_partner: Persona) -> None:
    share = services.share_concern(
        concern=enquiry.concern,
        by=lead.user,
        organisation=police_partner.team.organisation,
        purpose="Joint enquiry",
        expires_at=timezone.now() + timedelta(days=1),
    )
    url = reverse("safeguarding:concern", args=[enquiry.concern.pk])
    assert "Joint enquiry" in lead.http.get(url).content.decode()
    ConcernShare.objects.filter(pk=share.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert "Joint enquiry" not in lead.http.get(url).content.decode()  # ended: on the shares page only
    assert "Joint enquiry" in lead.http.get(reverse("safeguarding:shares", args=[enquiry.concern.pk])).content.decode()


def test_a_refused_decision_shows_the_field_message_and_saves_nothing(lead: Persona, concern: Concern) -> None:
    data = {
        "has_care_and_support_needs": "yes",
        "care_and_support_needs_reason": "Home care",
        "is_experiencing_or_at_risk": "yes",
        "experiencing_or_at_risk_reason": "Bruising",
        "is_unable_to_protect_self": "no",
        "unable_to_protect_self_reason": "Has capacity",
        "decision": "section_42",
        "decision_reason": "x",
    }
    before = _state()
    response = lead.http.post(reverse("safeguarding:decide", args=[concern.pk]), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "needs all three tests met" in body and 'href="#id_decision"' in body
    assert _state() == before


def test_front_door_work_is_recorded_as_a_concern(lead: Persona, mary: Person, safeguarding_team: Any) -> None:
    from safepathways.work import services as work_services

    item = work_services.open_work(
        person=mary, kind="safeguarding", team=safeguarding_team, title="From the front door", by=None, story="Story"
    )
    page = lead.http.get(reverse("safeguarding:from_work", args=[item.pk])).content.decode()
    assert "What the front door recorded" in page
    response = lead.http.post(
        reverse("safeguarding:from_work", args=[item.pk]),
        {
            "summary": "Story",
            "abuse_types": ["self_neglect"],
            "location_of_risk": "own_home",
            "source_of_risk": "known",
        },
    )
    concern = Concern.objects.get(work_item=item)
    assert response["Location"] == reverse("safeguarding:concern", args=[concern.pk])


def test_sac_export_downloads_csv(lead: Persona, concluded: Enquiry) -> None:
    response = lead.http.get(reverse("safeguarding:collection") + "?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert b"SG2 Type of risk" in response.content


# Query counts ---------------------------------------------------------------------------------------------


def _concerns(rows: int, by: Persona) -> None:
    for _ in range(rows):
        person = PersonFactory()
        concern = services.raise_concern(person=person, by=by.user, details=details())
        if rows > 1:
            services.decide_concern(
                concern=concern, by=by.user, tests=TESTS_MET, decision="section_42", decision_reason="x"
            )
            services.open_enquiry(concern=concern, by=by.user, officer=by.user, started_on=timezone.localdate())
            services.raise_concern(person=person, by=by.user, details=details())


@pytest.mark.parametrize("rows", [1, 20])
def test_dashboard_query_count_is_constant(
    lead: Persona, rows: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    _concerns(rows, lead)
    # session, user with memberships, open enquiry dates, 4 tile counts, awaiting list, front-door list,
    # open enquiries list
    with django_assert_num_queries(10):
        response = lead.http.get(reverse("safeguarding:dashboard"))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 20])
def test_collection_query_count_is_constant(
    lead: Persona, rows: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    _concerns(rows, lead)
    # session, user with memberships, SG1 concerns, SG1 enquiries, SG2
    with django_assert_num_queries(5):
        response = lead.http.get(reverse("safeguarding:collection"))
    assert response.status_code == 200


def _complete_url(action: EnquiryAction) -> str:
    return reverse("safeguarding:complete_action", args=[action.enquiry.concern_id, action.pk])


def _add(enquiry: Enquiry, description: str = "Visit Mary at home") -> EnquiryAction:
    return services.add_enquiry_action(
        enquiry=enquiry, by=enquiry.officer, description=description, owner_name="Gita", due_on=timezone.localdate()
    )


def test_the_enquiry_officer_marks_an_action_complete_on_the_concern_page(lead: Persona, enquiry: Enquiry) -> None:
    action = _add(enquiry)
    page = lead.http.get(reverse("safeguarding:concern", args=[enquiry.concern_id])).content.decode()
    assert _complete_url(action) in page
    response = lead.http.post(_complete_url(action), {**_date("completed_on"), "result": "Visited; Mary is safe"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.completed_on == timezone.localdate()
    assert action.result == "Visited; Mary is safe"
    page = lead.http.get(reverse("safeguarding:concern", args=[enquiry.concern_id])).content.decode()
    assert "Visited; Mary is safe" in page
    assert _complete_url(action) not in page  # done: no longer offered


def test_completing_without_a_result_says_so_and_saves_nothing(lead: Persona, enquiry: Enquiry) -> None:
    action = _add(enquiry)
    before = _state()
    response = lead.http.post(_complete_url(action), {**_date("completed_on"), "result": ""})
    assert response.status_code == 200
    assert "Enter what was done and found" in response.content.decode()
    assert _state() == before
    action.refresh_from_db()
    assert action.completed_on is None


def test_an_action_of_another_concern_is_not_found(lead: Persona, enquiry: Enquiry) -> None:
    action = _add(enquiry)
    other = services.raise_concern(person=enquiry.concern.person, by=enquiry.concern.raised_by, details=details())
    url = reverse("safeguarding:complete_action", args=[other.pk, action.pk])
    assert lead.http.get(url).status_code == 404


@pytest.mark.parametrize("actions", [1, 20])
def test_complete_action_page_query_count_is_constant(
    lead: Persona, enquiry: Enquiry, django_assert_num_queries: DjangoAssertNumQueries, actions: int
) -> None:
    made = [_add(enquiry, f"Action {n}") for n in range(actions)]
    lead.http.get(_complete_url(made[0]))
    # session, user with memberships, the concern (with its joins), access event, the action (enquiry, concern,
    # organisation)
    with django_assert_num_queries(5):
        assert lead.http.get(_complete_url(made[-1])).status_code == 200
