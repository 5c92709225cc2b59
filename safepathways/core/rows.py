"""Table rows written in one Python pass, for lists long enough that a template expression per cell costs more
than the page's SQL (ADR-019). A presenter formats each row from its own markup and values passed through `esc`,
then hands the rows to `rows_markup`."""

from collections.abc import Iterable

from markupsafe import Markup, escape


def esc(value: object) -> str:
    """The value as text safe inside HTML, quotes included (it may stand in an attribute), escaped exactly as the
    templates escape it so that a name reads the same in a row as anywhere else on the page."""
    return str(escape(str(value)))


def rows_markup(lines: Iterable[str]) -> Markup:
    """The rows as markup the template prints as it is: every value in them must have gone through `esc`."""
    return Markup("".join(lines))  # noqa: S704 - the callers escape every value (see esc)
