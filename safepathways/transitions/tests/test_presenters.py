"""The continuity view's rows are written in Python: everything in them must be escaped. And the family copy's
wording: a risk as the condition after "If", the check interval in words."""

import uuid
from datetime import date

import pytest

from safepathways.transitions.presenters import gap_rows, hours_in_words, risk_condition


def _gap(**overrides: object) -> dict[str, object]:
    gap: dict[str, object] = {
        "id": uuid.uuid4(),
        "person_id": uuid.uuid4(),
        "rule": "service_ended",
        "detail": 'Home care ended <b>with</b> "no" reason & no next service',
        "since": date(2026, 2, 28),
        "given_name": "Ann<script>",
        "family_name": "O'Neil",
        "reference": "SP0000001",
        "team_id": None,
        "team_name": None,
    }
    gap.update(overrides)
    return gap


def test_every_value_is_escaped() -> None:
    html = str(gap_rows([_gap()], {"service_ended": "Service ended <no next>"}, may_explain=lambda team: True))
    assert "<script>" not in html and "<b>" not in html
    assert "Ann&lt;script&gt; O&#39;Neil" in html
    assert "Home care ended &lt;b&gt;with&lt;/b&gt; &#34;no&#34; reason &amp; no next service" in html
    assert "Service ended &lt;no next&gt;" in html
    assert "28 February 2026" in html
    assert "No team" in html


def test_the_explain_link_is_there_only_for_those_who_may_explain() -> None:
    mine, theirs = uuid.uuid4(), uuid.uuid4()
    gap, other = _gap(team_id=mine), _gap(team_id=theirs)
    html = str(gap_rows([gap, other], {}, may_explain=lambda team: team == mine))
    assert f"/transitions/continuity/{gap['id']}/explain/" in html
    assert f"/transitions/continuity/{other['id']}/explain/" not in html
    assert html.count("<td") == 2 * 5  # the row without the link keeps its empty Action cell
    assert "Explain" not in str(gap_rows([gap], {}, may_explain=None))
    assert "service_ended" in str(gap_rows([gap], {}, may_explain=None))  # a rule no longer registered: its code


@pytest.mark.parametrize(
    ("risk", "condition"),
    [
        ("The carer cannot come", "the carer cannot come"),
        ("GP cannot visit before Friday", "GP cannot visit before Friday"),
        ("if the key safe code is wrong", "the key safe code is wrong"),
        ("If GP is away.", "GP is away"),
        ("Edith refuses the first visit", "Edith refuses the first visit"),
        ("I fall at night", "I fall at night"),
        ("no food in the house", "no food in the house"),
        ("If", "If"),
    ],
)
def test_a_risk_reads_as_the_condition_after_if(risk: str, condition: str) -> None:
    assert risk_condition(risk) == condition


@pytest.mark.parametrize(("hours", "words"), [(72, "3 days"), (24, "a day"), (36, "36 hours"), (1, "an hour")])
def test_the_check_interval_in_plain_words(hours: int, words: str) -> None:
    assert hours_in_words(hours) == words
