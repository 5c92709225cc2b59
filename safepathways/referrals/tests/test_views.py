from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from markupsafe import escape
from pytest_django import DjangoAssertNumQueries

from safepathways.accounts.models import Role, Team
from safepathways.audit.models import AccessEvent, AuditEvent
from safepathways.conftest import Persona
from safepathways.core.formatting import format_date
from safepathways.people import merge
from safepathways.people.models import MergeRecord, Person
from safepathways.people.tests.factories import PersonFactory
from safepathways.referrals import services
from safepathways.referrals.models import Contact, ContactRevision, ContactStatus, ContactStatusName, NotDuplicate
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


@pytest.fixture
def decision(team_manager: Persona) -> NotDuplicate:
    """Two other look-alike records, already recorded as different people."""
    born = date(1950, 2, 2)
    one, two = (
        PersonFactory.create(given_name="Ada", family_name="Lee", date_of_birth=born, nhs_number=None) for _ in range(2)
    )
    return services.dismiss_duplicate(first=one, second=two, by=team_manager.user, reason="Twins")


@dataclass(frozen=True)
class Subjects:
    """What the pages of the access matrix act on."""

    contact: Contact
    record: MergeRecord
    pair: tuple[Person, Person]
    decision: NotDuplicate


@dataclass(frozen=True)
class View:
    name: str
    method: str
    args: Callable[[Subjects], list[Any]]
    data: Callable[[Contact], dict[str, Any]] | None = None
    writes: bool = False
    query: str = ""


@pytest.fixture
def subjects(
    hospital_contact: Contact, merge_record: MergeRecord, pair: tuple[Person, Person], decision: NotDuplicate
) -> Subjects:
    return Subjects(contact=hospital_contact, record=merge_record, pair=pair, decision=decision)


def _no_args(subjects: Subjects) -> list[Any]:
    return []


def _contact_args(subjects: Subjects) -> list[Any]:
    return [subjects.contact.pk]


def _edit_form(**overrides: Any) -> dict[str, Any]:
    data = _form(**({"why": "The GP rang back with more detail"} | overrides))
    del data["action"]
    return data


VIEWS = [
    View("referrals:awaiting", "get", _no_args),
    View("referrals:my_referrals", "get", _no_args),
    View("referrals:create", "get", _no_args),
    View("referrals:create", "post", _no_args, lambda c: _form(), writes=True),
    View("referrals:detail", "get", _contact_args),
    View("referrals:edit", "get", _contact_args),
    View("referrals:edit", "post", _contact_args, lambda c: _edit_form(), writes=True),
    View("referrals:link", "post", _contact_args, lambda c: {"match": "new"}, writes=True),
    View(
        "referrals:triage",
        "post",
        _contact_args,
        lambda c: {"routes": ["information_and_advice"], "reason": "Advice", "advice_given": "Leaflet"},
        writes=True,
    ),
    View("referrals:close", "post", _contact_args, lambda c: {"reason": "Withdrawn"}, writes=True),
    View("referrals:duplicates", "get", _no_args),
    View("referrals:merge", "get", _no_args, query="pair"),
    View("referrals:merge", "post", _no_args, lambda c: {"keep": "first", "reason": "Same"}, writes=True, query="pair"),
    View("referrals:dismiss", "get", _no_args, query="pair"),
    View("referrals:dismiss", "post", _no_args, lambda c: {"reason": "Twins"}, writes=True, query="pair"),
    View("referrals:undo_dismissal", "post", lambda s: [s.decision.pk], lambda c: {}, writes=True),
    View("referrals:unmerge", "post", lambda s: [s.record.pk], lambda c: {}, writes=True),
]
IDS = [f"{v.name}-{v.method}" for v in VIEWS]


def _call(client: Client, view: View, subjects: Subjects) -> Any:
    url = reverse(view.name, args=view.args(subjects))
    if view.query:
        url += f"?first={subjects.pair[0].pk}&second={subjects.pair[1].pk}"
    data = view.data(subjects.contact) if view.data else {}
    if data.get("keep") == "first":
        data["keep"] = str(subjects.pair[0].pk)
    return client.post(url, data) if view.method == "post" else client.get(url)


def _state() -> tuple[int, ...]:
    return (
        AuditEvent.objects.count(),
        AccessEvent.objects.count(),
        ContactStatus.objects.count(),
        Contact.objects.count(),
        Person.objects.filter(merged_into__isnull=False).count(),
        ContactRevision.objects.count(),
        NotDuplicate.objects.count(),
        NotDuplicate.objects.active().count(),
    )


@pytest.mark.parametrize("view", VIEWS, ids=IDS)
def test_anonymous_is_sent_to_sign_in(anonymous: Client, subjects: Subjects, view: View) -> None:
    before = _state()
    response = _call(anonymous, view, subjects)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign_in"))
    assert _state() == before


@pytest.mark.parametrize("view", VIEWS, ids=IDS)
def test_partner_of_another_organisation_sees_nothing_and_changes_nothing(
    police_partner: Persona, subjects: Subjects, view: View
) -> None:
    before = _state()
    response = _call(police_partner.http, view, subjects)
    if view.name in {"referrals:detail", "referrals:edit"}:
        assert response.status_code == 404  # another organisation's contact does not exist for them
    elif view.name in {"referrals:my_referrals", "referrals:create"}:
        assert response.status_code in (200, 302)  # their own list and their own referrals
        assert escape(subjects.contact.reference) not in response.content.decode()
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
def test_director_reads_and_takes_contacts_but_cannot_otherwise_write(
    director: Persona, subjects: Subjects, view: View
) -> None:
    """Any council staff member may take a contact; linking, triage, correction and merging are for others."""
    before = _state()
    response = _call(director.http, view, subjects)
    if view.name in READS or (view.name == "referrals:create" and view.method == "get"):
        assert response.status_code == 200
    elif view.name == "referrals:create":
        assert response.status_code == 302
        assert Contact.objects.get(taken_by=director.user).person is None  # unidentified, for the front door
    else:
        assert response.status_code == 403
        assert _state() == before


@pytest.fixture(params=["director", "administrator", "ig_officer", "panel_member"])
def non_linking_staff(request: pytest.FixtureRequest, make_persona: Callable[..., Persona], team: Team) -> Persona:
    """Council staff who may take a contact but not link it to a person's record."""
    if request.param == "panel_member":
        return make_persona(team, Role.PANEL_MEMBER, name="Pat Panel")
    persona: Persona = request.getfixturevalue(request.param)
    return persona


def test_any_council_staff_member_takes_a_contact_without_being_asked_who_it_is(
    non_linking_staff: Persona, mary: Person
) -> None:
    url = reverse("referrals:create")
    page = non_linking_staff.http.get(url).content.decode()
    assert "Take a contact" in page and 'name="reason"' in page
    assert "Is this someone already known?" not in page and 'name="match"' not in page
    assert "Check for existing records" not in page and "data-live-matches" not in page
    assert "The front door will check whether this is someone already known" in page
    # A choice of record sent anyway is not theirs to make: the contact is saved unidentified.
    data = _form(given_name="Mary", family_name="Smith", nhs_number=MARY_NHS_NUMBER, match=str(mary.pk))
    response = non_linking_staff.http.post(url, data)
    contact = Contact.objects.get()
    assert response["Location"] == reverse("referrals:detail", args=[contact.pk])
    assert contact.person is None and contact.taken_by == non_linking_staff.user
    detail = non_linking_staff.http.get(response["Location"]).content.decode()
    assert "Unidentified contact" in detail and mary.reference not in detail  # no likely matches offered either


@pytest.fixture
def permitted(officer: Persona, partner: Persona, team_manager: Persona, administrator: Persona) -> dict[str, Persona]:
    """Who may use each page: officers work contacts, partners follow theirs, managers merge, admins undo."""
    return {
        "referrals:awaiting": officer,
        "referrals:my_referrals": partner,
        "referrals:create": officer,
        "referrals:detail": officer,
        "referrals:edit": officer,
        "referrals:link": officer,
        "referrals:triage": officer,
        "referrals:close": officer,
        "referrals:duplicates": team_manager,
        "referrals:merge": team_manager,
        "referrals:dismiss": team_manager,
        "referrals:undo_dismissal": team_manager,
        "referrals:unmerge": administrator,
    }


@pytest.mark.parametrize("view", VIEWS, ids=IDS)
def test_permitted_user_succeeds(permitted: dict[str, Persona], subjects: Subjects, mary: Person, view: View) -> None:
    persona = permitted[view.name]
    if view.name == "referrals:close":  # only a triaged contact is closed this way
        services.link_contact_to_person(contact=subjects.contact, person=mary, by=persona.user)
        services.triage_contact(
            contact=subjects.contact, by=persona.user, route="review", reason="x", likelihood=1, impact=1
        )
    if view.name in {"referrals:merge", "referrals:dismiss"}:  # the pair must be separate records
        merge.unmerge(merge_record=subjects.record, by=permitted["referrals:unmerge"].user)
    before = _state()
    response = _call(persona.http, view, subjects)
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


def test_a_background_check_answers_with_the_matches_only(officer: Persona, mary: Person) -> None:
    """static/js/app.js posts the form as the check button does, marked HX-Request, while the officer types."""
    data = _form(action="check", reason="", given_name="Mary", family_name="Smyth", postcode="nw5 1ab")
    response = officer.http.post(reverse("referrals:create"), data, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and 'id="matches"' in body
    assert f"This is the person: Mary Smith ({mary.reference})" in body
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
            "routes": ["social_work_assessment"],
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
        {"routes": ["ot_assessment"], "reason": "Stairs", "likelihood": "2", "impact": "2"},
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
    # session, user with memberships, count, page (with person and organisation)
    with django_assert_num_queries(4):
        response = officer.http.get(reverse("referrals:awaiting"))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 20])
def test_contacts_awaiting_triage_download_whole_and_each_person_is_logged(
    officer: Persona, partner: Persona, rows: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    from safepathways.audit.models import AccessEvent, AccessKind

    contacts: list[Contact] = [
        ContactFactory.create(organisation=officer.team.organisation, taken_by=officer.user, person=PersonFactory())
        for _ in range(rows)
    ]
    url = reverse("referrals:awaiting")
    assert partner.http.get(url, {"format": "csv"}).status_code == 403
    # session, user with memberships, the contacts (with person), the access-log insert
    with django_assert_num_queries(4):
        response = officer.http.get(url, {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("Contact,Received,Referred by,How,Person,Council reference,Urgency")
    assert len(lines) == rows + 1
    assert all(any(c.reference in line for line in lines) for c in contacts)
    logged = AccessEvent.objects.filter(user=officer.user, kind=AccessKind.EXPORT)
    assert {e.person_id for e in logged} == {c.person_id for c in contacts}
    xlsx = officer.http.get(url, {"format": "xlsx"})
    assert xlsx.status_code == 200 and "spreadsheetml" in xlsx["Content-Type"]


@pytest.mark.parametrize("rows", [1, 20])
def test_my_referrals_query_count_is_constant(
    partner: Persona, rows: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for _ in range(rows):
        ContactFactory(organisation=partner.team.organisation, taken_by=partner.user)
    # session, user with memberships, count, page, statuses, routes
    with django_assert_num_queries(6):
        response = partner.http.get(reverse("referrals:my_referrals"))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 20])
def test_a_partner_downloads_its_own_referrals_only(
    partner: Persona, officer: Persona, rows: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    ours = [ContactFactory.create(organisation=partner.team.organisation, taken_by=partner.user) for _ in range(rows)]
    theirs = ContactFactory.create(organisation=officer.team.organisation, taken_by=officer.user)
    # session, user with memberships, the referrals, statuses, routes
    with django_assert_num_queries(5):
        response = partner.http.get(reverse("referrals:my_referrals"), {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8-sig")
    assert body.splitlines()[0] == "Reference,About,Received,Status,Last update"
    assert all(c.reference in body for c in ours) and theirs.reference not in body
    assert officer.http.get(reverse("referrals:my_referrals"), {"format": "csv"}).status_code == 403


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
    # session, user with memberships, pairs recorded as different people, 3 × (GROUP BY + read), recent merges,
    # recent 'different people' decisions
    with django_assert_num_queries(11):
        response = team_manager.http.get(reverse("referrals:duplicates"))
    assert response.content.decode().count("Compare and merge") == pairs


def _duplicate_pairs(count: int) -> list[tuple[Person, Person]]:
    """`count` likely pairs, each born on its own day and with no postcode, so no pair links to another."""
    pairs = []
    for n in range(count):
        born = date(1930, 1, 1) + timedelta(days=40 * n)
        pairs.append(
            (
                PersonFactory.create(
                    given_name="Joan", family_name="Oduya", date_of_birth=born, nhs_number=None, postcode=""
                ),
                PersonFactory.create(
                    given_name="Joan", family_name="Oduya", date_of_birth=born, nhs_number=None, postcode=""
                ),
            )
        )
    return pairs


@pytest.mark.parametrize("pairs", [6, 20])
def test_duplicates_page_two_query_count_is_constant(
    team_manager: Persona,
    pairs: int,
    monkeypatch: pytest.MonkeyPatch,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    from safepathways.referrals import views

    monkeypatch.setattr(views, "DUPLICATE_PAGE_SIZE", 5)
    _duplicate_pairs(pairs)
    # session, user with memberships, pairs recorded as different people, 3 × GROUP BY, one read (the records have
    # no postcode, so only the first blocking key has shared blocks), recent merges, recent 'different people'
    # decisions: the page is a slice of pairs already ranked, so page 2 costs what page 1 does
    with django_assert_num_queries(9):
        response = team_manager.http.get(reverse("referrals:duplicates"), {"page": 2})
    body = response.content.decode()
    assert body.count("Compare and merge") == min(5, pairs - 5)
    assert f"{pairs} possible duplicate pairs, page 2 of {-(-pairs // 5)}" in body


def test_the_duplicates_screen_pages_every_pair_found_fifty_a_page(team_manager: Persona) -> None:
    pairs = _duplicate_pairs(51)
    url = reverse("referrals:duplicates")
    first = team_manager.http.get(url).content.decode()
    assert "51 possible duplicate pairs, page 1 of 2" in first and first.count("Compare and merge") == 50
    assert "govuk-pagination" in first and 'href="?page=2"' in first
    assert "Download all 51 pairs" in first
    second = team_manager.http.get(url, {"page": 2}).content.decode()
    assert "51 possible duplicate pairs, page 2 of 2" in second and second.count("Compare and merge") == 1
    assert 'href="?page=1"' in second
    shown = {
        ref
        for body in (first, second)
        for one, other in pairs
        for ref in (one.reference, other.reference)
        if ref in body
    }
    assert len(shown) == 102
    # Past the end is the last page, as on the other lists.
    assert "page 2 of 2" in team_manager.http.get(url, {"page": 9}).content.decode()
    assert "The search was limited" not in first


def test_the_possible_duplicates_download_has_every_pair_not_one_page(team_manager: Persona) -> None:
    pairs = _duplicate_pairs(51)
    response = team_manager.http.get(reverse("referrals:duplicates"), {"format": "csv", "page": 1})
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 52
    body = "\n".join(lines)
    assert all(one.reference in body and other.reference in body for one, other in pairs)
    logged = AccessEvent.objects.filter(user=team_manager.user, kind="export")
    assert {e.person_id for e in logged} == {person.pk for pair in pairs for person in pair}


def test_the_duplicates_screen_says_when_the_search_was_limited(
    team_manager: Persona, monkeypatch: pytest.MonkeyPatch
) -> None:
    from safepathways.referrals import matching

    monkeypatch.setattr(matching, "DUPLICATE_GROUP_LIMIT", 1)
    _duplicate_pairs(2)
    body = team_manager.http.get(reverse("referrals:duplicates")).content.decode()
    assert "The search was limited, so some pairs may be missing" in body
    assert "more than 1 groups of records sharing" in body
    assert str(escape("the same date of birth and a similar last name")) in body
    assert "To narrow it, work through the pairs listed" in body
    assert "1 possible duplicate pair<" in body


# Duplicates ---------------------------------------------------------------------------------------


def test_the_possible_duplicates_download_and_each_record_in_them_is_logged(
    team_manager: Persona, officer: Persona, pair: tuple[Person, Person]
) -> None:
    from safepathways.audit.models import AccessEvent, AccessKind

    url = reverse("referrals:duplicates")
    assert officer.http.get(url, {"format": "csv"}).status_code == 403
    response = team_manager.http.get(url, {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("First reference,First name,First born,First postcode,Second reference")
    assert len(lines) == 2 and pair[0].reference in lines[1] and pair[1].reference in lines[1]
    logged = AccessEvent.objects.filter(user=team_manager.user, kind=AccessKind.EXPORT)
    assert {e.person_id for e in logged} == {pair[0].pk, pair[1].pk}


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


# Several routes from one triage -------------------------------------------------------------------


def test_ticking_several_routes_opens_work_for_each(
    officer: Persona, social_worker: Persona, hospital_contact: Contact, mary: Person, team: Team, ot_team: Team
) -> None:
    services.link_contact_to_person(contact=hospital_contact, person=mary, by=officer.user)
    url = reverse("referrals:detail", args=[hospital_contact.pk])
    page = officer.http.get(url).content.decode()
    assert 'type="checkbox"' in page and 'name="routes"' in page
    response = officer.http.post(
        reverse("referrals:triage", args=[hospital_contact.pk]),
        {
            "routes": ["ot_assessment", "carers_assessment"],
            "reason": "Stairs, and her daughter is exhausted",
            "likelihood": "3",
            "impact": "3",
        },
    )
    assert response["Location"] == url
    items = list(WorkItem.objects.order_by("kind"))
    assert [(i.kind, i.team, i.priority) for i in items] == [
        ("carers_assessment", team, "amber"),
        ("ot_assessment", ot_team, "amber"),
    ]
    body = officer.http.get(url).content.decode()
    assert "Occupational therapy assessment, Carer&#39;s assessment" in body
    for item in items:
        assert str(escape(item.title)) in body
    # The neighbourhood team now works with Mary (the carer's assessment), so its social worker reads her timeline.
    timeline = social_worker.http.get(reverse("people:detail", args=[mary.pk])).content.decode()
    assert "Front-door contact triaged: occupational therapy assessment for OT duty; carer&#39;s assessment" in timeline


def test_a_route_without_a_team_among_several_is_shown_against_the_routes_and_nothing_opens(
    officer: Persona, hospital_contact: Contact, mary: Person, ot_team: Team
) -> None:
    services.link_contact_to_person(contact=hospital_contact, person=mary, by=officer.user)
    body = officer.http.post(
        reverse("referrals:triage", args=[hospital_contact.pk]),
        {"routes": ["ot_assessment", "dols"], "reason": "x", "likelihood": "2", "impact": "2"},
    ).content.decode()
    assert "There is a problem" in body and 'href="#id_routes"' in body
    assert "No team is set up to take dols request" in body
    assert not WorkItem.objects.exists()


# Work of the same kind already open -----------------------------------------------------------------


def _triage_to_ot(officer: Persona, contact: Contact, **extra: Any) -> Any:
    data = {"routes": ["ot_assessment"], "reason": "Stairs again", "likelihood": "3", "impact": "3"} | extra
    return officer.http.post(reverse("referrals:triage", args=[contact.pk]), data)


def test_the_triage_page_shows_the_persons_open_work_and_refuses_a_second_entry_of_its_kind(
    officer: Persona, mary: Person, ot_team: Team
) -> None:
    first = services.take_contact(by=officer.user, details=_details(), person=mary)
    services.triage_contact(
        contact=first, by=officer.user, routes=["ot_assessment"], reason="x", likelihood=4, impact=4
    )
    existing = WorkItem.objects.get()
    second = services.take_contact(by=officer.user, details=_details(reason="Fell again"), person=mary)
    page = officer.http.get(reverse("referrals:detail", args=[second.pk])).content.decode()
    table = page[page.index('id="open-work"') : page.index('id="open-work"') + 3000]
    assert f"Open work for {escape(mary.full_name)}" in table
    for shown in ("Occupational therapy assessment", escape(existing.title), escape(ot_team.name), "Red – high risk"):
        assert str(shown) in table
    assert format_date(existing.opened_at) in table
    assert 'name="open_another"' in page

    body = _triage_to_ot(officer, second).content.decode()
    assert "There is a problem" in body and 'href="#id_routes"' in body
    assert f"already has open work of this kind: “{escape(existing.title)}” for {escape(ot_team.name)}" in body
    assert WorkItem.objects.count() == 1
    second.refresh_from_db()
    assert second.status == ContactStatusName.RECEIVED

    response = _triage_to_ot(officer, second, open_another="on", reason="A second, urgent need: a hoist")
    assert response["Location"] == reverse("referrals:detail", args=[second.pk])
    assert WorkItem.objects.filter(person=mary, kind="ot_assessment").count() == 2


def test_a_person_without_open_work_is_said_to_have_none(officer: Persona, mary: Person) -> None:
    contact = services.take_contact(by=officer.user, details=_details(), person=mary)
    page = officer.http.get(reverse("referrals:detail", args=[contact.pk])).content.decode()
    assert f"{escape(mary.full_name)} has no open work." in page
    assert 'name="open_another"' not in page


@pytest.mark.parametrize("rows", [1, 8])
def test_triage_page_query_count_is_constant_as_open_work_grows(
    officer: Persona, mary: Person, ot_team: Team, rows: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for _ in range(rows):
        earlier = services.take_contact(by=officer.user, details=_details(), person=mary)
        services.triage_contact(
            contact=earlier,
            by=officer.user,
            routes=["ot_assessment"],
            reason="x",
            likelihood=2,
            impact=2,
            open_another=True,
        )
    contact = services.take_contact(by=officer.user, details=_details(), person=mary)
    # session, user with memberships, contact (person, neighbourhood, organisation, taken by, triaged by), statuses,
    # routes, revisions, access event; likely matches (one block: the name given); the triage form's routes, risk
    # flags and teams; and the person's open work with its team: 12. The open work is the one query this page gained
    # (selectors.open_work_of), one however much work the person has open.
    with django_assert_num_queries(12):
        response = officer.http.get(reverse("referrals:detail", args=[contact.pk]))
    assert response.content.decode().count("(front door FD") == rows


# Correcting a contact -------------------------------------------------------------------------------


def test_the_edit_page_shows_the_contact_as_it_stands(officer: Persona, hospital_contact: Contact) -> None:
    body = officer.http.get(reverse("referrals:edit", args=[hospital_contact.pk])).content.decode()
    assert "Change the details" in body
    assert "Ready for discharge; lives alone and struggles with stairs" in body
    assert 'value="Mary"' in body and 'name="why"' in body and 'name="match"' not in body
    received = timezone.localtime(hospital_contact.received_at)
    assert f'value="{received:%H:%M}"' in body


def test_correcting_a_contact_keeps_the_history_and_asks_to_check_the_matches(
    officer: Persona, hospital_contact: Contact, mary: Person
) -> None:
    received = timezone.localtime(hospital_contact.received_at)
    data = _edit_form(
        referrer_type="hospital",
        channel="web_form",
        received_on_day=received.day,
        received_on_month=received.month,
        received_on_year=received.year,
        received_time=f"{received:%H:%M}",
        reason=hospital_contact.reason,
        persons_wishes=hospital_contact.persons_wishes,
        referrer_name="",
        urgency="urgent",
        given_name="Mary",
        family_name="Smith",
        nhs_number=MARY_NHS_NUMBER,
        why="Ward rang: she is being discharged today",
    )
    response = officer.http.post(reverse("referrals:edit", args=[hospital_contact.pk]), data)
    assert response["Location"] == reverse("referrals:detail", args=[hospital_contact.pk]) + "#person"
    hospital_contact.refresh_from_db()
    assert hospital_contact.urgency == "urgent" and hospital_contact.nhs_number == MARY_NHS_NUMBER
    revision = ContactRevision.objects.get()
    assert set(revision.changes) == {"urgency", "nhs_number", "screening_due_on"}  # the time kept its seconds
    body = officer.http.get(response["Location"]).content.decode()
    assert "check the likely matches" in body and "Triage is now due" in body
    assert f"This is the person: Mary Smith ({mary.reference})" in body
    assert "Changes since it was taken" in body and "Soon – within a few days" in body
    assert "999 777 7719" in body and "Why: Ward rang: she is being discharged today" in body
    assert "by Farah Khan" in body


def test_the_edit_form_names_each_problem(officer: Persona, hospital_contact: Contact) -> None:
    body = officer.http.post(
        reverse("referrals:edit", args=[hospital_contact.pk]), _edit_form(why="", reason="", postcode="nowhere")
    ).content.decode()
    for message in (
        "Enter why you are changing the contact",
        "Enter why they are getting in touch",
        "real UK postcode",
    ):
        assert message in body
    assert not ContactRevision.objects.exists()


def test_unchanged_details_are_not_a_correction(officer: Persona, hospital_contact: Contact) -> None:
    received = timezone.localtime(hospital_contact.received_at)
    data = {
        "referrer_type": "hospital",
        "channel": "web_form",
        "received_on_day": received.day,
        "received_on_month": received.month,
        "received_on_year": received.year,
        "received_time": f"{received:%H:%M}",
        "reason": hospital_contact.reason,
        "persons_wishes": hospital_contact.persons_wishes,
        "urgency": "soon",
        "has_immediate_risk": "no",
        "consent": "yes",
        "given_name": "Mary",
        "family_name": "Smith",
        "why": "Checking",
    }
    body = officer.http.post(reverse("referrals:edit", args=[hospital_contact.pk]), data).content.decode()
    assert "Nothing has changed" in body
    assert not ContactRevision.objects.exists()


def test_a_closed_contact_says_it_can_no_longer_be_changed(officer: Persona, hospital_contact: Contact) -> None:
    services.triage_contact(
        contact=hospital_contact, by=officer.user, route="information_and_advice", reason="x", advice_given="Leaflet"
    )
    detail = reverse("referrals:detail", args=[hospital_contact.pk])
    assert "Change the contact&#39;s details" not in officer.http.get(detail).content.decode()
    url = reverse("referrals:edit", args=[hospital_contact.pk])
    response = officer.http.get(url)
    assert response["Location"] == detail
    body = officer.http.post(url, _edit_form(), follow=True).content.decode()
    assert f"Contact {hospital_contact.reference} is closed, so it can no longer be changed" in body
    assert not ContactRevision.objects.exists()


def test_the_partner_who_referred_can_correct_their_referral(
    partner: Persona, make_persona: Callable[..., Persona], hospital_contact: Contact
) -> None:
    detail = reverse("referrals:detail", args=[hospital_contact.pk])
    assert "Correct the details of this referral" in partner.http.get(detail).content.decode()
    page = partner.http.get(reverse("referrals:edit", args=[hospital_contact.pk])).content.decode()
    assert 'name="channel"' not in page
    data = _edit_form(referrer_type="hospital", urgency="urgent", why="Discharge brought forward")
    data.pop("channel")
    response = partner.http.post(reverse("referrals:edit", args=[hospital_contact.pk]), data)
    assert response["Location"] == detail
    body = partner.http.get(detail).content.decode()
    assert "Changes since it was taken" in body and "Urgent – needs action today" in body
    assert "Discharge brought forward" not in body and "Farah" not in body  # no who or why for partners
    colleague = make_persona(partner.team, "partner", name="Another Nurse")
    assert colleague.http.get(reverse("referrals:edit", args=[hospital_contact.pk])).status_code == 403


@pytest.mark.parametrize("rows", [1, 8])
def test_contact_page_query_count_is_constant(
    officer: Persona,
    mary: Person,
    team: Team,
    ot_team: Team,
    rows: int,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    contact = services.take_contact(by=officer.user, details=_details(), person=mary)
    routes = ["ot_assessment", "carers_assessment", "review"][: min(rows, 3)]
    services.triage_contact(contact=contact, by=officer.user, routes=routes, reason="x", likelihood=2, impact=2)
    for n in range(rows):
        services.update_contact(contact=contact, by=officer.user, changes={"referrer_name": f"Nurse {n}"}, why="x")
    # session, user with memberships, contact (person, neighbourhood, organisation, taken by, triaged by),
    # statuses, routes (work item, team), revisions (by), access event; no triage form (the contact is triaged)
    with django_assert_num_queries(7):
        response = officer.http.get(reverse("referrals:detail", args=[contact.pk]))
    assert response.content.decode().count("Why: x") == rows


def test_a_contact_waiting_for_triage_builds_the_triage_form_and_a_triaged_one_does_not(
    officer: Persona, mary: Person
) -> None:
    contact = services.take_contact(by=officer.user, details=_details(), person=mary)
    waiting = officer.http.get(reverse("referrals:detail", args=[contact.pk]))
    assert 'id="triage"' in waiting.content.decode()
    services.triage_contact(contact=contact, by=officer.user, routes=["review"], reason="x", likelihood=2, impact=2)
    triaged = officer.http.get(reverse("referrals:detail", args=[contact.pk]))
    assert triaged.status_code == 200 and 'id="triage"' not in triaged.content.decode()


def test_edit_page_query_count(
    officer: Persona, hospital_contact: Contact, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    # session, user with memberships, contact, statuses, routes, revisions
    with django_assert_num_queries(6):
        response = officer.http.get(reverse("referrals:edit", args=[hospital_contact.pk]))
    assert response.status_code == 200


# Records that are different people ------------------------------------------------------------


def test_recording_a_pair_as_different_people_then_undoing_it(
    team_manager: Persona, pair: tuple[Person, Person]
) -> None:
    duplicates = reverse("referrals:duplicates")
    url = reverse("referrals:dismiss") + f"?first={pair[0].pk}&second={pair[1].pk}"
    assert "Different people" in team_manager.http.get(duplicates).content.decode()
    page = team_manager.http.get(url).content.decode()
    assert "Record that these are different people" in page and pair[0].reference in page
    missing = team_manager.http.post(url, {"reason": " "}).content.decode()
    assert "Enter why these records are different people" in missing
    response = team_manager.http.post(url, {"reason": "Twin sisters: different NHS numbers on the GP record"})
    assert response["Location"] == duplicates
    listing = team_manager.http.get(duplicates).content.decode()
    assert "No likely duplicates found." in listing
    assert "Twin sisters: different NHS numbers on the GP record" in listing
    for person in pair:
        assert person.chronology.filter(summary__startswith="Not the same person as").exists()
    decision = NotDuplicate.objects.get()
    merging = team_manager.http.post(
        reverse("referrals:merge") + f"?first={pair[0].pk}&second={pair[1].pk}",
        {"keep": str(pair[0].pk), "reason": "Same"},
    ).content.decode()
    assert "undo that decision before merging" in merging
    team_manager.http.post(reverse("referrals:undo_dismissal", args=[decision.pk]))
    listing = team_manager.http.get(duplicates).content.decode()
    assert "Compare and merge" in listing and "Undone by Taylor Green" in listing
    again = team_manager.http.post(reverse("referrals:undo_dismissal", args=[decision.pk]), follow=True)
    assert "already been undone" in again.content.decode()


def test_a_pair_already_recorded_is_refused_with_who_decided(
    team_manager: Persona, pair: tuple[Person, Person]
) -> None:
    services.dismiss_duplicate(first=pair[0], second=pair[1], by=team_manager.user, reason="Twins")
    url = reverse("referrals:dismiss") + f"?second={pair[0].pk}&first={pair[1].pk}"
    body = team_manager.http.post(url, {"reason": "Twins"}).content.decode()
    assert "Taylor Green recorded on" in body and "nothing more to record" in body


def test_undoing_a_decision_that_does_not_exist_is_404(team_manager: Persona, hospital_contact: Contact) -> None:
    assert team_manager.http.post(reverse("referrals:undo_dismissal", args=[hospital_contact.pk])).status_code == 404


@pytest.mark.parametrize("rows", [1, 20])
def test_duplicates_query_count_is_constant_with_decisions(
    team_manager: Persona, rows: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for n in range(rows):
        one, two = (
            PersonFactory(given_name="Ada", family_name=f"Lee{'x' * n}", date_of_birth=date(1950, 1, 1 + n % 28))
            for _ in range(2)
        )
        decision = services.dismiss_duplicate(first=one, second=two, by=team_manager.user, reason=f"Twins {n}")
        if n % 2:
            services.undo_dismissal(decision=decision, by=team_manager.user)
    # session, user with memberships, pairs recorded as different people, 3 × (GROUP BY + read), recent merges,
    # recent decisions (both records, by, undone by)
    with django_assert_num_queries(11):
        response = team_manager.http.get(reverse("referrals:duplicates"))
    body = response.content.decode()
    assert body.count("Twins ") == rows
    assert "<title>Possible duplicate records" in body and "<title>Possible duplicate records\n" not in body


def test_dismiss_page_query_count(
    team_manager: Persona,
    administrator: Persona,
    merge_record: MergeRecord,
    pair: tuple[Person, Person],
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    merge.unmerge(merge_record=merge_record, by=administrator.user)
    url = reverse("referrals:dismiss") + f"?first={pair[0].pk}&second={pair[1].pk}"
    # session, user with memberships, the two records (neighbourhood)
    with django_assert_num_queries(3):
        response = team_manager.http.get(url)
    assert response.status_code == 200
