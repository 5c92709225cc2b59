"""The synthetic borough's mutual aid: the NCL partners other than this council, and settled past requests."""

import random

import pytest
from django.utils import timezone

from safepathways.borough.mutual_aid_data import generate_mutual_aid
from safepathways.mutual_aid.models import AidRequest, OutboxMessage, Partnership

pytestmark = pytest.mark.django_db


def test_the_four_neighbours_and_past_requests_with_nothing_to_send() -> None:
    made = generate_mutual_aid(rng=random.Random(7), today=timezone.localdate(), log=lambda _line: None)
    assert made == 3
    assert sorted(Partnership.objects.values_list("ons_code", flat=True)) == [
        "E09000003",
        "E09000010",
        "E09000014",
        "E09000019",
    ]
    assert all(p.base_url.endswith(".example") for p in Partnership.objects.all())
    assert not AidRequest.objects.open().exists()
    assert not OutboxMessage.objects.exists()
    assert generate_mutual_aid(rng=random.Random(7), today=timezone.localdate(), log=lambda _line: None) == 0
