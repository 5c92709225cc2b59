"""A contingency lead asks a partner council for beds, accepts its offer and shares the person's details, in a real
browser with axe-core on every page. The partner's offer arrives as a signed message through the same service the
messages endpoint uses."""

import json
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from safepathways.accounts.models import Role
from safepathways.conftest import Persona
from safepathways.mutual_aid import services, signing
from safepathways.mutual_aid.models import MESSAGES_PATH, AidRequest, Disclosure, RequestStatus
from safepathways.tests.system.test_journeys import assert_accessible, sign_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]


def _fill_date(page: Page, name: str, day: Any) -> None:
    page.locator(f"#{name}_day").fill(str(day.day))
    page.locator(f"#{name}_month").fill(str(day.month))
    page.locator(f"#{name}_year").fill(str(day.year))


def test_beds_are_asked_for_offered_accepted_and_details_shared(
    page: Page, live_server: Any, make_persona: Callable[..., Persona], team: Any
) -> None:
    lead = make_persona(team, Role.CONTINGENCY_LEAD, name="Cal Murray")
    barnet, _ = services.add_partnership(
        name="London Borough of Barnet",
        ons_code="E09000003",
        base_url="https://safepathways.barnet.example",
        key_id="barnet-camden",
        shared_secret="e2e-" + "s" * 40,
    )
    base, today = live_server.url, timezone.localdate()
    sign_in(page, base, lead.user.email)
    page.goto(f"{base}/mutual-aid/")
    assert_accessible(page)
    page.get_by_role("link", name="Partner councils and message delivery").click()
    assert_accessible(page)
    page.goto(f"{base}/mutual-aid/")
    page.get_by_role("button", name="Ask partner councils for help").click()
    assert_accessible(page)

    # Personal details in the free text are refused, with an error summary that names the field.
    page.get_by_label("London Borough of Barnet").check()
    page.get_by_label("Beds").check()
    page.get_by_label("How many?").fill("2")
    _fill_date(page, "needed_from", today + timedelta(days=1))
    _fill_date(page, "needed_until", today + timedelta(days=8))
    page.get_by_label("What is needed (optional)").fill("For Ann, NHS 943 476 5919")
    page.get_by_role("button", name="Send the request").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Remove an NHS number")
    assert_accessible(page)
    page.get_by_label("What is needed (optional)").fill("Two nursing beds after a care home closure")
    page.get_by_role("button", name="Send the request").click()
    expect(page.locator("h1")).to_contain_text("Beds: 2 beds")
    assert_accessible(page)

    # Barnet's instance offers two beds.
    aid_request = AidRequest.objects.get()
    message = {
        "id": str(uuid.uuid4()),
        "type": "offer",
        "sent_at": timezone.now().isoformat(),
        "from": {"ons_code": barnet.ons_code, "name": barnet.name},
        "to": settings.SAFEPATHWAYS["COUNCIL_ONS_CODE"],
        "data": {
            "offer_id": str(uuid.uuid4()),
            "request_id": str(aid_request.pk),
            "quantity": 2,
            "detail": "Oak Lodge",
        },
    }
    body = json.dumps(message).encode()
    headers = signing.signed_headers(
        partnership=barnet, method="POST", path=MESSAGES_PATH, body=body, now=timezone.now()
    )
    services.receive_message(headers=headers, method="POST", path=MESSAGES_PATH, body=body)

    page.reload()
    assert_accessible(page)
    page.get_by_role("button", name="Accept the offer from London Borough of Barnet").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("accepted")
    page.get_by_role("link", name="Share the person's details with London Borough of Barnet").click()
    assert_accessible(page)
    page.get_by_label("Full name").fill("Ann Example")
    _fill_date(page, "date_of_birth", today.replace(year=today.year - 85))
    page.get_by_label("Summary of their needs").fill("Nursing care; hoist for transfers")
    page.get_by_role("button", name="Send the details").click()
    expect(page.locator("main")).to_contain_text("Ann Example")
    assert_accessible(page)
    aid_request.refresh_from_db()
    assert aid_request.status == RequestStatus.ACCEPTED
    assert Disclosure.objects.get().full_name == "Ann Example"
