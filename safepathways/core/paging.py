"""Paging for pages that already know how many rows they list."""

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.http import QueryDict
from django.utils.functional import cached_property


class CountedPaginator(Paginator[Any]):
    """A paginator given the number of rows: a page that counted them for its own summary (open gaps by kind, say)
    need not count them again."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def filter_query(form: forms.Form, data: QueryDict) -> str:
    """The list's filters, as the query string its page links carry: only the form's own fields, so the links (and
    the pagination HTML remembered for them) never carry anything else that was put in the address."""
    return urlencode([(name, value) for name in form.fields for value in data.getlist(name) if value])
