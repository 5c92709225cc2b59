"""The service navigation: who sees which section, which one is current, and a change of role taking effect."""

from collections.abc import Callable

from django.urls import reverse

from safepathways.accounts.models import Membership, Role, Team, TeamKind
from safepathways.conftest import Persona


def _menu(persona: Persona, path: str = "/") -> str:
    response = persona.http.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('<nav aria-label="Main menu"')
    return html[start : html.index("</nav>", start)]


def test_staff_see_their_sections_and_not_others(make_persona: Callable[..., Persona], team: Team) -> None:
    menu = _menu(make_persona(team, Role.SOCIAL_WORKER))
    assert reverse("work:waiting_list") in menu
    assert reverse("dols:tracker") not in menu
    assert reverse("governance:home") not in menu


def test_the_current_section_is_marked(make_persona: Callable[..., Persona], team: Team) -> None:
    menu = _menu(make_persona(team, Role.SOCIAL_WORKER), reverse("work:duty"))
    current = menu[menu.index("govuk-service-navigation__item--active") :]
    assert current.index(reverse("work:duty")) < current.index("</li>")


def test_a_new_role_shows_its_section_on_the_next_page(make_persona: Callable[..., Persona], team: Team) -> None:
    worker = make_persona(team, Role.SOCIAL_WORKER)
    assert reverse("dols:tracker") not in _menu(worker)
    dols_team = Team.objects.create(organisation=team.organisation, name="DoLS", slug="dols", kind=TeamKind.DOLS)
    Membership.objects.create(user=worker.user, team=dols_team, role=Role.DOLS_LEAD)
    assert reverse("dols:tracker") in _menu(worker)


def test_a_partner_sees_no_council_sections(partner: Persona) -> None:
    menu = _menu(partner)
    assert reverse("work:waiting_list") not in menu
    assert reverse("accounts:account") in menu


def test_the_waiting_list_and_duty_are_only_offered_to_those_who_may_open_them(
    ig_officer: Persona, director: Persona
) -> None:
    menu = _menu(ig_officer)
    assert reverse("work:waiting_list") not in menu and reverse("work:duty") not in menu
    assert ig_officer.http.get(reverse("work:duty")).status_code == 403
    assert reverse("work:duty") in _menu(director)
