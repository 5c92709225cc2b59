"""Hand-offs that come from the services a person receives (registered in work.apps with providers.services).

A new service takes over from the person's latest earlier service that is either of the same kind and still
running (or ended up to HANDOFF_FOLLOW_DAYS before the new one started), or of any kind and ended in those days
before the new one started. If the provider changed, that is an organisation hand-off; if only the council team
responsible changed, a team hand-off. Either is counted with the work hand-offs on the dashboard.

A move can hand a person on without a provider record on either side: a transition plan's places and a hospital
discharge's trust and support provider are words, not provider records. record_move_handoff counts those.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q

from safepathways.accounts.models import Team, User
from safepathways.people.models import Person
from safepathways.providers.models import Service
from safepathways.work.models import Handoff, HandoffKind


def _follow_days() -> int:
    return int(settings.SAFEPATHWAYS.get("HANDOFF_FOLLOW_DAYS", 28))


def taken_over_from(service: Service) -> Service | None:
    """The earlier service the new one takes over from (see the module's docstring), or None."""
    earliest = service.start_on - timedelta(days=_follow_days())
    same_kind = Q(service_type=service.service_type) & (Q(end_on__isnull=True) | Q(end_on__gte=earliest))
    ended_before = Q(end_on__gte=earliest, end_on__lte=service.start_on)
    return (
        Service.objects.filter(person_id=service.person_id, start_on__lte=service.start_on)
        .filter(same_kind | ended_before)
        .exclude(pk=service.pk)
        .select_related("provider", "team")
        .order_by("-start_on", "-created_at")
        .first()
    )


def _name(thing: object) -> str:
    return str(getattr(thing, "name", "") or "")


def on_service_recorded(service: Service, by: User) -> Handoff | None:
    """Count a change of provider or responsible team between the earlier service and the new one."""
    earlier = taken_over_from(service)
    if earlier is None:
        return None
    provider_changed = (
        earlier.provider_id is not None
        and service.provider_id is not None
        and earlier.provider_id != service.provider_id
    )
    team_changed = earlier.team_id is not None and service.team_id is not None and earlier.team_id != service.team_id
    if not provider_changed and not team_changed:
        return None
    what = service.service_type
    if provider_changed:
        reason = f"{what} moved from {_name(earlier.provider)} to {_name(service.provider)}"
    else:
        reason = f"{what}: responsibility moved from {_name(earlier.team)} to {_name(service.team)}"
    return Handoff.objects.create(
        kind=HandoffKind.ORGANISATION if provider_changed else HandoffKind.TEAM,
        service=service,
        person_id=service.person_id,
        from_team_id=earlier.team_id,
        to_team_id=service.team_id,
        from_provider_id=earlier.provider_id if provider_changed else None,
        to_provider_id=service.provider_id if provider_changed else None,
        reason=reason[:300],
        by=by,
    )


def record_move_handoff(
    *,
    person: Person,
    by: User | None,
    what: str,
    handed_from: str,
    handed_to: str,
    team: Team | None,
    kind: str = HandoffKind.ORGANISATION,
) -> Handoff | None:
    """Count a move that hands a person from one organisation (or team) to another, each named in words.

    `what` names the move ("Hospital discharge"); `team` is the council team answerable for the person after it,
    whose dashboard counts it (the dashboard counts a team's hand-offs by to_team). Call it inside the caller's
    transaction. Nothing is counted when either side is unnamed or both name the same place.
    """
    source, destination = handed_from.strip(), handed_to.strip()
    if not source or not destination or source.casefold() == destination.casefold():
        return None
    return Handoff.objects.create(
        kind=kind,
        person=person,
        to_team=team,
        reason=f"{what}: from {source} to {destination}"[:300],
        by=by,
    )
