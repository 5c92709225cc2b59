"""How the front door words and colours its facts on screen: urgency, status and the screening clock."""

from dataclasses import dataclass
from datetime import date, datetime

from django.urls import reverse
from django.utils import timezone
from markupsafe import Markup

from safepathways.core.clocks import working_days_between
from safepathways.core.formatting import format_date, format_datetime, format_nhs_number
from safepathways.people.models import Person
from safepathways.referrals.matching import Candidate
from safepathways.referrals.models import (
    Channel,
    Consent,
    Contact,
    ContactRevision,
    ContactRoute,
    ContactStatusName,
    ReferrerType,
    Urgency,
)
from safepathways.referrals.services import FIELD_WORDS

URGENCY_CLASSES = {
    Urgency.URGENT: "govuk-tag--red",
    Urgency.SOON: "govuk-tag--orange",
    Urgency.ROUTINE: "govuk-tag--grey",
}
URGENCY_WORDS = {Urgency.URGENT: "Urgent", Urgency.SOON: "Soon", Urgency.ROUTINE: "Routine"}
STATUS_CLASSES = {
    ContactStatusName.RECEIVED: "govuk-tag--blue",
    ContactStatusName.TRIAGED: "govuk-tag--green",
    ContactStatusName.CLOSED: "govuk-tag--grey",
}


@dataclass(frozen=True)
class ScreeningClock:
    """How long a contact has waited for triage, and whether it is past the screening timescale."""

    age: str
    due: str
    is_overdue: bool
    is_due_today: bool


def _tag(text: str, css: str) -> Markup:
    return Markup('<strong class="govuk-tag {}">{}</strong>').format(css, text)


def urgency_tag(urgency: str) -> Markup:
    return _tag(URGENCY_WORDS.get(Urgency(urgency), urgency), URGENCY_CLASSES.get(Urgency(urgency), ""))


def status_tag(status: str) -> Markup:
    name = ContactStatusName(status)
    return _tag(name.label, STATUS_CLASSES[name])


def screening_clock(contact: Contact, now: datetime | None = None) -> ScreeningClock:
    """'3 hours' on the day it arrived, then working days waited; due today, overdue or the due date."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    received = timezone.localdate(contact.received_at)
    if received >= today:
        hours = max(0, int((now - contact.received_at).total_seconds() // 3600))
        age = "Under an hour" if hours == 0 else f"{hours} hour{'s' if hours != 1 else ''}"
    else:
        days = working_days_between(received, today)
        age = f"{days} working day{'s' if days != 1 else ''}"
    is_open = contact.status == ContactStatusName.RECEIVED
    is_overdue = is_open and today > contact.screening_due_on
    is_due_today = is_open and today == contact.screening_due_on
    due = "Today" if contact.screening_due_on == today else format_date(contact.screening_due_on)
    return ScreeningClock(age=age, due=due, is_overdue=is_overdue, is_due_today=is_due_today)


def screening_tag(clock: ScreeningClock) -> Markup:
    if clock.is_overdue:
        return _tag("Overdue", "govuk-tag--red")
    if clock.is_due_today:
        return _tag("Due today", "govuk-tag--orange")
    return Markup("")


def triage_due(contact: Contact, clock: ScreeningClock) -> Markup:
    """The due date with its tag while the contact waits; when it was triaged once it has been."""
    if contact.status == ContactStatusName.RECEIVED:
        return Markup("{} {}").format(clock.due, screening_tag(clock))
    if contact.triaged_at is not None:
        return Markup("Triaged {}").format(format_datetime(contact.triaged_at))
    return Markup("Closed without triage")


def route_words(contact: Contact, routes: list[ContactRoute]) -> str:
    """Where triage sent the contact: every route that opened work, or the one route that did not."""
    if routes:
        return ", ".join(str(route.get_route_display()) for route in routes)
    return str(contact.get_route_display())


def record_link(person: Person | None) -> Markup:
    if person is None:
        return Markup("Not linked: unidentified")
    return Markup('<a class="govuk-link" href="{}">{} ({})</a>').format(
        reverse("people:detail", args=[person.pk]), person.full_name, person.reference
    )


def candidate_hint(candidate: Candidate) -> str:
    """Identity only, as in search: date of birth, postcode district, and why it matched."""
    person = candidate.person
    born = f"Born {format_date(person.date_of_birth)}" if person.date_of_birth else "Date of birth not known"
    district = candidate.postcode_district or "no postcode"
    return f"{born}, {district}. Matched on: {', '.join(candidate.reasons) or 'name'} (score {candidate.score})"


def match_items(
    candidates: list[Candidate], *, chosen: object, new_text: str, unidentified_text: str = ""
) -> list[dict[str, object]]:
    """Radio items for 'who is this?': each likely match with its reasons, then the other choices."""
    chosen_value = "" if chosen is None else str(chosen)
    items: list[dict[str, object]] = [
        {
            "value": str(c.person.pk),
            "text": f"This is the person: {c.person.given_name} {c.person.family_name} ({c.person.reference})",
            "hint": {"text": candidate_hint(c)},
            "checked": chosen_value == str(c.person.pk),
        }
        for c in candidates
    ]
    if items:
        items.append({"divider": "or"})
    items.append({"value": "new", "text": new_text, "checked": chosen_value == "new"})
    if unidentified_text:
        items.append({"value": "unidentified", "text": unidentified_text, "checked": chosen_value == "unidentified"})
    return items


@dataclass(frozen=True)
class ChangeRow:
    """One corrected detail as the contact page shows it: what it was and what it became."""

    label: str
    was: str
    now: str


_CHOICES: dict[str, dict[str, str]] = {
    name: {value: str(label) for value, label in choices.choices}
    for name, choices in (
        ("referrer_type", ReferrerType),
        ("channel", Channel),
        ("urgency", Urgency),
        ("consent", Consent),
    )
}


def _change_value(name: str, value: object) -> str:
    if value in (None, ""):
        return "Not given"
    if name in _CHOICES:
        return _CHOICES[name].get(str(value), str(value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if name == "received_at":
        return format_datetime(datetime.fromisoformat(str(value)))
    if name in ("date_of_birth", "screening_due_on"):
        return format_date(date.fromisoformat(str(value)))
    if name == "nhs_number":
        return format_nhs_number(str(value))
    return str(value)


def revision_changes(revision: ContactRevision) -> list[ChangeRow]:
    """Each detail a correction changed, worded and formatted, in the order they were recorded."""
    rows = []
    for name, change in revision.changes.items():
        words = FIELD_WORDS.get(name, name.replace("_", " "))
        rows.append(
            ChangeRow(
                label=words[0].upper() + words[1:],
                was=_change_value(name, change.get("from")),
                now=_change_value(name, change.get("to")),
            )
        )
    return rows


def paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


# Handed to every front-door template (the kernel's JINJA_GLOBALS would be the alternative).
TEMPLATE_HELPERS = {
    "urgency_tag": urgency_tag,
    "status_tag": status_tag,
    "screening_clock": screening_clock,
    "screening_tag": screening_tag,
    "match_items": match_items,
    "triage_due": triage_due,
    "record_link": record_link,
    "paragraphs": paragraphs,
    "revision_changes": revision_changes,
    "route_words": route_words,
}
