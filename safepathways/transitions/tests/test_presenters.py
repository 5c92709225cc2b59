"""The continuity view's rows are written in Python: everything in them must be escaped."""

import uuid
from datetime import date

from safepathways.transitions.presenters import gap_rows


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
        "team_name": None,
    }
    gap.update(overrides)
    return gap


def test_every_value_is_escaped() -> None:
    html = str(gap_rows([_gap()], {"service_ended": "Service ended <no next>"}, can_explain=True))
    assert "<script>" not in html and "<b>" not in html
    assert "Ann&lt;script&gt; O&#39;Neil" in html
    assert "Home care ended &lt;b&gt;with&lt;/b&gt; &#34;no&#34; reason &amp; no next service" in html
    assert "Service ended &lt;no next&gt;" in html
    assert "28 February 2026" in html
    assert "No team" in html


def test_the_explain_link_is_there_only_for_those_who_may_explain() -> None:
    gap = _gap()
    assert f"/transitions/continuity/{gap['id']}/explain/" in str(gap_rows([gap], {}, can_explain=True))
    assert "Explain" not in str(gap_rows([gap], {}, can_explain=False))
    assert "service_ended" in str(gap_rows([gap], {}, can_explain=False))  # a rule no longer registered: its code
