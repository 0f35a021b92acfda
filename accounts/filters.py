"""The staff's list of organisations: a name or tax code, and the kind of organisation."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Name or tax code"),
        method="filter_q",
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "maxlength": 100}),
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Organisation.Kind.choices, empty_label=_("All kinds"))

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(tax_code__startswith=value)) if value else queryset
