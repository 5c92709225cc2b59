"""Milestones on the way to adulthood, worked out from a date of birth and today; no database, no clock.

Every due date is computed, never stored: the tracker and the API call milestones_for() with the local date
(timezone.localdate(), Europe/London), so a young person reaches a milestone on the right calendar day in England
whatever the server's time zone.

Birthdays of people born on 29 February. In England and Wales the day on which such a person attains an age in a
common year is not settled by statute (the Family Law Reform Act 1969 s9 fixes only the time of day, the start of
the anniversary). Safe Pathways follows one rule everywhere, set in core.clocks.age_on: the birthday falls on
1 March in a common year. add_years and add_months follow it (a date that does not exist in the target month moves
to the first day of the next month), so "due at 18" and "is 18" always agree. This is a documented decision, not
a legal finding; tests pin both 28 February and 1 March.

Sources of each timescale (domain-reference §4):
- Health (the ICB) is told at 14 of a young person likely to need adult continuing healthcare; screening with the
  adult CHC checklist at 16 to 17; a decision in principle as soon as practicable after the 17th birthday, so a
  package is in place by 18. Children and Young People's Continuing Care National Framework (2016) paras 116-117;
  NHS CHC National Framework para 341 (2018).
- Transition assessment: Care Act 2014 s58, when it would be of "significant benefit"; no minimum age. The age by
  which it is done is local practice (before 18; default 17).
- Transitions worker allocated at about 16 to 16½, adult support agreed at panel about 3 months before 18: local
  practice (Leeds, Kingston), so YoungPeopleSettings holds them.
- EHC plan: may continue to 25 at most (SEND Code of Practice; IPSEA).
- Care leavers: personal adviser to 25 (Children and Social Work Act 2017 s3, CA 1989 s23CZB); priority need for
  housing at 18-20 (Homelessness (Priority Need for Accommodation) (England) Order 2002).
"""

import calendar
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import IntEnum, StrEnum

# Care leavers' personal adviser (CSWA 2017 s3) and EHC plans (SEND Code of Practice) both end at 25.
UPPER_AGE = 25
ADULTHOOD = 18
# Local choice: the age at which young people appear on the tracker (health is told at 14).
DEFAULT_TRACKER_FROM_AGE = 14
# CYP Continuing Care Framework 2016 paras 116-117.
CHC_NOTIFY_MONTHS = 14 * 12
CHC_SCREENING_FROM_MONTHS = 16 * 12
CHC_SCREENING_BY_MONTHS = 17 * 12
DECISION_IN_PRINCIPLE_FROM_MONTHS = 17 * 12


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier); a day the month lacks moves to the 1st of the next month."""
    years, month_index = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month_index + 1
    if day.day > calendar.monthrange(year, month)[1]:
        return date(year, month, calendar.monthrange(year, month)[1]) + timedelta(days=1)
    return date(year, month, day.day)


def add_years(day: date, years: int) -> date:
    """The anniversary `years` on; 29 February becomes 1 March in a common year (see the module docstring)."""
    return add_months(day, years * 12)


def born_on_or_before(today: date, age: int) -> date:
    """The latest date of birth of someone who is `age` or older today, for filtering in the database.

    On 29 February of a leap year this is 28 February: someone born on 1 March is not yet that age, and someone
    born on 29 February of a leap year `age` years before has the anniversary today.
    """
    year = today.year - age
    if today.month == 2 and today.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return date(year, today.month, today.day)


def age_in_months(date_of_birth: date, today: date) -> int:
    """Whole months of age today, consistent with add_months (reached on the day add_months gives)."""
    months = (today.year - date_of_birth.year) * 12 + today.month - date_of_birth.month
    if add_months(date_of_birth, months) > today:
        months -= 1
    return months


def age_in_years(date_of_birth: date, today: date) -> int:
    return age_in_months(date_of_birth, today) // 12


class Milestone(StrEnum):
    HEALTH_NOTIFIED = "health_notified"
    WORKER_ALLOCATED = "worker_allocated"
    CHC_SCREENING = "chc_screening"
    TRANSITION_ASSESSMENT = "transition_assessment"
    DECISION_IN_PRINCIPLE = "decision_in_principle"
    ADULT_SUPPORT_AGREED = "adult_support_agreed"
    ADULT_SUPPORT_IN_PLACE = "adult_support_in_place"
    EHC_PLAN_ENDS = "ehc_plan_ends"

    @property
    def label(self) -> str:
        return LABELS[self]

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, LABELS[m]) for m in cls]


LABELS = {
    Milestone.HEALTH_NOTIFIED: "Health (ICB) told of likely continuing healthcare needs",
    Milestone.WORKER_ALLOCATED: "Transitions worker allocated",
    Milestone.CHC_SCREENING: "Continuing healthcare screening (adult checklist)",
    Milestone.TRANSITION_ASSESSMENT: "Transition assessment (Care Act s58)",
    Milestone.DECISION_IN_PRINCIPLE: "Continuing healthcare decision in principle",
    Milestone.ADULT_SUPPORT_AGREED: "Adult support agreed at panel",
    Milestone.ADULT_SUPPORT_IN_PLACE: "Adult support in place",
    Milestone.EHC_PLAN_ENDS: "EHC plan ends (25 at most)",
}
SOURCES = {
    Milestone.HEALTH_NOTIFIED: "CYP Continuing Care Framework 2016 paras 116-117: at 14",
    Milestone.WORKER_ALLOCATED: "Local practice: allocated at about 16 to 16½",
    Milestone.CHC_SCREENING: "CYP Continuing Care Framework 2016: screening at 16 to 17",
    Milestone.TRANSITION_ASSESSMENT: "Care Act 2014 s58: when of significant benefit; local: by 17",
    Milestone.DECISION_IN_PRINCIPLE: "CYP Continuing Care Framework 2016: soon after the 17th birthday",
    Milestone.ADULT_SUPPORT_AGREED: "Local practice: panel about 3 months before 18",
    Milestone.ADULT_SUPPORT_IN_PLACE: "Care Act 2014 ss58-66: adult support in place by 18",
    Milestone.EHC_PLAN_ENDS: "SEND Code of Practice: an EHC plan lasts to 25 at most",
}
# The milestones of moving to adult care and support: not needed when s58 "significant benefit" is decided no
# (the young person is not likely to have needs for care and support after 18).
ADULT_CARE_MILESTONES = frozenset(
    {
        Milestone.WORKER_ALLOCATED,
        Milestone.TRANSITION_ASSESSMENT,
        Milestone.ADULT_SUPPORT_AGREED,
        Milestone.ADULT_SUPPORT_IN_PLACE,
    }
)


# The milestones of the health handover: only for a young person likely to need adult NHS continuing healthcare
# (CYP Continuing Care Framework 2016 paras 116-117; domain-reference §4.3), so not needed once decided "no".
HEALTH_MILESTONES = frozenset({Milestone.HEALTH_NOTIFIED, Milestone.CHC_SCREENING, Milestone.DECISION_IN_PRINCIPLE})


@dataclass(frozen=True)
class Timescales:
    """Local timescales, in months of age (YoungPeopleSettings holds them; these are the defaults)."""

    allocation_from_months: int = 16 * 12
    allocation_by_months: int = 16 * 12 + 6
    assessment_by_months: int = 17 * 12
    decision_in_principle_by_months: int = 17 * 12 + 3
    panel_months_before_18: int = 3
    adult_plan_alarm_months: int = 17 * 12 + 6
    care_leaver_move_window_months: int = 3
    # "At 14": local grace for telling health, after which the milestone counts as missed.
    health_notify_by_months: int = 14 * 12 + 3


DEFAULT_TIMESCALES = Timescales()


@dataclass(frozen=True)
class Facts:
    """What the milestones and alarms are worked out from."""

    date_of_birth: date | None
    has_ehc_plan: bool = False
    ehc_plan_ends_on: date | None = None
    significant_benefit: str = "not_decided"
    continuing_healthcare: str = "not_decided"
    is_care_leaver: bool = False
    has_personal_adviser: bool = False
    has_settled_accommodation: bool = False
    # The next move on the young person's record (left out once a care-leaver plan recorded that move) and the
    # earliest date of an open care-leaver transition plan: the move flag reads both (next_move_on).
    planned_move_on: date | None = None
    move_plan_on: date | None = None
    homelessness_risk: str = "none"
    has_housing_referral: bool = False

    def next_move_on(self, today: date) -> date | None:
        """The care leaver's next move: the sooner of the record's planned move and the open plan's date that is still
        ahead; a date that has passed only when neither is ahead (the move is overdue, not yet recorded)."""
        dates = [day for day in (self.planned_move_on, self.move_plan_on) if day is not None]
        ahead = [day for day in dates if day >= today]
        return min(ahead) if ahead else max(dates, default=None)

    @property
    def needs_adult_care_milestones(self) -> bool:
        return self.significant_benefit != "no"

    @property
    def needs_health_milestones(self) -> bool:
        """Until someone decides the young person is not likely to need continuing healthcare, the health
        milestones stay on the tracker, so the question is asked rather than missed."""
        return self.continuing_healthcare != "no"


@dataclass(frozen=True)
class Done:
    """A recorded milestone: met (is_needed) or decided not needed."""

    code: str
    is_needed: bool
    done_on: date
    note: str = ""


class State(StrEnum):
    DONE = "done"
    NOT_NEEDED = "not_needed"
    MISSED = "missed"
    DUE = "due"
    UPCOMING = "upcoming"


@dataclass(frozen=True)
class MilestoneStatus:
    milestone: Milestone
    opens_on: date
    due_on: date
    state: State
    done: Done | None = None

    @property
    def label(self) -> str:
        return self.milestone.label

    @property
    def source(self) -> str:
        return SOURCES[self.milestone]

    @property
    def is_complete(self) -> bool:
        return self.state in (State.DONE, State.NOT_NEEDED)

    @property
    def is_missed(self) -> bool:
        return self.state == State.MISSED


class AlarmLevel(IntEnum):
    RED = 0
    AMBER = 1


_MILESTONE_ORDER = {milestone: index for index, milestone in enumerate(Milestone)}


@dataclass(frozen=True)
class Alarm:
    level: AlarmLevel
    code: str
    text: str


def _schedule(dob: date, facts: Facts, t: Timescales) -> tuple[tuple[Milestone, date, date], ...]:
    """(milestone, opens on, due on) for each milestone that applies, in the order they fall due."""
    return _dated_schedule(dob, facts.has_ehc_plan, facts.ehc_plan_ends_on, t)


@functools.lru_cache(maxsize=4096)
def _dated_schedule(
    dob: date, has_ehc_plan: bool, ehc_plan_ends_on: date | None, t: Timescales
) -> tuple[tuple[Milestone, date, date], ...]:
    """The schedule follows from the date of birth, the EHC plan and the timescales alone: worked out once for
    each, as the tracker lists the same young people on every look (dates, not who they belong to, are kept)."""

    def at(months: int) -> date:
        return add_months(dob, months)

    eighteen = add_years(dob, ADULTHOOD)
    rows = [
        (Milestone.HEALTH_NOTIFIED, at(CHC_NOTIFY_MONTHS), at(t.health_notify_by_months)),
        (Milestone.WORKER_ALLOCATED, at(t.allocation_from_months), at(t.allocation_by_months)),
        (Milestone.CHC_SCREENING, at(CHC_SCREENING_FROM_MONTHS), at(CHC_SCREENING_BY_MONTHS)),
        # s58 sets no minimum age: the assessment may be done any time before the local deadline.
        (Milestone.TRANSITION_ASSESSMENT, at(CHC_NOTIFY_MONTHS), at(t.assessment_by_months)),
        (Milestone.DECISION_IN_PRINCIPLE, at(DECISION_IN_PRINCIPLE_FROM_MONTHS), at(t.decision_in_principle_by_months)),
        (
            Milestone.ADULT_SUPPORT_AGREED,
            at(DECISION_IN_PRINCIPLE_FROM_MONTHS),
            add_months(eighteen, -t.panel_months_before_18),
        ),
        (Milestone.ADULT_SUPPORT_IN_PLACE, add_months(eighteen, -t.panel_months_before_18), eighteen),
    ]
    if has_ehc_plan:
        twenty_five = add_years(dob, UPPER_AGE)
        ends = min(ehc_plan_ends_on or twenty_five, twenty_five)
        rows.append((Milestone.EHC_PLAN_ENDS, add_months(ends, -12), ends))
    return tuple(sorted(rows, key=lambda row: (row[2], _MILESTONE_ORDER[row[0]])))


def milestones_for(
    facts: Facts, done: Mapping[str, Done], today: date, timescales: Timescales = DEFAULT_TIMESCALES
) -> list[MilestoneStatus]:
    """Each milestone with its window, due date and state today; empty without a date of birth."""
    if facts.date_of_birth is None:
        return []
    statuses = []
    for milestone, opens_on, due_on in _schedule(facts.date_of_birth, facts, timescales):
        record = done.get(milestone.value)
        if record is not None:
            state = State.DONE if record.is_needed else State.NOT_NEEDED
        elif (milestone in ADULT_CARE_MILESTONES and not facts.needs_adult_care_milestones) or (
            milestone in HEALTH_MILESTONES and not facts.needs_health_milestones
        ):
            state = State.NOT_NEEDED
        elif today > due_on:
            state = State.MISSED
        elif today >= opens_on:
            state = State.DUE
        else:
            state = State.UPCOMING
        statuses.append(MilestoneStatus(milestone, opens_on, due_on, state, record))
    return statuses


def next_milestone(statuses: Sequence[MilestoneStatus]) -> MilestoneStatus | None:
    """The earliest milestone still to meet (missed ones first, as they fall due earliest)."""
    return next((s for s in statuses if not s.is_complete), None)


def _weeks(days: int) -> str:
    if days < 14:
        return f"{days} day{'s' if days != 1 else ''}"
    return f"{days // 7} weeks"


def alarms_for(
    facts: Facts,
    statuses: Sequence[MilestoneStatus],
    today: date,
    timescales: Timescales = DEFAULT_TIMESCALES,
    *,
    has_adult_plan: bool = False,
) -> list[Alarm]:
    """What the tracker raises, most urgent first.

    Red: 17½ (local) with no adult plan (neither agreed at panel nor a transition plan to adult services); adult
    support not in place at 18; a care leaver moving within the window (local, 3 months) with no settled home (the
    move on their record or an open care-leaver plan's, whichever is sooner: Facts.next_move_on).
    Amber: any other missed milestone; a care leaver at high risk of homelessness with no housing duty referral;
    a care leaver with no personal adviser recorded.
    """
    alarms: list[Alarm] = []
    by_code = {s.milestone: s for s in statuses}
    dob = facts.date_of_birth
    agreed = by_code.get(Milestone.ADULT_SUPPORT_AGREED)
    no_plan_alarm = (
        dob is not None
        and facts.needs_adult_care_milestones
        and age_in_months(dob, today) >= timescales.adult_plan_alarm_months
        and agreed is not None
        and not agreed.is_complete
        and not has_adult_plan
    )
    if no_plan_alarm:
        alarms.append(Alarm(AlarmLevel.RED, "no_adult_plan", "17½ or older with no adult plan"))
    move_on = facts.next_move_on(today) if facts.is_care_leaver else None
    if move_on is not None and not facts.has_settled_accommodation:
        window_end = add_months(today, timescales.care_leaver_move_window_months)
        if move_on <= window_end:
            days = (move_on - today).days
            when = f"in {_weeks(days)}" if days > 0 else ("today" if days == 0 else "date passed")
            alarms.append(Alarm(AlarmLevel.RED, "move_unsettled", f"Moves {when}: no settled accommodation"))
    for status in statuses:
        if not status.is_missed or (no_plan_alarm and status.milestone == Milestone.ADULT_SUPPORT_AGREED):
            continue
        level = AlarmLevel.RED if status.milestone == Milestone.ADULT_SUPPORT_IN_PLACE else AlarmLevel.AMBER
        alarms.append(Alarm(level, f"missed_{status.milestone.value}", f"Missed: {status.label}"))
    if facts.is_care_leaver and facts.homelessness_risk == "high" and not facts.has_housing_referral:
        alarms.append(Alarm(AlarmLevel.AMBER, "no_housing_referral", "High risk of homelessness, no housing referral"))
    if facts.is_care_leaver and not facts.has_personal_adviser:
        alarms.append(Alarm(AlarmLevel.AMBER, "no_personal_adviser", "No personal adviser recorded"))
    return sorted(alarms, key=lambda alarm: alarm.level)
