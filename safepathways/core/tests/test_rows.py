"""Rows written in Python escape as the templates do, and their links are the routes' own URLs."""

from uuid import uuid4

import pytest
from django.urls import reverse
from markupsafe import escape

from safepathways.core.rows import esc, url_of


@pytest.mark.parametrize(
    "value", ["Shane O'Sullivan", 'Ward <b>7</b> "East"', "Tom & Jerry", "plain", "", 42, None, "'&'<>\""]
)
def test_esc_writes_what_the_templates_write(value: object) -> None:
    assert esc(value) == str(escape(str(value)))


def test_esc_returns_a_value_with_nothing_to_escape_as_it_is() -> None:
    text = "Mary Smith"
    assert esc(text) is text


def test_url_of_gives_the_route_of_each_record() -> None:
    href = url_of("people:detail")
    first, second = uuid4(), uuid4()
    assert href(first) == reverse("people:detail", args=[first])
    assert href(second) == reverse("people:detail", args=[second])


def test_url_of_refuses_a_route_that_takes_no_record() -> None:
    with pytest.raises(Exception):  # noqa: B017, PT011 - NoReverseMatch or ValueError, whichever the route gives
        url_of("people:search")
