"""A care home's (managing authority's) own DoLS pages: list, submit, follow, renew. Access matrix and query counts."""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from markupsafe import escape
from pytest_django import DjangoAssertNumQueries

from safepathways.accounts.models import Organisation, OrganisationKind, Role, Team, TeamKind
from safepathways.audit.models import AccessBasis, AccessEvent, AuditEvent
from safepathways.conftest import Persona
from safepathways.core.errors import ApplicationError
from safepathways.dols import services
from safepathways.dols.models import DolsRequest, DolsRequestStatus, RequestType
from safepathways.dols.tests.conftest import assess_all
from safepathways.people.models import Person, Share
from safepathways.people.tests.factories import PersonFactory
from safepathways.providers.models import Location
from safepathways.providers.tests.factories import LocationFactory, ProviderFactory

MakeOwn = Callable[..., DolsRequest]


def _date(name: str, day: date) -> dict[str, Any]:
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


def _share(person: Person, organisation: Organisation, by: Persona) -> Share:
    return Share.objects.create(person=person, organisation=organisation, purpose="DoLS", shared_by=by.user)


@pytest.fixture
def shared_resident(resident: Person, home_org: Organisation, dols_lead: Persona) -> Person:
    """Edna, whose council record is shared with the care provider that runs her home."""
    _share(resident, home_org, dols_lead)
    return resident


@pytest.fixture
def make_own(
    dols_team: object, care_home_partner: Persona, care_home: Location, shared_resident: Person, home_org: Organisation
) -> MakeOwn:
    """A request the care home made itself (as through these pages or the API)."""

    def make(**overrides: Any) -> DolsRequest:
        data: dict[str, Any] = {
            "person": shared_resident,
            "managing_authority": care_home,
            "request_type": RequestType.STANDARD,
            "received_on": timezone.localdate() - timedelta(days=3),
            "purpose": "Locked front door; tries to leave at night",
        }
        data.update(overrides)
        return services.create_request(
            details=services.RequestDetails(**data), by=care_home_partner.user, submitted_by_organisation=home_org
        )

    return make


def _granted(dols_request: DolsRequest, lead: Persona, bia: Persona, ends_in_days: int) -> DolsRequest:
    today = timezone.localdate()
    assess_all(dols_request, lead, bia.user)
    services.sign_off(dols_request=dols_request, signed_off_on=today, by=lead.user)
    services.grant_authorisation(
        dols_request=dols_request,
        terms=services.AuthorisationTerms(
            starts_on=dols_request.received_on,
            ends_on=today + timedelta(days=ends_in_days),
            representative_name="June Pole",
            conditions="Daily walk with staff",
        ),
        by=lead.user,
    )
    return DolsRequest.objects.get(pk=dols_request.pk)


def _submission(person: Person, location: Location, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "person": str(person.pk),
        "managing_authority": str(location.pk),
        "is_urgent": "no",
        "purpose": "Locked front door; tries to leave at night",
        "proposed_restrictions": "Key-coded door",
        "contact_name": "Moira Grant",
        "contact_phone": "020 7946 0001",
    }
    body.update(overrides)
    return body


def _state() -> tuple[int, ...]:
    return (
        DolsRequest.objects.count(),
        DolsRequestStatus.objects.count(),
        AuditEvent.objects.count(),
        AccessEvent.objects.count(),
    )


# The service rule the further-request page relies on --------------------------------------------------------------


def test_a_further_request_renews_only_an_authorisation_in_force(
    make_own: MakeOwn, dols_lead: Persona, bia: Persona
) -> None:
    granted = _granted(make_own(), dols_lead, bia, ends_in_days=10)
    services.terminate_authorisation(
        dols_request=granted, ended_on=timezone.localdate(), reason="Moved home", by=dols_lead.user
    )
    with pytest.raises(ApplicationError, match="has ended") as refused:
        make_own(request_type=RequestType.FURTHER, renews=granted.authorisation, received_on=timezone.localdate())
    assert refused.value.field == "renews"


# Access matrix -----------------------------------------------------------------------------------------------------


def _pages(dols_request: DolsRequest, person: Person, location: Location) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        ("get", reverse("dols:your_requests"), {}),
        ("get", reverse("dols:submit_request"), {}),
        ("post", reverse("dols:submit_request"), _submission(person, location)),
        ("get", reverse("dols:your_request", args=[dols_request.pk]), {}),
        ("get", reverse("dols:further_request", args=[dols_request.pk]), {}),
        ("post", reverse("dols:further_request", args=[dols_request.pk]), {"purpose": "Still needed"}),
    ]


PAGE_IDS = ["list", "submit-form", "submit", "status", "further-form", "further"]


@pytest.fixture
def granted_own(make_own: MakeOwn, dols_lead: Persona, bia: Persona) -> DolsRequest:
    """Granted, ending in 20 days: inside the 28-day renewal window."""
    return _granted(make_own(), dols_lead, bia, ends_in_days=20)


def _call(client: Client, page: tuple[str, str, dict[str, Any]]) -> Any:
    method, url, data = page
    return client.post(url, data) if method == "post" else client.get(url)


@pytest.mark.parametrize("index", range(6), ids=PAGE_IDS)
def test_anonymous_is_sent_to_sign_in(
    anonymous: Client, granted_own: DolsRequest, shared_resident: Person, care_home: Location, index: int
) -> None:
    before = _state()
    response = _call(anonymous, _pages(granted_own, shared_resident, care_home)[index])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign_in"))
    assert _state() == before


@pytest.mark.parametrize("who", ["dols_lead", "social_worker"])
@pytest.mark.parametrize("index", range(6), ids=PAGE_IDS)
def test_council_staff_are_refused(
    granted_own: DolsRequest,
    shared_resident: Person,
    care_home: Location,
    request: pytest.FixtureRequest,
    who: str,
    index: int,
) -> None:
    """Staff work requests from the tracker; these pages are the managing authority's."""
    persona: Persona = request.getfixturevalue(who)
    before = _state()
    assert _call(persona.http, _pages(granted_own, shared_resident, care_home)[index]).status_code == 403
    assert _state() == before


@pytest.mark.parametrize("index", range(6), ids=PAGE_IDS)
def test_a_partner_of_another_organisation_sees_and_changes_nothing(
    partner: Persona, granted_own: DolsRequest, shared_resident: Person, care_home: Location, index: int
) -> None:
    before = _state()
    response = _call(partner.http, _pages(granted_own, shared_resident, care_home)[index])
    body = response.content.decode()
    if PAGE_IDS[index] in {"status", "further-form", "further"}:
        assert response.status_code == 404  # another organisation's request does not exist
    else:
        assert response.status_code == 200  # an empty list, or a form without our home or resident to choose
        assert granted_own.reference not in body and "Edna" not in body and care_home.name not in body
    assert _state() == before


@pytest.mark.parametrize("index", range(6), ids=PAGE_IDS)
def test_the_care_home_uses_every_page(
    care_home_partner: Persona, granted_own: DolsRequest, shared_resident: Person, care_home: Location, index: int
) -> None:
    response = _call(care_home_partner.http, _pages(granted_own, shared_resident, care_home)[index])
    if PAGE_IDS[index] in {"submit", "further"}:
        assert response.status_code == 302, response.content.decode()[:3000]
    else:
        assert response.status_code == 200


# Submitting -------------------------------------------------------------------------------------------------------


def test_an_urgent_request_is_received_today_with_its_clocks(
    care_home_partner: Persona, shared_resident: Person, care_home: Location, home_org: Organisation, dols_team: object
) -> None:
    today = timezone.localdate()
    started = today - timedelta(days=2)
    response = care_home_partner.http.post(
        reverse("dols:submit_request"),
        _submission(
            shared_resident, care_home, is_urgent="yes", urgent_period_days="7", **_date("urgent_starts_on", started)
        ),
    )
    dols_request = DolsRequest.objects.get()
    assert response["Location"] == reverse("dols:your_request", args=[dols_request.pk])
    assert (dols_request.request_type, dols_request.is_urgent, dols_request.received_on) == (
        RequestType.URGENT,
        True,
        today,
    )
    assert dols_request.submitted_by_organisation == home_org
    assert dols_request.urgent_expires_on == started + timedelta(days=7)
    assert dols_request.assessments_due_on == started + timedelta(days=7)  # before the 21 days run out
    assert dols_request.contact_phone == "020 7946 0001"

    page = care_home_partner.http.get(response["Location"]).content.decode()
    assert "Due in 5 days" in page
    assert f"Started {started.day}" in page
    access = AccessEvent.objects.get(user=care_home_partner.user)
    assert (access.person_id, access.basis) == (shared_resident.pk, AccessBasis.PARTNER_SHARE)


def test_a_standard_request_without_urgent_authorisation(
    care_home_partner: Persona, shared_resident: Person, care_home: Location, dols_team: object
) -> None:
    care_home_partner.http.post(reverse("dols:submit_request"), _submission(shared_resident, care_home))
    dols_request = DolsRequest.objects.get()
    assert (dols_request.request_type, dols_request.is_urgent) == (RequestType.STANDARD, False)
    assert dols_request.assessments_due_on == timezone.localdate() + timedelta(days=21)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"is_urgent": "yes"}, "urgent_starts_on", "Enter the date the urgent authorisation started"),
        (
            {"is_urgent": "yes", **_date("urgent_starts_on", date(2099, 1, 1))},
            "urgent_starts_on",
            "must be today or in the past",
        ),
        ({"purpose": ""}, "purpose", "Enter the purpose of the authorisation"),
        ({"is_urgent": ""}, "is_urgent", "Answer whether you have given an urgent authorisation"),
    ],
)
def test_refusals_name_the_field_and_save_nothing(
    care_home_partner: Persona,
    shared_resident: Person,
    care_home: Location,
    dols_team: object,
    overrides: dict[str, Any],
    field: str,
    message: str,
) -> None:
    before = _state()
    response = care_home_partner.http.post(
        reverse("dols:submit_request"), _submission(shared_resident, care_home, **overrides)
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert message in body and f'href="#{"" if field == "urgent_starts_on" else "id_"}{field}' in body
    assert _state() == before


def test_the_service_refuses_a_young_person_against_the_person_field(
    care_home_partner: Persona, care_home: Location, home_org: Organisation, dols_lead: Persona, dols_team: object
) -> None:
    """The rules are the service's (as through the API): DoLS are for people aged 18 or over."""
    young: Person = PersonFactory.create(date_of_birth=timezone.localdate() - timedelta(days=17 * 366))
    _share(young, home_org, dols_lead)
    response = care_home_partner.http.post(reverse("dols:submit_request"), _submission(young, care_home))
    assert "DoLS apply only to people aged 18 or over" in response.content.decode()
    assert not DolsRequest.objects.exists()


def test_only_the_organisations_care_homes_and_shared_people_are_offered(
    care_home_partner: Persona, shared_resident: Person, care_home: Location, home_org: Organisation
) -> None:
    other_home = LocationFactory.create(name="Elsewhere House")
    agency = LocationFactory.create(name="Rose Home Care", provider=care_home.provider, location_type="home_care")
    stranger: Person = PersonFactory.create(given_name="Stanley", family_name="Unshared")
    body = care_home_partner.http.get(reverse("dols:submit_request")).content.decode()
    assert escape(care_home.name) in body and "Edna Pole" in body
    assert other_home.name not in body and agency.name not in body and "Unshared" not in body
    response = care_home_partner.http.post(reverse("dols:submit_request"), _submission(stranger, other_home))
    assert response.status_code == 200
    assert not DolsRequest.objects.exists()


def test_without_a_care_home_the_page_says_whom_to_contact(partner: Persona) -> None:
    body = partner.http.get(reverse("dols:submit_request")).content.decode()
    assert "Contact the council's DoLS team" in body
    assert "Send request" not in body


# Following and renewing ---------------------------------------------------------------------------------------------


def test_the_list_shows_each_requests_status_and_dates(
    care_home_partner: Persona, make_own: MakeOwn, granted_own: DolsRequest, home_org: Organisation, dols_lead: Persona
) -> None:
    waiting = make_own(person=_shared_person(home_org, dols_lead))
    body = care_home_partner.http.get(reverse("dols:your_requests")).content.decode()
    assert "2 requests" in body
    assert waiting.reference in body and granted_own.reference in body
    assert "Assessments due: " in body and "Due in 18 days" in body
    ends = granted_own.authorisation.ends_on
    assert f"Authorisation ends {ends.day}" in body
    assert f"Further request from {(ends - timedelta(days=28)).day}" in body


def _shared_person(organisation: Organisation, by: Persona) -> Person:
    person: Person = PersonFactory.create()
    _share(person, organisation, by)
    return person


def test_the_status_page_shows_dates_but_nothing_else_of_the_record(
    care_home_partner: Persona, granted_own: DolsRequest, bia: Persona
) -> None:
    body = care_home_partner.http.get(reverse("dols:your_request", args=[granted_own.pk])).content.decode()
    assert "Daily walk with staff" in body and "June Pole" in body  # the home must meet the conditions
    assert "Can be made from" in body and "Make a further request" in body
    assert "Priority" not in body and bia.user.full_name not in body and "DoLS team" not in body
    assert reverse("people:detail", args=[granted_own.person_id]) not in body


def test_a_further_request_inside_the_window_renews_the_authorisation(
    care_home_partner: Persona, granted_own: DolsRequest
) -> None:
    response = care_home_partner.http.post(
        reverse("dols:further_request", args=[granted_own.pk]), {"purpose": "Still tries to leave"}
    )
    further = DolsRequest.objects.get(request_type=RequestType.FURTHER)
    assert response["Location"] == reverse("dols:your_request", args=[further.pk])
    assert further.renews == granted_own.authorisation
    assert further.submitted_by_organisation == granted_own.submitted_by_organisation
    original = care_home_partner.http.get(reverse("dols:your_request", args=[granted_own.pk])).content.decode()
    assert further.reference in original and "Make a further request" not in original


def test_a_further_request_before_the_window_is_refused_with_the_date(
    care_home_partner: Persona, make_own: MakeOwn, dols_lead: Persona, bia: Persona
) -> None:
    granted = _granted(make_own(), dols_lead, bia, ends_in_days=100)
    before = _state()
    response = care_home_partner.http.post(reverse("dols:further_request", args=[granted.pk]), {"purpose": "Renew"})
    opens = granted.authorisation.ends_on - timedelta(days=28)
    assert response.status_code == 200
    assert f"A further request can be made from {opens:%d %B %Y}" in response.content.decode()
    assert _state() == before


def test_a_further_request_needs_the_record_still_shared(care_home_partner: Persona, granted_own: DolsRequest) -> None:
    Share.objects.update(revoked_at=timezone.now())
    response = care_home_partner.http.post(reverse("dols:further_request", args=[granted_own.pk]), {"purpose": "Renew"})
    assert "no longer shares" in response.content.decode()
    assert not DolsRequest.objects.filter(request_type=RequestType.FURTHER).exists()


def test_a_waiting_request_has_nothing_to_renew(care_home_partner: Persona, make_own: MakeOwn) -> None:
    assert care_home_partner.http.get(reverse("dols:further_request", args=[make_own().pk])).status_code == 404


# Through the API: a further request names the request it renews ---------------------------------------------------

API = "/api/v1/dols/requests/"


def _api_body(dols_request: DolsRequest, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "person": str(dols_request.person_id),
        "managing_authority": dols_request.managing_authority.cqc_location_id,
        "request_type": "further",
        "purpose": "Still tries to leave",
        "renews": str(dols_request.pk),
    }
    body.update(overrides)
    return body


def test_a_further_request_through_the_api_renews_the_authorisation(
    care_home_partner: Persona, granted_own: DolsRequest
) -> None:
    response = care_home_partner.http.post(API, _api_body(granted_own), content_type="application/json")
    assert response.status_code == 201, response.json()
    further = DolsRequest.objects.get(pk=response.json()["id"])
    assert (further.request_type, further.renews) == (RequestType.FURTHER, granted_own.authorisation)


def test_the_api_refuses_to_renew_another_organisations_request(
    make_persona: Callable[..., Persona], granted_own: DolsRequest, dols_lead: Persona
) -> None:
    """Another care provider, with its own home and the person's record shared with it, cannot renew ours."""
    other = Organisation.objects.create(name="Oak Care Ltd", kind=OrganisationKind.CARE_PROVIDER)
    team = Team.objects.create(organisation=other, name="Oak House office", slug="oak", kind=TeamKind.PARTNER)
    oak_partner = make_persona(team, Role.PARTNER, name="Olga Oak")
    oak_house = LocationFactory.create(
        provider=ProviderFactory.create(organisation=other), cqc_location_id="1-999000002"
    )
    _share(granted_own.person, other, dols_lead)
    before = _state()
    response = oak_partner.http.post(
        API, _api_body(granted_own, managing_authority=oak_house.cqc_location_id), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "renews"
    assert _state() == before


def test_the_api_names_the_renews_field(care_home_partner: Persona, make_own: MakeOwn) -> None:
    waiting = make_own()
    response = care_home_partner.http.post(API, _api_body(waiting), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "renews", "message": "No request of yours with an authorisation has this id"}
    ]


# Query counts ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 20])
def test_the_list_query_count_does_not_grow(
    care_home_partner: Persona,
    make_own: MakeOwn,
    home_org: Organisation,
    dols_lead: Persona,
    bia: Persona,
    rows: int,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    for n in range(rows):
        person: Person = PersonFactory.create()
        _share(person, home_org, dols_lead)
        made = make_own(person=person)
        if n % 2:
            _granted(made, dols_lead, bia, ends_in_days=60)
    care_home_partner.http.get(reverse("dols:your_requests"))  # the settings row
    # session, user with memberships; count; page (person, location, authorisation); settings
    with django_assert_num_queries(5):
        response = care_home_partner.http.get(reverse("dols:your_requests"))
    assert response.status_code == 200


@pytest.mark.parametrize("more", [False, True])
def test_the_status_page_query_count_does_not_grow(
    care_home_partner: Persona,
    granted_own: DolsRequest,
    make_own: MakeOwn,
    dols_lead: Persona,
    more: bool,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    """A granted request's history, then more of it (suspended, reinstated) and a further request made for it."""
    if more:
        services.suspend_authorisation(
            dols_request=granted_own, suspended_on=timezone.localdate(), reason="In hospital", by=dols_lead.user
        )
        services.reinstate_authorisation(dols_request=granted_own, by=dols_lead.user)
        make_own(request_type=RequestType.FURTHER, renews=granted_own.authorisation, received_on=timezone.localdate())
    url = reverse("dols:your_request", args=[granted_own.pk])
    care_home_partner.http.get(url)
    # session, user with memberships; the request (person, location, authorisation, renews); statuses; further
    # requests; access event; settings
    with django_assert_num_queries(7):
        response = care_home_partner.http.get(url)
    assert response.status_code == 200
    assert DolsRequestStatus.objects.filter(request=granted_own).count() == (8 if more else 6)


@pytest.mark.parametrize("rows", [1, 20])
def test_the_form_query_count_does_not_grow(
    care_home_partner: Persona,
    care_home: Location,
    home_org: Organisation,
    dols_lead: Persona,
    rows: int,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    for _ in range(rows):
        _share(PersonFactory.create(), home_org, dols_lead)
        LocationFactory.create(provider=care_home.provider)
    # session, user with memberships; locations exist; people exist; people and locations for the selects
    with django_assert_num_queries(6):
        response = care_home_partner.http.get(reverse("dols:submit_request"))
    assert response.status_code == 200


def test_the_menu_takes_a_care_home_to_its_requests(care_home_partner: Persona, dols_lead: Persona) -> None:
    home = care_home_partner.http.get(reverse("core:home")).content.decode()
    assert f'href="{reverse("dols:your_requests")}"' in home
    assert reverse("dols:your_requests") not in dols_lead.http.get(reverse("core:home")).content.decode()
