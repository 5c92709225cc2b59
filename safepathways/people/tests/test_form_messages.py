"""Every people form answers a missing or tampered answer in GOV.UK words that say what to do, field by field:
never Django's "This field is required." or "Select a valid choice. Z is not one of the available choices."."""

import html
import inspect
import re
from typing import Any

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone

from safepathways.conftest import Persona
from safepathways.people import forms as people_forms
from safepathways.people.models import Contact, Involvement, Person
from safepathways.people.tests.factories import AlertFactory, RiskFactory
from safepathways.work.models import WorkItem
from safepathways.work.tests.factories import WorkItemFactory

DJANGO_DEFAULTS = (
    "This field is required",
    "is not one of the available choices",
    "Select a valid choice",
    "is not a valid UUID",
    "Enter a valid email address",
)

FORMS = [
    cls
    for _, cls in inspect.getmembers(people_forms, inspect.isclass)
    if issubclass(cls, forms.Form) and cls.__module__ == people_forms.__name__
]


def _messages(form: forms.Form) -> list[str]:
    assert not form.is_valid()
    return [str(message) for messages in form.errors.values() for message in messages]


def _tampered(form_class: type[forms.Form]) -> dict[str, Any]:
    """Every choice answered with something that is not one of its options, every email address with something
    that is not one; every other field left empty."""
    data: dict[str, Any] = {}
    for name, field in form_class().fields.items():
        if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
            data[name] = "Z"
        elif isinstance(field, forms.EmailField):
            data[name] = "not an email address"
    return data


def test_every_people_form_is_swept() -> None:
    assert {cls.__name__ for cls in FORMS} >= {
        "PersonForm",
        "ContactForm",
        "InvolvementForm",
        "RiskForm",
        "AlertForm",
        "SearchForm",
        "DeclareRelationshipForm",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", FORMS, ids=lambda cls: cls.__name__)
@pytest.mark.parametrize("answers", ["empty", "tampered"])
def test_no_people_form_answers_in_djangos_words(form_class: type[forms.Form], answers: str) -> None:
    data = {} if answers == "empty" else _tampered(form_class)
    if form_class is people_forms.SearchForm and answers == "empty":
        data = {"q": ""}
    for message in _messages(form_class(data)):
        assert not any(default in message for default in DJANGO_DEFAULTS), (form_class.__name__, message)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("form_class", "empty", "tampered"),
    [
        (
            people_forms.PersonForm,
            {
                "nhs_number_status": "Select whether the NHS number has been verified",
                "ethnicity": "Select their ethnicity",
                "main_language": "Enter their main language",
            },
            {
                "nhs_number_status": "Select the NHS number verification status from the list",
                "ethnicity": "Select their ethnicity from the list",
            },
        ),
        (
            people_forms.ContactForm,
            {"name": "Enter their full name", "kind": "Select who they are to the person"},
            {"kind": "Select who they are to the person from the list"},
        ),
        (
            people_forms.InvolvementForm,
            {"role": "Select the professional's role"},
            {
                "role": "Select the professional's role from the list",
                "organisation": "Select their organisation from the list",
            },
        ),
        (
            people_forms.RiskForm,
            {"mitigation": "Enter how the risk is managed", "likelihood": "Select how likely it is"},
            {"likelihood": "Select how likely it is from the list", "owner": "Select who owns this risk from the list"},
        ),
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else "",
)
def test_each_field_says_what_to_do(
    form_class: type[forms.Form], empty: dict[str, str], tampered: dict[str, str]
) -> None:
    errors = form_class({}).errors
    for name, message in empty.items():
        assert errors[name] == [message]
    errors = form_class(_tampered(form_class)).errors
    for name, message in tampered.items():
        assert errors[name] == [message]


# The pages: each form posted empty, and with its choices tampered with, answers in the error summary, field by field.


@pytest.fixture
def person(social_worker: Persona) -> Person:
    item: WorkItem = WorkItemFactory.create(team=social_worker.team)
    return item.person


def _rows(person: Person, persona: Persona) -> dict[str, Any]:
    user = persona.user
    return {
        "alert": AlertFactory(person=person, owner=user, raised_by=user),
        "risk": RiskFactory(person=person, owner=user, recorded_by=user),
        "contact": Contact.objects.create(person=person, kind="carer", name="Jo Carer"),
        "involvement": Involvement.objects.create(person=person, role="gp"),
    }


# (url name, the row its url names, what an empty post must say, what a tampered post must say)
PAGES: list[tuple[str, str, list[str], dict[str, str]]] = [
    (
        "people:edit",
        "",
        [
            "Select whether the NHS number has been verified",
            "Select their ethnicity",
            "Enter their main language",
            "Enter the first name",
        ],
        {"ethnicity": "Select their ethnicity from the list"},
    ),
    ("people:contact_add", "", ["Enter their full name", "Select who they are to the person"], {}),
    ("people:contact_edit", "contact", ["Enter their full name", "Select who they are to the person"], {}),
    (
        "people:involvement_add",
        "",
        ["Select the professional's role"],
        {"role": "Select the professional's role from the list"},
    ),
    ("people:involvement_edit", "involvement", ["Select the professional's role"], {}),
    ("people:risk_add", "", ["Enter how the risk is managed", "Select how likely it is"], {}),
    ("people:risk_review", "risk", ["Enter how the risk is managed"], {}),
    ("people:alert_add", "", ["Select the type of alert", "Enter why this alert is needed"], {}),
    ("people:alert_review", "alert", ["Enter what the review found"], {}),
    ("people:alert_end", "alert", ["Enter why the alert is no longer needed"], {}),
    ("people:involvement_end", "involvement", ["Enter date involvement ended"], {}),
]


def _summary(body: str) -> list[tuple[str, str]]:
    """The error summary's (anchor, message) pairs."""
    found = re.search(r'govuk-error-summary__list">(.*?)</ul>', body, re.S)
    assert found, "no error summary"
    return [
        (anchor, html.unescape(text)) for anchor, text in re.findall(r'<a href="#([^"]+)">([^<]*)</a>', found.group(1))
    ]


@pytest.mark.parametrize(("name", "row", "empty", "tampered"), PAGES, ids=[p[0] for p in PAGES])
def test_each_page_answers_field_by_field_in_govuk_words(
    social_worker: Persona, person: Person, name: str, row: str, empty: list[str], tampered: dict[str, str]
) -> None:
    rows = _rows(person, social_worker)
    url = reverse(name, args=[person.pk, rows[row].pk] if row else [person.pk])
    summary = _summary(social_worker.http.post(url, {}).content.decode())
    messages = [message for _, message in summary]
    for message in empty:
        assert message in messages
    for _, message in summary:
        assert not any(default in message for default in DJANGO_DEFAULTS), message
    if tampered:
        data = dict.fromkeys(tampered, "Z")
        summary = _summary(social_worker.http.post(url, data).content.decode())
        for field, message in tampered.items():
            assert (f"id_{field}", message) in summary
        for _, message in summary:
            assert not any(default in message for default in DJANGO_DEFAULTS), message


def test_the_create_page_answers_a_tampered_form_field_by_field(social_worker: Persona) -> None:
    data = {
        "given_name": "A",
        "family_name": "B",
        "nhs_number_status": "99",
        "gender": "1",
        "ethnicity": "Z",
        "main_language": "",
    }
    summary = _summary(social_worker.http.post(reverse("people:create"), data).content.decode())
    assert ("id_nhs_number_status", "Select the NHS number verification status from the list") in summary
    assert ("id_ethnicity", "Select their ethnicity from the list") in summary
    assert ("id_main_language", "Enter their main language") in summary
    assert ("id_gender", "Choose a gender from the list") in summary
    assert not Person.objects.exists()


def test_the_create_page_answers_a_date_out_of_range_beside_the_other_fields(social_worker: Persona) -> None:
    """The service's 130-year rule is asked by the form too, so it is answered with the rest, not after them."""
    data = {
        "given_name": "",
        "family_name": "B",
        "date_of_birth_day": "1",
        "date_of_birth_month": "1",
        "date_of_birth_year": str(timezone.localdate().year - 131),
        "nhs_number_status": "03",
        "gender": "Female",
        "ethnicity": "Not known",
        "main_language": "English",
    }
    summary = _summary(social_worker.http.post(reverse("people:create"), data).content.decode())
    assert ("id_given_name", "Enter the first name") in summary
    assert ("date_of_birth_day", "Date of birth must be within the last 130 years") in summary
