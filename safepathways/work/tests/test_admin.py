"""The waiting list's local policy is edited by administrators in the admin site (ADR-011), not in the database."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from safepathways.accounts.models import Team, User
from safepathways.conftest import Persona
from safepathways.work import selectors, services
from safepathways.work.models import CaseloadCap, PriorityPolicy, RiskFlag, RiskMatrix

PASSWORD = "correct-horse-battery"


def _signed_in_with_code(user: User) -> Client:
    """Signed in as an administrator is: password, then a code from their authenticator."""
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client(HTTP_HOST="127.0.0.1")
    client.post(reverse("accounts:sign_in"), {"email": user.email, "password": PASSWORD})
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    assert client.post(reverse("accounts:mfa_verify"), {"token": code, "next": "/"}).status_code == 302
    return client


@pytest.fixture
def admin_client(db: None) -> Client:
    return _signed_in_with_code(User.objects.create_superuser("admin@example.test", PASSWORD, full_name="Ada Admin"))


@pytest.mark.parametrize("model", [PriorityPolicy, RiskMatrix, RiskFlag, CaseloadCap])
def test_each_policy_is_listed_in_the_admin(admin_client: Client, model: type) -> None:
    url = reverse(f"admin:work_{model._meta.model_name}_changelist")
    assert admin_client.get(url).status_code == 200


def test_the_admin_needs_staff(social_worker: Persona) -> None:
    response = social_worker.http.get(reverse("admin:work_caseloadcap_changelist"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_a_council_sets_a_team_default_cap_and_the_allocation_rule_uses_it(admin_client: Client, team: Team) -> None:
    worker = User.objects.create_user("worker@example.test", PASSWORD, full_name="Wes Worker")
    assert services.caseload_cap(team=team, user=worker) is None  # nothing seeded: no cap
    response = admin_client.post(reverse("admin:work_caseloadcap_add"), {"team": team.pk, "user": "", "cap": 12})
    assert response.status_code == 302
    assert services.caseload_cap(team=team, user=worker) == 12
    # A second team default would leave it unclear which applies: refused.
    again = admin_client.post(reverse("admin:work_caseloadcap_add"), {"team": team.pk, "user": "", "cap": 20})
    assert again.status_code == 200
    assert CaseloadCap.objects.count() == 1


def test_timescales_are_edited_and_used(admin_client: Client) -> None:
    url = reverse("admin:work_prioritypolicy_change", args=["red"])
    response = admin_client.post(
        url,
        {
            "contact_interval_days": 3,
            "allocation_working_days": 1,
            "supervision_open_days": 84,
            "supervision_no_contact_days": 28,
        },
    )
    assert response.status_code == 302
    assert services.next_contact_on(date(2026, 1, 5), "red") == date(2026, 1, 8)


def test_supervision_limits_default_to_84_and_28_days_and_are_edited_in_the_admin(admin_client: Client) -> None:
    assert {p: (lim.open_days, lim.no_contact_days) for p, lim in selectors.supervision_limits().items()} == {
        "red": (84, 28),
        "amber": (84, 28),
        "green": (84, 28),
    }
    url = reverse("admin:work_prioritypolicy_change", args=["red"])
    form = admin_client.get(url).content.decode()
    assert 'name="supervision_open_days"' in form and 'name="supervision_no_contact_days"' in form
    response = admin_client.post(
        url,
        {
            "contact_interval_days": 7,
            "allocation_working_days": 2,
            "supervision_open_days": 42,
            "supervision_no_contact_days": 14,
        },
    )
    assert response.status_code == 302
    assert selectors.supervision_limits()["red"] == selectors.SupervisionLimits(open_days=42, no_contact_days=14)
    assert selectors.supervision_limits()["green"] == selectors.SupervisionLimits(open_days=84, no_contact_days=28)


def test_the_risk_matrix_is_one_row(admin_client: Client) -> None:
    RiskMatrix.objects.get_or_create(id=1)
    assert admin_client.get(reverse("admin:work_riskmatrix_add")).status_code == 403
    url = reverse("admin:work_riskmatrix_change", args=[1])
    refused = admin_client.post(url, {"amber_from": 10, "red_from": 9})
    assert refused.status_code == 200  # shown again: red must start above amber
    assert RiskMatrix.objects.get(id=1).red_from == 15
    assert admin_client.post(url, {"amber_from": 6, "red_from": 12}).status_code == 302
    assert services.rate(likelihood=2, impact=3, flags=[]).priority == "amber"
