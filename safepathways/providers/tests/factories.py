import factory
from django.utils import timezone

from safepathways.people.tests.factories import PersonFactory
from safepathways.providers.models import Location, Provider, Service


class ProviderFactory(factory.django.DjangoModelFactory[Provider]):
    class Meta:
        model = Provider

    name = factory.Sequence(lambda n: f"Provider {n} Care Ltd")
    cqc_provider_id = factory.Sequence(lambda n: f"1-{100000000 + n}")


class LocationFactory(factory.django.DjangoModelFactory[Location]):
    class Meta:
        model = Location

    provider = factory.SubFactory(ProviderFactory)
    name = factory.Sequence(lambda n: f"Rose House {n}")
    location_type = "care_home"
    registered_places = 40


class ServiceFactory(factory.django.DjangoModelFactory[Service]):
    class Meta:
        model = Service

    person = factory.SubFactory(PersonFactory)
    service_type = "Long Term Support: Community"
    service_component = "Home Support"
    provider = factory.SubFactory(ProviderFactory)
    start_on = factory.LazyFunction(timezone.localdate)
