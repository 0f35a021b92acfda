"""The filters of the staff dashboard; the request for the file of a long list."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Province
from reports.models import DataExport
from reports.selectors.statistics import Period


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DashboardFilterForm(forms.Form):
    """A period (either end may stay open) and a province/city; a bad value is reported beside its field."""

    date_from = forms.DateField(label=_("From"), required=False, widget=_date_input())
    date_to = forms.DateField(label=_("To"), required=False, widget=_date_input())
    province = forms.ModelChoiceField(
        label=_("Province/city"),
        queryset=Province.objects.order_by("name"),
        to_field_name="code",
        required=False,
        empty_label=_("All provinces and cities"),
    )

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", _("The end of the period cannot be before its start."))
            # Half of an impossible period would still filter: the period is dropped until it is corrected.
            cleaned.pop("date_from", None)
        return cleaned

    def period(self) -> Period:
        """The filters that are valid; a field with an error filters nothing (its message says why)."""
        if not self.is_bound:
            return Period()
        self.is_valid()  # cleans every field; cleaned_data keeps only those without an error
        data = self.cleaned_data
        return Period(date_from=data.get("date_from"), date_to=data.get("date_to"), province=data.get("province"))


def year_presets(today: datetime.date) -> list[tuple[str, dict]]:
    """Quick periods for the dashboard: this year and last year, as query parameters."""
    return [
        (_("This year"), {"date_from": datetime.date(today.year, 1, 1), "date_to": today}),
        (
            _("Last year"),
            {"date_from": datetime.date(today.year - 1, 1, 1), "date_to": datetime.date(today.year - 1, 12, 31)},
        ),
    ]


class ExportRequestForm(forms.Form):
    """Which long list to prepare as a file, and in which format; the list's filters come beside these fields."""

    kind = forms.ChoiceField(label=_("List"), choices=DataExport.Kind.choices)
    fmt = forms.ChoiceField(label=_("Format"), choices=DataExport.Format.choices)
