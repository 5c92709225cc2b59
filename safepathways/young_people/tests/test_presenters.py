"""The tracker's rows are written in Python: everything in them must be escaped, and the alarms must show."""

import uuid
from datetime import date

from safepathways.accounts.models import User
from safepathways.people.models import Person
from safepathways.young_people.milestones import Alarm, AlarmLevel
from safepathways.young_people.models import YoungPerson
from safepathways.young_people.presenters import tracker_rows
from safepathways.young_people.selectors import Assessed

TODAY = date(2026, 3, 2)


def _row(*, worker: User | None, alarms: list[Alarm], care_leaver: bool = False) -> Assessed:
    young_person = YoungPerson(
        id=uuid.uuid4(),
        person=Person(given_name="Jo<i>", family_name="O'Hara & Sons"),
        transitions_worker=worker,
        is_care_leaver=care_leaver,
    )
    return Assessed(young_person=young_person, age=17, statuses=[], next=None, alarms=alarms)


def test_every_value_is_escaped_and_the_alarms_show() -> None:
    alarm = Alarm(level=AlarmLevel.RED, code="no_adult_plan", text="17½ with no adult plan <yet>")
    html = str(tracker_rows([_row(worker=User(full_name="Tom <T>"), alarms=[alarm], care_leaver=True)], TODAY))
    assert "<i>" not in html and "<yet>" not in html and "<T>" not in html
    assert "Jo&lt;i&gt; O&#39;Hara &amp; Sons" in html
    assert '<strong class="govuk-tag govuk-tag--red">17½ with no adult plan &lt;yet&gt;</strong>' in html
    assert "Tom &lt;T&gt;" in html
    assert "Care leaver" in html
    assert ">17<" in html


def test_no_alarm_no_milestone_and_no_worker_read_plainly() -> None:
    html = str(tracker_rows([_row(worker=None, alarms=[])], TODAY))
    assert html.count(">None<") == 2  # next milestone and alarms
    assert "Not allocated" in html
    assert "Care leaver" not in html
