"""Paging for pages that already know how many rows they list."""

from collections.abc import Callable
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


class PagedRows:
    """A list the paginator slices, each page read on its own by `read(offset, limit)` (a compiled page query,
    say): give it to CountedPaginator with the list's count."""

    def __init__(self, read: Callable[[int, int], list[Any]]) -> None:
        self._read = read

    def __getitem__(self, window: slice) -> list[Any]:
        start = window.start or 0
        return self._read(start, window.stop - start)


def filter_query(form: forms.Form, data: QueryDict) -> str:
    """The list's filters, as the query string its page links carry: only the form's own fields, so the links (and
    the pagination HTML remembered for them) never carry anything else that was put in the address."""
    return urlencode([(name, value) for name in form.fields for value in data.getlist(name) if value])
