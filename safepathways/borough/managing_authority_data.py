"""The demo care home manager's organisation runs one of the borough's care homes.

Rosewood Care Ltd (reference.py, with the demo partner maria.manager@rosewood.example) takes over the provider of the
care home with the most DoLS requests. The council shares that home's residents' records with Rosewood for the DoLS
process, and the requests at the home are marked as sent by Rosewood: so the managing authority's DoLS pages show
real requests, and its new-request form offers its home and its residents.
"""

from collections.abc import Callable
from datetime import date, datetime, time

from django.db.models import Count
from django.utils import timezone

from safepathways.accounts.models import Organisation, Role, User
from safepathways.borough.reference import DEMO_USERS
from safepathways.dols.models import DolsRequest
from safepathways.dols.services import DOLS_LOCATION_TYPES
from safepathways.people.models import Share
from safepathways.providers.models import Location, Provider, Service

ORGANISATION = "Rosewood Care Ltd"
SHARE_PURPOSE = "Deprivation of Liberty Safeguards: the care home as managing authority"


def generate_managing_authority(*, today: date, log: Callable[[str], None]) -> int:
    """Link Rosewood to a care home, share its residents and mark its requests; returns the residents shared."""
    organisation = Organisation.objects.filter(name=ORGANISATION).first()
    dols_lead = User.objects.filter(email=next(u.email for u in DEMO_USERS if u.role == Role.DOLS_LEAD)).first()
    if organisation is None or dols_lead is None or Provider.objects.filter(organisation=organisation).exists():
        return 0
    home = (
        Location.objects.filter(location_type__in=DOLS_LOCATION_TYPES, provider__organisation__isnull=True)
        .annotate(requests=Count("dols_requests"))
        .filter(requests__gt=0)
        .order_by("-requests", "name")
        .select_related("provider")
        .first()
    )
    if home is None:
        return 0
    provider = home.provider
    provider.organisation = organisation
    provider.name = ORGANISATION
    provider.save(update_fields=["organisation", "name", "updated_at"])
    residents = set(
        Service.objects.current(today).filter(location__provider=provider).values_list("person_id", flat=True)
    )
    residents |= set(
        DolsRequest.objects.filter(managing_authority__provider=provider).values_list("person_id", flat=True)
    )
    shared_at = timezone.make_aware(datetime.combine(today, time(9)))
    Share.objects.bulk_create(
        [
            Share(person_id=person_id, organisation=organisation, purpose=SHARE_PURPOSE, shared_by=dols_lead)
            for person_id in sorted(residents, key=str)
        ]
    )
    Share.objects.filter(organisation=organisation).update(created_at=shared_at, updated_at=shared_at)
    marked = DolsRequest.objects.filter(managing_authority__provider=provider).update(
        submitted_by_organisation=organisation
    )
    log(f"  {ORGANISATION} runs {home.name}: {len(residents)} residents shared, {marked} DoLS requests its own")
    return len(residents)
