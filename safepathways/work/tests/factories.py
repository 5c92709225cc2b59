import factory
from django.utils import timezone

from safepathways.people.tests.factories import PersonFactory
from safepathways.work.models import WorkItem


class WorkItemFactory(factory.django.DjangoModelFactory[WorkItem]):
    class Meta:
        model = WorkItem

    person = factory.SubFactory(PersonFactory)
    kind = "assessment"
    title = "Care Act assessment"
    priority = "amber"
    opened_at = factory.LazyFunction(timezone.now)
