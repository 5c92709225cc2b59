"""What the apps' access-matrix tests share: a client for each persona, and how an expected answer is checked.

A persona is the name of a conftest fixture (safepathways/conftest.py and the app's own), or "anonymous"; an app
may give some personas another fixture's name (`fixtures`). An expected answer is a status code, SIGN_IN (sent to
sign in) or DECLARE (sent to declare a working relationship with the person first, ADR-004).
"""

from collections.abc import Mapping
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from safepathways.accounts.services import issue_api_token
from safepathways.conftest import Persona

SIGN_IN = "sign in"
DECLARE = "declare"


def persona(name: str, request: pytest.FixtureRequest, fixtures: Mapping[str, str] | None = None) -> Persona | None:
    """The persona called `name` (None for anonymous)."""
    if name == "anonymous":
        return None
    found: Persona = request.getfixturevalue((fixtures or {}).get(name, name))
    return found


def web_client(name: str, request: pytest.FixtureRequest, fixtures: Mapping[str, str] | None = None) -> Client:
    """The persona's signed-in browser client, or an anonymous one."""
    who = persona(name, request, fixtures)
    client: Client = request.getfixturevalue("anonymous") if who is None else who.http
    return client


def api_client(name: str, request: pytest.FixtureRequest, fixtures: Mapping[str, str] | None = None) -> APIClient:
    """An API client with a token of the persona's own, or none for anonymous."""
    client = APIClient(HTTP_HOST="127.0.0.1")
    who = persona(name, request, fixtures)
    if who is not None:
        _, key = issue_api_token(user=who.user, name="matrix")
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def check(response: Any, expected: int | str) -> None:
    """The response is the one expected: a status code, SIGN_IN or DECLARE."""
    if expected == SIGN_IN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:sign_in"))
    elif expected == DECLARE:
        assert response.status_code == 302
        assert "/declare/" in response["Location"]
    else:
        assert response.status_code == expected, getattr(response, "content", b"")[:500]
