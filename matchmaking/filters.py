"""The list filters of matchmaking: the sourcing requests' sub-group, delivery province and status."""

import django_filters
from django.utils.translation import gettext_lazy as _

from accounts.models import Province
from matchmaking.forms.sourcing import grouped_subgroup_choices, subgroups_queryset
from matchmaking.models import SourcingRequest


class SourcingRequestFilter(django_filters.FilterSet):
    subgroup = django_filters.ModelChoiceFilter(
        label=_("Product sub-group"), queryset=subgroups_queryset(), empty_label=_("All sub-groups")
    )
    province = django_filters.ModelChoiceFilter(
        label=_("Delivery province/city"),
        field_name="delivery_province",
        queryset=Province.objects.order_by("name"),
        empty_label=_("All provinces"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=SourcingRequest.Status.choices, empty_label=_("All statuses")
    )

    class Meta:
        model = SourcingRequest
        fields = ["subgroup", "province", "status"]

    def __init__(self, *args, with_status: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_status:
            del self.filters["status"]

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_grouped", False):
            # Only the widget: django-filter's field keeps validating against its queryset.
            form.fields["subgroup"].widget.choices = [("", _("All sub-groups")), *grouped_subgroup_choices()]
            form._grouped = True
        return form
