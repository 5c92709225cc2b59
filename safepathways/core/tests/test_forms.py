from datetime import date, timedelta

import pytest
from django import forms
from django.core.exceptions import ValidationError

from safepathways.accounts.models import Team
from safepathways.core.forms import GovUKDateField, ModelChoiceField, error_summary_items, field_params


class ExampleForm(forms.Form):
    name = forms.CharField(label="Name")
    born = GovUKDateField(label="Date of birth", must_be_past=True)
    kind = forms.ChoiceField(label="Kind", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("", "", "", "Enter date of birth"),
        ("1", "", "1950", "Date of birth must include a month"),
        ("31", "2", "1950", "Date of birth must be a real date"),
        ("1", "1", "50", "Date of birth must be a real date"),
        ("x", "1", "1950", "Date of birth must be a real date"),
    ],
)
def test_date_field_errors_follow_govuk_wording(day: str, month: str, year: str, message: str) -> None:
    form = ExampleForm({"name": "A", "kind": "a", "born_day": day, "born_month": month, "born_year": year})
    assert not form.is_valid()
    assert form.errors["born"] == [message]


def test_date_field_refuses_the_future() -> None:
    future = date.today() + timedelta(days=3)
    form = ExampleForm(
        {"name": "A", "kind": "a", "born_day": future.day, "born_month": future.month, "born_year": future.year}
    )
    assert not form.is_valid()
    assert form.errors["born"] == ["Date of birth must be today or in the past"]


def test_date_field_accepts_a_real_date() -> None:
    form = ExampleForm({"name": "A", "kind": "a", "born_day": "29", "born_month": "2", "born_year": "1948"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["born"] == date(1948, 2, 29)


def test_error_summary_links_to_each_field_in_order() -> None:
    form = ExampleForm({"born_day": "", "born_month": "", "born_year": ""})
    form.is_valid()
    hrefs = [item["href"] for item in error_summary_items(form)]
    assert hrefs == ["#id_name", "#born_day", "#id_kind"]


def test_field_params_pick_the_govuk_component() -> None:
    form = ExampleForm()
    assert field_params(form["name"])["kind"] == "input"
    assert field_params(form["born"])["kind"] == "date"
    assert field_params(form["kind"])["kind"] == "radios"


@pytest.mark.django_db
@pytest.mark.parametrize("sent", ["Z", "not-an-id", "12345"])
def test_a_choice_of_a_row_that_is_not_even_an_id_gets_the_fields_own_message(sent: str) -> None:
    field = ModelChoiceField(
        queryset=Team.objects.all(), error_messages={"invalid_choice": "Select a team from the list"}
    )
    with pytest.raises(ValidationError) as refused:
        field.clean(sent)
    assert refused.value.messages == ["Select a team from the list"]
