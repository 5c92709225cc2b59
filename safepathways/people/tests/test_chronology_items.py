"""The person page's chronology (people.presenters.chronology_items): the MoJ timeline's items, newest first as given,
every recorded value escaped as the templates escape it, a link only within the service."""

from datetime import UTC, datetime
from types import SimpleNamespace

from markupsafe import escape

from safepathways.people.presenters import chronology_items

WHEN = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 2:30am in London: British Summer Time began at 1am UTC


def _entry(**values: object) -> SimpleNamespace:
    entry: dict[str, object] = {
        "summary": "Alert added",
        "detail": "",
        "category": "alerts",
        "recorded_by_label": "Sam Okafor",
        "occurred_at": WHEN,
        "link": "",
    }
    entry.update(values)
    return SimpleNamespace(**entry)


def test_an_item_says_what_when_who_and_which_part_of_the_record() -> None:
    html = str(chronology_items([_entry(detail="Risk to visiting staff")]))
    assert '<h3 class="moj-timeline__title">Alert added</h3>' in html
    assert '<p class="moj-timeline__byline">by Sam Okafor</p>' in html
    assert f'<time datetime="{WHEN.isoformat()}">29 March 2026 at 2:30am</time>' in html
    assert '<span class="govuk-tag govuk-tag--grey">Alerts</span>' in html
    assert '<div class="moj-timeline__description">Risk to visiting staff</div>' in html


def test_no_detail_no_description_and_entries_keep_their_order() -> None:
    html = str(chronology_items([_entry(summary="Newer"), _entry(summary="Older", category="new_app_code")]))
    assert "moj-timeline__description" not in html
    assert html.index("Newer") < html.index("Older")
    assert "New app code" in html  # a category no label is known for is written out readably


def test_only_a_link_within_the_service_is_followed() -> None:
    html = str(chronology_items([_entry(summary="Contact taken", link="/front-door/contacts/1/")]))
    assert '<a class="govuk-link" href="/front-door/contacts/1/">Contact taken</a>' in html
    for elsewhere in ("javascript:alert(1)", "//evil.example/", "https://evil.example/"):
        html = str(chronology_items([_entry(link=elsewhere)]))
        assert "href" not in html
        assert "Alert added" in html


def test_what_people_recorded_is_escaped_as_the_templates_escape_it() -> None:
    typed = "O'Brien <script>\"&"
    html = str(chronology_items([_entry(summary=typed, detail=typed, recorded_by_label=typed)]))
    assert "<script>" not in html
    assert html.count(str(escape(typed))) == 3


def test_no_entries_no_items() -> None:
    assert str(chronology_items([])) == ""
