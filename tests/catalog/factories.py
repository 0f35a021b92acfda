import datetime
import io
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from catalog import services
from catalog.models import Certificate, ProducerProfile, Product, ProductSubGroup, RuleSet
from tests.accounts.factories import OrganisationFactory


def subgroup(code="1.3.2"):
    return ProductSubGroup.objects.get(group__rule_set__code="148/2023", code=code)


def jpeg_upload(name="photo.jpg", size=(640, 480), colour=(200, 120, 40)):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="JPEG")
    return ContentFile(buffer.getvalue(), name=name)


class ProducerFactory(OrganisationFactory):
    class Meta:
        skip_postgeneration_save = True

    kind = "producer"
    is_verified = True

    @factory.post_generation
    def legal_form(obj, create, extracted, **kwargs):
        if create:
            ProducerProfile.objects.create(organisation=obj, legal_form=extracted or "household")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        skip_postgeneration_save = True

    producer = factory.SubFactory(ProducerFactory)
    subgroup = factory.LazyFunction(subgroup)
    name = factory.Sequence(lambda n: f"Sản phẩm thử {n}")
    description = "Mô tả sản phẩm."
    unit = "hộp"
    status = Product.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def reindex(obj, create, extracted, **kwargs):
        if create:
            services.product_reindex(product_ids=[obj.pk])


def certify(product, *, score="75", days_ago=100, level=Certificate.Level.PROVINCE, rule_set="148/2023"):
    """Record a certificate for the product through the service, as staff do."""
    return services.certificate_record(
        certificate=Certificate(
            product=product,
            rule_set=RuleSet.objects.get(code=rule_set),
            total_score=Decimal(score),
            decision_number=f"{product.pk}/QĐ-UBND",
            decision_date=timezone.localdate() - datetime.timedelta(days=days_ago),
            level=level,
        )
    )
