"""The demo care home's organisation: its home, its residents shared with it and its DoLS requests."""

import pytest
from django.test import Client
from django.urls import reverse

from safepathways.accounts.models import Organisation, User
from safepathways.borough.generator import BoroughGenerator
from safepathways.borough.managing_authority_data import ORGANISATION
from safepathways.dols.models import DolsRequest
from safepathways.people.models import Share
from safepathways.providers.models import Provider


@pytest.mark.django_db
def test_the_demo_care_home_manager_sees_her_homes_requests_and_residents() -> None:
    BoroughGenerator(seed=7, password="x" * 12, log=lambda _: None).generate(people=300)
    rosewood = Organisation.objects.get(name=ORGANISATION)
    provider = Provider.objects.get(organisation=rosewood)
    own = DolsRequest.objects.filter(submitted_by_organisation=rosewood)
    assert own.exists()
    assert set(own.values_list("managing_authority__provider", flat=True)) == {provider.pk}
    shared = set(Share.objects.filter(organisation=rosewood).values_list("person_id", flat=True))
    assert set(own.values_list("person_id", flat=True)) <= shared

    maria = Client()
    maria.force_login(User.objects.get(email="maria.manager@rosewood.example"))
    page = maria.get(reverse("dols:your_requests")).content.decode()
    assert own.first().reference in page  # type: ignore[union-attr]
    assert maria.get(reverse("dols:submit_request")).status_code == 200


@pytest.mark.django_db
def test_generating_again_changes_nothing() -> None:
    generator = BoroughGenerator(seed=7, password="x" * 12, log=lambda _: None)
    generator.generate(people=200)
    shares = Share.objects.count()
    generator.generate(people=200)
    assert Share.objects.count() == shares
    assert Provider.objects.filter(organisation__name=ORGANISATION).count() == 1
