"""Page links carry a list's filters and nothing else; selects are remembered only when nothing was sent in error."""

from django import forms
from django.http import QueryDict
from django.template import engines

from safepathways.core.paging import filter_query


class _Filters(forms.Form):
    team = forms.ChoiceField(required=False, choices=[("", "All"), ("north", "North"), ("south", "South")])
    priority = forms.ChoiceField(required=False, choices=[("", "All"), ("red", "Red")])


def test_the_page_links_carry_only_the_forms_own_filters() -> None:
    data = QueryDict("team=north&priority=&page=3&name=Jane+Smith&format=csv")
    assert filter_query(_Filters(data), data) == "team=north"


def test_no_filters_make_an_empty_query() -> None:
    data = QueryDict("page=2")
    assert filter_query(_Filters(data), data) == ""


def test_a_select_is_remembered_but_not_one_showing_what_was_sent_in_error() -> None:
    render_field = engines["jinja2"].env.globals["render_field"]
    chosen = _Filters(QueryDict("team=north"))
    assert chosen.is_valid()
    assert render_field(chosen["team"]) is render_field(_Filters(QueryDict("team=north"))["team"])
    wrong = _Filters(QueryDict("team=Jane+Smith"))
    assert not wrong.is_valid()
    first, second = render_field(wrong["team"]), render_field(_Filters(QueryDict("team=Jane+Smith"))["team"])
    assert "Jane Smith is not one of the available choices" in first
    assert first == second and first is not second  # drawn afresh each time, never kept
