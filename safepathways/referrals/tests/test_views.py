from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from safepathways.accounts.models import Team
from safepathways.audit.models import AccessEvent, AuditEvent
from safepathways.conftest import Persona
from safepathways.people import merge
from safepathways.people.models import MergeRecord, Person
from safepathways.people.tests.factories import PersonFactory
from safepathways.referrals import services
from safepathways.referrals.models import Contact, ContactStatus, ContactStatusName
from safepathways.referrals.tests.factories import MARY_NHS_NUMBER, ContactFactory
from safepathways.work.models import WorkItem


def _details(**overrides: Any) -> services.ContactDetails:
    data: dict[str, Any] = {
        "referrer_type": "hospital",
        "channel": "web_form",
        "reason": "Ready for discharge; lives alone and struggles with stairs",
        "urgency": "soon",
        "consent": "yes",
        "persons_wishes": "Go home with some help",
        "given_name": "Mary",
        "family_name": "Smith",
    }
    data.update(overrides)
    return services.ContactDetails(**data)


@pytest.fixture
def hospital_contact(partner: Persona) -> Contact:
    """A contact the hospital partner's organisation made: unidentified, awaiting triage."""
    return services.take_contact(by=partner.user, details=_details())


@pytest.fixture
def pair(db: None) -> tuple[Person, Person]:
    born = date(1938, 6, 1)
    first: Person = PersonFactory.create(
        given_name="Joan", family_name="Oduya", date_of_birth=born, nhs_number=None, postcode="NW1 2AB"
    )
    second: Person = PersonFactory.create(
        given_name="Joan", family_name="Oduya", date_of_birth=born, nhs_number=None, postcode="NW1 2AB"
    )
    return first, second


@pytest.fixture
def merge_record(pair: tuple[Person, Person], team_manager: Persona) -> MergeRecord:
    return merge.merge_people(keep=pair[0], remove=pair[1], by=team_manager.user, reason="Same person")


def _form(**overrides: Any) -> dict[str, Any]:
    now = timezone.localtime() - timedelta(minutes=5)
    data: dict[str, Any] = {
        "referrer_type": "gp",
        "referrer_name": "Dr Asha Rao",
        "channel": "phone",
        "received_on_day": now.day,
        "received_on_month": now.month,
        "received_on_year": now.year,
        "received_time": f"{now:%H:%M}",
        "reason": "Two falls this month",
        "persons_wishes": "Stay at home",
        "urgency": "soon",
        "has_immediate_risk": "no",
        "consent": "yes",
        "action": "save",
    }
    data.update(overrides)
    return data


@dataclass(frozen=True)
class View:
    name: str
    method: str
    args: Callable[[Contact, MergeRecord | None], list[Any]]
    data: Callable[[Contact], dict[str, Any]] | None = None
    writes: bool = False
    query: str = ""


def _no_args(contact: Contact, record: MergeRecord | None) -> list[Any]:
    return []


def _contact_args(contact: Contact, record: MergeRecord | None) -> list[Any]:
    return [contact.pk]


VIEWS = [
    View("referrals:awaiting", "get", _no_args),
    View("referrals:my_referrals", "get", _no_args),
    View("referrals:create", "get", _no_args),
    View("referrals:create", "post", _no_args, lambda c: _form(), writes=True),
    View("referrals:detail", "get", _contact_args),
    View("referrals:link", "post", _contact_args, lambda c: {"match": "new"}, writes=True),
    View(
        "referrals:triage",
        "post",
        _contact_args,
        lambda c: {"route": "information_and_advice", "reason": "Advice", "advice_given": "Leaflet"},
        writes=True,
    ),
    View("referrals:close", "post", _contact_args, lambda c: {"reason": "Withdrawn"}, writes=True),
    View("referrals:duplicates", "get", _no_args),
    View("referrals:merge", "get", _no_args, query="pair"),
    View("referrals:merge", "post", _no_args, lambda c: {"keep": "first", "reason": "Same"}, writes=True, query="pair"),
    View("referrals:unmerge", "post", lambda c, r: [r.pk if r else c.pk], lambda c: {}, writes=True),
]
IDS = [f"{v.name}-{v.method}" for v in VIEWS]


def _call(client: Client, view: View, contact: Contact, record: MergeRecord | None, pair: tuple[Person, Person]) -> Any:
    url = reverse(view.name, args=view.args(contact, record))
    if view.query:
        url += f"?first={pair[0].pk}&second={pair[1].pk}"
    data = view.data(contact) if view.data else {}
    if data.get("keep") == "first":
        data["keep"] = str(pair[0].pk)
    return client.post(url, data) if view.method == "post" else client.get(url)


def _state() -> tuple[int, int, int, int, int]:
    return (
        AuditEvent.objects.count(),
        AccessEvent.objects.count(),
        ContactStatus.objects.count(),
        Contact.objects.count(),
        Person.objects.filter(merged_into__isnull=False).count(),
    )


@pytest.mark.parametrize("view", VIEWS, ids=IDS)
def test_anonymous_is_sent_to_sign_in(
    anonymous: Client, hospital_contact: Contact, merge_record: MergeRecord, pair: tuple[Person, Person], view: View
) -> None:
    before = _state()
    response = _call(anonymous, view, hospital_contact, merge_record, pair)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign_in"))
    assert _state() == before


@pytest.mark.parametrize("view", VIEWS, ids=IDS)
def test_partner_of_another_organisation_sees_nothing_and_changes_nothing(
    police_partner: Persona,
    hospital_contact: Contact,
    merge_record: MergeRecord,
    pair: tuple[Person, Person],
    view: View,
) -> None:
    before = _state()
    response = _call(police_partner.http, view, hospital_contact, merge_record, pair)
    if view.name == "referrals:detail":
        assert response.status_code == 404  # another organisation's contact does not exist for them
    elif view.name in {"referrals:my_referrals", "referrals:create"}:
        assert response.status_code in (200, 302)  # their own list and their own referrals
        assert escape(hospital_contact.reference) not in response.content.decode()
        return
    else:
        assert response.status_code == 403  # roles are checked before scope: partners never triage or merge
    assert _state() == before


def test_partner_posting_to_another_organisations_contact_gets_404(
    police_partner: Persona, partner: Persona, hospital_contact: Contact
) -> None:
    assert police_partner.http.get(reverse("referrals:detail", args=[hospital_contact.pk])).status_code == 404
    assert partner.http.get(reverse("referrals:detail", args=[hospital_contact.pk])).status_code == 200


READS = {"referrals:awaiting", "referrals:detail"}


@pytest.mark.parametrize("view", VIEWS, ids=IDS)
def test_director_reads_but_cannot_write(
    director: Persona, hospital_contact: Contact, merge_record: MergeRecord, pair: tuple[Person, Person], view: View
) -> None:
    before = _state()
    response = _call(director.http, view, hospital_contact, merge_record, pair)
    if view.name in READS:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert _state() == before


@pytest.fixture
def permitted(officer: Persona, partner: Persona, team_manager: Persona, administrator: Persona) -> dict[str, Persona]:
    """Who may use each page: officers work contacts, partners follow theirs, managers merge, admins undo."""
    return {
        "referrals:awaiting": officer,
        "referrals:my_referrals": partner,
        "referrals:create": officer,
        "referrals:detail": officer,
        "referrals:link": officer,
        "referrals:triage": officer,
        "referrals:close": officer,
        "referrals:duplicates": team_manager,
        "referrals:merge": team_manager,
        "referrals:unmerge": administrator,
    }


@pytest.mark.parametrize("view", VIEWS, ids=IDS)
def test_permitted_user_succeeds(
    permitted: dict[str, Persona],
    hospital_contact: Contact,
    merge_record: MergeRecord,
    pair: tuple[Person, Person],
    mary: Person,
    view: View,
) -> None:
    persona = permitted[view.name]
    if view.name == "referrals:close":  # only a triaged contact is closed this way
        services.link_contact_to_person(contact=hospital_contact, person=mary, by=persona.user)
        services.triage_contact(
            contact=hospital_contact, by=persona.user, route="review", reason="x", likelihood=1, impact=1
        )
    if view.name == "referrals:merge":  # the pair must be separate records to merge them
        merge.unmerge(merge_record=merge_record, by=permitted["referrals:unmerge"].user)
    before = _state()
    response = _call(persona.http, view, hospital_contact, merge_record, pair)
    if view.method == "get":
        assert response.status_code == 200
    else:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert _state() != before


# Taking a contact -------------------------------------------------------------------------------


def test_check_for_existing_records_offers_the_likely_people_and_saves_nothing(officer: Persona, mary: Person) -> None:
    data = _form(action="check", reason="", given_name="Mary", family_name="Smyth", postcode="nw5 1ab")
    response = officer.http.post(reverse("referrals:create"), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert f"This is the person: Mary Smith ({mary.reference})" in body
    assert "similar name" in body and "same postcode" in body
    assert "None of these – create a new record" in body
    assert "Keep as unidentified for now" in body
    assert "Enter why they are getting in touch" not in body  # only the identity is checked at this step
    assert not Contact.objects.exists()


def test_check_reports_a_bad_nhs_number(officer: Persona) -> None:
    body = officer.http.post(reverse("referrals:create"), _form(action="check", nhs_number="9990000019")).content
    assert "correct check digit" in body.decode()


def test_saving_with_likely_matches_asks_for_a_choice(officer: Persona, mary: Person) -> None:
    body = officer.http.post(
        reverse("referrals:create"), _form(given_name="Mary", family_name="Smith", nhs_number=MARY_NHS_NUMBER)
    ).content.decode()
    assert "Check whether this is one of the people listed" in body
    assert not Contact.objects.exists()


def test_choosing_the_person_links_the_contact(officer: Persona, mary: Person) -> None:
    response = officer.http.post(
        reverse("referrals:create"), _form(given_name="Mary", family_name="Smith", match=str(mary.pk))
    )
    contact = Contact.objects.get()
    assert response["Location"] == reverse("referrals:detail", args=[contact.pk])
    assert contact.person == mary


def test_choosing_none_of_these_creates_a_new_record(officer: Persona, mary: Person) -> None:
    officer.http.post(reverse("referrals:create"), _form(given_name="Mary", family_name="Smith", match="new"))
    contact = Contact.objects.get()
    assert contact.person is not None and contact.person != mary


def test_keeping_it_unidentified(officer: Persona, mary: Person) -> None:
    officer.http.post(reverse("referrals:create"), _form(given_name="Mary", family_name="Smith", match="unidentified"))
    assert Contact.objects.get().person is None


def test_a_contact_with_no_identity_is_saved_unidentified(officer: Persona) -> None:
    officer.http.post(reverse("referrals:create"), _form())
    contact = Contact.objects.get()
    assert contact.person is None and contact.status == ContactStatusName.RECEIVED


def test_the_form_names_each_missing_field(officer: Persona) -> None:
    body = officer.http.post(
        reverse("referrals:create"), _form(reason="", urgency="", has_immediate_risk="yes", received_time="25:99")
    ).content.decode()
    assert "There is a problem" in body
    for message in ("Enter why they are getting in touch", "Select how urgent it is", "Describe the immediate risk"):
        assert message in body
    assert "Enter the time like 9:30 or 14:05" in body
    assert not Contact.objects.exists()


def test_a_partner_refers_without_seeing_council_records(partner: Persona, mary: Person) -> None:
    page = partner.http.get(reverse("referrals:create")).content.decode()
    assert "Check for existing records" not in page
    assert escape(partner.team.organisation.name) in page
    data = _form(given_name="Mary", family_name="Smith", nhs_number=MARY_NHS_NUMBER, action="check", match=str(mary.pk))
    data.pop("channel")
    response = partner.http.post(reverse("referrals:create"), data)
    contact = Contact.objects.get()
    assert response.status_code == 302
    assert (
        contact.person is None and contact.channel == "web_form" and contact.organisation == partner.team.organisation
    )
    body = partner.http.get(response["Location"]).content.decode()
    assert "Awaiting triage" in body and mary.reference not in body


# One contact ------------------------------------------------------------------------------------


def test_the_contact_page_shows_the_story_and_the_likely_people(
    officer: Persona, hospital_contact: Contact, mary: Person
) -> None:
    body = officer.http.get(reverse("referrals:detail", args=[hospital_contact.pk])).content.decode()
    assert "Ready for discharge; lives alone" in body
    assert "Go home with some help" in body
    assert f"This is the person: Mary Smith ({mary.reference})" in body
    assert "Unidentified contact" in body
    assert not AccessEvent.objects.exists()  # nobody's record has been opened yet


def test_linking_then_triaging_opens_work_from_the_story(
    officer: Persona, hospital_contact: Contact, mary: Person, team: Team
) -> None:
    url = reverse("referrals:detail", args=[hospital_contact.pk])
    officer.http.post(reverse("referrals:link", args=[hospital_contact.pk]), {"match": str(mary.pk)})
    officer.http.get(url)
    assert AccessEvent.objects.get().person_id == mary.pk
    response = officer.http.post(
        reverse("referrals:triage", args=[hospital_contact.pk]),
        {
            "route": "social_work_assessment",
            "reason": "Needs a Care Act assessment",
            "likelihood": "3",
            "impact": "4",
            "risk_flags": ["lives-alone"],
        },
    )
    assert response["Location"] == url
    item = WorkItem.objects.get()
    assert (item.person, item.team, item.risk_flags) == (mary, team, ["lives-alone"])
    assert "Go home with some help" in item.story
    body = officer.http.get(url).content.decode()
    assert "Work opened" in body and escape(item.title) in body


def test_linking_by_council_reference(officer: Persona, hospital_contact: Contact) -> None:
    person: Person = PersonFactory.create(given_name="Unrelated", family_name="Name")
    officer.http.post(reverse("referrals:link", args=[hospital_contact.pk]), {"reference": person.reference.lower()})
    hospital_contact.refresh_from_db()
    assert hospital_contact.person == person
    missing = officer.http.post(reverse("referrals:link", args=[hospital_contact.pk]), {"reference": "SP0000000"})
    assert "No current record matches" in missing.content.decode()


def test_routing_an_unidentified_contact_explains_why_not(officer: Persona, hospital_contact: Contact) -> None:
    body = officer.http.post(
        reverse("referrals:triage", args=[hospital_contact.pk]),
        {"route": "ot_assessment", "reason": "Stairs", "likelihood": "2", "impact": "2"},
    ).content.decode()
    assert "There is a problem" in body
    assert "Link the contact to a person before sending it for occupational therapy assessment" in body
    assert not WorkItem.objects.exists()


def test_a_partner_follows_their_referral_without_the_councils_reasons(
    officer: Persona, partner: Persona, hospital_contact: Contact, mary: Person, team: Team
) -> None:
    services.link_contact_to_person(contact=hospital_contact, person=mary, by=officer.user)
    services.triage_contact(
        contact=hospital_contact,
        by=officer.user,
        route="social_work_assessment",
        reason="Confidential family history",
        likelihood=2,
        impact=2,
    )
    body = partner.http.get(reverse("referrals:detail", args=[hospital_contact.pk])).content.decode()
    assert "Triaged" in body and escape(team.name) in body
    assert "Confidential family history" not in body and mary.reference not in body
    listing = partner.http.get(reverse("referrals:my_referrals")).content.decode()
    assert hospital_contact.reference in listing


# Lists and their query counts -------------------------------------------------------------------


def test_awaiting_triage_shows_age_due_and_overdue(officer: Persona, mary: Person) -> None:
    overdue = ContactFactory(
        organisation=officer.team.organisation,
        taken_by=officer.user,
        person=mary,
        urgency="urgent",
        screening_due_on=timezone.localdate() - timedelta(days=3),
        received_at=timezone.now() - timedelta(days=5),
    )
    ContactFactory(organisation=officer.team.organisation, taken_by=officer.user, given_name="", family_name="")
    body = officer.http.get(reverse("referrals:awaiting")).content.decode()
    assert "Overdue" in body and "Urgent" in body and "working day" in body
    assert "Unidentified" in body and escape(mary.full_name) in body
    assert body.index(overdue.reference) < body.index("Unidentified")


@pytest.mark.parametrize("rows", [1, 20])
def test_awaiting_triage_query_count_is_constant(
    officer: Persona, rows: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for _ in range(rows):
        ContactFactory(organisation=officer.team.organisation, taken_by=officer.user, person=PersonFactory())
    # session, user, memberships, count, page (with person and organisation), session save (3)
    with django_assert_num_queries(8):
        response = officer.http.get(reverse("referrals:awaiting"))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 20])
def test_my_referrals_query_count_is_constant(
    partner: Persona, rows: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for _ in range(rows):
        ContactFactory(organisation=partner.team.organisation, taken_by=partner.user)
    # session, user, memberships, count, page, statuses, routes, session save (3)
    with django_assert_num_queries(10):
        response = partner.http.get(reverse("referrals:my_referrals"))
    assert response.status_code == 200


@pytest.mark.parametrize("pairs", [1, 20])
def test_duplicates_query_count_is_constant(
    team_manager: Persona, pairs: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for n in range(pairs):
        for _ in range(2):
            PersonFactory(
                given_name="Joan",
                family_name=f"Oduya{'x' * n}",
                date_of_birth=date(1940, 1, 1 + n),
                nhs_number=None,
                postcode="NW1 2AB",
            )
    # session, user, memberships, 3 × (GROUP BY + read), recent merges, session save (3)
    with django_assert_num_queries(13):
        response = team_manager.http.get(reverse("referrals:duplicates"))
    assert response.content.decode().count("Compare and merge") == pairs


# Duplicates ---------------------------------------------------------------------------------------


def test_merge_then_undo_from_the_duplicates_page(
    team_manager: Persona, administrator: Persona, pair: tuple[Person, Person]
) -> None:
    listing = team_manager.http.get(reverse("referrals:duplicates")).content.decode()
    assert "same name and same date of birth" in listing
    url = reverse("referrals:merge") + f"?first={pair[0].pk}&second={pair[1].pk}"
    page = team_manager.http.get(url).content.decode()
    assert f"Keep {pair[0].reference}" in page and f"Keep {pair[1].reference}" in page
    missing = team_manager.http.post(url, {"keep": str(pair[1].pk), "reason": ""}).content.decode()
    assert "Enter why these records are the same person" in missing
    team_manager.http.post(url, {"keep": str(pair[1].pk), "reason": "Same person, confirmed with GP"})
    record = MergeRecord.objects.get()
    assert (record.kept, record.removed) == (pair[1], pair[0])
    assert "Undo merge" not in team_manager.http.get(reverse("referrals:duplicates")).content.decode()
    assert "Undo merge" in administrator.http.get(reverse("referrals:duplicates")).content.decode()
    administrator.http.post(reverse("referrals:unmerge", args=[record.pk]))
    record.refresh_from_db()
    assert record.unmerged_at is not None
    again = administrator.http.post(reverse("referrals:unmerge", args=[record.pk]), follow=True)
    assert "already been undone" in again.content.decode()


def test_merge_page_for_missing_or_merged_records_is_404(
    team_manager: Persona, merge_record: MergeRecord, pair: tuple[Person, Person]
) -> None:
    url = reverse("referrals:merge") + f"?first={pair[0].pk}&second={pair[1].pk}"
    assert team_manager.http.get(url).status_code == 404
    assert team_manager.http.get(reverse("referrals:merge") + "?first=nonsense").status_code == 404
