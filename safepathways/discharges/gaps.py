"""The continuity rules hospital discharge adds to transitions.gaps: discharged and the support never started;
discharged with essential arrangements of the transition plan still open.

Registered from DischargesConfig.ready(); the daily sweep (transitions.services.sweep_gaps) runs them. One
set-based query each whatever the borough's size.
"""

from collections.abc import Iterator
from datetime import date
from uuid import UUID

from django.db.models import Q

from safepathways.discharges.models import PATHWAYS_WITH_SUPPORT, Referral, ReferralStatusName
from safepathways.transitions import gaps
from safepathways.transitions.models import Arrangement, ItemStatus, PlanStatus

DISCHARGE_NO_SUPPORT = "discharge_no_support"
DISCHARGE_ESSENTIALS_OPEN = "discharge_essentials_open"


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


def discharged_with_essentials_open(today: date) -> Iterator[gaps.Finding]:
    """A discharged referral whose transition plan still has an essential arrangement open (keys, medication,
    transport...), from the discharge date until the arrangement is done or marked not needed.

    services.record_discharge asked why the person left without them and told the hospital team; this keeps the
    gap in front of the team afterwards. A cancelled plan is not counted (no move happened on it); nor is someone
    who has since died.
    """
    referral = "plan__discharge_referral__"
    rows = (
        Arrangement.objects.filter(
            is_essential=True,
            status=ItemStatus.OPEN,
            **{
                f"{referral}status": ReferralStatusName.DISCHARGED,
                f"{referral}discharged_on__lte": today,
                f"{referral}person__date_of_death__isnull": True,
            },
        )
        .exclude(plan__status=PlanStatus.CANCELLED)
        .values_list(
            f"{referral}id",
            f"{referral}person_id",
            f"{referral}discharged_on",
            f"{referral}work_item__team_id",
            f"{referral}reference",
            "label",
        )
        .order_by(f"{referral}id", "order", "created_at")
    )
    found: dict[UUID, tuple[UUID, date, UUID | None, str, list[str]]] = {}
    for pk, person_id, discharged_on, team_id, reference, label in rows.iterator(chunk_size=2000):
        found.setdefault(pk, (person_id, discharged_on, team_id, reference, []))[4].append(label)
    for pk, (person_id, discharged_on, team_id, reference, labels) in found.items():
        yield gaps.Finding(
            person_id=person_id,
            subject_key=f"discharge-essentials:{pk}",
            detail=f"Discharged ({reference}) on {discharged_on:%-d %B %Y} with essential arrangements open: "
            + "; ".join(labels),
            since=discharged_on,
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
    gaps.register(
        gaps.GapRule(
            DISCHARGE_ESSENTIALS_OPEN,
            "Discharged, essential arrangements open",
            "Ring the person and whoever owns each arrangement, put it in place today, then explain the gap with "
            "what was done.",
            discharged_with_essentials_open,
        )
    )
