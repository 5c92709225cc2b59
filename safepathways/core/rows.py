"""Table rows written in one Python pass, for lists long enough that a template expression per cell costs more
than the page's SQL (ADR-019). A presenter formats each row from its own markup and values passed through `esc`,
then hands the rows to `rows_markup`."""

import re
import uuid
from collections.abc import Callable, Iterable

from django.urls import reverse
from markupsafe import Markup

# What the templates (markupsafe) write for each character that means something in HTML.
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;"}
_SPECIAL = re.compile("[&<>\"']")


def _entity(match: re.Match[str]) -> str:
    return _ENTITIES[match.group()]


def esc(value: object) -> str:
    """The value as text safe inside HTML, quotes included (it may stand in an attribute), escaped exactly as the
    templates escape it so that a name reads the same in a row as anywhere else on the page. Most values hold
    nothing to escape and come back as they are."""
    text = value if type(value) is str else str(value)
    if "&" in text or "<" in text or ">" in text or '"' in text or "'" in text:
        return _SPECIAL.sub(_entity, text)
    return text


def rows_markup(lines: Iterable[str]) -> Markup:
    """The rows as markup the template prints as it is: every value in them must have gone through `esc`."""
    return Markup("".join(lines))  # noqa: S704 - the callers escape every value (see esc)


def url_of(name: str) -> Callable[[object], str]:
    """The URL of `name` for one record's id, escaped for an attribute: reversed once per list, not once per row.

    The route must take a single UUID (the records' primary keys)."""
    marker = uuid.UUID(int=0xFEED_0000_0000_4000_8000_0000_0000_0001)
    before, found, after = reverse(name, args=[marker]).partition(str(marker))
    if not found:
        raise ValueError(f"{name} does not take a record's id")
    before, after = esc(before), esc(after)
    return lambda pk: f"{before}{pk}{after}"
