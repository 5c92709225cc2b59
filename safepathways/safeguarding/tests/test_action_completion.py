"""Enquiry plan actions owned by a partner organisation, completed by it (or by staff) through the API."""

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from safepathways.accounts.models import Organisation
from safepathways.accounts.services import issue_api_token
from safepathways.audit.models import AccessBasis, AccessEvent, AccessKind, AuditEvent
from safepathways.conftest import Persona
from safepathways.core.errors import ApplicationError
from safepathways.notifications.models import Notification
from safepathways.people.tests.factories import PersonFactory
from safepathways.safeguarding import services
from safepathways.safeguarding.models import Concern, ConcernShare, Enquiry, EnquiryAction
from safepathways.safeguarding.tests.conftest import TESTS_MET, details

ACTIONS = "/api/v1/safeguarding/actions/"


def _api(persona: Persona | None) -> APIClient:
    client = APIClient(HTTP_HOST="127.0.0.1")
    if persona is not None:
        _, key = issue_api_token(user=persona.user, name="test")
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _caused_action(enquiry: Enquiry, by: Persona, organisation: Organisation, **overrides: Any) -> EnquiryAction:
    data: dict[str, Any] = {
        "description": "Interview the staff on duty and report back",
        "owner_name": "DS Evans",
        "due_on": timezone.localdate() + timedelta(days=14),
        "is_caused_enquiry": True,
        "organisation": organisation,
    }
    data.update(overrides)
    return services.add_enquiry_action(enquiry=enquiry, by=by.user, **data)


@pytest.fixture
def police_org(police_partner: Persona) -> Organisation:
    return police_partner.team.organisation


@pytest.fixture
def police_action(enquiry: Enquiry, lead: Persona, police_org: Organisation) -> EnquiryAction:
    """The police caused to enquire (s42(2)), with the concern shared with them for the joint enquiry."""
    services.share_concern(concern=enquiry.concern, by=lead.user, organisation=police_org, purpose="Joint enquiry")
    return _caused_action(enquiry, lead, police_org)


def _state() -> tuple[object, ...]:
    return (
        AuditEvent.objects.count(),
        AccessEvent.objects.count(),
        Notification.objects.count(),
        tuple(EnquiryAction.objects.order_by("pk").values_list("completed_on", "result", "completed_by")),
    )


def _done(**overrides: Any) -> dict[str, Any]:
    return {"completed_on": timezone.localdate(), "result": "Two staff interviewed; no further offences", **overrides}


# Adding an action owned by a partner organisation ---------------------------------------------------------------


def test_an_owner_organisation_names_the_agency(enquiry: Enquiry, lead: Persona, police_org: Organisation) -> None:
    action = _caused_action(enquiry, lead, police_org)
    assert (action.organisation, action.agency) == (police_org, "Metropolitan Police Service")
    event = AuditEvent.objects.get(action="safeguarding.action_added")
    assert event.snapshot["organisation"] == str(police_org.pk)


def test_the_council_is_not_an_owner_organisation(enquiry: Enquiry, lead: Persona, council: Organisation) -> None:
    with pytest.raises(ApplicationError) as refused:
        _caused_action(enquiry, lead, council)
    assert refused.value.field == "organisation"
    assert not EnquiryAction.objects.exists()


def test_the_web_form_names_the_owner_organisation(enquiry: Enquiry, lead: Persona, police_org: Organisation) -> None:
    today = timezone.localdate()
    response = lead.http.post(
        reverse("safeguarding:add_action", args=[enquiry.concern.pk]),
        {
            "description": "Interview staff",
            "owner_name": "DS Evans",
            "organisation": str(police_org.pk),
            "is_caused_enquiry": "on",
            "due_on_day": today.day,
            "due_on_month": today.month,
            "due_on_year": today.year,
        },
    )
    assert response.status_code == 302
    assert EnquiryAction.objects.get().organisation == police_org


# Completing: the service -----------------------------------------------------------------------------------------


def test_the_owner_partner_completes_with_the_result_and_the_officer_hears(
    police_action: EnquiryAction, police_partner: Persona, safeguarding_worker: Persona
) -> None:
    done = services.complete_enquiry_action(action=police_action, by=police_partner.user, **_done())
    police_action.refresh_from_db()
    assert police_action.completed_on == timezone.localdate()
    assert police_action.completed_by == police_partner.user
    assert police_action.result == "Two staff interviewed; no further offences"
    assert done.pk == police_action.pk
    event = AuditEvent.objects.get(action="safeguarding.action_completed")
    assert (event.actor, event.person_id) == (police_partner.user, police_action.enquiry.concern.person_id)
    assert event.snapshot["notes"] == "<42 characters>"  # the result is free text: only its length is kept
    note = Notification.objects.get(recipient=safeguarding_worker.user)
    assert "Metropolitan Police Service" in note.message and police_action.enquiry.concern.reference in note.message
    assert "interviewed" not in note.message  # no detail in an email


def test_the_enquiry_officer_completes_without_telling_themselves(
    police_action: EnquiryAction, safeguarding_worker: Persona
) -> None:
    services.complete_enquiry_action(action=police_action, by=safeguarding_worker.user, **_done())
    assert not Notification.objects.exists()


def test_a_partner_whose_share_was_revoked_cannot_complete(
    police_action: EnquiryAction, police_partner: Persona, lead: Persona
) -> None:
    share = ConcernShare.objects.get()
    services.revoke_concern_share(share=share, by=lead.user, reason="Police enquiry closed")
    before = _state()
    with pytest.raises(ApplicationError, match="Only the safeguarding team, the enquiry officer or the organisation"):
        services.complete_enquiry_action(action=police_action, by=police_partner.user, **_done())
    assert _state() == before


@pytest.mark.parametrize("who", ["partner", "social_worker", "director"])
def test_no_one_else_completes(police_action: EnquiryAction, request: pytest.FixtureRequest, who: str) -> None:
    """Another organisation's partner, a practitioner who is not the officer, a director (no role to)."""
    persona: Persona = request.getfixturevalue(who)
    before = _state()
    with pytest.raises(ApplicationError):
        services.complete_enquiry_action(action=police_action, by=persona.user, **_done())
    assert _state() == before


def test_a_named_partner_that_does_not_own_the_action_cannot_complete_it(
    enquiry: Enquiry, lead: Persona, police_partner: Persona, police_org: Organisation
) -> None:
    services.share_concern(concern=enquiry.concern, by=lead.user, organisation=police_org, purpose="Joint enquiry")
    council_action = services.add_enquiry_action(
        enquiry=enquiry, by=lead.user, description="Visit", owner_name="Gita", due_on=timezone.localdate()
    )
    with pytest.raises(ApplicationError):
        services.complete_enquiry_action(action=council_action, by=police_partner.user, **_done())


@pytest.mark.parametrize(
    ("result", "days", "field"),
    [
        ("  ", 0, "result"),
        ("Done", 1, "completed_on"),  # tomorrow
        ("Done", -1, "completed_on"),  # before the enquiry started (today)
    ],
)
def test_bad_completions_name_the_field(
    police_action: EnquiryAction, police_partner: Persona, result: str, days: int, field: str
) -> None:
    on = police_action.enquiry.started_on + timedelta(days=days)
    before = _state()
    with pytest.raises(ApplicationError) as refused:
        services.complete_enquiry_action(
            action=police_action, by=police_partner.user, **_done(result=result, completed_on=on)
        )
    assert refused.value.field == field
    assert _state() == before


def test_an_action_is_completed_once(police_action: EnquiryAction, police_partner: Persona) -> None:
    services.complete_enquiry_action(action=police_action, by=police_partner.user, **_done())
    with pytest.raises(ApplicationError, match="already complete"):
        services.complete_enquiry_action(action=police_action, by=police_partner.user, **_done(result="Again"))


def test_nothing_is_completed_after_the_enquiry_concludes(
    police_action: EnquiryAction, police_partner: Persona, safeguarding_worker: Persona
) -> None:
    enquiry = police_action.enquiry
    services.record_making_safeguarding_personal(
        enquiry=enquiry, by=safeguarding_worker.user, details=services.PersonalDetails(msp_asked="none_expressed")
    )
    services.conclude_enquiry(
        enquiry=enquiry,
        by=safeguarding_worker.user,
        outcome=services.Outcome(
            risk_finding="none",
            action_taken=False,
            risk_result="",
            msp_achieved="",
            outcome_summary="No risk found",
            concluded_on=timezone.localdate(),
        ),
    )
    with pytest.raises(ApplicationError, match="has concluded"):
        services.complete_enquiry_action(action=police_action, by=police_partner.user, **_done())


# Completing: the API ---------------------------------------------------------------------------------------------


def _completion(action: EnquiryAction) -> str:
    return f"{ACTIONS}{action.pk}/completion/"


def _body(**overrides: Any) -> dict[str, Any]:
    return {"completed_on": timezone.localdate().isoformat(), "result": "Staff interviewed", **overrides}


def test_anonymous_gets_401(police_action: EnquiryAction) -> None:
    before = _state()
    assert _api(None).get(ACTIONS).status_code == 401
    assert _api(None).post(_completion(police_action), _body(), format="json").status_code == 401
    assert _state() == before


def test_a_director_is_refused(police_action: EnquiryAction, director: Persona) -> None:
    client = _api(director)
    before = _state()
    assert client.get(ACTIONS).status_code == 403
    assert client.post(_completion(police_action), _body(), format="json").status_code == 403
    assert _state() == before


@pytest.mark.parametrize("who", ["partner", "social_worker"])
def test_anyone_else_sees_no_action_and_gets_404(
    police_action: EnquiryAction, request: pytest.FixtureRequest, who: str
) -> None:
    """Another organisation's partner, or a practitioner who is not the enquiry officer: as if it did not exist."""
    client = _api(request.getfixturevalue(who))
    before = _state()
    assert client.get(ACTIONS).json()["count"] == 0
    assert client.post(_completion(police_action), _body(), format="json").status_code == 404
    assert _state() == before


def test_the_owner_partner_lists_and_completes_its_action(
    police_action: EnquiryAction, police_partner: Persona, enquiry: Enquiry, lead: Persona
) -> None:
    services.add_enquiry_action(  # the council's own action: not the police's to see or complete
        enquiry=enquiry, by=lead.user, description="Visit", owner_name="Gita", due_on=timezone.localdate()
    )
    client = _api(police_partner)
    listed = client.get(ACTIONS).json()
    assert [a["id"] for a in listed["results"]] == [str(police_action.pk)]
    row = listed["results"][0]
    assert (row["concern_reference"], row["organisation"], row["completed_on"]) == (
        enquiry.concern.reference,
        "Metropolitan Police Service",
        None,
    )
    access = AccessEvent.objects.get(user=police_partner.user)
    assert (access.person_id, access.basis, access.kind) == (
        enquiry.concern.person_id,
        AccessBasis.SAFEGUARDING,
        AccessKind.API,
    )

    response = client.post(_completion(police_action), _body(), format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["completed_on"], response.json()["result"]) == (
        timezone.localdate().isoformat(),
        "Staff interviewed",
    )
    assert client.get(f"{ACTIONS}?completed=false").json()["count"] == 0
    assert client.get(f"{ACTIONS}?completed=true").json()["count"] == 1


@pytest.mark.parametrize("who", ["lead", "safeguarding_worker"])
def test_the_safeguarding_team_and_the_officer_complete_it(
    police_action: EnquiryAction, request: pytest.FixtureRequest, who: str
) -> None:
    response = _api(request.getfixturevalue(who)).post(_completion(police_action), _body(), format="json")
    assert response.status_code == 200, response.json()


def test_after_revocation_the_partner_gets_404(
    police_action: EnquiryAction, police_partner: Persona, lead: Persona
) -> None:
    services.revoke_concern_share(share=ConcernShare.objects.get(), by=lead.user, reason="Closed")
    client = _api(police_partner)
    before = _state()
    assert client.get(ACTIONS).json()["count"] == 0
    assert client.post(_completion(police_action), _body(), format="json").status_code == 404
    assert _state() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"result": ""}, "result"), ({"completed_on": None}, "completed_on"), ({"completed_on": 2}, "completed_on")],
)
def test_errors_name_the_field(
    police_action: EnquiryAction, police_partner: Persona, overrides: dict[str, Any], field: str
) -> None:
    body = _body(**overrides)
    if body["completed_on"] is None:
        del body["completed_on"]
    elif isinstance(body["completed_on"], int):  # days from today: in the future
        body["completed_on"] = (timezone.localdate() + timedelta(days=body["completed_on"])).isoformat()
    client = _api(police_partner)
    before = _state()
    response = client.post(_completion(police_action), body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field
    assert _state() == before


def test_the_concern_page_shows_the_result(
    police_action: EnquiryAction, police_partner: Persona, lead: Persona
) -> None:
    services.complete_enquiry_action(action=police_action, by=police_partner.user, **_done())
    body = lead.http.get(reverse("safeguarding:concern", args=[police_action.enquiry.concern_id])).content.decode()
    assert "Two staff interviewed; no further offences" in body


@pytest.mark.parametrize("rows", [1, 20])
def test_the_list_query_count_is_constant(
    lead: Persona,
    police_partner: Persona,
    police_org: Organisation,
    rows: int,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    for _ in range(rows):
        concern: Concern = services.raise_concern(person=PersonFactory(), by=lead.user, details=details())
        services.decide_concern(
            concern=concern, by=lead.user, tests=TESTS_MET, decision="section_42", decision_reason="x"
        )
        enquiry = services.open_enquiry(
            concern=concern, by=lead.user, officer=lead.user, started_on=timezone.localdate()
        )
        services.share_concern(concern=concern, by=lead.user, organisation=police_org, purpose="Joint")
        _caused_action(enquiry, lead, police_org)
    client = _api(police_partner)
    # token, token last used, memberships, count, page (enquiry, concern, organisation; visible concerns as a
    # subquery), access events (one insert)
    with django_assert_num_queries(6):
        response = client.get(ACTIONS)
    assert response.json()["count"] == rows
