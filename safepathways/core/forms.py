"""Form fields and the bridge that renders Django form fields through GOV.UK Frontend macros."""

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.utils import timezone


class ListedChoiceIterator(forms.models.ModelChoiceIterator):
    """A model choice field's options read with one ordinary query and kept for the request.

    Django reads them with QuerySet.iterator(), which on PostgreSQL opens a server-side cursor: four round
    trips (declare, two fetches, close) for a list of a few dozen teams or places, on every form drawn."""

    def __iter__(self) -> Any:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        options = getattr(self.field, "options", None)
        for obj in self.queryset if options is None else options:
            yield self.choice(obj)


class ModelChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """Django's ModelChoiceField, its options read as ListedChoiceIterator reads them.

    An answer that is not one of the options gets the field's "invalid_choice" message, whatever was sent: Django's
    own says "“Z” is not a valid UUID." when it is not even an id, as a form changed in the browser may send."""

    iterator = ListedChoiceIterator

    def to_python(self, value: Any) -> Any:
        try:
            return super().to_python(value)
        except ValidationError as error:
            if error.code == "invalid_choice":
                raise
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            ) from error


class ShortListChoiceField(ModelChoiceField):
    """A choice among a short list (a council's teams, its neighbourhoods): the options are read once, and the
    chosen one is found among them, so checking a choice and drawing the list cost one query between them.

    A form may hand the field its options already read (`options`, a list, e.g. from a compiled query): the
    queryset then only names the model."""

    options: list[Any] | None = None

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        key = self.to_field_name or "pk"
        wanted = str(value.pk if isinstance(value, self.queryset.model) else value)  # type: ignore[union-attr]
        for option in self.queryset if self.options is None else self.options:  # type: ignore[union-attr]
            if str(getattr(option, key)) == wanted:
                return option
        raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value})


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """Django's ModelMultipleChoiceField, its options read as ListedChoiceIterator reads them."""

    iterator = ListedChoiceIterator


class GovUKDateWidget(forms.MultiWidget):
    """Day, month and year boxes, as in the GOV.UK date input pattern."""

    def __init__(self) -> None:
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {
            "day": forms.TextInput(attrs={"inputmode": "numeric"}),
            "month": forms.TextInput(attrs={"inputmode": "numeric"}),
            "year": forms.TextInput(attrs={"inputmode": "numeric"}),
        }
        super().__init__(widgets)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class GovUKDateField(forms.MultiValueField):
    """A date typed as day, month and year, with GOV.UK error wording."""

    widget = GovUKDateWidget

    def __init__(self, *, must_be_past: bool = False, **kwargs: Any) -> None:
        self.must_be_past = must_be_past
        fields = (forms.CharField(), forms.CharField(), forms.CharField())
        super().__init__(fields=fields, require_all_fields=False, **kwargs)

    def clean(self, value: Any) -> date | None:
        day, month, year = (str(part or "").strip() for part in (value or [None, None, None]))
        label = self.label or "Date"
        if not any((day, month, year)):
            if self.required:
                raise ValidationError(f"Enter {label.lower()}", code="required")
            return None
        missing = [name for name, part in (("day", day), ("month", month), ("year", year)) if not part]
        if missing:
            raise ValidationError(f"{label} must include a {' and '.join(missing)}", code="incomplete")
        if not (day.isdigit() and month.isdigit() and year.isdigit()) or len(year) != 4:
            raise ValidationError(f"{label} must be a real date", code="invalid")
        try:
            result = date(int(year), int(month), int(day))
        except ValueError as error:
            raise ValidationError(f"{label} must be a real date", code="invalid") from error
        if self.must_be_past and result > timezone.localdate():
            raise ValidationError(f"{label} must be today or in the past", code="future")
        return result

    def compress(self, data_list: list[Any]) -> date | None:  # pragma: no cover - clean() overrides
        return None


def _error(bound: BoundField) -> dict[str, str] | None:
    errors = bound.errors
    return {"text": " ".join(str(e) for e in errors)} if errors else None


def _label(bound: BoundField, label_classes: str, is_page_heading: bool) -> dict[str, Any]:
    return {"text": str(bound.label), "classes": label_classes, "isPageHeading": is_page_heading}


def field_params(bound: BoundField, **overrides: Any) -> dict[str, Any]:
    """The parameters of the GOV.UK macro that renders `bound`, with the macro's name as `kind`."""
    field = bound.field
    widget = field.widget
    hint = {"text": str(field.help_text)} if field.help_text else None
    label_classes = overrides.pop("label_classes", "govuk-label--s")
    is_page_heading = overrides.pop("is_page_heading", False)
    params: dict[str, Any] = {
        "id": bound.auto_id or f"id_{bound.html_name}",
        "name": bound.html_name,
        "hint": hint,
        "errorMessage": _error(bound),
    }
    if isinstance(widget, GovUKDateWidget):
        values = bound.value()
        if isinstance(values, date):
            values = [values.day, values.month, values.year]
        values = values or [None, None, None]
        params.update(
            kind="date",
            id=f"{bound.html_name}",
            fieldset={"legend": {"text": str(bound.label), "classes": "govuk-fieldset__legend--s"}},
            items=[
                {
                    "id": f"{bound.html_name}_{part}",
                    "name": f"{bound.html_name}_{part}",
                    "label": part.capitalize(),
                    "value": values[index] or "",
                    "classes": ("govuk-input--width-4" if part == "year" else "govuk-input--width-2")
                    + (" govuk-input--error" if bound.errors else ""),
                }
                for index, part in enumerate(("day", "month", "year"))
            ],
        )
    elif isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        selected = bound.value()
        selected_values = {str(v) for v in (selected if isinstance(selected, list) else [selected]) if v is not None}
        params.update(
            kind="checkboxes" if isinstance(widget, forms.CheckboxSelectMultiple) else "radios",
            idPrefix=bound.auto_id or bound.html_name,
            fieldset={"legend": {"text": str(bound.label), "classes": "govuk-fieldset__legend--s"}},
            items=[
                {"value": str(value), "text": str(text), "checked": str(value) in selected_values}
                for value, text in field.choices  # type: ignore[attr-defined]
                if str(value) != ""
            ],
            classes="govuk-radios--small" if overrides.pop("small", False) else "",
        )
    elif isinstance(widget, forms.CheckboxInput):
        params.update(
            kind="checkboxes",
            idPrefix=bound.auto_id or bound.html_name,
            items=[{"value": "on", "text": str(bound.label), "checked": bool(bound.value())}],
        )
    elif isinstance(widget, forms.Select):
        current = "" if bound.value() is None else str(bound.value())
        params.update(
            kind="select",
            label=_label(bound, label_classes, is_page_heading),
            items=[
                {"value": str(value), "text": str(text) or "Choose", "selected": str(value) == current}
                for value, text in field.choices  # type: ignore[attr-defined]
            ],
        )
    elif isinstance(widget, forms.Textarea):
        params.update(
            kind="textarea",
            label=_label(bound, label_classes, is_page_heading),
            value=bound.value() or "",
            rows=widget.attrs.get("rows", 4),
        )
    else:
        input_type = getattr(widget, "input_type", "text")
        params.update(
            kind="input",
            type=input_type if input_type in {"email", "password", "number", "tel"} else "text",
            label=_label(bound, label_classes, is_page_heading),
            value="" if input_type == "password" else (bound.value() or ""),
            classes=widget.attrs.get("class", ""),
            autocomplete=widget.attrs.get("autocomplete"),
            spellcheck=widget.attrs.get("spellcheck"),
            inputmode=widget.attrs.get("inputmode"),
        )
    params.update(overrides)
    return params


def error_summary_items(form: forms.BaseForm) -> list[dict[str, str]]:
    """Links from the error summary to each field in error, in the order of the form."""
    items = [{"text": str(error), "href": "#main-content"} for error in form.non_field_errors()]
    for name, field in form.fields.items():
        bound = form[name]
        if not bound.errors:
            continue
        if isinstance(field.widget, GovUKDateWidget):
            anchor = f"#{bound.html_name}_day"
        elif isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple | forms.CheckboxInput):
            anchor = f"#{bound.auto_id}"
        else:
            anchor = f"#{bound.auto_id}"
        items.extend({"text": str(error), "href": anchor} for error in bound.errors)
    return items
