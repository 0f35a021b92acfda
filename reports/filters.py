"""Filters of the public certificate register: status as a visitor reads it, year, stars and province."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Province
from catalog.filters import STAR_CHOICES
from catalog.models import Certificate
from catalog.querysets import lapsed_on_q, valid_on_q
from core.filters import CodeChoiceFilter

STATUS = Certificate.Status
REGISTER_STATUS_CHOICES = [
    (STATUS.VALID, _("Valid")),
    (STATUS.EXPIRED, _("Expired")),
    (STATUS.REVOKED, _("Revoked")),
    (STATUS.SUPERSEDED, _("Replaced by a newer decision")),
]


def public_status_q(status: str, day=None) -> Q:
    """Certificates a visitor sees with this status today: a lapsed "valid" certificate reads as expired."""
    day = day or timezone.localdate()
    if status == STATUS.VALID:
        return valid_on_q(day)
    if status == STATUS.EXPIRED:
        return Q(status=STATUS.EXPIRED) | lapsed_on_q(day)
    return Q(status=status)


class CertificateRegisterFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=REGISTER_STATUS_CHOICES, method="filter_status", empty_label=_("All statuses")
    )
    year = django_filters.ChoiceFilter(
        label=_("Year of the decision"), method="filter_year", empty_label=_("All years")
    )
    stars = django_filters.ChoiceFilter(
        label=_("OCOP stars"), choices=STAR_CHOICES, method="filter_stars", empty_label=_("All stars")
    )
    province = CodeChoiceFilter(
        label=_("Province/city"),
        queryset=Province.objects.order_by("name"),
        method="filter_province",
        empty_label=_("All provinces"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        years = Certificate.objects.dates("decision_date", "year", order="DESC")
        self.filters["year"].extra["choices"] = [(str(day.year), str(day.year)) for day in years]

    def filter_status(self, queryset, name, value):
        return queryset.filter(public_status_q(value)) if value else queryset

    def filter_year(self, queryset, name, value):
        return queryset.filter(decision_date__year=int(value)) if value else queryset

    def filter_stars(self, queryset, name, value):
        return queryset.filter(stars=int(value)) if value else queryset

    def filter_province(self, queryset, name, value):
        return queryset.filter(product__producer__province=value) if value else queryset
