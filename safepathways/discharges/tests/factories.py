"""Factories for hospital discharge: referrals written straight to the table (for lists and counts), and the
ward's referral details for the service (for behaviour)."""

from datetime import date, timedelta
from typing import Any

import factory
from django.utils import timezone

from safepathways.accounts.models import Organisation
from safepathways.discharges import services
from safepathways.discharges.models import Referral, ReferralStatusName
from safepathways.people.tests.factories import PersonFactory
from safepathways.work.tests.factories import WorkItemFactory

# Far from PersonFactory's sequence (which starts at the beginning of the 999 test range).
EDITH_NHS_NUMBER = "9996543218"
OTHER_NHS_NUMBER = "9996543226"


def days_ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


class ReferralFactory(factory.django.DjangoModelFactory[Referral]):
    """A referral row with its work item; set `hospital` and `referred_by`, and `work_item__team`."""

    class Meta:
        model = Referral

    reference = factory.Sequence(lambda n: f"HD9{n:06d}")
    person = factory.SubFactory(PersonFactory)
    ward = "Ward 8 North"
    admitted_on = factory.LazyFunction(lambda: days_ago(10))
    discharge_ready_on = factory.LazyFunction(lambda: days_ago(3))
    proposed_pathway = 1
    needs = "Needs help with washing and dressing; lives alone"
    status = ReferralStatusName.ASSESSING
    work_item = factory.SubFactory(
        WorkItemFactory, person=factory.SelfAttribute("..person"), kind="discharge", title="Hospital discharge"
    )


def ward_referral(hospital: Organisation, **overrides: Any) -> services.WardReferral:
    """What a ward sends, for an inpatient with an NHS number from the test range."""
    data: dict[str, Any] = {
        "hospital": hospital,
        "ward": "Ward 8 North",
        "ward_contact": "Sister Ade, 020 7946 0001",
        "admitted_on": days_ago(10),
        "discharge_ready_on": None,
        "proposed_pathway": 1,
        "needs": "Needs help with washing and dressing; lives alone",
        "nhs_number": EDITH_NHS_NUMBER,
        "given_name": "Edith",
        "family_name": "Cole",
        "date_of_birth": date(1938, 4, 2),
    }
    data.update(overrides)
    return services.WardReferral(**data)
