"""A text or date input with a typed value reuses its shape's rendering: the HTML is the macro's own, byte for byte."""

from typing import Any

import pytest
from django import forms
from django.http import QueryDict
from django.template import engines

from safepathways.core.forms import GovUKDateField, field_params
from safepathways.core.jinja2 import FIELD_MACROS


class _Search(forms.Form):
    q = forms.CharField(required=False, label="Name, reference or NHS number")
    email = forms.EmailField(required=False)
    born = GovUKDateField(label="Date of birth", required=False)


def _fresh(bound: forms.BoundField) -> str:
    """What the GOV.UK macro draws for the field, called directly."""
    params = field_params(bound)
    template, macro = FIELD_MACROS[params["kind"]]
    return str(getattr(engines["jinja2"].env.get_template(template).module, macro)(params))


def _render(bound: forms.BoundField) -> Any:
    return engines["jinja2"].env.globals["render_field"](bound)


TYPED = [
    "Smith",
    "O'Brien & Sons <b>",
    '"quoted" value',
    "0",
    "Zoë Łukasz",
    "spv4lu30x",  # looks like the placeholder: stays text
    "spv4lu31x spv4lu30x",
]


@pytest.mark.parametrize("typed", TYPED)
def test_a_typed_text_input_is_drawn_as_the_macro_draws_it(typed: str) -> None:
    form = _Search(QueryDict(mutable=True) | {"q": typed})
    assert form.is_valid()
    assert str(_render(form["q"])) == _fresh(form["q"])


def test_a_typed_date_is_drawn_as_the_macro_draws_it() -> None:
    data = QueryDict(mutable=True) | {"born_day": "7", "born_month": "", "born_year": "1947<"}
    form = _Search(data)
    assert not form.is_valid()  # an error: drawn afresh
    assert str(_render(form["born"])) == _fresh(form["born"])
    valid = _Search(QueryDict(mutable=True) | {"born_day": "26", "born_month": "9", "born_year": "1947"})
    assert valid.is_valid()
    drawn = str(_render(valid["born"]))
    assert drawn == _fresh(valid["born"])
    assert 'value="26"' in drawn and 'value="1947"' in drawn


def test_an_input_in_error_shows_its_error_and_what_was_typed() -> None:
    form = _Search(QueryDict(mutable=True) | {"email": "not <an> email"})
    assert not form.is_valid()
    drawn = str(_render(form["email"]))
    assert drawn == _fresh(form["email"])
    assert "not &lt;an&gt; email" in drawn and "govuk-error-message" in drawn


def test_no_typed_value_is_kept_in_the_remembered_renderings() -> None:
    memo = engines["jinja2"].env.globals["memo_macro"]
    form = _Search(QueryDict(mutable=True) | {"q": "Unforgettable Surname"})
    assert form.is_valid()
    assert "Unforgettable Surname" in str(_render(form["q"]))
    kept = [str(cell.cell_contents) for cell in memo.__closure__ if isinstance(cell.cell_contents, dict)]
    assert kept and not any("Unforgettable Surname" in text for text in kept)


def test_the_shape_is_remembered_with_a_placeholder_where_the_value_goes() -> None:
    memo = engines["jinja2"].env.globals["memo_macro"]
    form = _Search(QueryDict(mutable=True) | {"q": "Another Surname"})
    assert form.is_valid()
    _render(form["q"])
    kept = [cell.cell_contents for cell in memo.__closure__ if isinstance(cell.cell_contents, dict)]
    assert any('name="q"' in html and 'value="spv4lu30x"' in html for cache in kept for html in cache.values())
