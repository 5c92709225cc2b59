"""A service that starts after today is planned: the person page shows it, and its team works with the person."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from safepathways.conftest import Persona
from safepathways.people import selectors
from safepathways.people.models import Person
from safepathways.people.selectors import RelationshipRequiredError, resolve_access
from safepathways.people.tests.factories import PersonFactory
from safepathways.providers.tests.factories import ProviderFactory, ServiceFactory
from safepathways.work.tests.factories import WorkItemFactory


def _day(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


def test_the_person_page_lists_planned_services_apart_from_current_ones(db: None) -> None:
    person = PersonFactory()
    current = ServiceFactory(person=person, start_on=_day(-30))
    today = ServiceFactory(person=person, start_on=_day(0))
    later = ServiceFactory(person=person, start_on=_day(60))
    sooner = ServiceFactory(person=person, start_on=_day(7), end_on=_day(90))
    ServiceFactory(person=person, start_on=_day(-90), end_on=_day(-1))  # ended: on neither list

    page = selectors.person_page(person)

    assert page.services == [today, current]
    assert page.planned_services == [sooner, later]  # soonest first


def test_the_person_page_shows_a_planned_service_with_its_start_date(
    social_worker: Persona, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    person = WorkItemFactory(team=social_worker.team).person
    starts = _day(14)
    ServiceFactory(person=person, start_on=starts, provider=ProviderFactory(name="Bright Homecare"))
    ServiceFactory(person=person, start_on=_day(-10), provider=ProviderFactory(name="Steady Care"))
    # The same count as a page without planned services (people.tests.test_views): they come in the same query.
    with django_assert_num_queries(13):
        response = social_worker.http.get(reverse("people:detail", args=[person.pk]))
    body = response.content.decode()
    planned = body[body.index('id="planned-services-heading"') :]
    assert "Planned" in planned
    assert "Bright Homecare" in planned and "Steady Care" not in planned
    assert f"Starts {starts.day} {starts:%B %Y}" in planned
    assert "Steady Care" in body[: body.index('id="planned-services-heading"')]


def test_a_record_with_only_a_planned_service_has_no_current_services(social_worker: Persona) -> None:
    person = WorkItemFactory(team=social_worker.team).person
    ServiceFactory(person=person, start_on=_day(3))
    body = social_worker.http.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert "No current services." in body
    assert 'id="planned-services-heading"' in body


def test_a_planned_service_is_a_working_relationship_for_its_team(
    social_worker: Persona, other_team_worker: Persona
) -> None:
    service = ServiceFactory(team=social_worker.team, start_on=_day(21))
    person = service.person

    assert resolve_access(social_worker.user, person.pk).basis == "relationship"
    assert Person.objects.with_relationship_to(social_worker.user).filter(pk=person.pk).exists()
    # Another team still has none.
    with pytest.raises(RelationshipRequiredError):
        resolve_access(other_team_worker.user, person.pk)
    assert not Person.objects.with_relationship_to(other_team_worker.user).filter(pk=person.pk).exists()


def test_an_ended_service_is_still_no_relationship(social_worker: Persona) -> None:
    person = ServiceFactory(team=social_worker.team, start_on=_day(-60), end_on=_day(-1)).person
    with pytest.raises(RelationshipRequiredError):
        resolve_access(social_worker.user, person.pk)
    assert not Person.objects.with_relationship_to(social_worker.user).filter(pk=person.pk).exists()
