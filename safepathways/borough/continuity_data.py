"""Synthetic business continuity plans for the borough's teams, so emergency mode has critical work to show."""

import random
from collections.abc import Callable
from datetime import date, timedelta

from safepathways.accounts.models import Membership, Role, Team, TeamKind
from safepathways.continuity.models import ContinuityPlan, CriticalActivity, Scenario, ScenarioKind

ACTIVITIES = {
    TeamKind.NEIGHBOURHOOD: [
        ("Safeguarding concerns triaged", 1, 4),
        ("Red-rated waiting list kept in touch", 2, 24),
        ("Reviews", 3, 168),
    ],
    TeamKind.HOSPITAL_SOCIAL_WORK: [
        ("Discharges on pathways 1 to 3 started", 1, 8),
        ("Daily discharge meeting", 2, 24),
    ],
    TeamKind.OUT_OF_HOURS: [("Emergency placements", 1, 1), ("Welfare checks after moves", 1, 24)],
    TeamKind.DOLS: [("Urgent authorisations assessed", 1, 24), ("Standard requests screened", 2, 72)],
}
SCENARIOS = {
    ScenarioKind.STAFF_SHORTAGE: "Stop reviews and non-urgent assessments; duty covers red-rated people first.",
    ScenarioKind.IT_OUTAGE: "Use the printed emergency lists; record on paper and enter it within 48 hours.",
    ScenarioKind.SEVERE_WEATHER: "Phone everyone with an alert; prioritise home care runs for people living alone.",
    ScenarioKind.PROVIDER_COLLAPSE: "Open an incident; follow the emergency placement protocol.",
}


def generate_continuity(*, rng: random.Random, today: date, log: Callable[[str], None]) -> int:
    """One plan per team whose kind has critical activities; returns how many plans were made."""
    if ContinuityPlan.objects.exists():
        return 0
    made = 0
    for team in Team.objects.filter(kind__in=list(ACTIVITIES), organisation__is_this_council=True).order_by("name"):
        owner = (
            Membership.objects.filter(team=team, role=Role.TEAM_MANAGER).select_related("user").first()
            or Membership.objects.filter(team=team).select_related("user").first()
        )
        if owner is None:
            continue
        plan = ContinuityPlan.objects.create(
            team=team,
            service=team.name,
            owner=owner.user,
            contacts="Team manager; head of service; out-of-hours 020 7946 0000",
            last_tested_on=today - timedelta(days=rng.randint(30, 300)),
            next_review_on=today + timedelta(days=rng.randint(-20, 200)),
        )
        Scenario.objects.bulk_create(Scenario(plan=plan, kind=kind, actions=text) for kind, text in SCENARIOS.items())
        CriticalActivity.objects.bulk_create(
            CriticalActivity(plan=plan, activity=name, priority=priority, max_downtime_hours=hours)
            for name, priority, hours in ACTIVITIES[TeamKind(team.kind)]
        )
        made += 1
    log(f"  {made} business continuity plans")
    return made
