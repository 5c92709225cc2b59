"""Keeping a record current: reviewing alerts and risks, and recording who is no longer involved."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from markupsafe import escape
from pytest_django import DjangoAssertNumQueries

from safepathways.accounts.models import Organisation, OrganisationKind, Role, Team
from safepathways.audit.models import AccessEvent, AuditEvent
from safepathways.conftest import Persona
from safepathways.core.errors import ApplicationError
from safepathways.people import services
from safepathways.people.models import Alert, ChronologyEntry, Contact, Involvement, Person, Risk
from safepathways.people.tests.factories import AlertFactory, RiskFactory
from safepathways.work.models import WorkItem
from safepathways.work.tests.factories import WorkItemFactory


@dataclass
class Record:
    person: Person
    alert: Alert
    risk: Risk
    contact: Contact
    involvement: Involvement


@pytest.fixture
def record(social_worker: Persona) -> Record:
    """A person the social worker's team works with, with one of everything that can be kept up to date."""
    item: WorkItem = WorkItemFactory.create(team=social_worker.team)
    person = item.person
    user = social_worker.user
    return Record(
        person=person,
        alert=AlertFactory(person=person, owner=user, raised_by=user),
        risk=RiskFactory(person=person, owner=user, recorded_by=user),
        contact=Contact.objects.create(person=person, kind="carer", name="Jo Carer", relationship="daughter"),
        involvement=Involvement.objects.create(
            person=person, role="gp", name="Dr Ada Lovell", started_on=timezone.localdate() - timedelta(days=400)
        ),
    )


def _day(name: str, days: int) -> dict[str, int]:
    day = timezone.localdate() + timedelta(days=days)
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


def _alert_review(persona: Persona, days: int = 60) -> dict[str, Any]:
    return {"reason": "Dog in the home", "owner": persona.user.pk, "note": "Still needed", **_day("review_on", days)}


def _risk_review(persona: Persona, days: int = 60) -> dict[str, Any]:
    return {
        "likelihood": 2,
        "impact": 4,
        "mitigation": "Pendant alarm and a night sensor",
        "persons_view": "I want to stay at home",
        "owner": persona.user.pk,
        "note": "Fewer falls since the sensor",
        **_day("review_on", days),
    }


def _contact_change(**changes: Any) -> dict[str, Any]:
    """The change-contact form as it is shown for the record's carer, with a new phone number and `changes`."""
    return {"kind": "carer", "name": "Jo Carer", "relationship": "daughter", "phone": "07700 900123", **changes}


def _involvement_change(**changes: Any) -> dict[str, Any]:
    """The change-professional form as it is shown for the record's GP, with a new phone number and `changes`."""
    return {"role": "gp", "name": "Dr Ada Lovell", "phone": "020 7946 0001", **_day("started_on", -400), **changes}


# (url name, method, url args from the record, valid POST data for a persona or None)
VIEWS: list[tuple[str, str, Callable[[Record], list[Any]], Callable[[Persona], dict[str, Any]] | None]] = [
    ("people:alert_review", "get", lambda r: [r.person.pk, r.alert.pk], None),
    ("people:alert_review", "post", lambda r: [r.person.pk, r.alert.pk], _alert_review),
    ("people:risk_review", "get", lambda r: [r.person.pk, r.risk.pk], None),
    ("people:risk_review", "post", lambda r: [r.person.pk, r.risk.pk], _risk_review),
    ("people:contact_edit", "get", lambda r: [r.person.pk, r.contact.pk], None),
    ("people:contact_edit", "post", lambda r: [r.person.pk, r.contact.pk], lambda u: _contact_change()),
    ("people:involvement_edit", "get", lambda r: [r.person.pk, r.involvement.pk], None),
    ("people:involvement_edit", "post", lambda r: [r.person.pk, r.involvement.pk], lambda u: _involvement_change()),
    ("people:contact_end", "get", lambda r: [r.person.pk, r.contact.pk], None),
    ("people:contact_end", "post", lambda r: [r.person.pk, r.contact.pk], lambda u: {}),
    ("people:involvement_end", "get", lambda r: [r.person.pk, r.involvement.pk], None),
    ("people:involvement_end", "post", lambda r: [r.person.pk, r.involvement.pk], lambda u: _day("ended_on", 0)),
    ("people:alert_end", "get", lambda r: [r.person.pk, r.alert.pk], None),
    ("people:alert_end", "post", lambda r: [r.person.pk, r.alert.pk], lambda u: {"reason": "No dog now"}),
    ("people:risk_close", "post", lambda r: [r.person.pk, r.risk.pk], lambda u: {}),
]


def _call(client: Client, name: str, method: str, args: list[Any], data: dict[str, Any] | None) -> Any:
    url = reverse(name, args=args)
    return client.post(url, data or {}) if method == "post" else client.get(url)


def _unchanged(record: Record) -> None:
    alert = Alert.objects.get()
    assert (alert.review_on, alert.ended_at) == (record.alert.review_on, None)
    risk = Risk.objects.get()
    assert (risk.likelihood, risk.closed_at) == (record.risk.likelihood, None)
    contact = Contact.objects.get()
    assert (contact.ended_at, contact.phone, contact.name) == (None, "", "Jo Carer")
    involvement = Involvement.objects.get()
    assert (involvement.ended_on, involvement.phone) == (None, "")


@pytest.mark.parametrize(("name", "method", "args", "data"), VIEWS)
def test_anonymous_is_sent_to_sign_in(
    anonymous: Client, record: Record, name: str, method: str, args: Any, data: Any
) -> None:
    response = _call(anonymous, name, method, args(record), None)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign_in"))
    _unchanged(record)


@pytest.mark.parametrize(("name", "method", "args", "data"), VIEWS)
def test_partner_is_refused_and_nothing_changes(
    partner: Persona, record: Record, name: str, method: str, args: Any, data: Any
) -> None:
    services.share_with_organisation(
        person=record.person, by=record.alert.owner, organisation=partner.team.organisation, purpose="Discharge"
    )
    audit_before = AuditEvent.objects.count()
    response = _call(partner.http, name, method, args(record), data(partner) if data else None)
    assert response.status_code == 403  # partners never write, even to a record shared with them
    assert AuditEvent.objects.count() == audit_before
    assert not AccessEvent.objects.exists()
    _unchanged(record)


@pytest.mark.parametrize(("name", "method", "args", "data"), VIEWS)
def test_other_team_must_declare_a_relationship_and_nothing_changes(
    other_team_worker: Persona, record: Record, name: str, method: str, args: Any, data: Any
) -> None:
    audit_before = AuditEvent.objects.count()
    response = _call(other_team_worker.http, name, method, args(record), data(other_team_worker) if data else None)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("people:declare", args=[record.person.pk]))
    assert AuditEvent.objects.count() == audit_before
    _unchanged(record)


@pytest.mark.parametrize(("name", "method", "args", "data"), VIEWS)
def test_wrong_role_gets_403_and_nothing_changes(
    director: Persona, record: Record, name: str, method: str, args: Any, data: Any
) -> None:
    audit_before = AuditEvent.objects.count()
    response = _call(director.http, name, method, args(record), data(director) if data else None)
    assert response.status_code == 403
    assert AuditEvent.objects.count() == audit_before
    _unchanged(record)


@pytest.mark.parametrize(("name", "method", "args", "data"), VIEWS)
def test_unknown_person_is_404(
    social_worker: Persona, record: Record, name: str, method: str, args: Any, data: Any
) -> None:
    url_args = args(record)
    url_args[0] = record.alert.pk  # a real id, but not a person's
    response = _call(social_worker.http, name, method, url_args, data(social_worker) if data else None)
    assert response.status_code == 404


@pytest.mark.parametrize(("name", "method", "args", "data"), VIEWS)
def test_permitted_worker_succeeds(
    social_worker: Persona, record: Record, name: str, method: str, args: Any, data: Any
) -> None:
    response = _call(social_worker.http, name, method, args(record), data(social_worker) if data else None)
    if method == "get":
        assert response.status_code == 200
        assert AccessEvent.objects.get().person_id == record.person.pk
    else:
        assert response.status_code == 302, response.content.decode()[:3000]
        assert response["Location"].startswith(reverse("people:detail", args=[record.person.pk]))
        assert AuditEvent.objects.filter(person_id=record.person.pk).exists()


def test_a_row_of_another_person_is_404(social_worker: Persona, record: Record) -> None:
    other: WorkItem = WorkItemFactory.create(team=social_worker.team)
    url = reverse("people:alert_review", args=[other.person.pk, record.alert.pk])
    assert social_worker.http.get(url).status_code == 404


@pytest.mark.parametrize(
    ("name", "args", "queries"),
    [
        # session, user with memberships, person, relationship (work), access event, the alert with its owner,
        # the owners to choose from
        ("people:alert_review", lambda r: [r.person.pk, r.alert.pk], 7),
        # ... the risk, the owners to choose from
        ("people:risk_review", lambda r: [r.person.pk, r.risk.pk], 7),
        # ... the contact
        ("people:contact_end", lambda r: [r.person.pk, r.contact.pk], 6),
        ("people:contact_edit", lambda r: [r.person.pk, r.contact.pk], 6),
        # ... the involvement with its organisation, the organisations to choose from
        ("people:involvement_edit", lambda r: [r.person.pk, r.involvement.pk], 7),
        # ... the involvement with its organisation
        ("people:involvement_end", lambda r: [r.person.pk, r.involvement.pk], 6),
    ],
)
def test_form_pages_have_a_fixed_number_of_queries(
    social_worker: Persona,
    record: Record,
    name: str,
    args: Callable[[Record], list[Any]],
    queries: int,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    with django_assert_num_queries(queries):
        response = social_worker.http.get(reverse(name, args=args(record)))
    assert response.status_code == 200


def test_the_person_page_links_to_each_action_for_practitioners_only(
    social_worker: Persona, director: Persona, record: Record
) -> None:
    body = social_worker.http.get(reverse("people:detail", args=[record.person.pk])).content.decode()
    for name, row in (
        ("people:alert_review", record.alert),
        ("people:risk_review", record.risk),
        ("people:contact_end", record.contact),
        ("people:involvement_end", record.involvement),
        ("people:contact_edit", record.contact),
        ("people:involvement_edit", record.involvement),
    ):
        assert reverse(name, args=[record.person.pk, row.pk]) in body
    assert '>Change<span class="govuk-visually-hidden"> details of Jo Carer</span></a>' in body
    assert '>Change<span class="govuk-visually-hidden"> details of Dr Ada Lovell, GP practice</span></a>' in body
    body = director.http.get(reverse("people:detail", args=[record.person.pk])).content.decode()
    assert escape(record.person.full_name) in body
    assert reverse("people:alert_review", args=[record.person.pk, record.alert.pk]) not in body
    assert reverse("people:risk_review", args=[record.person.pk, record.risk.pk]) not in body
    assert reverse("people:contact_edit", args=[record.person.pk, record.contact.pk]) not in body
    assert reverse("people:involvement_edit", args=[record.person.pk, record.involvement.pk]) not in body


def test_reviewing_an_alert_moves_its_review_date_and_owner_and_tells_the_story(
    social_worker: Persona, team_manager: Persona, record: Record
) -> None:
    data = {**_alert_review(social_worker, days=90), "owner": team_manager.user.pk, "reason": "Two dogs now"}
    url = reverse("people:alert_review", args=[record.person.pk, record.alert.pk])
    response = social_worker.http.post(url, data)
    assert response["Location"] == reverse("people:detail", args=[record.person.pk]) + "#alerts"
    alert = Alert.objects.get()
    assert alert.review_on == timezone.localdate() + timedelta(days=90)
    assert alert.owner == team_manager.user
    assert alert.reason == "Two dogs now"
    entry = ChronologyEntry.objects.get(summary="Alert reviewed: Risk to visiting staff")
    assert entry.detail == "Still needed"
    event = AuditEvent.objects.get(action="alert.reviewed")
    assert event.person_id == record.person.pk
    assert event.snapshot["changed"] == "reason,owner,review_on"
    page = social_worker.http.get(reverse("people:detail", args=[record.person.pk])).content.decode()
    assert "Alert reviewed: Risk to visiting staff" in page
    assert escape(team_manager.user.full_name) in page


def test_the_current_owner_stays_a_choice_after_they_leave_the_team(
    social_worker: Persona, make_persona: Callable[..., Persona], other_team: Team, record: Record
) -> None:
    moved = make_persona(other_team, Role.SOCIAL_WORKER, name="Moved Away")
    Alert.objects.filter(pk=record.alert.pk).update(owner=moved.user)
    url = reverse("people:alert_review", args=[record.person.pk, record.alert.pk])
    assert f'value="{moved.user.pk}" selected' in social_worker.http.get(url).content.decode()
    social_worker.http.post(url, {**_alert_review(social_worker), "owner": moved.user.pk})
    assert Alert.objects.get().owner == moved.user


def test_an_alert_review_answers_each_field_and_refuses_a_past_date(social_worker: Persona, record: Record) -> None:
    url = reverse("people:alert_review", args=[record.person.pk, record.alert.pk])
    body = social_worker.http.post(url, {**_alert_review(social_worker, days=-1), "note": ""}).content.decode()
    assert "There is a problem" in body
    assert "Review date must be today or in the future" in body
    assert "Enter what the review found" in body
    assert 'href="#review_on_day"' in body or 'href="#review_on"' in body
    assert Alert.objects.get().review_on == record.alert.review_on
    assert not AuditEvent.objects.filter(action="alert.reviewed").exists()
    # Today is allowed.
    social_worker.http.post(url, _alert_review(social_worker, days=0))
    assert Alert.objects.get().review_on == timezone.localdate()


def test_an_ended_alert_cannot_be_reviewed(social_worker: Persona, record: Record) -> None:
    services.end_alert(alert=record.alert, by=social_worker.user, reason="Dog rehomed")
    url = reverse("people:alert_review", args=[record.person.pk, record.alert.pk])
    assert social_worker.http.get(url).status_code == 404
    with pytest.raises(ApplicationError, match="has ended"):
        services.review_alert(
            alert=record.alert, by=social_worker.user, review_on=timezone.localdate(), note="Still needed"
        )


def test_review_alert_service_refuses_a_past_review_date(social_worker: Persona, record: Record) -> None:
    with pytest.raises(ApplicationError) as raised:
        services.review_alert(
            alert=record.alert,
            by=social_worker.user,
            review_on=timezone.localdate() - timedelta(days=1),
            note="Checked",
        )
    assert raised.value.field == "review_on"


def test_reviewing_a_risk_changes_its_rating_and_plan_and_tells_the_story(
    social_worker: Persona, record: Record
) -> None:
    url = reverse("people:risk_review", args=[record.person.pk, record.risk.pk])
    page = social_worker.http.get(url).content.decode()
    assert "Pendant alarm" in page  # the form starts from the risk as it is
    response = social_worker.http.post(url, _risk_review(social_worker, days=45))
    assert response["Location"] == reverse("people:detail", args=[record.person.pk]) + "#risks"
    risk = Risk.objects.get()
    assert (risk.likelihood, risk.impact, risk.score) == (2, 4, 8)
    assert risk.mitigation == "Pendant alarm and a night sensor"
    assert risk.persons_view == "I want to stay at home"
    assert risk.review_on == timezone.localdate() + timedelta(days=45)
    assert risk.title == "Falls at night"  # what the risk is does not change in a review
    entry = ChronologyEntry.objects.get(summary="Risk reviewed: Falls at night")
    assert "Likelihood 2 × impact 4" in entry.detail
    assert "Fewer falls since the sensor" in entry.detail
    event = AuditEvent.objects.get(action="risk.reviewed")
    assert event.snapshot["changed"] == "likelihood,impact,mitigation,persons_view,review_on"
    assert event.snapshot["likelihood"] == 2


def test_a_risk_review_refuses_a_past_date_and_a_missing_plan(social_worker: Persona, record: Record) -> None:
    url = reverse("people:risk_review", args=[record.person.pk, record.risk.pk])
    data = {**_risk_review(social_worker, days=-3), "mitigation": ""}
    body = social_worker.http.post(url, data).content.decode()
    assert "There is a problem" in body
    assert "Review date must be today or in the future" in body
    assert "Enter how the risk is managed" in body
    assert "This field is required" not in body
    assert Risk.objects.get().likelihood == record.risk.likelihood
    with pytest.raises(ApplicationError) as raised:
        services.review_risk(
            risk=record.risk,
            by=social_worker.user,
            likelihood=1,
            impact=1,
            mitigation="m",
            owner=social_worker.user,
            review_on=timezone.localdate() - timedelta(days=1),
        )
    assert raised.value.field == "review_on"


def test_a_closed_risk_cannot_be_reviewed(social_worker: Persona, record: Record) -> None:
    services.close_risk(risk=record.risk, by=social_worker.user)
    assert (
        social_worker.http.get(reverse("people:risk_review", args=[record.person.pk, record.risk.pk])).status_code
        == 404
    )


def test_a_carer_no_longer_involved_leaves_the_page_but_stays_in_the_story(
    social_worker: Persona, record: Record
) -> None:
    url = reverse("people:contact_end", args=[record.person.pk, record.contact.pk])
    assert "Is Jo Carer no longer involved?" in social_worker.http.get(url).content.decode()
    social_worker.http.post(url)
    assert Contact.objects.get().ended_at is not None
    assert ChronologyEntry.objects.filter(summary="Unpaid carer no longer involved: Jo Carer").exists()
    assert AuditEvent.objects.get(action="contact.ended").person_id == record.person.pk
    page = social_worker.http.get(reverse("people:detail", args=[record.person.pk])).content.decode()
    assert "<strong>Jo Carer</strong>" not in page
    assert "Unpaid carer no longer involved: Jo Carer" in page
    assert social_worker.http.post(url).status_code == 404


def test_a_professional_can_be_linked_to_an_organisation_chosen_by_name(social_worker: Persona, record: Record) -> None:
    zeta = Organisation.objects.create(name="Zeta Medical Practice", kind=OrganisationKind.GP_PRACTICE)
    alpha = Organisation.objects.create(name="Abbey Road Surgery", kind=OrganisationKind.GP_PRACTICE)
    url = reverse("people:involvement_add", args=[record.person.pk])
    form = social_worker.http.get(url).content.decode()
    assert form.index("Abbey Road Surgery") < form.index("Zeta Medical Practice")
    social_worker.http.post(url, {"role": "gp", "organisation": alpha.pk, "name": "Dr Bee"})
    assert Involvement.objects.get(name="Dr Bee").organisation == alpha
    page = social_worker.http.get(reverse("people:detail", args=[record.person.pk])).content.decode()
    assert "Abbey Road Surgery" in page
    assert zeta.name not in page
    social_worker.http.post(url, {"role": "district_nurse"})  # the organisation is optional
    assert Involvement.objects.get(role="district_nurse").organisation is None


def test_ending_an_involvement_records_the_date(social_worker: Persona, record: Record) -> None:
    url = reverse("people:involvement_end", args=[record.person.pk, record.involvement.pk])
    response = social_worker.http.post(url, _day("ended_on", -2))
    assert response.status_code == 302
    involvement = Involvement.objects.get()
    assert involvement.ended_on == timezone.localdate() - timedelta(days=2)
    assert ChronologyEntry.objects.filter(summary__startswith="Professional no longer involved: GP").exists()
    assert AuditEvent.objects.get(action="involvement.ended").snapshot["role"] == "gp"
    page = social_worker.http.get(reverse("people:detail", args=[record.person.pk])).content.decode()
    network = page[page.index('id="network"') : page.index('id="chronology"')]
    assert "Dr Ada Lovell" not in network


def test_ending_an_involvement_today_shows_it_ended_without_offering_to_end_it_again(
    social_worker: Persona, record: Record
) -> None:
    social_worker.http.post(
        reverse("people:involvement_end", args=[record.person.pk, record.involvement.pk]), _day("ended_on", 0)
    )
    page = social_worker.http.get(reverse("people:detail", args=[record.person.pk])).content.decode()
    assert "Involved until" in page
    assert reverse("people:involvement_end", args=[record.person.pk, record.involvement.pk]) not in page


def test_an_involvement_cannot_end_in_the_future_or_before_it_started(social_worker: Persona, record: Record) -> None:
    url = reverse("people:involvement_end", args=[record.person.pk, record.involvement.pk])
    body = social_worker.http.post(url, _day("ended_on", 3)).content.decode()
    assert "must be today or in the past" in body
    body = social_worker.http.post(url, _day("ended_on", -500)).content.decode()
    assert "on or after the date it started" in body
    assert Involvement.objects.get().ended_on is None
    assert not AuditEvent.objects.filter(action="involvement.ended").exists()


# Correcting the details of someone in the person's network, or of a professional, without ending them.


def test_a_carers_new_phone_number_is_a_correction_not_an_ending(social_worker: Persona, record: Record) -> None:
    url = reverse("people:contact_edit", args=[record.person.pk, record.contact.pk])
    form = social_worker.http.get(url).content.decode()
    assert "Change the details of Jo Carer" in form
    assert 'value="daughter"' in form  # the form starts from the contact as it is

    response = social_worker.http.post(url, _contact_change(email="jo@example.com"))

    assert response["Location"] == reverse("people:detail", args=[record.person.pk]) + "#network"
    contact = Contact.objects.get()
    assert (contact.pk, contact.ended_at) == (record.contact.pk, None)
    assert (contact.phone, contact.email, contact.relationship) == ("07700 900123", "jo@example.com", "daughter")
    assert ChronologyEntry.objects.filter(summary="Unpaid carer details updated: Jo Carer").count() == 1
    event = AuditEvent.objects.get(action="contact.updated")
    assert (event.person_id, event.actor_id) == (record.person.pk, social_worker.user.pk)
    assert event.snapshot == {"kind": "carer", "changed": "phone,email"}  # which fields, never what they hold
    page = social_worker.http.get(reverse("people:detail", args=[record.person.pk])).content.decode()
    assert "07700 900123" in page
    assert "Unpaid carer details updated: Jo Carer" in page


def test_a_professionals_details_are_corrected_and_the_audit_names_the_fields_only(
    social_worker: Persona, record: Record
) -> None:
    surgery = Organisation.objects.create(name="Abbey Road Surgery", kind=OrganisationKind.GP_PRACTICE)
    url = reverse("people:involvement_edit", args=[record.person.pk, record.involvement.pk])
    assert 'value="Dr Ada Lovell"' in social_worker.http.get(url).content.decode()

    response = social_worker.http.post(url, _involvement_change(organisation=surgery.pk))

    assert response["Location"] == reverse("people:detail", args=[record.person.pk]) + "#network"
    involvement = Involvement.objects.get()
    assert (involvement.phone, involvement.organisation, involvement.ended_on) == ("020 7946 0001", surgery, None)
    assert ChronologyEntry.objects.filter(summary="GP practice details updated: Dr Ada Lovell").count() == 1
    event = AuditEvent.objects.get(action="involvement.updated")
    assert event.snapshot == {"role": "gp", "changed": "organisation,phone"}
    assert "020 7946 0001" not in str(event.snapshot) and "Abbey" not in str(event.snapshot)


def test_saving_a_contact_unchanged_records_nothing(social_worker: Persona, record: Record) -> None:
    url = reverse("people:contact_edit", args=[record.person.pk, record.contact.pk])
    response = social_worker.http.post(url, _contact_change(phone=""))
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="contact.updated").exists()
    assert not ChronologyEntry.objects.filter(summary__contains="details updated").exists()


def test_a_contact_change_is_answered_field_by_field(social_worker: Persona, record: Record) -> None:
    url = reverse("people:contact_edit", args=[record.person.pk, record.contact.pk])
    body = social_worker.http.post(url, _contact_change(name="", email="not an email")).content.decode()
    assert "There is a problem" in body
    assert 'href="#id_name">Enter their full name' in body
    assert "Enter an email address in the correct format, like name@example.com" in body
    assert Contact.objects.get().phone == ""
    assert not AuditEvent.objects.filter(action="contact.updated").exists()


def test_a_professional_cannot_have_become_involved_in_the_future(social_worker: Persona, record: Record) -> None:
    url = reverse("people:involvement_edit", args=[record.person.pk, record.involvement.pk])
    body = social_worker.http.post(url, _involvement_change(**_day("started_on", 2))).content.decode()
    assert "must be today or in the past" in body
    assert Involvement.objects.get().phone == ""
    with pytest.raises(ApplicationError) as raised:
        services.update_involvement(
            involvement=record.involvement,
            by=social_worker.user,
            data={"started_on": timezone.localdate() + timedelta(days=2)},
        )
    assert raised.value.field == "started_on"
    assert not AuditEvent.objects.filter(action="involvement.updated").exists()


def test_someone_no_longer_involved_cannot_be_edited(social_worker: Persona, record: Record) -> None:
    services.end_contact(contact=record.contact, by=social_worker.user)
    url = reverse("people:contact_edit", args=[record.person.pk, record.contact.pk])
    assert social_worker.http.get(url).status_code == 404
    assert social_worker.http.post(url, _contact_change()).status_code == 404
    with pytest.raises(ApplicationError, match="Jo Carer is no longer involved, so their details cannot be changed"):
        services.update_contact(contact=record.contact, by=social_worker.user, data={"phone": "07700 900123"})
    assert Contact.objects.get().phone == ""
    assert not AuditEvent.objects.filter(action="contact.updated").exists()
    page = social_worker.http.get(reverse("people:detail", args=[record.person.pk])).content.decode()
    assert url not in page


def test_an_ended_involvement_cannot_be_edited(social_worker: Persona, record: Record) -> None:
    services.end_involvement(involvement=record.involvement, by=social_worker.user, ended_on=timezone.localdate())
    url = reverse("people:involvement_edit", args=[record.person.pk, record.involvement.pk])
    assert social_worker.http.get(url).status_code == 404
    assert social_worker.http.post(url, _involvement_change()).status_code == 404
    with pytest.raises(ApplicationError, match="This involvement has ended"):
        services.update_involvement(involvement=record.involvement, by=social_worker.user, data={"phone": "1"})
    assert Involvement.objects.get().phone == ""
    assert not AuditEvent.objects.filter(action="involvement.updated").exists()
    page = social_worker.http.get(reverse("people:detail", args=[record.person.pk])).content.decode()
    assert url not in page  # shown as "Involved until", with nothing to change


@pytest.mark.parametrize(
    ("name", "row"), [("people:contact_edit", "contact"), ("people:involvement_edit", "involvement")]
)
def test_a_contact_or_professional_of_another_person_is_404(
    social_worker: Persona, record: Record, name: str, row: str
) -> None:
    other: WorkItem = WorkItemFactory.create(team=social_worker.team)
    url = reverse(name, args=[other.person.pk, getattr(record, row).pk])
    assert social_worker.http.get(url).status_code == 404
    data = _contact_change() if row == "contact" else _involvement_change()
    assert social_worker.http.post(url, data).status_code == 404
    _unchanged(record)
