"""The tracker's stored urgency: each young person's alarms and next milestone, worked out once and kept.

Milestones depend on today's date, so the tracker used to work out everyone's (about 1,000 in a county of
200,000 people) on every request. Now each young person keeps the result (urgency, number of alarms, the next
milestone's due date, whether a care leaver's move is flagged) with the day and time it was worked out; the
tracker works out again only the rows a change has made stale (the record, a milestone recorded, the date of birth,
a plan to adult services, a care-leaver plan's date or recorded move) or that were worked out on another day, then
sorts, counts and pages in SQL.
This is derived data, not a record of anything: nothing is audited when it is refreshed.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db.models import Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from safepathways.young_people import milestones
from safepathways.young_people.models import MilestoneRecord, YoungPerson, YoungPersonQuerySet

NO_ALARM = len(milestones.AlarmLevel)
# Stand-ins for "none" when a stored value is compared with the plans now (SQL's = never matches NULL).
_NO_DATE = date.min
_NO_TIME = datetime(1, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Plans:
    """What the stored urgency depends on in the person's transition plans (young_people.selectors builds them)."""

    has_adult_plan: Exists  # a plan for the move to adult services, not cancelled
    move_plan_on: Subquery  # the earliest date of an open care-leaver plan
    move_recorded_at: Subquery  # when a care-leaver plan last recorded a move


def stale(
    queryset: YoungPersonQuerySet, today: date, plans: Plans, settings_changed_at: datetime | None = None
) -> YoungPersonQuerySet:
    """Rows whose stored urgency no longer holds today (or since an administrator changed the timescales)."""
    changed_milestones = MilestoneRecord.objects.filter(
        young_person=OuterRef("pk"), updated_at__gt=OuterRef("assessed_at")
    )
    conditions: Q = (
        ~Q(assessed_on=today)
        | Q(assessed_at__isnull=True)
        | Q(assessed_at__lt=F("updated_at"))
        | ~Q(had_adult_plan=F("current_plan"))
        | ~Q(assessed_born_on=F("person__date_of_birth"))
        | Q(assessed_born_on__isnull=True)
        | Q(Exists(changed_milestones))
        | ~Q(stored_move_plan_on=F("current_move_plan_on"))
        | ~Q(stored_move_recorded_at=F("current_move_recorded_at"))
    )
    if settings_changed_at is not None:
        conditions |= Q(assessed_at__lt=settings_changed_at)
    return queryset.annotate(
        current_plan=plans.has_adult_plan,
        stored_move_plan_on=Coalesce("assessed_move_plan_on", Value(_NO_DATE)),
        current_move_plan_on=Coalesce(plans.move_plan_on, Value(_NO_DATE)),
        stored_move_recorded_at=Coalesce("assessed_move_recorded_at", Value(_NO_TIME)),
        current_move_recorded_at=Coalesce(plans.move_recorded_at, Value(_NO_TIME)),
    ).filter(conditions)


def store(rows: list[tuple[YoungPerson, int, int, date | None, bool]], today: date) -> int:
    """Keep the worked-out urgency of each (young person, urgency, alarms, next due, move flagged)."""
    now = timezone.now()
    changed = []
    for young_person, urgency, alarm_count, next_due_on, move_flagged in rows:
        young_person.urgency, young_person.alarm_count = urgency, alarm_count
        young_person.next_due_on, young_person.move_flagged = next_due_on, move_flagged
        young_person.had_adult_plan = bool(getattr(young_person, "has_adult_plan", False))
        young_person.assessed_move_plan_on = getattr(young_person, "move_plan_on", None)
        young_person.assessed_move_recorded_at = getattr(young_person, "move_recorded_at", None)
        young_person.assessed_born_on = young_person.person.date_of_birth
        young_person.assessed_on, young_person.assessed_at = today, now
        changed.append(young_person)
    YoungPerson.objects.bulk_update(
        changed,
        [
            "urgency",
            "alarm_count",
            "next_due_on",
            "move_flagged",
            "had_adult_plan",
            "assessed_move_plan_on",
            "assessed_move_recorded_at",
            "assessed_born_on",
            "assessed_on",
            "assessed_at",
        ],
        batch_size=500,
    )
    return len(changed)
