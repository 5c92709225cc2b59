from datetime import date, timedelta

import pytest
from django.conf import settings
from django.http import Http404
from django.test import override_settings
from django.utils import timezone

from safepathways.audit.models import AccessBasis
from safepathways.conftest import Persona
from safepathways.people import selectors, services
from safepathways.people.models import AccessGrantKind, Share
from safepathways.people.selectors import RelationshipRequiredError, SearchQuery
from safepathways.people.tests.factories import PersonFactory
from safepathways.providers.tests.factories import ServiceFactory
from safepathways.work.tests.factories import WorkItemFactory


def test_open_work_for_my_team_is_a_relationship(social_worker: Persona) -> None:
    item = WorkItemFactory(team=social_worker.team)
    assert selectors.resolve_access(social_worker.user, item.person.pk).basis == AccessBasis.RELATIONSHIP


def test_work_closed_lately_is_still_a_relationship_but_not_for_long(social_worker: Persona) -> None:
    """The follow-up after closed work (the check after a move, a readmission) needs no declaration, for
    SAFEPATHWAYS_RECENT_WORK_DAYS (30 by default); after that, or with the setting 0, closed work gives nothing."""
    recent = WorkItemFactory(team=social_worker.team, closed_at=timezone.now() - timedelta(days=29))
    assert selectors.resolve_access(social_worker.user, recent.person.pk).basis == AccessBasis.RELATIONSHIP
    old = WorkItemFactory(team=social_worker.team, closed_at=timezone.now() - timedelta(days=31))
    with pytest.raises(RelationshipRequiredError):
        selectors.resolve_access(social_worker.user, old.person.pk)
    no_recent_work = override_settings(SAFEPATHWAYS={**settings.SAFEPATHWAYS, "RECENT_WORK_DAYS": 0})
    with no_recent_work, pytest.raises(RelationshipRequiredError):
        selectors.resolve_access(social_worker.user, recent.person.pk)


def test_another_teams_closed_work_is_not_a_relationship(social_worker: Persona, other_team_worker: Persona) -> None:
    item = WorkItemFactory(team=other_team_worker.team, closed_at=timezone.now())
    with pytest.raises(RelationshipRequiredError):
        selectors.resolve_access(social_worker.user, item.person.pk)


def test_work_allocated_to_me_in_another_team_is_a_relationship(
    social_worker: Persona, other_team_worker: Persona
) -> None:
    item = WorkItemFactory(team=other_team_worker.team, allocated_to=social_worker.user)
    assert selectors.resolve_access(social_worker.user, item.person.pk).basis == AccessBasis.RELATIONSHIP


def test_current_service_with_my_team_is_a_relationship_but_an_ended_one_is_not(social_worker: Persona) -> None:
    current = ServiceFactory(team=social_worker.team)
    ended = ServiceFactory(team=social_worker.team, start_on=date(2020, 1, 1), end_on=date(2021, 1, 1))
    assert selectors.resolve_access(social_worker.user, current.person.pk).basis == AccessBasis.RELATIONSHIP
    with pytest.raises(RelationshipRequiredError):
        selectors.resolve_access(social_worker.user, ended.person.pk)


def test_declared_relationship_grants_access_until_it_expires(social_worker: Persona) -> None:
    person = PersonFactory()
    grant = services.grant_access(
        person=person,
        user=social_worker.user,
        kind=AccessGrantKind.DECLARED,
        reason="covering_duty",
        reason_detail="Duty",
    )
    access = selectors.resolve_access(social_worker.user, person.pk)
    assert access.basis == AccessBasis.DECLARED and access.grant == grant
    grant.expires_at = timezone.now() - timedelta(seconds=1)
    grant.granted_at = grant.expires_at - timedelta(hours=1)
    grant.save()
    with pytest.raises(RelationshipRequiredError):
        selectors.resolve_access(social_worker.user, person.pk)


def test_partners_see_only_people_shared_with_their_organisation(
    partner: Persona, police_partner: Persona, social_worker: Persona
) -> None:
    person = PersonFactory()
    with pytest.raises(Http404):
        selectors.resolve_access(partner.user, person.pk)
    Share.objects.create(
        person=person, organisation=partner.team.organisation, purpose="Discharge", shared_by=social_worker.user
    )
    assert selectors.resolve_access(partner.user, person.pk).basis == AccessBasis.PARTNER_SHARE
    with pytest.raises(Http404):
        selectors.resolve_access(police_partner.user, person.pk)


def test_expired_share_hides_the_person_again(partner: Persona, social_worker: Persona) -> None:
    person = PersonFactory()
    Share.objects.create(
        person=person,
        organisation=partner.team.organisation,
        purpose="Discharge",
        shared_by=social_worker.user,
        expires_at=timezone.now() - timedelta(minutes=1),
    )
    with pytest.raises(Http404):
        selectors.resolve_access(partner.user, person.pk)


def test_unknown_person_is_404_for_staff(social_worker: Persona) -> None:
    import uuid

    with pytest.raises(Http404):
        selectors.resolve_access(social_worker.user, uuid.uuid4())


@pytest.fixture
def people(db: None) -> dict[str, object]:
    return {
        "mary": PersonFactory(
            given_name="Mary", family_name="Smith", date_of_birth=date(1941, 3, 27), postcode="NW5 1AB"
        ),
        "maria": PersonFactory(
            given_name="Maria", family_name="Smyth", date_of_birth=date(1950, 1, 2), postcode="NW1 2AB"
        ),
        "john": PersonFactory(
            given_name="John", family_name="Smith", date_of_birth=date(1960, 5, 5), postcode="N7 8AB"
        ),
        "other": PersonFactory(
            given_name="Aisha", family_name="Rahman", date_of_birth=date(1941, 3, 27), postcode="WC1A 1AA"
        ),
    }


def _names(results: list[selectors.SearchResult]) -> list[str]:
    return [r.person.full_name for r in results]


def test_search_tolerates_spelling(social_worker: Persona, people: dict[str, object]) -> None:
    names = _names(selectors.search_people(social_worker.user, SearchQuery(text="Smithe")))
    assert {"Mary Smith", "Maria Smyth", "John Smith"} <= set(names)
    assert "Aisha Rahman" not in names


def test_search_tolerates_order_and_ranks_the_closest_first(social_worker: Persona, people: dict[str, object]) -> None:
    results = selectors.search_people(social_worker.user, SearchQuery(text="smith mary"))
    assert _names(results)[0] == "Mary Smith"


def test_search_finds_a_preferred_name_and_any_word_of_a_surname(social_worker: Persona) -> None:
    peggy = PersonFactory.create(given_name="Margaret", family_name="Jones", preferred_name="Peggy")
    berg = PersonFactory.create(given_name="Anna", family_name="Van der Berg", preferred_name="")
    double = PersonFactory.create(given_name="Tom", family_name="Smith-Jones", preferred_name="")
    plain = PersonFactory.create(given_name="Ruth", family_name="Okafor", preferred_name="")

    def found(text: str) -> set[str]:
        return {r.person.reference for r in selectors.search_people(social_worker.user, SearchQuery(text=text))}

    assert peggy.reference in found("Peggy")
    assert peggy.reference in found("peggie jones")  # every word matched: the preferred name and the surname
    assert berg.reference in found("Berg") and berg.reference in found("anna berg")
    assert double.reference in found("Jones") and double.reference in found("smith")
    assert plain.reference not in found("Berg")  # an empty key is never compared


def test_search_by_nhs_number_and_reference(social_worker: Persona, people: dict[str, object]) -> None:
    mary = people["mary"]
    number = f"{mary.nhs_number[:3]} {mary.nhs_number[3:6]} {mary.nhs_number[6:]}"
    assert _names(selectors.search_people(social_worker.user, SearchQuery(text=number))) == ["Mary Smith"]
    assert _names(selectors.search_people(social_worker.user, SearchQuery(text=mary.reference.lower()))) == [
        "Mary Smith"
    ]
    assert selectors.search_people(social_worker.user, SearchQuery(text="9990000019")) == []


def test_search_by_date_of_birth_and_postcode(social_worker: Persona, people: dict[str, object]) -> None:
    by_dob = selectors.search_people(social_worker.user, SearchQuery(date_of_birth=date(1941, 3, 27)))
    assert set(_names(by_dob)) == {"Mary Smith", "Aisha Rahman"}
    both = selectors.search_people(social_worker.user, SearchQuery(text="smith", date_of_birth=date(1941, 3, 27)))
    assert _names(both) == ["Mary Smith"]
    by_postcode = selectors.search_people(social_worker.user, SearchQuery(postcode="nw1"))
    assert _names(by_postcode) == ["Maria Smyth"]


def test_partner_search_finds_only_shared_people(
    partner: Persona, social_worker: Persona, people: dict[str, object]
) -> None:
    assert selectors.search_people(partner.user, SearchQuery(text="smith")) == []
    Share.objects.create(
        person=people["john"], organisation=partner.team.organisation, purpose="x", shared_by=social_worker.user
    )
    assert _names(selectors.search_people(partner.user, SearchQuery(text="smith"))) == ["John Smith"]


def test_merged_records_are_not_found(social_worker: Persona) -> None:
    keep = PersonFactory(given_name="Mary", family_name="Smith")
    PersonFactory(given_name="Mary", family_name="Smith", merged_into=keep)
    assert _names(selectors.search_people(social_worker.user, SearchQuery(text="smith"))) == ["Mary Smith"]


def test_every_word_must_match_so_a_common_surname_does_not_hide_the_person(social_worker: Persona) -> None:
    for _ in range(25):
        PersonFactory(given_name="Adam", family_name="Jones")
    PersonFactory(given_name="Lauren", family_name="Jones")
    results = selectors.search_people(social_worker.user, SearchQuery(text="Jones Lauren"), limit=2)
    assert _names(results)[0] == "Lauren Jones"


def test_falls_back_to_any_word_when_no_one_matches_every_word(social_worker: Persona) -> None:
    PersonFactory(given_name="Mary", family_name="Smith")
    results = selectors.search_people(social_worker.user, SearchQuery(text="Smith Qwertyuiop"))
    assert _names(results) == ["Mary Smith"]


def test_the_api_list_follows_the_same_recent_work_rule(social_worker: Persona) -> None:
    from safepathways.people.models import Person

    recent = WorkItemFactory(team=social_worker.team, closed_at=timezone.now() - timedelta(days=29))
    old = WorkItemFactory(team=social_worker.team, closed_at=timezone.now() - timedelta(days=31))
    listed = set(Person.objects.with_relationship_to(social_worker.user).values_list("pk", flat=True))
    assert recent.person.pk in listed and old.person.pk not in listed
