import datetime

from django.db import models
from django.db.models import Prefetch, Q
from django.utils import timezone


class CertificateQuerySet(models.QuerySet):
    def valid_on(self, day):
        return self.filter(status="valid", valid_until__gte=day)

    def valid_now(self):
        return self.valid_on(timezone.localdate())

    def expiring_within(self, days: int):
        today = timezone.localdate()
        return self.valid_on(today).filter(valid_until__lte=today + datetime.timedelta(days=days))


class ProductQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status="published")

    def public(self):
        """What anyone may see: published products of verified producers."""
        return self.filter(status="published", producer__is_verified=True)

    def certified(self, *, stars=None, on=None):
        """Products whose current certificate is valid (on `on`, default today), optionally with these stars."""
        day = on or timezone.localdate()
        condition = Q(current_certificate__status="valid", current_certificate__valid_until__gte=day)
        if stars:
            condition &= Q(current_certificate__stars__in=list(stars))
        return self.filter(condition)

    def for_listing(self):
        """Everything a product card shows, in a fixed number of queries."""
        # The photo model through the relation: this module is imported by catalog.models, not the other way.
        photo_model = self.model._meta.get_field("photos").related_model

        return self.select_related(
            "producer",
            "producer__province",
            "producer__ward",
            "subgroup",
            "subgroup__group",
            "current_certificate",
        ).prefetch_related(
            Prefetch(
                "photos",
                # One primary photo per product: no ordering needed (the default one joins the products again).
                queryset=photo_model.objects.filter(is_primary=True).order_by(),
                to_attr="primary_photos",
            )
        )

    def owned_by(self, organisation):
        return self.filter(producer=organisation)
