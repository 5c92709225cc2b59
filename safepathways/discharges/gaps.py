"""The continuity rule hospital discharge adds to transitions.gaps: discharged, and the support never started.

Registered from DischargesConfig.ready(); the daily sweep (transitions.services.sweep_gaps) runs it. One
set-based query whatever the borough's size.
"""

from collections.abc import Iterator
from datetime import date

from django.db.models import Q

from safepathways.discharges.models import PATHWAYS_WITH_SUPPORT, Referral, ReferralStatusName
from safepathways.transitions import gaps

DISCHARGE_NO_SUPPORT = "discharge_no_support"


def discharged_without_support(today: date) -> Iterator[gaps.Finding]:
    """A discharged referral on pathway 1-3 with no support recorded as started by the day it was due.

    The day it was due is the support start date, or the discharge date when no support start was ever arranged
    (services.record_discharge then asked why): either way, once that day has passed with nothing started, the
    person is at home without the support their pathway says they need.
    """
    pathway = Q(agreed_pathway__in=PATHWAYS_WITH_SUPPORT) | Q(
        agreed_pathway__isnull=True, proposed_pathway__in=PATHWAYS_WITH_SUPPORT
    )
    # Two arms rather than Coalesce(support_start_on, discharged_on), so each can use its index.
    due = Q(support_start_on__lt=today) | Q(support_start_on__isnull=True, discharged_on__lt=today)
    rows = (
        Referral.objects.filter(
            pathway,
            due,
            status=ReferralStatusName.DISCHARGED,
            support_started_at__isnull=True,
            person__date_of_death__isnull=True,
        )
        .values_list(
            "pk",
            "person_id",
            "support_start_on",
            "discharged_on",
            "work_item__team_id",
            "reference",
            "support_provider",
        )
        .order_by()
    )
    for pk, person_id, start_on, discharged_on, team_id, reference, provider in rows.iterator(chunk_size=2000):
        if start_on is None:
            detail = f"Discharged ({reference}) on {discharged_on:%-d %B %Y} with no support start arranged"
        else:
            by = f" by {provider}" if provider else ""
            detail = f"Discharged ({reference}); support{by} due from {start_on:%-d %B %Y} not recorded as started"
        yield gaps.Finding(
            person_id=person_id,
            subject_key=f"discharge:{pk}",
            detail=detail,
            since=start_on or discharged_on or today,
            team_id=team_id,
        )


def register() -> None:
    gaps.register(
        gaps.GapRule(
            DISCHARGE_NO_SUPPORT,
            "Discharged, support not started",
            "Ring the provider and the person: record that the support started, or arrange it today.",
            discharged_without_support,
        )
    )
