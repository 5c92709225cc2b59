"""Builds a deterministic synthetic borough with bulk inserts (Faker en_GB, NHS numbers from 999)."""

import random
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TypeVar

from django.db import models, transaction
from django.utils import timezone
from faker import Faker

from safepathways.accounts.models import Organisation, OrganisationKind, Team, TeamKind, User
from safepathways.accounts.services import add_user
from safepathways.audit import services as audit
from safepathways.borough import reference
from safepathways.borough.continuity_data import generate_continuity
from safepathways.borough.discharges_data import generate_discharges
from safepathways.borough.dols_data import generate_dols
from safepathways.borough.managing_authority_data import generate_managing_authority
from safepathways.borough.mutual_aid_data import generate_mutual_aid
from safepathways.borough.oversight_data import generate_oversight
from safepathways.borough.safeguarding_data import generate_safeguarding
from safepathways.borough.transitions_data import generate_transitions
from safepathways.borough.young_people_data import generate_young_people
from safepathways.core.clocks import add_working_days
from safepathways.core.identifiers import nhs_number_in_test_range
from safepathways.core.services import reserve_numbers
from safepathways.people.codes import (
    AlertKind,
    ContactKind,
    Ethnicity,
    Gender,
    NHSNumberStatus,
    ProfessionalRole,
)
from safepathways.people.models import (
    Alert,
    ChronologyEntry,
    Contact,
    Involvement,
    Neighbourhood,
    Person,
    PostcodeArea,
    Risk,
    Share,
)
from safepathways.people.services import format_reference
from safepathways.providers.codes import LocationType, ServiceComponent, ServiceType
from safepathways.providers.models import Location, Provider, Service
from safepathways.referrals.models import (
    Channel,
    Consent,
    ContactStatus,
    ContactStatusName,
    ReferrerType,
    Urgency,
)
from safepathways.referrals.models import Contact as FrontDoorContact
from safepathways.referrals.services import screening_due_on
from safepathways.transitions.models import Plan
from safepathways.work.models import ContactMethod, Handoff, KeepInTouch, Priority, Triage, WorkItem, WorkKind

# The seeded local defaults (work migration 0003): contact interval days and allocation working days.
CONTACT_DAYS = {Priority.RED: 7, Priority.AMBER: 14, Priority.GREEN: 28}
ALLOCATION_DAYS = {Priority.RED: 2, Priority.AMBER: 10, Priority.GREEN: 20}
STORIES = [
    "I keep falling at night and I am frightened to go upstairs. My daughter visits at weekends.",
    "Since my wife went into hospital I cannot manage the shopping or my medication on my own.",
    "I want to stay in my own home. I need help getting in and out of the bath.",
    "My son looks after me but he is exhausted and has had to stop working.",
    "I have been discharged from hospital and the stairs are a problem. I am sleeping downstairs.",
    "I am finding it hard to cook and I have lost weight. I would like some company in the day.",
]

BATCH = 5000
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
ModelT = TypeVar("ModelT", bound=models.Model)

# Share of the population by age band, weighted to older adults as adult social care caseloads are.
AGE_BANDS = [((14, 17), 0.05), ((18, 64), 0.33), ((65, 79), 0.30), ((80, 99), 0.32)]
ETHNICITY_WEIGHTS = [
    (Ethnicity.WHITE_BRITISH, 40),
    (Ethnicity.WHITE_OTHER, 16),
    (Ethnicity.WHITE_IRISH, 3),
    (Ethnicity.ASIAN_BANGLADESHI, 6),
    (Ethnicity.ASIAN_INDIAN, 3),
    (Ethnicity.ASIAN_CHINESE, 2),
    (Ethnicity.ASIAN_OTHER, 3),
    (Ethnicity.BLACK_AFRICAN, 6),
    (Ethnicity.BLACK_CARIBBEAN, 3),
    (Ethnicity.MIXED_OTHER, 3),
    (Ethnicity.OTHER_ARAB, 2),
    (Ethnicity.OTHER_ANY, 3),
    (Ethnicity.NOT_STATED, 10),
]


@dataclass
class Summary:
    people: int = 0
    providers: int = 0
    locations: int = 0
    services: int = 0
    work_items: int = 0
    alerts: int = 0
    risks: int = 0
    chronology: int = 0
    plans: int = 0
    discharges: int = 0
    young_people: int = 0
    concerns: int = 0
    dols_requests: int = 0
    safeguarding_concerns: int = 0
    created: bool = False


def _batched(items: Sequence[models.Model], model: type[models.Model]) -> int:
    for start in range(0, len(items), BATCH):
        model._default_manager.bulk_create(items[start : start + BATCH], batch_size=BATCH)
    return len(items)


class BoroughGenerator:
    """Generates the borough; the same seed gives the same borough."""

    def __init__(self, *, seed: int, password: str, log: Callable[[str], None]) -> None:
        self.rng = random.Random(seed)
        self.faker = Faker("en_GB")
        self.faker.seed_instance(seed)
        self.password = password
        self.log = log
        self.today = timezone.localdate()
        self.first_names = {g: [self._first_name(g) for _ in range(600)] for g in ("m", "f")}
        self.last_names = [self.faker.last_name() for _ in range(3000)]
        self.streets = [self.faker.street_name() for _ in range(800)]

    def _first_name(self, gender: str) -> str:
        return str(self.faker.first_name_male() if gender == "m" else self.faker.first_name_female())

    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    # Reference data ------------------------------------------------------------------------
    def ensure_reference_data(self) -> dict[str, Team]:
        council, _ = Organisation.objects.get_or_create(
            is_this_council=True,
            defaults={"name": reference.COUNCIL[0], "kind": OrganisationKind.COUNCIL, "ons_code": reference.COUNCIL[2]},
        )
        for name, ons in reference.NEIGHBOURS:
            Organisation.objects.get_or_create(
                name=name, defaults={"kind": OrganisationKind.NEIGHBOURING_COUNCIL, "ons_code": ons}
            )
        for name, kind, ods in reference.NHS_ORGANISATIONS:
            Organisation.objects.get_or_create(name=name, defaults={"kind": kind, "ods_code": ods})
        for name, ods in reference.GP_PRACTICES:
            Organisation.objects.get_or_create(
                name=name, defaults={"kind": OrganisationKind.GP_PRACTICE, "ods_code": ods}
            )
        for name, kind in reference.OTHER_PARTNERS:
            Organisation.objects.get_or_create(name=name, defaults={"kind": kind})
        teams: dict[str, Team] = {}
        for name, slug, team_kind in reference.COUNCIL_TEAMS:
            teams[slug], _ = Team.objects.get_or_create(
                slug=slug, defaults={"name": name, "kind": team_kind, "organisation": council}
            )
        for organisation_name, name, slug in reference.PARTNER_TEAMS:
            organisation = Organisation.objects.get(name=organisation_name)
            teams[slug], _ = Team.objects.get_or_create(
                slug=slug, defaults={"name": name, "kind": TeamKind.PARTNER, "organisation": organisation}
            )
        for name, districts in reference.NEIGHBOURHOODS.items():
            slug = f"neighbourhood-{name.lower().replace(' ', '-')}"
            neighbourhood, _ = Neighbourhood.objects.get_or_create(name=name, defaults={"team": teams[slug]})
            for district in districts:
                PostcodeArea.objects.get_or_create(prefix=district, defaults={"neighbourhood": neighbourhood})
        return teams

    def ensure_demo_users(self, teams: dict[str, Team]) -> list[reference.DemoUser]:
        """Create the demo staff, giving the demo password only to accounts made now.

        Run again, it adds any missing account or team membership and leaves existing passwords alone: a demo
        user's changed password is kept, and no `user.password_set` audit event is written.
        """
        emails = [demo.email.lower() for demo in reference.DEMO_USERS]
        existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
        for demo in reference.DEMO_USERS:
            is_new = demo.email.lower() not in existing
            user = add_user(
                email=demo.email,
                full_name=demo.full_name,
                team=teams[demo.team_slug],
                role=demo.role,
                password=self.password if is_new else None,
                by=None,
            )
            existing.add(user.email)
            if demo.role == "administrator" and not user.is_staff:
                User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
        return reference.DEMO_USERS

    # People ----------------------------------------------------------------------------------
    def _date_of_birth(self) -> date:
        roll = self.rng.random()
        cumulative = 0.0
        low, high = AGE_BANDS[-1][0]
        for (band_low, band_high), share in AGE_BANDS:
            cumulative += share
            if roll <= cumulative:
                low, high = band_low, band_high
                break
        age_days = self.rng.randint(low * 365 + 1, high * 365 + 364)
        return self.today - timedelta(days=age_days)

    def _postcode(self, district: str) -> str:
        return f"{district} {self.rng.randint(1, 9)}{self.rng.choice(INWARD_LETTERS)}{self.rng.choice(INWARD_LETTERS)}"

    def _nhs_numbers(self, start_serial: int) -> Iterator[str]:
        serial = start_serial
        while True:
            number = nhs_number_in_test_range(serial)
            serial += 1
            if number is not None:
                yield number

    def build_people(self, count: int, neighbourhoods: list[Neighbourhood]) -> list[Person]:
        districts = [(n, area.prefix) for n in neighbourhoods for area in n.postcode_areas.all()]
        numbers = reserve_numbers("person_reference", count)
        nhs_serial_start = Person.objects.filter(nhs_number__startswith="999").count() * 2
        nhs_numbers = self._nhs_numbers(nhs_serial_start)
        ethnicities = [e for e, _ in ETHNICITY_WEIGHTS]
        weights = [w for _, w in ETHNICITY_WEIGHTS]
        people = []
        for number in numbers:
            gender_code = self.rng.choice("mf")
            neighbourhood, district = self.rng.choice(districts)
            has_nhs = self.rng.random() < 0.88
            person = Person(
                id=self._uuid(),
                reference=format_reference(number),
                given_name=self.rng.choice(self.first_names[gender_code]),
                family_name=self.rng.choice(self.last_names),
                date_of_birth=self._date_of_birth(),
                nhs_number=next(nhs_numbers) if has_nhs else None,
                nhs_number_status=NHSNumberStatus.VERIFIED if has_nhs else NHSNumberStatus.TRACE_REQUIRED,
                gender=Gender.MALE if gender_code == "m" else Gender.FEMALE,
                ethnicity=self.rng.choices(ethnicities, weights)[0],
                address_line_1=f"{self.rng.randint(1, 240)} {self.rng.choice(self.streets)}",
                town="London",
                postcode=self._postcode(district),
                neighbourhood=neighbourhood,
                main_language=self.rng.choices(
                    ["English", "Bengali", "Somali", "Arabic", "Portuguese"], [85, 6, 3, 3, 3]
                )[0],
                is_restricted=self.rng.random() < 0.002,
            )
            person.needs_interpreter = person.main_language != "English" and self.rng.random() < 0.6
            person.refresh_search_keys()
            people.append(person)
        return people

    def generate(self, *, people: int) -> Summary:
        summary = Summary()
        teams = self.ensure_reference_data()
        self.ensure_demo_users(teams)
        if Person.objects.exists():
            summary.people = Person.objects.count()
            self.log(f"The borough already has {summary.people} people: reusing it.")
            return summary
        summary.created = True
        with transaction.atomic():
            self._generate_people(people, teams, summary)
            summary.plans = generate_transitions(rng=self.rng, today=self.today, log=self.log)
            summary.discharges = generate_discharges(rng=self.rng, today=self.today, log=self.log)
            summary.young_people = generate_young_people(rng=self.rng, today=self.today, log=self.log)
            summary.concerns = generate_oversight(rng=self.rng, today=self.today, log=self.log)
            generate_continuity(rng=self.rng, today=self.today, log=self.log)
            generate_mutual_aid(rng=self.rng, today=self.today, log=self.log)
            summary.dols_requests = generate_dols(rng=self.rng, today=self.today, log=self.log)
            summary.safeguarding_concerns = generate_safeguarding(rng=self.rng, today=self.today, log=self.log)
            generate_managing_authority(today=self.today, log=self.log)
            # Every transition plan: the moves above, the discharges' and the young people's.
            summary.plans = Plan.objects.count()
            audit.record(
                actor=None,
                action="borough.generated",
                target=Organisation.objects.get(is_this_council=True),
                snapshot={"people": summary.people, "services": summary.services, "work_items": summary.work_items},
                actor_label="generate_borough",
            )
        return summary

    def _generate_people(self, count: int, teams: dict[str, Team], summary: Summary) -> None:
        neighbourhoods = list(Neighbourhood.objects.prefetch_related("postcode_areas").select_related("team"))
        persons = self.build_people(count, neighbourhoods)
        summary.people = _batched(persons, Person)
        self.log(f"  {summary.people} people")
        providers, locations = self._providers(max(20, count // 100))
        summary.providers, summary.locations = len(providers), len(locations)
        staff = self._staff_by_team(teams)
        gp_practices = list(Organisation.objects.filter(kind=OrganisationKind.GP_PRACTICE))
        services: list[Service] = []
        work: list[WorkItem] = []
        alerts: list[Alert] = []
        risks: list[Risk] = []
        contacts: list[Contact] = []
        involvements: list[Involvement] = []
        chronology: list[ChronologyEntry] = []
        triages: list[Triage] = []
        handoffs: list[Handoff] = []
        keep_in_touch: list[KeepInTouch] = []
        shares: list[Share] = []
        partner_orgs = {t.slug: t.organisation for t in teams.values() if t.kind == TeamKind.PARTNER}
        now = timezone.now()
        system_user = staff["administration"][0]
        for person in persons:
            nb_team = person.neighbourhood.team if person.neighbourhood else teams["front-door"]
            assert nb_team is not None
            team_staff = staff.get(nb_team.slug, [])
            created_at = self._moment(days_ago=self.rng.randint(30, 3000))
            chronology.append(self._entry(person, created_at, "people", "Record created", system_user))
            if self.rng.random() < 0.8:
                involvements.append(
                    Involvement(
                        id=self._uuid(),
                        person=person,
                        role=ProfessionalRole.GP,
                        organisation=self.rng.choice(gp_practices),
                    )
                )
            if self.rng.random() < 0.55:
                contacts.append(
                    Contact(
                        id=self._uuid(),
                        person=person,
                        kind=self.rng.choice([ContactKind.CARER, ContactKind.NEXT_OF_KIN, ContactKind.FAMILY]),
                        name=f"{self.rng.choice(self.first_names[self.rng.choice('mf')])} {person.family_name}",
                        relationship=self.rng.choice(["daughter", "son", "partner", "niece", "brother", "neighbour"]),
                        phone=f"07700 900{self.rng.randint(0, 999):03d}",
                        is_main_contact=True,
                    )
                )
            if self.rng.random() < 0.4:
                location = self.rng.choice(locations)
                start = self.today - timedelta(days=self.rng.randint(10, 1500))
                is_home = location.location_type in (LocationType.CARE_HOME, LocationType.CARE_HOME_NURSING)
                services.append(
                    Service(
                        id=self._uuid(),
                        person=person,
                        service_type=ServiceType.LT_RESIDENTIAL if is_home else ServiceType.LT_COMMUNITY,
                        service_component=ServiceComponent.LT_RESIDENTIAL if is_home else ServiceComponent.HOME_SUPPORT,
                        provider=location.provider,
                        location=location,
                        team=nb_team,
                        start_on=start,
                        planned_hours_per_week=None if is_home else Decimal(self.rng.choice([7, 10.5, 14, 21, 28])),
                    )
                )
                chronology.append(
                    self._entry(
                        person,
                        datetime.combine(start, time(10), tzinfo=now.tzinfo),
                        "services",
                        f"Service started: {location.provider.name}",
                        system_user,
                    )
                )
            if self.rng.random() < 0.2:
                item, triage = self._work_item(person, nb_team, teams, team_staff, system_user)
                work.append(item)
                triages.append(triage)
                chronology.append(self._entry(person, item.opened_at, "work", f"{item.title} requested", system_user))
                if item.allocated_to is not None:
                    handoffs.append(
                        Handoff(
                            id=self._uuid(),
                            work_item=item,
                            person=person,
                            from_team=item.team,
                            to_team=item.team,
                            from_worker=None,
                            to_worker=item.allocated_to,
                            reason="Allocated",
                            by=item.allocated_to,
                        )
                    )
                elif self.rng.random() < 0.4:
                    contacted = self._moment(days_ago=self.rng.randint(0, 20))
                    if contacted > item.opened_at:
                        keep_in_touch.append(
                            KeepInTouch(
                                id=self._uuid(),
                                work_item=item,
                                method=ContactMethod.PHONE,
                                by=system_user,
                                summary="Called to check how they are; no change.",
                                contacted_at=contacted,
                            )
                        )
                        item.last_contact_at = contacted
                        item.next_contact_due = timezone.localdate(contacted) + timedelta(
                            days=CONTACT_DAYS[Priority(item.priority)]
                        )
            if self.rng.random() < 0.05 and team_staff:
                owner = self.rng.choice(team_staff)
                alert_kind = self.rng.choice(
                    [AlertKind.RISK_TO_STAFF, AlertKind.FIRE_RISK, AlertKind.ANIMALS, AlertKind.ACCESS_ARRANGEMENTS]
                )
                alerts.append(
                    Alert(
                        id=self._uuid(),
                        person=person,
                        kind=alert_kind,
                        reason=f"{alert_kind.label}: see the latest assessment.",
                        owner=owner,
                        raised_by=owner,
                        review_on=self.today + timedelta(days=self.rng.randint(-20, 180)),
                    )
                )
            if self.rng.random() < 0.1 and team_staff:
                owner = self.rng.choice(team_staff)
                risks.append(
                    Risk(
                        id=self._uuid(),
                        person=person,
                        title=self.rng.choice(
                            ["Falls at night", "Missed medication", "Self-neglect", "Carer breakdown"]
                        ),
                        description="Identified at the last review.",
                        likelihood=self.rng.randint(1, 5),
                        impact=self.rng.randint(1, 5),
                        mitigation="Daily check call and pendant alarm.",
                        persons_view="I want to stay at home and accept some risk.",
                        owner=owner,
                        recorded_by=owner,
                        review_on=self.today + timedelta(days=self.rng.randint(1, 180)),
                    )
                )
            if self.rng.random() < 0.02:
                organisation = partner_orgs[self.rng.choice(sorted(partner_orgs))]
                shares.append(
                    Share(
                        id=self._uuid(),
                        person=person,
                        organisation=organisation,
                        purpose="Hospital discharge planning",
                        shared_by=system_user,
                    )
                )
        self._allocate_demo_caseload(work, handoffs, staff)
        contacts_in, statuses_in = self._front_door_contacts(persons, teams, staff, max(5, len(persons) // 100))
        for label, items, model in (
            ("services", services, Service),
            ("work items", work, WorkItem),
            ("triage ratings", triages, Triage),
            ("hand-offs", handoffs, Handoff),
            ("keep-in-touch contacts", keep_in_touch, KeepInTouch),
            ("alerts", alerts, Alert),
            ("risks", risks, Risk),
            ("contacts", contacts, Contact),
            ("professionals", involvements, Involvement),
            ("shares", shares, Share),
            ("chronology entries", chronology, ChronologyEntry),
            ("front-door contacts awaiting triage", contacts_in, FrontDoorContact),
            ("contact statuses", statuses_in, ContactStatus),
        ):
            written = _batched(items, model)
            self.log(f"  {written} {label}")
        summary.services, summary.work_items = len(services), len(work)
        summary.alerts, summary.risks, summary.chronology = len(alerts), len(risks), len(chronology)

    def _work_item(
        self, person: Person, nb_team: Team, teams: dict[str, Team], team_staff: list[User], system_user: User
    ) -> tuple[WorkItem, Triage]:
        """A waiting-list item rated on the default matrix, with its allocation and contact dates."""
        kind = self.rng.choice(
            [WorkKind.ASSESSMENT, WorkKind.REVIEW, WorkKind.OT_ASSESSMENT, WorkKind.CARERS_ASSESSMENT]
        )
        team = teams["ot-duty"] if kind == WorkKind.OT_ASSESSMENT else nb_team
        likelihood, impact = self.rng.randint(1, 5), self.rng.randint(1, 5)
        score = likelihood * impact
        priority = Priority.RED if score >= 15 else Priority.AMBER if score >= 8 else Priority.GREEN
        reasons = [f"Likelihood {likelihood} × impact {impact} = {score}"]
        opened = self._moment(days_ago=int(self.rng.expovariate(1 / 45)) % 400)
        opened_on = timezone.localdate(opened)
        allocated = self.rng.choice(team_staff) if team_staff and team == nb_team and self.rng.random() < 0.45 else None
        allocated_at = opened + timedelta(days=self.rng.randint(1, 20)) if allocated else None
        item = WorkItem(
            id=self._uuid(),
            person=person,
            kind=kind,
            title=kind.label,
            story=self.rng.choice(STORIES),
            team=team,
            allocated_to=allocated,
            allocated_at=allocated_at,
            first_allocated_at=allocated_at,
            priority=priority,
            priority_reasons=reasons,
            likelihood=likelihood,
            impact=impact,
            opened_at=opened,
            allocation_due=add_working_days(opened_on, ALLOCATION_DAYS[priority]),
            next_contact_due=opened_on + timedelta(days=CONTACT_DAYS[priority]),
        )
        triage = Triage(
            id=self._uuid(),
            work_item=item,
            likelihood=likelihood,
            impact=impact,
            priority=priority,
            reasons=reasons,
            why="Rated at the front door",
            by=system_user,
        )
        return item, triage

    def _front_door_contacts(
        self, persons: list[Person], teams: dict[str, Team], staff: dict[str, list[User]], count: int
    ) -> tuple[list[FrontDoorContact], list[ContactStatus]]:
        """Contacts waiting at the front door: most about people on record, some not yet identified."""
        officers = staff.get("front-door", []) or staff["administration"]
        council = teams["front-door"].organisation
        references = reserve_numbers("contact_reference", count)
        contacts, statuses = [], []
        for number in references:
            person = self.rng.choice(persons) if self.rng.random() < 0.8 else None
            received = timezone.now() - timedelta(hours=self.rng.randint(1, 96))
            urgency = self.rng.choices([Urgency.URGENT, Urgency.SOON, Urgency.ROUTINE], [10, 30, 60])[0]
            officer = self.rng.choice(officers)
            contact = FrontDoorContact(
                id=self._uuid(),
                reference=f"FD{number:07d}",
                organisation=council,
                taken_by=officer,
                referrer_type=self.rng.choice(
                    [ReferrerType.SELF, ReferrerType.FAMILY_OR_CARER, ReferrerType.GP, ReferrerType.HOSPITAL]
                ),
                referrer_name=self.faker.name(),
                channel=self.rng.choice([Channel.PHONE, Channel.EMAIL, Channel.WEB_FORM]),
                received_at=received,
                reason=self.rng.choice(STORIES),
                urgency=urgency,
                persons_wishes="To stay at home with some help.",
                consent=Consent.YES,
                given_name=person.given_name if person else self.rng.choice(self.first_names["f"]),
                family_name=person.family_name if person else "",
                date_of_birth=person.date_of_birth if person else None,
                postcode=person.postcode if person else "",
                person=person,
                screening_due_on=screening_due_on(received_at=received, urgency=urgency),
            )
            contacts.append(contact)
            statuses.append(
                ContactStatus(
                    id=self._uuid(),
                    contact=contact,
                    name=ContactStatusName.RECEIVED,
                    reason="Contact taken",
                    created_by=officer,
                )
            )
        return contacts, statuses

    def _allocate_demo_caseload(
        self, work: list[WorkItem], handoffs: list[Handoff], staff: dict[str, list[User]]
    ) -> None:
        """Give the demo social worker a caseload, so their home page and search show real work."""
        demo = next((u for u in staff.get("neighbourhood-north-west", []) if u.email.startswith("sam.")), None)
        if demo is None:
            return
        mine = {w.pk: w for w in work if w.team.slug == "neighbourhood-north-west" and w.allocated_to is not None}
        chosen = dict(list(mine.items())[:12])
        for item in chosen.values():
            item.allocated_to = demo
        for handoff in handoffs:
            if handoff.work_item_id in chosen:
                handoff.to_worker = demo
                handoff.by = demo

    def _staff_by_team(self, teams: dict[str, Team]) -> dict[str, list[User]]:
        result: dict[str, list[User]] = {}
        for user in User.objects.prefetch_related("memberships__team"):
            for membership in user.memberships.all():
                result.setdefault(membership.team.slug, []).append(user)
        return result

    def _moment(self, *, days_ago: int) -> datetime:
        day = self.today - timedelta(days=days_ago)
        return timezone.make_aware(datetime.combine(day, time(self.rng.randint(8, 17), self.rng.randint(0, 59))))

    def _entry(self, person: Person, when: datetime, category: str, summary: str, by: User) -> ChronologyEntry:
        return ChronologyEntry(
            id=self._uuid(),
            person=person,
            occurred_at=when,
            category=category,
            summary=summary,
            recorded_by=None,
            recorded_by_label="Data migration",
        )

    def _providers(self, count: int) -> tuple[list[Provider], list[Location]]:
        providers = [
            Provider(
                id=self._uuid(),
                name=f"{self.faker.last_name()} {self.rng.choice(['Care', 'Healthcare', 'Homecare', 'Living'])} Ltd",
                cqc_provider_id=f"1-{self.rng.randint(100000000, 999999999)}",
            )
            for _ in range(count)
        ]
        _batched(providers, Provider)
        locations = []
        types = [
            LocationType.CARE_HOME,
            LocationType.CARE_HOME_NURSING,
            LocationType.HOME_CARE,
            LocationType.SUPPORTED_LIVING,
            LocationType.EXTRA_CARE,
        ]
        districts = [d for ds in reference.NEIGHBOURHOODS.values() for d in ds]
        for provider in providers:
            for _ in range(self.rng.randint(1, 3)):
                location_type = self.rng.choice(types)
                suffix = "House" if "care_home" in location_type else "Services"
                locations.append(
                    Location(
                        id=self._uuid(),
                        provider=provider,
                        name=f"{self.rng.choice(self.streets)} {suffix}",
                        cqc_location_id=f"1-{self.rng.randint(100000000, 999999999)}",
                        location_type=location_type,
                        registered_places=self.rng.choice([20, 30, 40, 60, 120])
                        if "care_home" in location_type
                        else None,
                        postcode=self._postcode(self.rng.choice(districts)),
                    )
                )
        _batched(locations, Location)
        return providers, locations
