"""Factories for matchmaking: buyer profiles, sourcing requests, offers, shortlist items and meeting requests."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import Organisation
from matchmaking.models import BuyerProfile, MeetingRequest, Offer, ShortlistItem, SourcingRequest
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.catalog.factories import ProducerFactory, subgroup


class BuyerFactory(OrganisationFactory):
    """A verified buyer organisation."""

    kind = Organisation.Kind.BUYER
    name = factory.Sequence(lambda n: f"Siêu thị Thử nghiệm {n}")
    is_verified = True


class BuyerProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BuyerProfile
        skip_postgeneration_save = True

    organisation = factory.SubFactory(BuyerFactory)
    kind = BuyerProfile.Kind.SUPERMARKET_CHAIN
    min_stars = 3
    standards_required = factory.LazyFunction(list)
    typical_volume = "1–2 tấn/tháng mỗi mặt hàng"
    listing_requirements = ""
    checklist = factory.LazyFunction(list)

    @factory.post_generation
    def subgroups(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.subgroups.set(extracted)

    @factory.post_generation
    def provinces_served(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.provinces_served.set(extracted)


class SourcingRequestFactory(factory.django.DjangoModelFactory):
    """An open sourcing request answerable for two more weeks."""

    class Meta:
        model = SourcingRequest

    buyer = factory.SubFactory(BuyerFactory)
    title = factory.Sequence(lambda n: f"Cần mua hàng thử nghiệm {n}")
    subgroup = factory.LazyFunction(subgroup)
    keywords = ""
    description = "Giao hàng hằng tháng."
    quantity_per_month = Decimal("100")
    unit = "hộp"
    min_stars = 3
    standards_required = factory.LazyFunction(list)
    delivery_province_id = "92"
    target_price = None
    months_needed = factory.LazyFunction(list)
    deadline = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=14))
    status = SourcingRequest.Status.OPEN
    created_by = factory.LazyAttribute(lambda o: UserFactory(organisation=o.buyer))


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer
        skip_postgeneration_save = True

    request = factory.SubFactory(SourcingRequestFactory)
    producer = factory.SubFactory(ProducerFactory)
    quantity_per_month = Decimal("100")
    unit = "hộp"
    price = 50000
    message = "Chúng tôi có thể cung cấp đều đặn."
    created_by = factory.LazyAttribute(lambda o: UserFactory(organisation=o.producer))

    @factory.post_generation
    def products(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.products.set(extracted)


class ShortlistItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShortlistItem

    buyer = factory.SubFactory(BuyerFactory)
    product = None
    producer = factory.LazyAttribute(lambda o: None if o.product is not None else ProducerFactory())
    note = ""


class MeetingRequestFactory(factory.django.DjangoModelFactory):
    """A buyer's online meeting request to a producer, awaiting an answer."""

    class Meta:
        model = MeetingRequest
        skip_postgeneration_save = True

    buyer = factory.SubFactory(BuyerFactory)
    producer = factory.SubFactory(ProducerFactory)
    initiator = factory.LazyAttribute(lambda o: o.buyer)
    event = None
    sourcing_request = None
    mode = MeetingRequest.Mode.ONLINE
    online_link = "https://meet.example.vn/ocop"
    message = "Chúng tôi muốn trao đổi về sản phẩm của anh chị."
    proposed_times = factory.LazyFunction(
        lambda: [(timezone.now() + datetime.timedelta(days=7)).replace(minute=0, second=0, microsecond=0)]
    )
    status = MeetingRequest.Status.REQUESTED
    created_by = factory.LazyAttribute(lambda o: UserFactory(organisation=o.initiator))

    @factory.post_generation
    def products(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.products.set(extracted)
