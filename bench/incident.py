"""The provider-failure target: list everyone affected by a 120-bed home's failure with ranked placement options
from the county's vacancies, in at most 200 ms.

Runs in its own child process after generation. It makes the scenario if the database does not have it yet (a
120-place care home with 120 current residents, each with a main contact; the home's provider's other homes and
every other care home keep their generated vacancies) and opens one business-failure incident for it, then times:

- `selectors.incident_page` (the data: everyone affected, their steps, alerts and risks, and the ranking), and
- the incident page itself through the Django test Client, signed in as the contingency lead (middleware, view,
  template: what the lead waits for), and the API's list of everyone affected with their options.
"""

import random
import statistics
import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from safepathways.accounts.models import User
from safepathways.continuity import selectors, services
from safepathways.continuity.models import Incident, IncidentStatus
from safepathways.oversight.models import Vacancy
from safepathways.people.models import Contact, Person
from safepathways.providers.codes import LocationType
from safepathways.providers.models import Location, Service

LEAD = "cal.contingency@camden.example"
TITLE = "Benchmark: business failure of a 120-bed home"
TARGET_MS = 200.0
PLACES = 120


def _scenario() -> Incident:
    found = Incident.objects.filter(title=TITLE, status=IncidentStatus.OPEN).first()
    if found is not None:
        return found
    lead = User.objects.get(email=LEAD)
    home = (
        Location.objects.filter(
            registered_places=PLACES, location_type__in=[LocationType.CARE_HOME, LocationType.CARE_HOME_NURSING]
        )
        .order_by("name")
        .first()
    )
    if home is None:
        raise RuntimeError("the generated county has no 120-place care home")
    today = timezone.localdate()
    with transaction.atomic():
        current = Service.objects.current(today).filter(location=home).values("person_id").distinct().count()
        rng = random.Random(2026)
        candidates = list(
            Person.objects.filter(date_of_death__isnull=True, merged_into__isnull=True)
            .exclude(services__location=home)
            .values_list("pk", flat=True)[: PLACES * 4]
        )
        chosen = rng.sample(candidates, PLACES - current) if current < PLACES else []
        Service.objects.bulk_create(
            Service(
                person_id=person_id,
                service_type="Long Term Support: Residential Care",
                service_component="Long Term Residential Care",
                provider_id=home.provider_id,
                location=home,
                start_on=today - timedelta(days=rng.randint(30, 900)),
            )
            for person_id in chosen
        )
        family = {"kind": "family", "name": "Family member", "relationship": "daughter", "phone": "020 7946 0000"}
        Contact.objects.bulk_create(
            Contact(person_id=person_id, address="1 High Street, London N6 5AA", is_main_contact=True, **family)
            for person_id in chosen
        )
    return services.open_incident(
        kind="business_failure",
        title=TITLE,
        what_happened="The provider went into administration; the home closes today.",
        started_at=timezone.now() - timedelta(hours=1),
        lead=lead,
        by=lead,
        location=home,
    )


def _timed(fn: Any, reps: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(reps):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def run(*, reps: int, warmup: int) -> dict[str, Any]:
    incident = _scenario()
    lead = User.objects.get(email=LEAD)
    client = Client()
    client.force_login(lead, backend=settings.AUTHENTICATION_BACKENDS[-1])
    client.get("/")
    api = Client()
    api.force_login(lead, backend=settings.AUTHENTICATION_BACKENDS[-1])
    api.get("/")
    page_url = f"/continuity/incidents/{incident.pk}/"
    api_url = f"/api/v1/continuity/incidents/{incident.pk}/affected/"
    data = selectors.incident_page(incident)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(page_url)
    assert response.status_code == 200, response.status_code
    with_options = sum(1 for row in data.rows if row.options)
    result: dict[str, Any] = {
        "people": len(data.rows),
        "with_options": with_options,
        "vacancy_rows": Vacancy.objects.filter(available__gt=0).count(),
        "locations_with_vacancies": Vacancy.objects.filter(available__gt=0).values("location_id").distinct().count(),
        "care_homes": Location.objects.filter(
            location_type__in=[LocationType.CARE_HOME, LocationType.CARE_HOME_NURSING]
        ).count(),
        "queries": len(captured.captured_queries),
        "target_ms": TARGET_MS,
    }
    for label, fn in (
        ("selector", lambda: selectors.incident_page(incident)),
        ("page", lambda: client.get(page_url)),
        ("api", lambda: api.get(api_url)),
    ):
        samples = _timed(fn, reps, warmup)
        result[label] = {
            "median_ms": statistics.median(samples),
            "p90_ms": sorted(samples)[int(0.9 * (len(samples) - 1))],
        }
    return result
