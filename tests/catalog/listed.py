"""Records as the province's published OCOP lists give them: a producer known by its former district only, a
decision with its stars but no score, a certified product without photo or description."""

import datetime

from django.utils import timezone

from accounts.models import Province
from catalog.models import Certificate, Product, RuleSet
from catalog.services import product_current_certificate_refresh
from tests.catalog.factories import ProducerFactory, ProductFactory, subgroup

FORMER_DISTRICT = "Huyện Cầu Kè"
PROVINCE_NAME = "Tỉnh Vĩnh Long"
PLACE_NAME = f"{FORMER_DISTRICT}, {PROVINCE_NAME}"


def producer_without_ward(**kwargs):
    """A verified producer whose list named only its district before 1 July 2025: no ward yet."""
    province = Province.objects.get(name=PROVINCE_NAME)
    return ProducerFactory(ward=None, province=province, former_district=FORMER_DISTRICT, **kwargs)


def listed_product(*, producer=None, code="2.2.2", **kwargs) -> Product:
    """A published product as an import makes it from a certified list: no photo, no description."""
    return ProductFactory(
        producer=producer or producer_without_ward(), subgroup=subgroup(code), description="", **kwargs
    )


def record_without_score(product, *, stars=4, days_ago=100, status=Certificate.Status.VALID) -> Certificate:
    """A decision recorded from a list that published its stars only (as the import does: no application)."""
    certificate = Certificate(
        product=product,
        rule_set=RuleSet.objects.get(code="148/2023"),
        total_score=None,
        stars=stars,
        decision_number=f"{product.pk}/QĐ-UBND-DS",
        decision_date=timezone.localdate() - datetime.timedelta(days=days_ago),
        level=Certificate.Level.CENTRAL if stars == 5 else Certificate.Level.PROVINCE,
        status=status,
    )
    certificate.derive()
    certificate.save()
    product.certificates.exclude(pk=certificate.pk).filter(
        status__in=[Certificate.Status.VALID, Certificate.Status.EXPIRED]
    ).update(status=Certificate.Status.SUPERSEDED)
    product_current_certificate_refresh(product=product)
    return certificate
