import datetime

import factory
from django.utils import timezone

from accounts.models import Organisation
from events.models import Event
from tests.accounts.factories import OrganisationFactory


class EventFactory(factory.django.DjangoModelFactory):
    """A published event in three weeks whose registration is open now."""

    class Meta:
        model = Event

    name = factory.Sequence(lambda n: f"Hội nghị kết nối cung cầu số {n}")
    slug = factory.Sequence(lambda n: f"hoi-nghi-{n}")
    kind = Event.Kind.CONFERENCE
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=21))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=8))
    registration_opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    registration_closes_at = factory.LazyAttribute(lambda o: o.starts_at - datetime.timedelta(days=1))
    organiser = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.AGENCY, is_verified=True)
    province_id = "92"
    venue = "Trung tâm Hội nghị"
    status = Event.Status.PUBLISHED
