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
    """A discharged referral on pathway 1-3 whose support start date has passed with no start recorded."""
    pathway = Q(agreed_pathway__in=PATHWAYS_WITH_SUPPORT) | Q(
        agreed_pathway__isnull=True, proposed_pathway__in=PATHWAYS_WITH_SUPPORT
    )
    rows = (
        Referral.objects.filter(
            pathway,
            status=ReferralStatusName.DISCHARGED,
            support_start_on__lt=today,
            support_started_at__isnull=True,
            person__date_of_death__isnull=True,
        )
        .values_list("pk", "person_id", "support_start_on", "work_item__team_id", "reference", "support_provider")
        .order_by()
    )
    for pk, person_id, start_on, team_id, reference, provider in rows.iterator(chunk_size=2000):
        by = f" by {provider}" if provider else ""
        yield gaps.Finding(
            person_id=person_id,
            subject_key=f"discharge:{pk}",
            detail=f"Discharged ({reference}); support{by} due from {start_on:%-d %B %Y} not recorded as started",
            since=start_on if start_on is not None else today,
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
