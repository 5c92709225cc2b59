"""Table rows written in one Python pass, for lists long enough that a template expression per cell costs more
than the page's SQL (ADR-019). A presenter formats each row from its own markup and values passed through `esc`,
then hands the rows to `rows_markup`."""

import html
from collections.abc import Iterable

from markupsafe import Markup


def esc(value: object) -> str:
    """The value as text safe inside HTML, quotes included (it may stand in an attribute)."""
    return html.escape(str(value), quote=True)


def rows_markup(lines: Iterable[str]) -> Markup:
    """The rows as markup the template prints as it is: every value in them must have gone through `esc`."""
    return Markup("".join(lines))  # noqa: S704 - the callers escape every value (see esc)
