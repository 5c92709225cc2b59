"""An administrator chooses which waiting lists the front door routes to, and for which team; the admin refuses a
route that would open work nobody sees."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from safepathways.accounts.models import Team
from safepathways.referrals.models import Route, RouteSetting
from safepathways.work.models import WorkKind
from safepathways.work.tests.test_admin import admin_client  # noqa: F401  (the signed-in administrator)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("route", "kind", "message"),
    [
        (Route.REVIEW, WorkKind.CASE_MANAGEMENT, "puts work on the central waiting list"),
        (Route.OT_ASSESSMENT, WorkKind.SAFEGUARDING, "puts work on the central waiting list"),
        (Route.SAFEGUARDING, WorkKind.ASSESSMENT, "cannot open another kind"),
        (Route.HOSPITAL_DISCHARGE, WorkKind.REVIEW, "cannot open another kind"),
    ],
)
def test_a_route_opens_work_someone_will_see(route: Route, kind: WorkKind, message: str) -> None:
    setting = RouteSetting.objects.get(route=route)
    setting.work_kind = kind
    with pytest.raises(ValidationError) as error:
        setting.full_clean()
    assert message in error.value.message_dict["work_kind"][0]


def test_a_waiting_list_route_may_open_another_waiting_list_kind_for_a_named_team(team: Team) -> None:
    setting = RouteSetting.objects.get(route=Route.REVIEW)
    setting.work_kind, setting.team_slug = WorkKind.ASSESSMENT, team.slug
    setting.full_clean()  # a review route that opens Care Act assessments for the North West team: allowed


def test_an_unknown_team_is_refused() -> None:
    setting = RouteSetting.objects.get(route=Route.REVIEW)
    setting.team_slug = "no-such-team"
    with pytest.raises(ValidationError) as error:
        setting.full_clean()
    assert "No team has the slug" in error.value.message_dict["team_slug"][0]


def test_the_admin_shows_the_error_and_changes_nothing(admin_client: Client) -> None:  # noqa: F811
    url = reverse("admin:referrals_routesetting_change", args=[Route.REVIEW])
    response = admin_client.post(url, {"work_kind": WorkKind.CASE_MANAGEMENT, "team_slug": "", "is_active": "on"})
    assert response.status_code == 200
    assert "puts work on the central waiting list" in response.content.decode()
    assert RouteSetting.objects.get(route=Route.REVIEW).work_kind == WorkKind.REVIEW
