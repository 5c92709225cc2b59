import pytest
from django.core.management import call_command

from safepathways.accounts.models import Organisation, User
from safepathways.audit.services import verify_chain
from safepathways.borough.generator import BoroughGenerator
from safepathways.core.identifiers import is_valid_nhs_number
from safepathways.people.models import Neighbourhood, Person
from safepathways.providers.models import Service
from safepathways.referrals.models import Contact
from safepathways.work.models import WorkItem


def _names() -> list[tuple[str, str, str]]:
    return list(Person.objects.order_by("reference").values_list("reference", "given_name", "family_name"))


@pytest.mark.django_db
def test_generate_borough_builds_a_realistic_borough(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("generate_borough", "--people", "300", "--seed", "7")
    output = capsys.readouterr().out
    assert "Generated 300 people" in output
    assert "sam.social-worker@camden.example" in output
    # The 300 adults asked for, and the young people children's services told us about (about 1 in 200, at least 10).
    from safepathways.young_people.models import YoungPerson

    young = YoungPerson.objects.count()
    assert young >= 10
    assert Person.objects.count() == 300 + young
    from safepathways.discharges.models import Referral
    from safepathways.oversight.models import Vacancy
    from safepathways.transitions.models import Plan

    assert Plan.objects.exists() and Referral.objects.exists() and Vacancy.objects.exists()
    council = Organisation.objects.get(is_this_council=True)
    assert council.ons_code == "E09000007"
    numbers = [n for n in Person.objects.values_list("nhs_number", flat=True) if n is not None]
    assert numbers
    assert all(n.startswith("999") and is_valid_nhs_number(n) for n in numbers)
    assert Person.objects.filter(neighbourhood__isnull=True).count() == 0
    assert Service.objects.exists()
    assert WorkItem.objects.filter(allocated_to__email="sam.social-worker@camden.example").exists()
    assert User.objects.filter(email="admin@camden.example", is_staff=True).exists()
    awaiting = Contact.objects.filter(status="received")
    assert awaiting.count() == 5
    assert all(c.statuses.count() == 1 for c in awaiting)
    assert WorkItem.objects.waiting().exists()
    assert all(w.allocation_due and w.next_contact_due for w in WorkItem.objects.all())
    assert verify_chain().is_intact


@pytest.mark.django_db
def test_running_again_reuses_the_borough(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("generate_borough", "--people", "50", "--seed", "7", "--quiet-users")
    first = _names()
    call_command("generate_borough", "--people", "50", "--seed", "7", "--quiet-users")
    assert "reusing it" in capsys.readouterr().out
    assert _names() == first
    assert User.objects.filter(email="sam.social-worker@camden.example").count() == 1


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_people() -> None:
    def build(seed: int) -> list[tuple[str, str, object]]:
        generator = BoroughGenerator(seed=seed, password="x" * 12, log=lambda _: None)
        generator.ensure_reference_data()
        neighbourhoods = list(Neighbourhood.objects.prefetch_related("postcode_areas"))
        return [(p.given_name, p.family_name, p.date_of_birth) for p in generator.build_people(40, neighbourhoods)]

    assert build(11) == build(11)
    assert build(11) != build(12)
