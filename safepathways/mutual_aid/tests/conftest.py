"""Mutual aid fixtures: a contingency lead, partner councils, and a way to post signed messages as a partner."""

import json
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from safepathways.accounts.models import Role, Team
from safepathways.conftest import Persona
from safepathways.mutual_aid import services, signing
from safepathways.mutual_aid.models import MESSAGES_PATH, AidKind, AidRequest, Partnership

SECRET = "s" * 40

MakePartnership = Callable[..., Partnership]
PostAsPartner = Callable[..., Any]


@pytest.fixture
def contingency_lead(make_persona: Callable[..., Persona], team: Team) -> Persona:
    return make_persona(team, Role.CONTINGENCY_LEAD, name="Cal Murray")


@pytest.fixture
def make_partnership(db: None) -> MakePartnership:
    counter = {"n": 0}

    def make(name: str = "", ons_code: str = "", base_url: str = "https://safepathways.barnet.example") -> Partnership:
        counter["n"] += 1
        n = counter["n"]
        partnership, _ = services.add_partnership(
            name=name or f"London Borough of Partner {n}",
            ons_code=ons_code or f"E0900099{n}",
            base_url=base_url,
            key_id=f"partner-{n}",
            shared_secret=SECRET,
        )
        return partnership

    return make


@pytest.fixture
def barnet(make_partnership: MakePartnership) -> Partnership:
    return make_partnership("London Borough of Barnet", "E09000003")


@pytest.fixture
def enfield(make_partnership: MakePartnership) -> Partnership:
    return make_partnership("London Borough of Enfield", "E09000010", "https://safepathways.enfield.example")


def envelope(
    partnership: Partnership, type: str, data: dict[str, Any], message_id: uuid.UUID | None = None
) -> dict[str, Any]:
    """A message as `partnership`'s instance would write it to this council."""
    return {
        "id": str(message_id or uuid.uuid4()),
        "type": type,
        "sent_at": timezone.now().isoformat(),
        "from": {"ons_code": partnership.ons_code, "name": partnership.name},
        "to": settings.SAFEPATHWAYS["COUNCIL_ONS_CODE"],
        "data": data,
    }


def signed_headers(partnership: Partnership, body: bytes, *, now: datetime | None = None) -> dict[str, str]:
    headers = signing.signed_headers(
        partnership=partnership, method="POST", path=MESSAGES_PATH, body=body, now=now or timezone.now()
    )
    return {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}


@pytest.fixture
def post_as_partner(db: None) -> PostAsPartner:
    """POST a message to this instance's endpoint, signed as `partnership` (or with `headers` as given)."""

    def post(partnership: Partnership, message: dict[str, Any], *, headers: dict[str, str] | None = None) -> Any:
        body = json.dumps(message).encode()
        client = Client(HTTP_HOST="127.0.0.1")
        return client.post(
            MESSAGES_PATH,
            data=body,
            content_type="application/json",
            **(headers if headers is not None else signed_headers(partnership, body)),
        )

    return post


def request_data(**overrides: Any) -> dict[str, Any]:
    """The data of a `request` message for 2 beds from tomorrow for a week."""
    start = timezone.localdate() + timedelta(days=1)
    data = {
        "request_id": str(uuid.uuid4()),
        "kind": AidKind.BEDS,
        "quantity": 2,
        "needed_from": start.isoformat(),
        "needed_until": (start + timedelta(days=7)).isoformat(),
        "detail": "Two nursing beds after a care home closure",
        "contact_name": "Pat Jones",
        "contact_email": "pat.jones@barnet.example",
    }
    data.update(overrides)
    return data


def send(partnerships: list[Partnership], by: Any, **overrides: Any) -> AidRequest:
    start: date = timezone.localdate() + timedelta(days=1)
    values: dict[str, Any] = {
        "partnerships": partnerships,
        "kind": AidKind.BEDS,
        "quantity": 2,
        "needed_from": start,
        "needed_until": start + timedelta(days=7),
        "detail": "Two nursing beds after a care home closure",
        "by": by,
    }
    values.update(overrides)
    return services.send_request(**values)
