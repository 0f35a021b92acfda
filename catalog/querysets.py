"""The catalogue's words for querysets: what "valid", "public" and "certified" mean, and the product-card bundle.

A certificate is valid on a day when it is recorded valid and that day is not past its end of validity: that
condition is written once here as a `Q` (`valid_on_q`), and once as SQL over the catalogue entries
(catalog/read_model.py, `VALID_SQL`), which the public catalogue reads.
"""

import datetime

from django.db import models
from django.db.models import Prefetch, Q
from django.utils import timezone

VALID = "valid"


def valid_on_q(day: datetime.date | None = None, *, path: str = "") -> Q:
    """Certificates valid on `day` (default today); `path` reaches the certificate ("current_certificate__")."""
    day = day or timezone.localdate()
    return Q(**{f"{path}status": VALID, f"{path}valid_until__gte": day})


def lapsed_on_q(day: datetime.date, *, path: str = "") -> Q:
    """Certificates still recorded valid whose validity ended before `day`: they read as expired."""
    return Q(**{f"{path}status": VALID, f"{path}valid_until__lt": day})


class CertificateQuerySet(models.QuerySet):
    def valid_on(self, day):
        return self.filter(valid_on_q(day))

    def valid_now(self):
        return self.valid_on(timezone.localdate())

    def lapsed_on(self, day):
        return self.filter(lapsed_on_q(day))

    def expiring_within(self, days: int):
        today = timezone.localdate()
        return self.valid_on(today).filter(valid_until__lte=today + datetime.timedelta(days=days))


# What a product card shows besides the product: its producer and place, its sub-group and group (whose
# pictogram stands in for a missing photo), and its current certificate.
CARD_RELATIONS = (
    "producer",
    "producer__province",
    "producer__ward",
    "subgroup",
    "subgroup__group",
    "current_certificate",
)


class ProductQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status="published")

    def public(self):
        """What anyone may see: published products of verified producers."""
        return self.filter(status="published", producer__is_verified=True)

    def certified(self, *, stars=None, on=None):
        """Products whose current certificate is valid (on `on`, default today), optionally with these stars."""
        condition = valid_on_q(on, path="current_certificate__")
        if stars:
            condition &= Q(current_certificate__stars__in=list(stars))
        return self.filter(condition)

    def for_listing(self, *, primary_photos: bool = True):
        """Everything a product card shows, in one query (and one for the primary photos).

        Every list of products (the catalogue, the home page, a producer's page, the workspace, the
        suggestions) fetches its cards with this. `primary_photos=False` leaves the photos to the caller:
        the product page reads the product's photos and its siblings' in one query.
        """
        products = self.select_related(*CARD_RELATIONS)
        if not primary_photos:
            return products
        # The photo model through the relation: this module is imported by catalog.models, not the other way.
        photo_model = self.model._meta.get_field("photos").related_model
        return products.prefetch_related(
            Prefetch(
                "photos",
                # One primary photo per product: no ordering needed (the default one joins the products again).
                queryset=photo_model.objects.filter(is_primary=True).order_by(),
                to_attr="primary_photos",
            )
        )

    def owned_by(self, organisation):
        return self.filter(producer=organisation)
