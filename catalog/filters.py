"""The public catalogue's filters: one FilterSet that parses the URL, and one condition per filter.

Each filter's condition is a `Q` over products (for querysets of products) and the same condition as
SQL over the catalogue entries, which the public catalogue page reads: its results, and its facet counts
(every facet is counted with all the *other* filters applied).
"""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Province
from catalog.classification import CURRENT_RULE_SET
from catalog.models import ProducerProfile, ProductGroup, ProductSubGroup, Standard
from catalog.search import SEARCH_CONFIG, match_tsquery, product_match

STAR_CHOICES = [("5", _("5 stars")), ("4", _("4 stars")), ("3", _("3 stars"))]
SORT_CHOICES = [
    ("relevance", _("Relevance")),
    ("stars", _("Stars")),
    ("newest", _("Newest")),
    ("name", _("Name A–Z")),
]
FACETS = ("stars", "group", "subgroup", "province", "legal_form", "standard", "valid")


def valid_certificate_q(day=None) -> Q:
    day = day or timezone.localdate()
    return Q(current_certificate__status="valid", current_certificate__valid_until__gte=day)


# valid_certificate_q over catalog_catalogueentry; its one parameter is the day.
ENTRY_VALID_SQL = "(certificate_status = 'valid' AND certificate_valid_until >= %s)"


class ProductFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method="filter_condition", widget=forms.TextInput(attrs={"type": "search"})
    )
    stars = django_filters.MultipleChoiceFilter(
        label=_("OCOP stars"), choices=STAR_CHOICES, method="filter_condition", widget=forms.CheckboxSelectMultiple
    )
    group = django_filters.ModelChoiceFilter(
        label=_("Product group"),
        queryset=ProductGroup.objects.filter(rule_set__code=CURRENT_RULE_SET),
        method="filter_condition",
    )
    subgroup = django_filters.ModelChoiceFilter(
        label=_("Sub-group"),
        queryset=ProductSubGroup.objects.filter(group__rule_set__code=CURRENT_RULE_SET),
        method="filter_condition",
    )
    province = django_filters.ModelChoiceFilter(
        label=_("Province/city"), queryset=Province.objects.all(), method="filter_condition"
    )
    legal_form = django_filters.MultipleChoiceFilter(
        label=_("Producer type"),
        choices=ProducerProfile.LegalForm.choices,
        method="filter_condition",
        widget=forms.CheckboxSelectMultiple,
    )
    standard = django_filters.MultipleChoiceFilter(
        label=_("Standards held"),
        choices=Standard.choices,
        method="filter_condition",
        widget=forms.CheckboxSelectMultiple,
    )
    valid = django_filters.BooleanFilter(
        label=_("Certificate valid now"), method="filter_condition", widget=forms.CheckboxInput
    )
    # Empty means "recommended": relevance for a search, newest first otherwise.
    sort = django_filters.ChoiceFilter(label=_("Sort by"), choices=SORT_CHOICES, method="filter_nothing")

    def filter_condition(self, queryset, name, value):
        condition = self.condition(name, value)
        return queryset if condition is None else queryset.filter(condition)

    def filter_nothing(self, queryset, name, value):
        return queryset

    @staticmethod
    def condition(name: str, value) -> Q | None:
        """The condition of one filter for a cleaned value, or None when the value filters nothing."""
        if value in (None, "", [], False):
            return None
        if name == "q":
            return product_match(value)
        if name == "stars":
            return valid_certificate_q() & Q(current_certificate__stars__in=[int(star) for star in value])
        if name == "group":
            return Q(subgroup__group=value)
        if name == "subgroup":
            return Q(subgroup=value)
        if name == "province":
            return Q(producer__province=value)
        if name == "legal_form":
            return Q(producer__producer_profile__legal_form__in=value)
        if name == "standard":
            return Q(standards__contains=list(value))
        if name == "valid":
            return valid_certificate_q()
        raise KeyError(name)

    @staticmethod
    def entry_condition(name: str, value, day) -> tuple[str, list] | None:
        """The same condition as `condition`, as SQL over catalog_catalogueentry (what the catalogue page reads)."""
        if value in (None, "", [], False):
            return None
        if name == "q":
            tsquery = match_tsquery(value)
            if not tsquery:
                return None
            return f"folded_words @@ to_tsquery('{SEARCH_CONFIG}'::regconfig, %s)", [tsquery]
        if name == "stars":
            return f"({ENTRY_VALID_SQL} AND certificate_stars = ANY(%s))", [day, [int(star) for star in value]]
        if name == "group":
            return "group_id = %s", [value.pk]
        if name == "subgroup":
            return "subgroup_id = %s", [value.pk]
        if name == "province":
            return "province_id = %s", [value.pk]
        if name == "legal_form":
            return "legal_form = ANY(%s)", [list(value)]
        if name == "standard":
            return "standards @> %s::varchar[]", [list(value)]
        if name == "valid":
            return ENTRY_VALID_SQL, [day]
        raise KeyError(name)

    def conditions(self, *, exclude: str | None = None) -> Q:
        """All filters' conditions together, leaving out `exclude` (for that facet's counts)."""
        combined = Q()
        for name, value in self.form.cleaned_data.items():
            if name in ("sort", exclude):
                continue
            condition = self.condition(name, value)
            if condition is not None:
                combined &= condition
        return combined
