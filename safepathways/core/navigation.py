"""The service navigation on every page: which sections a user sees, and which one they are in.

Which items a user sees depends only on their permissions, which follow from their memberships. Working that out
took a dozen permission checks on every request, so the answer is kept per user and membership set: a change of
team or role gives a new key, and so a fresh answer. The links are only a way in; every view checks its own
permission, so a stale menu can never open a page to someone who may not see it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django.http import HttpRequest

NAV_MEMO_LIMIT = 5000  # users × membership sets kept


class _Member(Protocol):
    team_id: Any
    role: str


class _User(Protocol):
    pk: Any
    is_superuser: bool
    is_authenticated: bool
    is_council_staff: bool
    is_information_governance: bool
    memberships_cached: list[Any]

    def has_perm(self, perm: str) -> bool: ...


@dataclass(frozen=True)
class Item:
    url_name: str
    text: str
    prefix: str  # the item is the current section when the path starts with this
    not_prefix: str = ""  # ... unless it starts with this (a section inside another's prefix)
    staff: bool | None = None  # True: council staff only; False: everyone but council staff; None: anyone
    perm: str = ""  # and the user has this permission
    governance: bool = False  # information governance officers only

    def visible_to(self, user: _User) -> bool:
        if self.staff is not None and user.is_council_staff != self.staff:
            return False
        if self.governance and not user.is_information_governance:
            return False
        return not self.perm or user.has_perm(self.perm)

    def active(self, path: str) -> bool:
        if self.prefix == "/":
            return path == "/"
        return path.startswith(self.prefix) and not (self.not_prefix and path.startswith(self.not_prefix))


# In the order they appear.
ITEMS: tuple[Item, ...] = (
    Item("core:home", "Home", "/"),
    Item("people:search", "Find a person", "/people/"),
    Item(
        "referrals:awaiting",
        "Front door",
        "/front-door/",
        "/front-door/my-referrals/",
        perm="referrals.view_front_door",
    ),
    Item("referrals:my_referrals", "Your referrals", "/front-door/my-referrals/", perm="referrals.view_own_referrals"),
    Item("discharges:board", "Discharge", "/discharge/", perm="discharges.view_board"),
    # Practitioners and directors (work.view_waiting_list): administrators and IG officers are refused both pages.
    Item("work:waiting_list", "Waiting list", "/work/waiting-list/", staff=True, perm="work.view_waiting_list"),
    Item("work:duty", "Duty", "/work/duty/", staff=True, perm="work.view_waiting_list"),
    Item("dols:tracker", "DoLS", "/dols/", staff=True, perm="dols.view_tracker"),
    Item("safeguarding:dashboard", "Safeguarding", "/safeguarding/", staff=True, perm="safeguarding.view_aggregates"),
    Item("transitions:plans", "Transitions", "/transitions/", staff=True),
    Item("young_people:tracker", "Young people", "/young-people/", staff=True, perm="young_people.view_tracker"),
    Item(
        "oversight:dashboard",
        "Provider oversight",
        "/oversight/",
        "/oversight/vacancies/",
        staff=True,
        perm="oversight.view_oversight",
    ),
    Item("mutual_aid:requests", "Mutual aid", "/mutual-aid/", staff=True, perm="mutual_aid.view_requests"),
    Item("continuity:home", "Incidents", "/continuity/", staff=True, perm="continuity.view_incidents"),
    Item(
        "dashboards:dashboard",
        "Dashboard",
        "/dashboard/",
        "/dashboard/supervision/",
        staff=True,
        perm="dashboards.view_dashboard",
    ),
    Item(
        "dashboards:supervision",
        "Supervision",
        "/dashboard/supervision/",
        staff=True,
        perm="dashboards.view_supervision",
    ),
    Item("providers:register", "Providers", "/providers/", staff=True),
    Item(
        "oversight:vacancies", "Your vacancies", "/oversight/vacancies/", staff=False, perm="oversight.view_vacancies"
    ),
    Item("transitions:plans", "Shared plans", "/transitions/", staff=False, perm="transitions.view_plans"),
    Item(
        "dols:your_requests", "Your DoLS requests", "/dols/your-requests/", staff=False, perm="dols.managing_authority"
    ),
    Item("governance:home", "Information governance", "/governance/", governance=True),
    Item("notifications:inbox", "Inbox", "/inbox/"),
    Item("accounts:account", "Your account", "/account/"),
)

_visible: dict[tuple[Any, ...], tuple[Item, ...]] = {}


def visible_items(user: _User) -> tuple[Item, ...]:
    """The items this user sees, remembered for their membership set."""
    if not user.is_authenticated:
        return ()
    key = (user.pk, user.is_superuser, *sorted((str(m.team_id), m.role) for m in user.memberships_cached))
    found = _visible.get(key)
    if found is None:
        found = tuple(item for item in ITEMS if item.visible_to(user))
        if len(_visible) < NAV_MEMO_LIMIT:
            _visible[key] = found
    return found


def navigation_items(request: HttpRequest, url: Callable[[str], str]) -> list[dict[str, Any]]:
    """The GOV.UK service navigation's `navigation` parameter for this request."""
    path = request.path
    user: Any = request.user
    return [
        {"href": url(item.url_name), "text": item.text, "active": item.active(path)} for item in visible_items(user)
    ]
