"""The risk register's bands are local risk policy: settings SAFEPATHWAYS["RISK_BANDS"], checked at start-up."""

from typing import Any

import pytest
from django.conf import settings
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.urls import reverse

from config.settings import base
from safepathways.conftest import Persona
from safepathways.people.presenters import risk_band, risk_rating
from safepathways.people.tests.factories import RiskFactory
from safepathways.work.models import WorkItem
from safepathways.work.tests.factories import WorkItemFactory

# The NHS's four-band matrix (1–3 low, 4–6 moderate, 8–12 high, 15–25 extreme), as a council might set it.
FOUR_BANDS = [(15, "Extreme", "magenta"), (8, "High", "red"), (4, "Moderate", "yellow"), (1, "Low", "green")]


def _bands(bands: Any) -> Any:
    return override_settings(SAFEPATHWAYS={**settings.SAFEPATHWAYS, "RISK_BANDS": bands})


def _problems() -> list[str]:
    return [message.msg for message in run_checks() if message.id == "people.E001"]


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (1, ("Low", "govuk-tag--green")),
        (4, ("Low", "govuk-tag--green")),
        (5, ("Medium", "govuk-tag--orange")),
        (12, ("Medium", "govuk-tag--orange")),
        (15, ("High", "govuk-tag--red")),
        (25, ("High", "govuk-tag--red")),
    ],
)
def test_the_default_is_todays_policy(score: int, expected: tuple[str, str]) -> None:
    assert settings.SAFEPATHWAYS["RISK_BANDS"] == [(15, "High", "red"), (5, "Medium", "orange"), (1, "Low", "green")]
    assert risk_band(score) == expected


@pytest.mark.parametrize(
    ("score", "expected"),
    [(3, "Low"), (4, "Moderate"), (6, "Moderate"), (8, "High"), (12, "High"), (15, "Extreme"), (25, "Extreme")],
)
def test_the_setting_changes_the_bands(score: int, expected: str) -> None:
    with _bands(list(reversed(FOUR_BANDS))):  # any order: the highest band a score reaches is its band
        assert risk_band(score)[0] == expected
    assert 'class="govuk-tag govuk-tag--magenta">Extreme (20)' in str(_rendered(20))


def _rendered(score: int) -> Any:
    with _bands(FOUR_BANDS):
        return risk_rating(score)


def test_the_person_page_shows_the_councils_bands(social_worker: Persona) -> None:
    item: WorkItem = WorkItemFactory.create(team=social_worker.team)
    RiskFactory(person=item.person, owner=social_worker.user, recorded_by=social_worker.user, likelihood=2, impact=3)
    url = reverse("people:detail", args=[item.person.pk])
    assert "Medium (6)" in social_worker.http.get(url).content.decode()
    with _bands(FOUR_BANDS):
        assert "Moderate (6)" in social_worker.http.get(url).content.decode()


def test_the_check_passes_the_default_and_the_four_bands() -> None:
    assert _problems() == []
    with _bands(FOUR_BANDS):
        assert _problems() == []


@pytest.mark.parametrize(
    ("bands", "problem"),
    [
        (None, "must be a non-empty list of bands"),
        ([], "must be a non-empty list of bands"),
        ("15:High:red", "must be a non-empty list of bands"),
        ([(15, "High"), (1, "Low", "green")], "is not a band of three"),
        ([(15, "High", "red"), ("5", "Medium", "orange"), (1, "Low", "green")], "not a whole number from 1 to 25"),
        ([(30, "High", "red"), (1, "Low", "green")], "not a whole number from 1 to 25"),
        ([(15, "", "red"), (1, "Low", "green")], "has no label"),
        ([(15, "High", "govuk-tag--red"), (1, "Low", "green")], "not one of GOV.UK Frontend's tag colours"),
        ([(15, "High", "red"), (15, "Very high", "magenta"), (1, "Low", "green")], "two bands starting at the same"),
        ([(15, "High", "red"), (5, "Medium", "orange")], "no band starting at 1"),
    ],
)
def test_the_check_reports_a_malformed_setting(bands: Any, problem: str) -> None:
    with _bands(bands):
        problems = _problems()
    assert problems, "the check should have reported the setting"
    assert any(problem in message for message in problems), problems
    assert all(message.startswith('SAFEPATHWAYS["RISK_BANDS"] ') for message in problems)


def test_the_check_reports_a_missing_setting() -> None:
    without = {key: value for key, value in settings.SAFEPATHWAYS.items() if key != "RISK_BANDS"}
    with override_settings(SAFEPATHWAYS=without):
        assert _problems() == ['SAFEPATHWAYS["RISK_BANDS"] must be a non-empty list of bands, not None.']


def test_the_environment_variable_gives_the_bands(monkeypatch: pytest.MonkeyPatch) -> None:
    default = [(15, "High", "red"), (1, "Low", "green")]
    assert base._risk_bands("SAFEPATHWAYS_RISK_BANDS", default) == default
    monkeypatch.setenv("SAFEPATHWAYS_RISK_BANDS", "15:Extreme:magenta, 8:High:red,4:Moderate:yellow,1:Low:green")
    assert base._risk_bands("SAFEPATHWAYS_RISK_BANDS", default) == FOUR_BANDS
    monkeypatch.setenv("SAFEPATHWAYS_RISK_BANDS", "15-High-red,1:Low:green")
    with pytest.raises(ImproperlyConfigured, match="'15-High-red' is not one"):
        base._risk_bands("SAFEPATHWAYS_RISK_BANDS", default)
