"""Factories for front-door contacts: synthetic names (Faker en_GB) and NHS numbers from the 999 range."""

from datetime import timedelta

import factory
from django.utils import timezone

from safepathways.referrals.models import Contact, ContactStatus

# Test-range NHS numbers well away from the people factory's sequence (STYLE.md rule 9).
MARY_NHS_NUMBER = "9997777719"
OTHER_NHS_NUMBER = "9997777727"


class ContactStatusFactory(factory.django.DjangoModelFactory[ContactStatus]):
    class Meta:
        model = ContactStatus

    name = "received"
    reason = "Contact from GP by phone"


class ContactFactory(factory.django.DjangoModelFactory[Contact]):
    """A contact awaiting triage, taken by `taken_by` for `organisation` (set both)."""

    class Meta:
        model = Contact
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"FD9{n:06d}")
    referrer_type = "gp"
    referrer_name = factory.Faker("name", locale="en_GB")
    channel = "phone"
    received_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    reason = "Struggling with the stairs since a fall last month"
    urgency = "soon"
    persons_wishes = "I want to stay in my own home"
    consent = "yes"
    given_name = factory.Faker("first_name", locale="en_GB")
    family_name = factory.Faker("last_name", locale="en_GB")
    screening_due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=1))
    status = "received"

    received = factory.RelatedFactory(ContactStatusFactory, factory_related_name="contact")
