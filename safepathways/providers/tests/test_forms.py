"""The service forms' errors say what to do, in GOV.UK words, never Django's generic wording."""

from datetime import date

import pytest
from django import forms
from django.urls import reverse

from safepathways.conftest import Persona
from safepathways.people.models import Person
from safepathways.providers.forms import EndServiceForm, ServiceForm
from safepathways.work.models import WorkItem
from safepathways.work.tests.factories import WorkItemFactory

# Django's own wording, which tells nobody what to do.
GENERIC = ("This field is required", "is not one of the available choices", "Ensure this value", "Enter a number.")
UNKNOWN_ID = "5b0e7a38-0a49-4f2f-a1b0-000000000000"


def _messages(form: forms.Form) -> list[str]:
    return [message for errors in form.errors.values() for message in errors]


def _assert_no_generic_wording(messages: list[str]) -> None:
    assert messages
    for message in messages:
        assert not any(generic in message for generic in GENERIC), message


@pytest.mark.django_db
def test_an_empty_service_form_says_what_to_choose() -> None:
    form = ServiceForm({})

    assert not form.is_valid()
    assert form.errors["service_type"] == ["Select the type of service"]
    assert form.errors["delivery_mechanism"] == ["Select how the service is paid for"]
    _assert_no_generic_wording(_messages(form))


@pytest.mark.django_db
def test_a_service_form_with_values_not_on_its_lists_says_what_to_do() -> None:
    form = ServiceForm(
        {
            "service_type": "Not a type",
            "service_component": "not-a-code",
            "delivery_mechanism": "Not a mechanism",
            "provider": UNKNOWN_ID,
            "location": UNKNOWN_ID,
            "team": UNKNOWN_ID,
            "start_on_day": "1",
            "start_on_month": "2",
            "start_on_year": "2025",
            "planned_hours_per_week": "lots",
            "description": "x" * 301,
            "override_reason": "x" * 501,
        }
    )

    assert not form.is_valid()
    assert set(form.errors) == {
        "service_type",
        "service_component",
        "delivery_mechanism",
        "provider",
        "location",
        "team",
        "planned_hours_per_week",
        "description",
        "override_reason",
    }
    assert form.errors["service_type"] == ["Select a type of service from the list"]
    assert form.errors["provider"] == ["Select a provider from the list"]
    _assert_no_generic_wording(_messages(form))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("-1", "Planned hours a week must be 0 or more"),
        ("169", "Planned hours a week must be 168 or fewer"),
        ("7.125", "Planned hours a week must have no more than 2 decimal places"),
    ],
)
def test_planned_hours_out_of_range_say_the_limit(hours: str, message: str) -> None:
    form = ServiceForm({"planned_hours_per_week": hours})

    assert not form.is_valid()
    assert form.errors["planned_hours_per_week"] == [message]


def test_the_end_of_service_form_says_what_to_enter() -> None:
    empty = EndServiceForm({})
    too_long = EndServiceForm(
        {"end_on_day": "1", "end_on_month": "2", "end_on_year": "2025", "reason": "x" * 201}, start_on=date(2024, 1, 1)
    )

    assert not empty.is_valid() and not too_long.is_valid()
    assert empty.errors["reason"] == ["Enter why the service is ending"]
    assert too_long.errors["reason"] == ["Why the service is ending must be 200 characters or fewer"]
    _assert_no_generic_wording(_messages(empty) + _messages(too_long))


@pytest.fixture
def client_person(social_worker: Persona) -> Person:
    item: WorkItem = WorkItemFactory.create(team=social_worker.team)
    return item.person


def test_the_record_a_service_page_shows_the_form_errors_in_govuk_words(
    social_worker: Persona, client_person: Person
) -> None:
    response = social_worker.http.post(reverse("providers:service_add", args=[client_person.pk]), {})

    body = response.content.decode()
    assert response.status_code == 200
    assert "Select the type of service" in body
    assert "Select how the service is paid for" in body
    assert not any(generic in body for generic in GENERIC)
