"""Helpers for tests that use the Django admin: a superuser signed in with a second factor, and a form's data."""

from typing import Any

from django.forms import BoundField, MultiWidget
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from safepathways.accounts.models import User

PASSWORD = "correct-horse-battery"


def signed_in_superuser(email: str = "admin@example.test") -> tuple[User, Client]:
    """A superuser signed in as administrators are: password, then a code from their authenticator."""
    user = User.objects.create_superuser(email, PASSWORD, full_name="Ada Admin")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client(HTTP_HOST="127.0.0.1")
    client.post(reverse("accounts:sign_in"), {"email": user.email, "password": PASSWORD})
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    assert client.post(reverse("accounts:mfa_verify"), {"token": code, "next": "/"}).status_code == 302
    return user, client


def _put(data: dict[str, Any], field: BoundField) -> None:
    names = [field.html_name]
    if field.field.show_hidden_initial:  # e.g. a field with a callable default: the admin compares with this copy
        names.append(field.html_initial_name)
    value = field.value()
    widget = field.field.widget
    for name in names:
        if isinstance(widget, MultiWidget):
            for index, part in enumerate(widget.decompress(value)):
                data[f"{name}_{index}"] = "" if part is None else str(part)
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        else:
            data[name] = "" if value is None else str(value)


def admin_form_data(response: Any) -> dict[str, Any]:
    """What the admin change form would post back unchanged: the main form and every inline."""
    assert response.status_code == 200
    data: dict[str, Any] = {}
    form = response.context["adminform"].form
    for name in form.fields:
        _put(data, form[name])
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            _put(data, management[name])
        for inline_form in formset.forms:
            for name in inline_form.fields:
                _put(data, inline_form[name])
    return data
