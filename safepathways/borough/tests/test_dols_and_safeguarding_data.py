import itertools
import random
from collections import Counter
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from safepathways.borough import dols_data, safeguarding_data
from safepathways.borough.generator import BoroughGenerator
from safepathways.dols import clocks
from safepathways.dols import services as dols_services
from safepathways.dols.models import (
    ALLOWED_TRANSITIONS,
    MET_OUTCOMES,
    Authorisation,
    DolsRequest,
    RequestStatusName,
    RequestType,
)
from safepathways.people.codes import AlertKind
from safepathways.people.models import Alert, ChronologyEntry, Person
from safepathways.safeguarding import services as safeguarding_services
from safepathways.safeguarding.models import (
    ALLOWED_TRANSITIONS as CONCERN_TRANSITIONS,
)
from safepathways.safeguarding.models import (
    Concern,
    ConcernStatusName,
    Decision,
    Enquiry,
    MSPAsked,
)
from safepathways.work.models import Triage, WorkItem, WorkKind

PEOPLE = 300


def _borough(people: int = PEOPLE, *, with_requests: bool = True) -> None:
    generator = BoroughGenerator(seed=7, password="x" * 12, log=lambda _: None)
    if with_requests:
        generator.generate(people=people)
        return
    with (
        mock.patch("safepathways.borough.generator.generate_dols", return_value=0),
        mock.patch("safepathways.borough.generator.generate_safeguarding", return_value=0),
    ):
        generator.generate(people=people)


@pytest.mark.django_db
def test_dols_requests_keep_their_clocks_and_histories_in_order() -> None:
    _borough()
    today = timezone.localdate()
    requests = list(
        DolsRequest.objects.with_history().select_related("person", "work_item", "authorisation", "renews__request")
    )
    waiting = [r for r in requests if r.is_waiting]
    # One request waiting per 20 people (10,000 at county scale), further requests for renewals included.
    assert len(waiting) == max(dols_data.MINIMUM_WAITING, Person.objects.count() // dols_data.PEOPLE_PER_WAITING)
    assert 0 < sum(r.is_breached(today) for r in waiting) < len(waiting)
    assert sum(r.is_in_force for r in requests) == round(len(waiting) * dols_data.IN_FORCE_PER_WAITING)
    statuses = Counter(r.status for r in requests)
    assert statuses[RequestStatusName.SCREENED] and statuses[RequestStatusName.EXPIRED]
    assert statuses[RequestStatusName.NOT_GRANTED] and statuses[RequestStatusName.WITHDRAWN]
    assert any(r.is_urgent for r in requests)
    window = dols_services.dols_settings().renewal_window_days
    for r in requests:
        history = list(r.statuses.all())
        assert history[0].name == RequestStatusName.RECEIVED
        assert history[-1].name == r.status
        assert [s.created_at for s in history] == sorted(s.created_at for s in history)
        for before, after in itertools.pairwise(history):
            assert after.name == before.name or after.name in ALLOWED_TRANSITIONS[before.name], r.reference
        assert r.received_on <= today
        age = r.person.age_on(r.received_on)
        assert age is not None and age >= 18
        if r.is_urgent:
            assert r.urgent_starts_on is not None and r.urgent_period_days is not None
            assert r.urgent_starts_on <= r.received_on
            assert r.urgent_expires_on == clocks.urgent_expires(
                r.urgent_starts_on, r.urgent_period_days, r.urgent_extension_days or 0
            )
        assert r.assessments_due_on == clocks.assessments_due(r.received_on, r.urgent_expires_on)
        assert r.work_item.kind == WorkKind.DOLS
        assert r.work_item.due_on == r.assessments_due_on
        assert (r.work_item.closed_at is None) == (r.is_waiting or r.is_in_force)
        # A priority once screened: a request withdrawn before anyone screened it has none.
        assert (r.priority != "") == any(s.name == RequestStatusName.SCREENED for s in history)
        assessments = list(r.assessments.all())
        assert len(assessments) == 6
        done = [a.completed_on for a in assessments if a.completed_on is not None]
        assert all(r.received_on <= day <= today for day in done)
        if r.signed_off_on is not None:
            assert all(day <= r.signed_off_on for day in done)
        if r.request_type == RequestType.FURTHER:
            assert r.renews is not None and r.renews.request.person_id == r.person_id
            assert r.received_on >= clocks.renewal_opens(r.renews.ends_on, window)
        if r.status in (RequestStatusName.GRANTED, RequestStatusName.EXPIRED, RequestStatusName.TERMINATED):
            assert all(a.outcome in MET_OUTCOMES for a in assessments)
        if r.status == RequestStatusName.NOT_GRANTED:
            assert r.not_granted_reason and r.closed_on is not None
    for authorisation in Authorisation.objects.select_related("request"):
        assert authorisation.request.received_on <= authorisation.starts_on <= authorisation.ends_on
        assert authorisation.ends_on <= clocks.authorisation_latest_end(authorisation.starts_on)
        assert (authorisation.conditions_review_on is not None) == bool(authorisation.conditions)
        alert = Alert.objects.get(kind=AlertKind.DOLS_IN_PLACE, reason__contains=authorisation.request.reference)
        if authorisation.request.is_in_force:
            assert authorisation.ends_on >= today and alert.ended_at is None
        else:
            assert authorisation.ended_on is not None and alert.ended_at is not None
    assert Triage.objects.filter(work_item__kind=WorkKind.DOLS).count() == len(requests)
    assert ChronologyEntry.objects.filter(category="dols").values("person").distinct().count() == len(
        {r.person_id for r in requests}
    )
    # Nothing left for the daily sweep: no authorisation past its end, no suspension past 28 days.
    assert dols_services.sweep_authorisations() == dols_services.SweepResult(expired=0, terminated=0)


@pytest.mark.django_db
def test_safeguarding_concerns_follow_the_s42_rules_and_their_enquiries_are_open_at_every_stage() -> None:
    _borough()
    today = timezone.localdate()
    settings_row = safeguarding_services.safeguarding_settings()
    concerns = list(Concern.objects.with_history().select_related("work_item"))
    a_year = Person.objects.count() * safeguarding_data.CONCERNS_PER_PERSON_A_YEAR
    wanted = max(safeguarding_data.MINIMUM, round(a_year * safeguarding_data.DAYS / 365))
    assert len(concerns) == wanted + len(safeguarding_data.STAGES)
    assert Concern.objects.decision_overdue().exists()
    assert Concern.objects.filter(status=ConcernStatusName.DECIDED).exists()
    assert Enquiry.objects.open().exists() and Enquiry.objects.filter(concluded_on__isnull=False).exists()
    for concern in concerns:
        history = list(concern.statuses.all())
        assert history[0].name == ConcernStatusName.RECEIVED and history[-1].name == concern.status
        assert [s.created_at for s in history] == sorted(s.created_at for s in history)
        for before, after in itertools.pairwise(history):
            assert after.name in CONCERN_TRANSITIONS[before.name]
        received_on = timezone.localdate(concern.received_at)
        assert concern.decision_due_on == safeguarding_services.decision_due_on(received_on, settings_row)
        assert concern.work_item.kind == WorkKind.SAFEGUARDING
        assert (concern.work_item.closed_at is None) == (concern.status != ConcernStatusName.CLOSED)
        all_met = bool(
            concern.has_care_and_support_needs
            and concern.is_experiencing_or_at_risk
            and concern.is_unable_to_protect_self
        )
        if concern.decision:
            assert (concern.decision == Decision.SECTION_42) == all_met
            assert concern.decided_at is not None and concern.decided_at >= concern.received_at
    for enquiry in Enquiry.objects.select_related("concern", "alert"):
        concern = enquiry.concern
        assert concern.decided_at is not None
        assert enquiry.started_on >= timezone.localdate(concern.decided_at)
        assert enquiry.alert is not None and enquiry.alert.kind == AlertKind.SAFEGUARDING_OPEN
        assert (enquiry.alert.ended_at is None) == (concern.status != ConcernStatusName.CLOSED)
        if enquiry.concluded_on is None:
            assert concern.status == ConcernStatusName.ENQUIRY_OPEN
            continue
        assert enquiry.started_on <= enquiry.concluded_on <= today
        assert enquiry.risk_finding and enquiry.action_taken is not None and enquiry.msp_asked
        assert bool(enquiry.risk_result) == bool(enquiry.action_taken)
        assert bool(enquiry.msp_achieved) == (enquiry.msp_asked == MSPAsked.EXPRESSED)
        assert all(
            a.completed_on is not None and enquiry.started_on <= a.completed_on <= enquiry.concluded_on
            for a in enquiry.actions.all()
        )
    # Front-door safeguarding work with no concern yet, for the dashboard's tile.
    assert WorkItem.objects.open().filter(kind=WorkKind.SAFEGUARDING, safeguarding_concern__isnull=True).exists()


def _signature() -> list[str]:
    """References, people, statuses and dates (times on today's events are capped at the clock's time)."""
    requests = DolsRequest.objects.order_by("reference").values_list("reference", "person_id", "status", "received_on")
    concerns = Concern.objects.order_by("reference").values_list("reference", "person_id", "status", "received_at")
    return [str(row) for row in requests] + [
        str((reference, person, status, timezone.localdate(received)))
        for reference, person, status, received in concerns
    ]


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_requests_and_concerns() -> None:
    _borough(people=120, with_requests=False)
    today = timezone.localdate()
    signatures = []
    for _ in range(2):
        with transaction.atomic():
            rng = random.Random(3)
            dols_data.generate_dols(rng=rng, today=today, log=lambda _: None)
            safeguarding_data.generate_safeguarding(rng=rng, today=today, log=lambda _: None)
            signatures.append(_signature())
            transaction.set_rollback(True)
    assert signatures[0] == signatures[1]
    assert signatures[0]


@pytest.mark.django_db
def test_generating_again_adds_nothing() -> None:
    _borough(people=120)
    counts = (DolsRequest.objects.count(), Concern.objects.count())
    today = timezone.localdate()
    assert dols_data.generate_dols(rng=random.Random(1), today=today, log=lambda _: None) == 0
    assert safeguarding_data.generate_safeguarding(rng=random.Random(1), today=today, log=lambda _: None) == 0
    assert (DolsRequest.objects.count(), Concern.objects.count()) == counts
