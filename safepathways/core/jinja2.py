"""The Jinja2 environment: GOV.UK Frontend macros, Django URLs, static files and filters."""

import json
import re
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.messages import get_messages
from django.forms import BoundField
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader
from markupsafe import Markup, escape

from safepathways.core import formatting
from safepathways.core.forms import error_summary_items, field_params
from safepathways.core.navigation import navigation_items, visible_items

URL_MEMO_LIMIT = 20000  # distinct (prefix, name, arguments) kept; beyond it, URLs are reversed afresh
_urls: dict[tuple[str, str, tuple[Any, ...], tuple[tuple[str, Any], ...]], str] = {}


def url(name: str, *args: Any, **kwargs: Any) -> str:
    """reverse() for templates, remembered: a page reverses the same few dozen names on every request.

    The URL configuration does not change while the process runs; the script prefix (a deployment under a
    path) is part of the key, so a URL is never served with another prefix."""
    key = (get_script_prefix(), name, args, tuple(sorted(kwargs.items())))
    try:
        found = _urls.get(key)
    except TypeError:  # an argument that cannot be a key (a list, say): reverse it every time
        return reverse(name, args=args or None, kwargs=kwargs or None)
    if found is None:
        found = reverse(name, args=args or None, kwargs=kwargs or None)
        if len(_urls) < URL_MEMO_LIMIT:
            _urls[key] = found
    return found


MEMO_LIMIT = 5000  # distinct renderings kept (the navigation differs by role and by the section a page is in)


def _memo_macro(env: Environment) -> Any:
    """A GOV.UK macro whose output depends only on its parameters, rendered once per distinct parameters.

    The header, the phase banner and the service navigation are on every page and cost a few milliseconds of
    macro calls each time; their parameters take few distinct values, so the HTML is kept and reused.
    """
    cache: dict[tuple[str, str, str], Markup] = {}

    def memo_macro(template: str, macro: str, params: dict[str, Any]) -> Markup:
        key = (template, macro, json.dumps(params, sort_keys=True, default=str))
        found = cache.get(key)
        if found is None:
            # A macro of an autoescaping environment returns Markup: its output is already escaped.
            found = cast(Markup, getattr(env.get_template(template).module, macro)(params))
            if len(cache) < MEMO_LIMIT:
                cache[key] = found
        return found

    return memo_macro


def _service_navigation(memo_macro: Any) -> Any:
    """The GOV.UK service navigation for this request, remembered per menu (the items a user sees) and section.

    Building the macro's parameters and their memo key costs more than looking the HTML up by the items shown and
    which of them is current, so that is the key (with the script prefix)."""
    cache: dict[tuple[Any, ...], Markup] = {}

    def service_navigation(request: Any) -> Markup:
        items = visible_items(request.user)
        path = request.path
        key = (get_script_prefix(), items, tuple(item.active(path) for item in items))
        found = cache.get(key)
        if found is None:
            params = {
                "serviceName": settings.SAFEPATHWAYS["SERVICE_NAME"],
                "serviceUrl": url("core:home"),
                "navigation": navigation_items(request, url),
                "navigationLabel": "Main menu",
            }
            found = cast(
                Markup,
                memo_macro(
                    "govuk_frontend_jinja/components/service-navigation/macro.html", "govukServiceNavigation", params
                ),
            )
            if len(cache) < MEMO_LIMIT:
                cache[key] = found
        return found

    return service_navigation


FIELD_MACROS = {
    "date": ("govuk_frontend_jinja/components/date-input/macro.html", "govukDateInput"),
    "radios": ("govuk_frontend_jinja/components/radios/macro.html", "govukRadios"),
    "checkboxes": ("govuk_frontend_jinja/components/checkboxes/macro.html", "govukCheckboxes"),
    "select": ("govuk_frontend_jinja/components/select/macro.html", "govukSelect"),
    "textarea": ("govuk_frontend_jinja/components/textarea/macro.html", "govukTextarea"),
    "input": ("govuk_frontend_jinja/components/input/macro.html", "govukInput"),
}


def _is_blank(bound: BoundField) -> bool:
    value = bound.value()
    if isinstance(value, list | tuple):
        return not any(part not in (None, "") for part in value)
    return value in (None, "")


def _select_key(bound: BoundField, options: dict[str, Any] | None) -> tuple[Any, ...]:
    field: Any = bound.field
    value = bound.value()
    return (
        bound.html_name,
        bound.auto_id,
        str(bound.label),
        str(field.help_text),
        "" if value is None else str(value),
        tuple((str(option), str(text)) for option, text in field.choices),
        tuple(sorted(options.items())) if options else (),
    )


# A typed value's place in a remembered rendering: letters and digits, which no GOV.UK macro escapes or changes.
PLACEHOLDER = "spv4lu3{}x"
_PLACEHOLDERS = re.compile(r"spv4lu3(\d+)x")
TYPED_KINDS = frozenset({"input", "date"})  # the macros that print a typed value only as an attribute's value


def _placeholders(params: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The macro's parameters with each typed value replaced by a numbered placeholder, and the values in order."""
    typed: list[str] = []

    def hold(value: Any) -> Any:
        if value in (None, ""):
            return value  # the macro leaves an empty value out: it stays part of the shape
        typed.append(str(value))
        return PLACEHOLDER.format(len(typed) - 1)

    if params["kind"] == "date":
        return {**params, "items": [{**item, "value": hold(item["value"])} for item in params["items"]]}, typed
    return {**params, "value": hold(params.get("value"))}, typed


def _fill(shape: Markup, typed: list[str]) -> Markup | None:
    """The remembered rendering with the typed values escaped into their places, in one pass (so a value that
    looks like a placeholder stays text); None when a placeholder is not there exactly once."""
    html = str(shape)
    if any(html.count(PLACEHOLDER.format(index)) != 1 for index in range(len(typed))):
        return None
    escaped = [str(escape(value)) for value in typed]
    return Markup(_PLACEHOLDERS.sub(lambda found: escaped[int(found.group(1))], html))  # noqa: S704 - escaped


def _render_field(env: Environment, memo_macro: Any) -> Any:
    """Render a form field through its GOV.UK macro. A field with nothing in it (no typed or initial value) is the
    same for everyone, so its HTML is reused (memo_macro), as is a select without errors (only its options and a
    choice among them). A text or date input with a value and no error reuses the rendering of its shape, with
    placeholders where the values go, and escapes the values into it; any other field with a value is rendered
    afresh. Nobody's answers are kept in memory."""

    selects: dict[tuple[Any, ...], Markup] = {}

    def render_field(bound: BoundField, options: dict[str, Any] | None = None) -> Markup:
        widget = bound.field.widget
        # A select with an error may show what was sent in its place (Django's "not one of the available
        # choices"): drawn afresh, like any field with something typed in it.
        if isinstance(widget, forms.Select) and not isinstance(widget, forms.SelectMultiple) and not bound.errors:
            # A select is drawn from its name, label, hint, options and choice alone: found by those without
            # building the macro's parameters (every list page's filters are selects).
            try:
                key = _select_key(bound, options)
                found = selects.get(key)
            except TypeError:  # an option that cannot be a key: draw it as any other field
                key, found = None, None
            if found is not None:
                return found
            params = field_params(bound, **(options or {}))
            found = cast(Markup, memo_macro(*FIELD_MACROS["select"], params))
            if key is not None and len(selects) < MEMO_LIMIT:
                selects[key] = found
            return found
        params = field_params(bound, **(options or {}))
        template, macro = FIELD_MACROS.get(params["kind"], FIELD_MACROS["input"])
        if _is_blank(bound):
            return cast(Markup, memo_macro(template, macro, params))
        if not bound.errors and params["kind"] in TYPED_KINDS:
            shaped, typed = _placeholders(params)
            filled = _fill(memo_macro(template, macro, shaped), typed)
            if filled is not None:
                return filled
        return cast(Markup, getattr(env.get_template(template).module, macro)(params))

    return render_field


def environment(**options: Any) -> Environment:
    """Build the environment Django's Jinja2 backend renders with."""
    dirs = options.pop("loader", None) or FileSystemLoader([str(d) for d in settings.JINJA_TEMPLATE_DIRS])
    options["loader"] = ChoiceLoader(
        [dirs, PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja", "templates")})]
    )
    options.setdefault("trim_blocks", True)
    options.setdefault("lstrip_blocks", True)
    options["extensions"] = [*options.get("extensions", []), "jinja2.ext.do"]
    env = Environment(**options)  # noqa: S701 - autoescape is switched on in settings.TEMPLATES
    env.globals.update(
        {
            "static": static,
            "url": url,
            "field_params": field_params,
            "error_summary_items": error_summary_items,
            "get_messages": get_messages,
            "service_name": settings.SAFEPATHWAYS["SERVICE_NAME"],
            "council_name": settings.SAFEPATHWAYS["COUNCIL_NAME"],
            "today": timezone.localdate,
        }
    )
    env.globals["navigation_items"] = navigation_items
    env.globals["memo_macro"] = _memo_macro(env)
    env.globals["render_field"] = _render_field(env, env.globals["memo_macro"])
    env.globals["service_navigation"] = _service_navigation(env.globals["memo_macro"])
    # Presenters of domain apps, named in settings so the kernel imports no domain code.
    env.globals.update({name: import_string(path) for name, path in settings.JINJA_GLOBALS.items()})
    env.filters.update(
        {
            "date": formatting.format_date,
            "datetime": formatting.format_datetime,
            "age": formatting.age,
            "nhs_number": formatting.format_nhs_number,
            "relative_day": formatting.relative_day,
            "localdate": timezone.localdate,
        }
    )
    return env
