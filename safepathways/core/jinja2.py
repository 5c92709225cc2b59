"""The Jinja2 environment: GOV.UK Frontend macros, Django URLs, static files and filters."""

from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader

from safepathways.core import formatting
from safepathways.core.forms import error_summary_items, field_params


def url(name: str, *args: Any, **kwargs: Any) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


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
