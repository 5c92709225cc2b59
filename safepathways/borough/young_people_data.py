"""Synthetic young people and care leavers for the borough, with bulk inserts (Faker en_GB, NHS numbers from 999).

About one young person per 200 people (at least 10), aged 13 to 24: new council records, as children's services
would send them, with EHC plans, children's social care, care leavers (personal adviser, accommodation, moves),
transitions workers and a history of milestones in which about a quarter of those due were missed. The first two
are built for the demonstration: a care leaver moving in six weeks with no settled home, and a 17½-year-old with
no adult plan. The same rng and today give the same young people.

What the transitions team has done with them, as young_people.services records it (generated from a stream of its
own, so the young people themselves are the same as without it): transition plans to adult services for most
16-17-year-olds assessed as of significant benefit (planned for the 18th birthday) and for most who turned 18 in the
last two years (moved and checked, with the adult service that started), care leavers' accommodation moves,
"planning together" meetings, and workshops offered to parents and carers (the recent ones not held yet). The two
demonstration young people are left without plans.
"""

import random
import uuid
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from faker import Faker

from safepathways.accounts.models import Membership, Role, Team, TeamKind, User
from safepathways.borough.plans_data import PlanRows, fork
from safepathways.core.identifiers import nhs_number_in_test_range
from safepathways.core.services import reserve_numbers
from safepathways.people.codes import Gender, NHSNumberStatus
from safepathways.people.models import ChronologyEntry, Neighbourhood, Person
from safepathways.people.services import format_reference
from safepathways.providers.codes import ServiceComponent, ServiceType
from safepathways.providers.models import Service
from safepathways.transitions.models import ArrangementTemplate, PlanKind
from safepathways.young_people import milestones
from safepathways.young_people.models import (
    AccommodationStatus,
    Attendance,
    ContinuingHealthcare,
    HomelessnessRisk,
    MilestoneOutcome,
    MilestoneRecord,
    PlanningMeeting,
    SignificantBenefit,
    Workshop,
    YoungPeopleSettings,
    YoungPerson,
)

PEOPLE_PER_YOUNG_PERSON = 200
MINIMUM = 10
BATCH = 2000
# Serials of the 999 test range from which young people's NHS numbers are drawn; the main generator counts up
# from 0, so collisions are unlikely, and every candidate is checked against the record anyway.
NHS_SERIAL_START = 800_000
ACCOMMODATION_WEIGHTS = [
    (AccommodationStatus.SETTLED, 30),
    (AccommodationStatus.STAYING_PUT, 12),
    (AccommodationStatus.SUPPORTED, 15),
    (AccommodationStatus.UNSETTLED, 15),
    (AccommodationStatus.TEMPORARY, 10),
    (AccommodationStatus.SOFA_SURFING, 6),
    (AccommodationStatus.HOMELESS, 3),
    (AccommodationStatus.CUSTODY, 2),
    (AccommodationStatus.UNKNOWN, 7),
]
HOUSING_AUTHORITIES = ["Camden housing options", "Islington housing needs", "Barnet homes"]
PARENT_NAMES = ["Sarah", "Mohammed", "Joanne", "Fatima", "David", "Grace", "Tunde", "Agnieszka", "Shirin", "Paul"]
MEETING_ATTENDEES = [
    "{name}, their mum, the school SENCo and the transitions worker",
    "{name}, their dad, the college tutor and the learning disability nurse",
    "{name}, their foster carer, their personal adviser and the transitions worker",
    "{name}, both parents, the speech and language therapist and the transitions worker",
]
MEETING_AGREED = [
    "Start the Care Act transition assessment; look at college courses for next September.",
    "Try two days at the supported internship; health to say whether continuing care is likely.",
    "Visit two supported living schemes before the next meeting.",
    "Help with a bank account and a benefits claim before the 18th birthday.",
    "Travel training in the spring so {name} can get to college on the bus.",
]
WORKSHOP_TOPICS = [
    "Money and benefits at 18",
    "Mental capacity at 16",
    "Health care: from children's to adult services",
    "Housing options and supported living",
    "Education, training and work after school",
    "Direct payments and personal budgets",
]
WHAT_MATTERS = [
    "Staying at the same college with my friends.",
    "Living near my mum.",
    "Having the same support worker I know.",
    "Getting a job in a café.",
]
# The adult service that starts at 18 once the plan to adult services has moved.
ADULT_SERVICES = [
    ServiceComponent.DAY_SUPPORT,
    ServiceComponent.SUPPORTED_LIVING,
    ServiceComponent.DIRECT_PAYMENT,
    ServiceComponent.LEARNING_EMPLOYMENT,
]
MOVE_PROBLEMS = "The direct payment was not set up on the day; the family paid the first week."


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _nhs_numbers(count: int, rng: random.Random) -> list[str]:
    """`count` valid, unused NHS numbers from the test range (one query to check them against the record)."""
    start = NHS_SERIAL_START + rng.randint(0, 50_000)
    candidates: list[str] = []
    serial = start
    while len(candidates) < count * 2 + 10:
        number = nhs_number_in_test_range(serial)
        serial += 1
        if number is not None:
            candidates.append(number)
    taken = set(Person.objects.filter(nhs_number__in=candidates).values_list("nhs_number", flat=True))
    free = [n for n in candidates if n not in taken]
    return free[:count]


def _postcode(rng: random.Random, districts: list[tuple[Neighbourhood, str]]) -> tuple[Neighbourhood | None, str]:
    if not districts:
        return None, ""
    neighbourhood, district = rng.choice(districts)
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return neighbourhood, f"{district} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"


def _milestone_history(
    young_person: YoungPerson, born: date, today: date, rng: random.Random, by: User | None
) -> list[MilestoneRecord]:
    """Records for about three in four of the milestones already due; the rest are left missed."""
    facts = milestones.Facts(
        date_of_birth=born,
        has_ehc_plan=young_person.has_ehc_plan,
        ehc_plan_ends_on=young_person.ehc_plan_ends_on,
        significant_benefit=young_person.significant_benefit,
        continuing_healthcare=young_person.continuing_healthcare,
    )
    records = []
    for status in milestones.milestones_for(facts, {}, today):
        if status.is_complete or status.opens_on > today or rng.random() > 0.75:
            continue
        latest = min(status.due_on, today)
        span = max(0, (latest - status.opens_on).days)
        not_needed = status.milestone in (milestones.Milestone.HEALTH_NOTIFIED, milestones.Milestone.CHC_SCREENING)
        not_needed = not_needed and rng.random() < 0.5
        records.append(
            MilestoneRecord(
                id=_uuid(rng),
                young_person=young_person,
                code=status.milestone.value,
                outcome=MilestoneOutcome.NOT_NEEDED if not_needed else MilestoneOutcome.DONE,
                done_on=status.opens_on + timedelta(days=rng.randint(0, span)),
                note="No continuing healthcare needs expected" if not_needed else "",
                by=by,
            )
        )
    return records


def generate_young_people(*, rng: random.Random, today: date, log: Callable[[str], None]) -> int:
    """Add synthetic young people to a borough that has none yet; returns how many were made."""
    if YoungPerson.objects.exists():
        log("  young people already present: skipped")
        return 0
    count = max(MINIMUM, Person.objects.count() // PEOPLE_PER_YOUNG_PERSON)
    faker = Faker("en_GB")
    faker.seed_instance(rng.randint(0, 2**31))
    workers = list(
        User.objects.filter(is_active=True, memberships__team__kind=TeamKind.TRANSITIONS)
        .exclude(memberships__role=Role.PARTNER)
        .distinct()
        .order_by("email")
    )
    districts = [
        (n, a.prefix) for n in Neighbourhood.objects.prefetch_related("postcode_areas") for a in n.postcode_areas.all()
    ]
    numbers = reserve_numbers("person_reference", count)
    nhs_numbers = _nhs_numbers(count, rng)
    now = timezone.now()
    people: list[Person] = []
    young_people: list[YoungPerson] = []
    records: list[MilestoneRecord] = []
    stories: list[ChronologyEntry] = []
    for index, number in enumerate(numbers):
        if index == 0:  # the demonstration's care leaver: moving in six weeks, nowhere settled to go
            born = today - timedelta(days=19 * 365 + 100)
        elif index == 1:  # the demonstration's 17½-year-old with no adult plan
            born = milestones.add_months(today, -(17 * 12 + 7))
        else:
            born = today - timedelta(days=rng.randint(13 * 365, 24 * 365 + 300))
        male = rng.random() < 0.5
        neighbourhood, postcode = _postcode(rng, districts)
        nhs_number = nhs_numbers[index] if index < len(nhs_numbers) and rng.random() < 0.95 else None
        person = Person(
            id=_uuid(rng),
            reference=format_reference(number),
            given_name=str(faker.first_name_male() if male else faker.first_name_female()),
            family_name=str(faker.last_name()),
            date_of_birth=born,
            nhs_number=nhs_number,
            nhs_number_status=NHSNumberStatus.VERIFIED if nhs_number else NHSNumberStatus.TRACE_REQUIRED,
            gender=Gender.MALE if male else Gender.FEMALE,
            address_line_1=f"{rng.randint(1, 240)} {faker.street_name()}",
            town="London",
            postcode=postcode,
            neighbourhood=neighbourhood,
        )
        person.refresh_search_keys()
        people.append(person)
        age = milestones.age_in_years(born, today)
        is_care_leaver = index == 0 or (index > 1 and age >= 16 and rng.random() < 0.3)
        has_ehc_plan = index == 1 or (index > 1 and rng.random() < 0.55)
        young_person = YoungPerson(
            id=_uuid(rng),
            person=person,
            childrens_reference=f"CS{number:07d}",
            has_ehc_plan=has_ehc_plan,
            is_known_to_childrens_social_care=is_care_leaver or rng.random() < 0.5,
            is_care_leaver=is_care_leaver,
            imported_at=now,
        )
        if has_ehc_plan and age >= 19 and rng.random() < 0.6:
            young_person.ehc_plan_ends_on = milestones.add_years(born, rng.choice([19, 21, 23, 25]))
        if index > 1 and age >= 15:
            roll = rng.random()
            if roll < 0.6:
                young_person.significant_benefit = SignificantBenefit.YES
                young_person.significant_benefit_decided_on = milestones.add_months(born, 15 * 12 + rng.randint(0, 18))
            elif roll < 0.7 and not has_ehc_plan:
                young_person.significant_benefit = SignificantBenefit.NO
                young_person.significant_benefit_decided_on = milestones.add_months(born, 15 * 12 + rng.randint(0, 18))
                young_person.significant_benefit_reason = "Not likely to have needs for care and support after 18"
        if index > 1 and age >= 14:
            # Decided from the position in the run (not a stored number), so the same seed gives the same borough.
            if has_ehc_plan and index % 7 == 0:
                young_person.continuing_healthcare = ContinuingHealthcare.YES
            elif index % 10 < 5:
                young_person.continuing_healthcare = ContinuingHealthcare.NO
                young_person.continuing_healthcare_reason = "No complex health needs: universal and specialist services"
            if young_person.continuing_healthcare != ContinuingHealthcare.NOT_DECIDED:
                young_person.continuing_healthcare_decided_on = min(
                    today, milestones.add_months(born, 14 * 12 + index % 6)
                )
        if workers and index > 1 and age >= 16 and rng.random() < 0.7:
            young_person.transitions_worker = rng.choice(workers)
        if is_care_leaver:
            young_person.personal_adviser_name = str(faker.name()) if index == 0 or rng.random() < 0.85 else ""
            young_person.personal_adviser_phone = f"020 7946 {rng.randint(0, 999):04d}"
            if index == 0:
                young_person.accommodation_status = AccommodationStatus.UNSETTLED
                young_person.planned_move_on = today + timedelta(days=42)
                young_person.homelessness_risk = HomelessnessRisk.HIGH
            else:
                statuses = [s for s, _ in ACCOMMODATION_WEIGHTS]
                young_person.accommodation_status = rng.choices(statuses, [w for _, w in ACCOMMODATION_WEIGHTS])[0]
                if rng.random() < 0.4:
                    young_person.planned_move_on = today + timedelta(days=rng.randint(-10, 180))
                young_person.homelessness_risk = rng.choices(list(HomelessnessRisk.values), [50, 30, 20])[0]
                if young_person.homelessness_risk == HomelessnessRisk.HIGH and rng.random() < 0.6:
                    young_person.housing_referral_made_on = today - timedelta(days=rng.randint(1, 120))
                    young_person.housing_referral_to = rng.choice(HOUSING_AUTHORITIES)
        young_people.append(young_person)
        if index > 1:
            records.extend(_milestone_history(young_person, born, today, rng, young_person.transitions_worker))
        stories.append(
            ChronologyEntry(
                id=_uuid(rng),
                person=person,
                occurred_at=now,
                category="young_people",
                summary=f"Known to children's services ({young_person.childrens_reference}): "
                "on the young people's tracker",
                recorded_by_label="Children's services import",
            )
        )
    done = _TeamWork(rng=fork(rng, "young-people-work"), today=today, workers=workers)
    done.build(young_people)
    with transaction.atomic():
        Person.objects.bulk_create(people, batch_size=BATCH)
        YoungPerson.objects.bulk_create(young_people, batch_size=BATCH)
        MilestoneRecord.objects.bulk_create(records, batch_size=BATCH)
        ChronologyEntry.objects.bulk_create(stories, batch_size=BATCH)
        done.write()
    log(f"  {len(young_people)} young people ({sum(y.is_care_leaver for y in young_people)} care leavers); {done}")
    return len(young_people)


class _TeamWork:
    """What the transitions team has recorded for the young people: plans, meetings, workshops, adult services."""

    def __init__(self, *, rng: random.Random, today: date, workers: list[User]) -> None:
        self.rng, self.today, self.workers = rng, today, workers
        self.plans = PlanRows(rng=rng, today=today)
        self.meetings: list[PlanningMeeting] = []
        self.workshops: list[Workshop] = []
        self.services: list[Service] = []
        self.stories: list[ChronologyEntry] = []
        self.adult_plans = self.care_leaver_plans = 0
        # young_people.services._transitions_team: the coordinator's own transitions team, else the settings' one.
        self.team_of: dict[int, uuid.UUID] = dict(
            Membership.objects.filter(user__in=workers, team__kind=TeamKind.TRANSITIONS)
            .exclude(role=Role.PARTNER)
            .values_list("user_id", "team_id")
        )
        self.default_team = (
            Team.objects.filter(slug=YoungPeopleSettings.current().team_slug).values_list("pk", flat=True).first()
        )

    def __str__(self) -> str:
        upcoming = sum(w.attendance == Attendance.NOT_YET for w in self.workshops)
        return (
            f"{len(self.plans.plans)} transition plans ({self.adult_plans} to adult services, "
            f"{self.care_leaver_plans} care leavers' moves), {len(self.meetings)} planning together meetings, "
            f"{len(self.workshops)} workshops for parents and carers ({upcoming} not held yet), "
            f"{len(self.services)} adult services started at 18"
        )

    def _at(self, day: date, hour: int = 10) -> datetime:
        return timezone.make_aware(datetime.combine(day, time(hour, 0)))

    def _story(self, young_person: YoungPerson, day: date, summary: str, by: User, detail: str = "") -> None:
        self.stories.append(
            ChronologyEntry(
                id=_uuid(self.rng),
                person=young_person.person,
                occurred_at=self._at(day, 15),
                category="young_people",
                summary=summary[:300],
                detail=detail,
                recorded_by=by,
                recorded_by_label=by.full_name,
                link=reverse("young_people:detail", args=[young_person.pk]),
            )
        )

    def build(self, young_people: list[YoungPerson]) -> None:
        if not self.workers:
            return
        # A small borough (ten young people at the demo's 2,000 people) may draw none; the first who could have one
        # then has one, so every borough shows a plan to adult services and a workshop where anyone is of an age.
        first_for_plan: tuple[YoungPerson, date, int, User, uuid.UUID] | None = None
        first_for_workshop: tuple[YoungPerson, date, User] | None = None
        for index, young_person in enumerate(young_people):
            born = young_person.person.date_of_birth
            assert born is not None
            months = milestones.age_in_months(born, self.today)
            worker = young_person.transitions_worker or self.rng.choice(self.workers)
            if 14 * 12 <= months < 20 * 12 and self.rng.random() < 0.45:
                self._meetings(young_person, born, worker)
            if 14 * 12 <= months < 18 * 12:
                first_for_workshop = first_for_workshop or (young_person, born, worker)
                if self.rng.random() < 0.35:
                    self._workshops(young_person, born, worker)
            if index < 2:  # the demonstration's young people: no plan yet
                continue
            team_id = self.team_of.get(worker.pk, self.default_team)
            if team_id is None:
                continue
            likely = {SignificantBenefit.YES: 0.75, SignificantBenefit.NOT_DECIDED: 0.3}.get(
                SignificantBenefit(young_person.significant_benefit), 0.0
            )
            if likely and 16 * 12 <= months < 20 * 12:
                first_for_plan = first_for_plan or (young_person, born, months, worker, team_id)
            if 16 * 12 <= months < 18 * 12 and self.rng.random() < likely:
                self._adult_plan(young_person, born, months, worker, team_id)
            elif 18 * 12 <= months < 20 * 12 and self.rng.random() < likely:
                self._adult_plan_moved(young_person, born, worker, team_id)
            if young_person.is_care_leaver and young_person.planned_move_on is not None:
                self._care_leaver_plan(young_person, young_person.planned_move_on, worker, team_id)
        if not self.adult_plans and first_for_plan is not None:
            young_person, born, months, worker, team_id = first_for_plan
            if months < 18 * 12:
                self._adult_plan(young_person, born, months, worker, team_id)
            else:
                self._adult_plan_moved(young_person, born, worker, team_id)
        if not self.workshops and first_for_workshop is not None:
            self._workshops(*first_for_workshop)

    def _meetings(self, young_person: YoungPerson, born: date, by: User) -> None:
        earliest = max(milestones.add_years(born, 14), self.today - timedelta(days=730))
        span = (self.today - earliest).days
        name = young_person.person.given_name
        for _ in range(self.rng.randint(1, 3)):
            held_on = earliest + timedelta(days=self.rng.randint(0, span))
            took_part = self.rng.random() < 0.85
            attendees = self.rng.choice(MEETING_ATTENDEES).format(name=name)
            agreed = self.rng.choice(MEETING_AGREED).format(name=name)
            self.meetings.append(
                PlanningMeeting(
                    id=_uuid(self.rng),
                    young_person=young_person,
                    held_on=held_on,
                    young_person_took_part=took_part,
                    attendees=attendees if took_part else f"{attendees} ({name} chose not to come)",
                    agreed=agreed,
                    by=by,
                )
            )
            self._story(young_person, held_on, f"Planning together meeting on {held_on:%-d %B %Y}", by, agreed)

    def _workshops(self, young_person: YoungPerson, born: date, by: User) -> None:
        earliest = max(milestones.add_years(born, 14), self.today - timedelta(days=365))
        span = (self.today - earliest).days
        if young_person.is_care_leaver:
            offered_to = "Foster carer"
        else:
            offered_to = f"{self.rng.choice(PARENT_NAMES)} {young_person.person.family_name}"
        for topic in self.rng.sample(WORKSHOP_TOPICS, self.rng.randint(1, 2)):
            recent = self.rng.random() < 0.3
            offered_on = self.today - timedelta(days=self.rng.randint(0, min(span, 14) if recent else span))
            if (self.today - offered_on).days <= 14:
                attendance = Attendance.NOT_YET  # offered for a session still to come
            else:
                attendance = self.rng.choices([Attendance.ATTENDED, Attendance.DID_NOT_ATTEND], [70, 30])[0]
            self.workshops.append(
                Workshop(
                    id=_uuid(self.rng),
                    young_person=young_person,
                    offered_on=offered_on,
                    topic=topic,
                    offered_to=offered_to,
                    attendance=attendance,
                    by=by,
                )
            )
            self._story(young_person, offered_on, f"Workshop offered to {offered_to}: {topic}", by)

    def _adult_plan(self, young_person: YoungPerson, born: date, months: int, by: User, team_id: uuid.UUID) -> None:
        """young_people.services.plan_move_to_adult_services: planned for the 18th birthday, still open."""
        rng, plans = self.rng, self.plans
        eighteenth = milestones.add_years(born, milestones.ADULTHOOD)
        started_on = max(milestones.add_years(born, 16), self.today - timedelta(days=rng.randint(0, 300)))
        plan = plans.start(
            person_id=young_person.person_id,
            kind=PlanKind.CHILD_TO_ADULT,
            moving_from="Children's services",
            moving_to="Adult social care",
            planned_on=eighteenth,
            team_id=team_id,
            coordinator=by,
            source_label="Young people's tracker",
            started_on=started_on,
            what_matters=rng.choice(WHAT_MATTERS),
        )
        self.adult_plans += 1
        progress = (months - 16 * 12) / 24
        all_in_place = months >= 17 * 12 + 9 and rng.random() < 0.4

        def done(template: ArrangementTemplate) -> bool:
            return (all_in_place and template.is_essential) or rng.random() < 0.2 + 0.6 * progress

        plans.checklist(
            plan, done=done, owner=lambda _: (by.full_name, "Transitions worker"), by=by, completed_on=self.today
        )
        plans.step(
            plan,
            "Take the transition assessment to panel",
            owner_name=by.full_name,
            owner_role="Transitions worker",
            due_on=max(self.today, milestones.add_months(eighteenth, -3)),
        )
        plans.step(
            plan,
            f"Introduce {young_person.person.given_name} to their adult social worker",
            owner_name=by.full_name,
            owner_role="Transitions worker",
            due_on=max(self.today, eighteenth - timedelta(days=30)),
        )
        if all_in_place:
            plans.ready(plan, by)

    def _adult_plan_moved(self, young_person: YoungPerson, born: date, by: User, team_id: uuid.UUID) -> None:
        """A plan to adult services that moved on the 18th birthday and was checked, and the service that started."""
        rng, plans = self.rng, self.plans
        eighteenth = milestones.add_years(born, milestones.ADULTHOOD)
        plan = plans.start(
            person_id=young_person.person_id,
            kind=PlanKind.CHILD_TO_ADULT,
            moving_from="Children's services",
            moving_to="Adult social care",
            planned_on=eighteenth,
            team_id=team_id,
            coordinator=by,
            source_label="Young people's tracker",
            started_on=milestones.add_months(born, 16 * 12 + rng.randint(3, 15)),
            what_matters=rng.choice(WHAT_MATTERS),
        )
        self.adult_plans += 1
        plans.checklist(
            plan,
            done=lambda template: template.is_essential or rng.random() < 0.6,
            owner=lambda _: (by.full_name, "Transitions worker"),
            by=by,
            completed_on=eighteenth - timedelta(days=rng.randint(7, 60)),
        )
        plans.step(
            plan,
            f"Introduce {young_person.person.given_name} to their adult social worker",
            owner_name=by.full_name,
            owner_role="Transitions worker",
            due_on=eighteenth - timedelta(days=30),
            done_by=by,
        )
        plans.moved(plan, eighteenth, by)
        problems = MOVE_PROBLEMS if rng.random() < 0.15 else ""
        plans.checked(
            plan,
            by,
            spoke_to=f"{young_person.person.given_name} and their family",
            problems=problems,
            feedback_to="Adult social care team manager" if problems else "",
        )
        person = young_person.person
        self.services.append(
            Service(
                id=_uuid(rng),
                person=person,
                service_type=ServiceType.LT_COMMUNITY,
                service_component=rng.choice(ADULT_SERVICES),
                team_id=person.neighbourhood.team_id if person.neighbourhood else team_id,
                start_on=eighteenth,
                description="Started at 18 from the plan to adult services",
            )
        )

    def _care_leaver_plan(self, young_person: YoungPerson, move_on: date, by: User, team_id: uuid.UUID) -> None:
        """young_people.services.plan_accommodation_move, for the planned move; a recent settled move has happened."""
        rng, plans = self.rng, self.plans
        settled = young_person.has_settled_accommodation
        if move_on >= self.today:
            if rng.random() >= 0.6:
                return
            started_on = self.today - timedelta(days=rng.randint(0, 60))
        elif settled and rng.random() < 0.5:
            started_on = move_on - timedelta(days=rng.randint(20, 90))
        else:
            return
        plan = plans.start(
            person_id=young_person.person_id,
            kind=PlanKind.CARE_LEAVER,
            moving_from=f"Current accommodation ({young_person.get_accommodation_status_display().lower()})",
            moving_to="Next accommodation (secured)" if settled else "Next accommodation (to be confirmed)",
            planned_on=move_on,
            team_id=team_id,
            coordinator=by,
            source_label="Care leavers",
            started_on=started_on,
        )
        self.care_leaver_plans += 1
        adviser = young_person.personal_adviser_name or by.full_name

        def done(template: ArrangementTemplate) -> bool:
            if move_on < self.today:
                return True
            if template.code == "accommodation":
                return settled
            return rng.random() < 0.4

        plans.checklist(
            plan,
            done=done,
            owner=lambda code: (adviser, "Personal adviser") if code != "accommodation" else (by.full_name, "Worker"),
            by=by,
            completed_on=min(self.today, move_on - timedelta(days=rng.randint(1, 14))),
            due_on=move_on,
        )
        plans.step(
            plan,
            f"Visit the new home with {young_person.person.given_name}",
            owner_name=adviser,
            owner_role="Personal adviser",
            due_on=max(self.today, move_on - timedelta(days=7)) if move_on >= self.today else move_on,
            done_by=by if move_on < self.today else None,
        )
        if move_on < self.today:
            plans.moved(plan, move_on, by)
            if plan.check_due_at is not None and plan.check_due_at < plans.now:
                plans.checked(plan, by, spoke_to=f"{young_person.person.given_name} and {adviser}")

    def write(self) -> None:
        self.plans.write()
        PlanningMeeting.objects.bulk_create(self.meetings, batch_size=BATCH)
        Workshop.objects.bulk_create(self.workshops, batch_size=BATCH)
        Service.objects.bulk_create(self.services, batch_size=BATCH)
        ChronologyEntry.objects.bulk_create(self.stories, batch_size=BATCH)
