"""The public catalogue's filters: one FilterSet that reads the URL into cleaned values, and nothing more.

What each filter means is its condition over the catalogue entries (catalog/read_model.py, `FILTERS`); the
catalogue selector (catalog.selectors.catalogue_query) passes the cleaned values there. The FilterSet gives
the page its form (labels, choices, the values as typed) and drops the values it cannot read.
"""

import django_filters
from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from accounts.models import Province
from catalog.classification import CURRENT_RULE_SET
from catalog.models import ProducerProfile, Product, ProductGroup, ProductSubGroup, Standard
from core.filters import CodeChoiceFilter

STAR_CHOICES = [("5", _("5 stars")), ("4", _("4 stars")), ("3", _("3 stars"))]
SORT_CHOICES = [
    ("relevance", _("Relevance")),
    ("stars", _("Stars")),
    ("newest", _("Newest")),
    ("name", _("Name A–Z")),
]


class ProductFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method="parsed_only", widget=forms.TextInput(attrs={"type": "search"})
    )
    stars = django_filters.MultipleChoiceFilter(
        label=_("OCOP stars"), choices=STAR_CHOICES, method="parsed_only", widget=forms.CheckboxSelectMultiple
    )
    group = django_filters.ModelChoiceFilter(
        label=_("Product group"),
        queryset=ProductGroup.objects.filter(rule_set__code=CURRENT_RULE_SET),
        method="parsed_only",
    )
    subgroup = django_filters.ModelChoiceFilter(
        label=_("Sub-group"),
        queryset=ProductSubGroup.objects.filter(group__rule_set__code=CURRENT_RULE_SET),
        method="parsed_only",
    )
    province = CodeChoiceFilter(label=_("Province/city"), queryset=Province.objects.all(), method="parsed_only")
    legal_form = django_filters.MultipleChoiceFilter(
        label=_("Producer type"),
        choices=ProducerProfile.LegalForm.choices,
        method="parsed_only",
        widget=forms.CheckboxSelectMultiple,
    )
    standard = django_filters.MultipleChoiceFilter(
        label=_("Standards held"),
        choices=Standard.choices,
        method="parsed_only",
        widget=forms.CheckboxSelectMultiple,
    )
    valid = django_filters.BooleanFilter(
        label=_("Certificate valid now"), method="parsed_only", widget=forms.CheckboxInput
    )
    # Empty means "recommended": relevance for a search, newest first otherwise.
    sort = django_filters.ChoiceFilter(label=_("Sort by"), choices=SORT_CHOICES, method="parsed_only")

    class Meta:
        model = Product
        fields = []

    def parsed_only(self, queryset, name, value):
        """The FilterSet only parses: the read model applies the cleaned values (see the module's docstring)."""
        return queryset

    def filter_values(self) -> dict:
        """The cleaned value of every filter, by name (the sort is not a filter)."""
        return {name: value for name, value in self.form.cleaned_data.items() if name != "sort"}


def product_filter(params) -> ProductFilter:
    """The catalogue's FilterSet over `params`, leaving out the values it cannot read.

    Unknown values (a removed group, a typo in a shared link) filter nothing rather than fail.
    """
    filterset = ProductFilter(params)
    if not filterset.is_valid():
        kept = QueryDict(mutable=True)
        for key in params:
            if key not in filterset.errors:
                kept.setlist(key, params.getlist(key) if hasattr(params, "getlist") else [params[key]])
        filterset = ProductFilter(kept)
        filterset.is_valid()
    return filterset
