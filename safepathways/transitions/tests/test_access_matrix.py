"""Who may use each transitions URL, web and API: anonymous, a partner the plan is not shared with, a partner it is
shared with, another team's worker, the plan team's social worker, its team manager and a director (read only).
Every URL of transitions.urls and transitions.api_urls is here (the first test checks). A refused attempt changes
nothing and writes no audit event; a refused look writes no access event."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from safepathways.accounts.models import Organisation
from safepathways.audit.models import AccessEvent, AuditEvent
from safepathways.conftest import Persona
from safepathways.people.models import Person
from safepathways.people.tests.factories import PersonFactory
from safepathways.providers.tests.factories import ServiceFactory
from safepathways.tests.access_matrix import DECLARE, SIGN_IN, api_client, check, web_client
from safepathways.transitions import api_urls, services, urls
from safepathways.transitions.models import Arrangement, Gap, GapStatus, ItemStatus, Plan, PlanStatus
from safepathways.transitions.tests.conftest import MakePlan, complete_essentials

pytestmark = pytest.mark.django_db

PERSONAS = [
    "anonymous",
    "partner",  # the hospital: the plan is not shared with it
    "shared_partner",  # the police: the plan is shared with it, and it owns one arrangement
    "other_team_worker",
    "social_worker",
    "team_manager",
    "director",
]
FIXTURES = {"shared_partner": "police_partner"}


@dataclass
class World:
    """A plan of the social worker's team, shared with the police, whose first arrangement the police own; someone
    the team works with who has no plan yet; and, when asked for, a continuity gap of the team."""

    plan: Plan
    item: Arrangement
    person: Person
    social_worker: Persona
    shared_with: Organisation
    not_shared_with: Organisation
    _gap: Gap | None = field(default=None)

    def gap(self) -> Gap:
        if self._gap is None:
            today = timezone.localdate()
            service = ServiceFactory.create(
                start_on=today - timedelta(days=100), end_on=today - timedelta(days=5), team=self.social_worker.team
            )
            services.sweep_gaps(today=today)
            self._gap = Gap.objects.get(person=service.person)
        return self._gap

    def refresh(self) -> None:
        self.plan.refresh_from_db()
        self.item.refresh_from_db()
        if self._gap is not None:
            self._gap.refresh_from_db()


@pytest.fixture
def world(make_plan: MakePlan, social_worker: Persona, police: Organisation, hospital: Organisation) -> World:
    plan = make_plan()
    services.share_plan(plan=plan, by=social_worker.user, organisation=police)
    item = plan.arrangements.order_by("order").first()
    assert item is not None
    services.update_item(
        plan=plan,
        by=social_worker.user,
        kind="arrangement",
        item_id=item.pk,
        owner=services.Owner("Safeguarding officer", organisation=police),
        due_on=None,
        status=ItemStatus.OPEN,
    )
    person = PersonFactory.create()
    ServiceFactory.create(person=person, team=social_worker.team)
    return World(plan, item, person, social_worker, police, hospital)


def _web(name: str, request: pytest.FixtureRequest) -> Client:
    return web_client(name, request, FIXTURES)


def _api(name: str, request: pytest.FixtureRequest) -> APIClient:
    return api_client(name, request, FIXTURES)


def _web_url(name: str, world: World) -> str:
    plan = world.plan
    if name in ("plans", "continuity"):
        return reverse(f"transitions:{name}")
    if name == "explain_gap":
        return reverse("transitions:explain_gap", args=[world.gap().pk])
    if name == "new_plan":
        return reverse("transitions:new_plan", args=[world.person.pk])
    if name == "item":
        return reverse("transitions:item", args=[plan.pk, "arrangement", world.item.pk])
    if name == "unshare":
        return reverse("transitions:unshare", args=[plan.pk, world.shared_with.pk])
    return reverse(f"transitions:{name}", args=[plan.pk])


def _date(name: str, day: date, prefix: str = "") -> dict[str, object]:
    key = f"{prefix}-{name}" if prefix else name
    return {f"{key}_day": day.day, f"{key}_month": day.month, f"{key}_year": day.year}


# --- web pages (GET) -------------------------------------------------------------------------------------------------

WEB_PAGES = ["plans", "continuity", "explain_gap", "new_plan", "plan", "item", "family_copy", "family_copy_pdf"]
# The plan and its printable copies: its team (directors included) and the partner it is shared with. Another team's
# worker declares a working relationship with the person first (ADR-004); a partner it is not shared with gets 404.
ON_THE_PLAN: dict[str, int | str] = {
    "anonymous": SIGN_IN,
    "partner": 404,
    "shared_partner": 200,
    "other_team_worker": DECLARE,
    "social_worker": 200,
    "team_manager": 200,
    "director": 200,
}
# Everyone signed in: the base the rows below narrow.
SIGNED_IN: dict[str, int | str] = {**dict.fromkeys(PERSONAS, 200), "anonymous": SIGN_IN}
GET_EXPECTED: dict[str, dict[str, int | str]] = {
    # Everyone signed in has a list: partners' holds only the plans shared with them.
    "plans": SIGNED_IN,
    # Council practitioners and oversight read the continuity view; partners do not.
    "continuity": SIGNED_IN | {"partner": 403, "shared_partner": 403},
    # Only the gap's team (and team managers) explain it; another team's gap is not found (ADR-004).
    "explain_gap": {
        "anonymous": SIGN_IN,
        "partner": 403,
        "shared_partner": 403,
        "other_team_worker": 404,
        "social_worker": 200,
        "team_manager": 200,
        "director": 403,
    },
    # Starting a plan is for practitioners who work with the person.
    "new_plan": ON_THE_PLAN | {"partner": 403, "shared_partner": 403, "director": 403},
    "plan": ON_THE_PLAN,
    "family_copy": ON_THE_PLAN,
    "family_copy_pdf": ON_THE_PLAN,
    # An item: practitioners, and the partner that owns it; a director reads the plan but does not follow items.
    "item": ON_THE_PLAN | {"director": 403},
}
# Who finds the plan on their list of plans.
LISTED = {"shared_partner", "social_worker", "team_manager", "director"}
# Pages that are a look at the person's record, written to the access log when (and only when) they are shown.
LOOKS = {"new_plan", "plan", "item", "family_copy", "family_copy_pdf"}


def test_every_transitions_url_is_in_the_matrix() -> None:
    web = {p.name for p in urls.urlpatterns if isinstance(p, URLPattern)}
    api = {p.name for p in api_urls.urlpatterns if isinstance(p, URLPattern)}
    assert web == set(WEB_PAGES) | set(WEB_ACTIONS)
    assert api == {call.split()[1] for call in API_EXPECTED}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", WEB_PAGES)
def test_web_pages(page: str, persona: str, world: World, request: pytest.FixtureRequest) -> None:
    url = _web_url(page, world)
    client = _web(persona, request)
    looks, changes = AccessEvent.objects.count(), AuditEvent.objects.count()
    expected = GET_EXPECTED[page][persona]

    response = client.get(url)

    check(response, expected)
    if page in LOOKS:
        assert AccessEvent.objects.count() == looks + (1 if expected == 200 else 0)
    assert AuditEvent.objects.count() == changes
    if page == "plans" and expected == 200:
        shown = reverse("transitions:plan", args=[world.plan.pk]) in response.content.decode()
        assert shown is (persona in LISTED)


# --- web actions (POST) ----------------------------------------------------------------------------------------------


def _ready(world: World) -> None:
    complete_essentials(world.plan, world.social_worker.user)
    services.mark_ready(plan=world.plan, by=world.social_worker.user)


def _moved(world: World) -> None:
    _ready(world)
    services.record_move(plan=world.plan, by=world.social_worker.user, moved_on=timezone.localdate())


def _status(status: str) -> Callable[[World], bool]:
    return lambda world: world.plan.status == status


@dataclass(frozen=True)
class Action:
    web: Callable[[World], dict[str, Any]]  # what the page's form sends
    api: Callable[[World], dict[str, Any]]  # what an API client sends
    done: Callable[[World], bool]  # whether it was done
    setup: Callable[[World], None] = lambda world: None  # what must have happened first


ACTIONS: dict[str, Action] = {
    "new_plan": Action(
        web=lambda w: {
            "kind": "hospital_discharge",
            "moving_from": "Royal Free, ward 8 North",
            "moving_to": "Home",
            **_date("planned_on", timezone.localdate() + timedelta(days=3)),
            "team": w.social_worker.team.pk,
            "coordinator": w.social_worker.user.pk,
        },
        api=lambda w: {
            "person": str(w.person.pk),
            "kind": "hospital_discharge",
            "moving_from": "Royal Free, ward 8 North",
            "moving_to": "Home",
            "planned_on": (timezone.localdate() + timedelta(days=3)).isoformat(),
            "team": w.social_worker.team.slug,
        },
        done=lambda w: Plan.objects.filter(person=w.person).exists(),
    ),
    "details": Action(
        web=lambda w: {
            "details-moving_from": w.plan.moving_from,
            "details-moving_to": "Extra care flat",
            **_date("planned_on", w.plan.planned_on, "details"),
            "details-coordinator": w.social_worker.user.pk,
        },
        api=lambda w: {"moving_to": "Extra care flat"},
        done=lambda w: w.plan.moving_to == "Extra care flat",
    ),
    "views": Action(
        web=lambda w: {
            "views-persons_views": "I want my own bed",
            "views-person_agreement": "agreed",
            "views-carer_agreement": "no_carer",
        },
        api=lambda w: {"persons_views": "I want my own bed"},
        done=lambda w: w.plan.persons_views == "I want my own bed",
    ),
    "add_step": Action(
        web=lambda w: {"step-description": "Book transport", "step-owner_name": "Jo Bloggs"},
        api=lambda w: {"description": "Book transport", "owner_name": "Jo Bloggs"},
        done=lambda w: w.plan.steps.filter(description="Book transport").exists(),
    ),
    "add_arrangement": Action(
        web=lambda w: {
            "arrangement-label": "Key safe fitted",
            "arrangement-is_essential": "no",
            "arrangement-owner_name": "Jo Bloggs",
        },
        api=lambda w: {"label": "Key safe fitted", "is_essential": False, "owner_name": "Jo Bloggs"},
        done=lambda w: w.plan.arrangements.filter(label="Key safe fitted").exists(),
    ),
    "add_risk": Action(
        web=lambda w: {"risk-risk": "The carer is late", "risk-contingency": "Call duty", "risk-owner_name": "Jo"},
        api=lambda w: {"risk": "The carer is late", "contingency": "Call duty", "owner_name": "Jo"},
        done=lambda w: w.plan.risks.filter(risk="The carer is late").exists(),
    ),
    "item": Action(
        web=lambda w: {"owner_name": "PC Jones", "owner_organisation": w.shared_with.pk, "status": "done"},
        api=lambda w: {"owner_name": "PC Jones", "owner_organisation": str(w.shared_with.pk), "status": "done"},
        done=lambda w: w.item.status == ItemStatus.DONE,
    ),
    "ready": Action(
        web=lambda w: {},
        api=lambda w: {},
        done=_status(PlanStatus.READY),
        setup=lambda w: complete_essentials(w.plan, w.social_worker.user),
    ),
    "reopen": Action(
        web=lambda w: {"reopen-reason": "The care package fell through"},
        api=lambda w: {"reason": "The care package fell through"},
        done=_status(PlanStatus.PLANNING),
        setup=_ready,
    ),
    "move": Action(
        web=lambda w: _date("moved_on", timezone.localdate(), "move"),
        api=lambda w: {"moved_on": timezone.localdate().isoformat()},
        done=_status(PlanStatus.MOVED),
        setup=_ready,
    ),
    "check": Action(
        web=lambda w: {"check-spoke_to": "Her son", "check-went_as_planned": "yes"},
        api=lambda w: {"spoke_to": "Her son", "went_as_planned": True},
        done=_status(PlanStatus.CHECKED),
        setup=_moved,
    ),
    "cancel": Action(
        web=lambda w: {"cancel-reason": "She chose to stay"},
        api=lambda w: {"reason": "She chose to stay"},
        done=_status(PlanStatus.CANCELLED),
    ),
    "share": Action(
        web=lambda w: {"share-organisation": w.not_shared_with.pk},
        api=lambda w: {"organisation": str(w.not_shared_with.pk)},
        done=lambda w: w.plan.shared_with.filter(pk=w.not_shared_with.pk).exists(),
    ),
    "unshare": Action(
        web=lambda w: {},
        api=lambda w: {},
        done=lambda w: not w.plan.shared_with.filter(pk=w.shared_with.pk).exists(),
    ),
    "explain_gap": Action(
        web=lambda w: {"explanation": "Moved to live with her daughter in Leeds"},
        api=lambda w: {},
        done=lambda w: w.gap().status == GapStatus.EXPLAINED,
    ),
}
WEB_ACTIONS = list(ACTIONS)
# Changing a plan is for council practitioners of its team; another team's worker declares a relationship first; a
# director reads but does not change plans; partners follow only their own items.
PLAN_CHANGERS: dict[str, int | str] = {
    "anonymous": SIGN_IN,
    "partner": 403,
    "shared_partner": 403,
    "other_team_worker": DECLARE,
    "social_worker": 302,
    "team_manager": 302,
    "director": 403,
}
POST_EXPECTED: dict[str, dict[str, int | str]] = {
    **dict.fromkeys(ACTIONS, PLAN_CHANGERS),
    # The partner that owns an item marks it done; a partner the plan is not shared with does not find it.
    "item": PLAN_CHANGERS | {"partner": 404, "shared_partner": 302},
    "explain_gap": GET_EXPECTED["explain_gap"] | {"social_worker": 302, "team_manager": 302},
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", WEB_ACTIONS)
def test_web_actions(action: str, persona: str, world: World, request: pytest.FixtureRequest) -> None:
    spec = ACTIONS[action]
    spec.setup(world)
    url = _web_url(action, world)
    client = _web(persona, request)
    world.refresh()
    assert spec.done(world) is False
    changes = AuditEvent.objects.count()
    expected = POST_EXPECTED[action][persona]

    check(client.post(url, spec.web(world)), expected)

    world.refresh()
    done = expected == 302
    assert spec.done(world) is done
    if done:
        assert AuditEvent.objects.count() > changes
    else:
        assert AuditEvent.objects.count() == changes


# --- the API ---------------------------------------------------------------------------------------------------------

API_READERS = dict.fromkeys(PERSONAS, 200) | {"anonymous": 401}
# Changing a plan through the API: council practitioners of its team. Without a relationship, 403 naming it.
API_CHANGERS = {
    "anonymous": 401,
    "partner": 403,
    "shared_partner": 403,
    "other_team_worker": 403,
    "social_worker": 200,
    "team_manager": 200,
    "director": 403,
}
API_CREATORS = API_CHANGERS | {"social_worker": 201, "team_manager": 201}
# "<method> <url name>": status for each persona, and the action whose setup and outcome it shares with the web.
API_EXPECTED: dict[str, dict[str, int]] = {
    "GET transition_plans": API_READERS,
    # A plan for someone the user does not work with is refused on the person field.
    "POST transition_plans": API_CREATORS | {"other_team_worker": 400},
    "GET transition_plan": API_READERS | {"partner": 404, "other_team_worker": 403},
    "PATCH transition_plan": API_CHANGERS,
    "POST transition_plan_steps": API_CREATORS,
    "POST transition_plan_arrangements": API_CREATORS,
    "POST transition_plan_risks": API_CREATORS,
    "POST transition_plan_ready": API_CHANGERS,
    "POST transition_plan_reopen": API_CHANGERS,
    "POST transition_plan_move": API_CHANGERS,
    "POST transition_plan_check": API_CHANGERS,
    "POST transition_plan_cancel": API_CHANGERS,
    "POST transition_plan_shares": API_CHANGERS,
    "DELETE transition_plan_share": API_CHANGERS,
    "PATCH transition_plan_item": API_CHANGERS | {"partner": 404, "shared_partner": 200},
    "GET continuity_gaps": API_READERS | {"partner": 403, "shared_partner": 403},
}
API_ACTIONS = {
    "POST transition_plans": "new_plan",
    "PATCH transition_plan": "details",
    "POST transition_plan_steps": "add_step",
    "POST transition_plan_arrangements": "add_arrangement",
    "POST transition_plan_risks": "add_risk",
    "POST transition_plan_ready": "ready",
    "POST transition_plan_reopen": "reopen",
    "POST transition_plan_move": "move",
    "POST transition_plan_check": "check",
    "POST transition_plan_cancel": "cancel",
    "POST transition_plan_shares": "share",
    "DELETE transition_plan_share": "unshare",
    "PATCH transition_plan_item": "item",
}


def _api_url(name: str, world: World) -> str:
    plan = world.plan
    if name in ("transition_plans", "continuity_gaps"):
        return reverse(f"api:{name}")
    if name == "transition_plan_share":
        return reverse("api:transition_plan_share", args=[plan.pk, world.shared_with.pk])
    if name == "transition_plan_item":
        return reverse("api:transition_plan_item", args=[plan.pk, "arrangement", world.item.pk])
    return reverse(f"api:{name}", args=[plan.pk])


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("call", list(API_EXPECTED))
def test_api(call: str, persona: str, world: World, request: pytest.FixtureRequest) -> None:
    method, name = call.split()
    spec = ACTIONS[API_ACTIONS[call]] if call in API_ACTIONS else None
    if spec is not None:
        spec.setup(world)
    if name == "continuity_gaps":
        world.gap()
    client = _api(persona, request)
    world.refresh()
    looks, changes = AccessEvent.objects.count(), AuditEvent.objects.count()
    expected = API_EXPECTED[call][persona]

    response = getattr(client, method.lower())(_api_url(name, world), spec.api(world) if spec else None, format="json")

    assert response.status_code == expected, response.content[:500]
    world.refresh()
    if spec is None:
        assert AuditEvent.objects.count() == changes
        if name == "transition_plan":
            assert AccessEvent.objects.count() == looks + (1 if expected == 200 else 0)
        return
    done = expected in (200, 201)
    assert spec.done(world) is done
    if done:
        assert AuditEvent.objects.count() > changes
    else:
        assert AuditEvent.objects.count() == changes
