import factory
from django.utils import timezone

from safepathways.providers.models import ProviderConcern, ProviderConcernSource
from safepathways.providers.tests.factories import LocationFactory


class ProviderConcernFactory(factory.django.DjangoModelFactory[ProviderConcern]):
    class Meta:
        model = ProviderConcern

    location = factory.SubFactory(LocationFactory)
    provider = factory.LazyAttribute(lambda o: o.location.provider)
    source = ProviderConcernSource.STAFF
    category = "medication"
    summary = "Medication given late on three days"
    raised_at = factory.LazyFunction(timezone.now)
