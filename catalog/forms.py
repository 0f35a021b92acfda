from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.classification import CURRENT_RULE_SET
from catalog.documents import ACCEPT, validate_document_upload
from catalog.models import (
    ApplicationDocument,
    EvaluationCycle,
    ProducerProfile,
    Product,
    ProductSubGroup,
    Standard,
)
from core.forms import SingleLineFieldsMixin
from core.images import validate_image_upload


def _month_label(number: int) -> str:
    return gettext("Month %(number)d") % {"number": number}


# Lazy labels: the choices are built at import, each label is translated when a page shows it.
MONTH_CHOICES = [(month, lazy(_month_label, str)(month)) for month in range(1, 13)]
PHOTO_HELP = _("JPEG, PNG or WebP, at most 10 MB and 40 megapixels.")


class SubGroupChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.group.name} — {obj.name}"


class ProductForm(forms.ModelForm):
    subgroup = SubGroupChoiceField(
        label=_("OCOP product group"),
        # A broad level is where an imported list left a product, never a choice (catalog.completion).
        queryset=ProductSubGroup.objects.filter(group__rule_set__code=CURRENT_RULE_SET, is_broad=False).select_related(
            "group"
        ),
    )
    months_available = forms.TypedMultipleChoiceField(
        label=_("Months available"),
        choices=MONTH_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick the months the product can be supplied. Tick none if it is available all year."),
    )
    standards = forms.MultipleChoiceField(
        label=_("Standards held"),
        choices=Standard.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Product
        fields = [
            "name",
            "name_en",
            "subgroup",
            "description",
            "description_en",
            "unit",
            "packaging",
            "price_min",
            "price_max",
            "shelf_life_days",
            "monthly_capacity",
            "capacity_unit",
            "minimum_order",
            "months_available",
            "standards",
            "gtin",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "description_en": forms.Textarea(attrs={"rows": 4}),
            "gtin": forms.TextInput(attrs={"inputmode": "numeric"}),
        }

    sections = [
        (_("The product"), ["name", "name_en", "subgroup", "description", "description_en"]),
        (_("Sales and packaging"), ["unit", "packaging", "price_min", "price_max", "shelf_life_days", "gtin"]),
        (_("Supply"), ["monthly_capacity", "capacity_unit", "minimum_order", "months_available", "standards"]),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("price_min", "price_max", "shelf_life_days"):
            self.fields[name].widget.attrs.update({"inputmode": "numeric", "min": "0"})
        if self.instance.subgroup_id and self.instance.subgroup.is_broad:
            self.fields["subgroup"].help_text = gettext(
                "The province's list classified this product only as “%(level)s”: choose its sub-group."
            ) % {"level": self.instance.subgroup}

    def clean_months_available(self):
        months = sorted(set(self.cleaned_data.get("months_available") or []))
        # Every month ticked means the same as none: available all year.
        return [] if len(months) == 12 else months

    def clean(self):
        cleaned_data = super().clean()
        price_min, price_max = cleaned_data.get("price_min"), cleaned_data.get("price_max")
        if price_min is not None and price_max is not None and price_min > price_max:
            self.add_error("price_max", _("The highest price must not be below the lowest price."))
        for name in ("monthly_capacity", "minimum_order"):
            value = cleaned_data.get(name)
            if value is not None and value <= 0:
                self.add_error(name, _("Enter a quantity above zero, or leave it empty."))
        if cleaned_data.get("monthly_capacity") and not cleaned_data.get("capacity_unit"):
            self.add_error("capacity_unit", _("Say in which unit the capacity is counted (kg, tấn, hộp…)."))
        return cleaned_data

    def section_fields(self):
        return [(title, [self[name] for name in names]) for title, names in self.sections]


class ProductPhotoForm(forms.Form):
    image = forms.FileField(
        label=_("Photo"),
        help_text=PHOTO_HELP,
        validators=[validate_image_upload],
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    alt_text = forms.CharField(
        label=_("What the photo shows"),
        max_length=200,
        required=False,
        help_text=_("A short description for people who cannot see the photo."),
    )


class ProducerProfileForm(forms.ModelForm):
    class Meta:
        model = ProducerProfile
        fields = ["legal_form", "contact_name", "story", "points_of_sale"]
        widgets = {"story": forms.Textarea(attrs={"rows": 6}), "points_of_sale": forms.Textarea(attrs={"rows": 4})}


DOCUMENT_HELP = _("PDF, JPEG or PNG, at most 10 MB")


def _self_assessment_field():
    return forms.DecimalField(
        label=_("Self-assessment score"),
        required=False,
        min_value=0,
        max_value=100,
        max_digits=4,
        decimal_places=1,
        help_text=_("Your own score on the OCOP score sheet, out of 100. You may leave it empty."),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.1", "min": "0", "max": "100"}),
    )


class EvaluationCycleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("%(cycle)s — rule set %(rule_set)s, open until %(closes_on)s") % {
            "cycle": obj,
            "rule_set": obj.rule_set.code,
            "closes_on": obj.closes_on.strftime("%d/%m/%Y"),
        }


class ApplicationCreateForm(SingleLineFieldsMixin, forms.Form):
    """A new OCOP application: one of the producer's own products, in a cycle open today."""

    product = forms.ModelChoiceField(
        label=_("Product"),
        queryset=Product.objects.none(),
        error_messages={"invalid_choice": _("Choose one of your own products.")},
        help_text=_("Archived products are not listed."),
    )
    cycle = EvaluationCycleChoiceField(
        label=_("Evaluation cycle"),
        queryset=EvaluationCycle.objects.none(),
        error_messages={"invalid_choice": _("This evaluation cycle is not open for applications today.")},
    )
    self_assessment_score = _self_assessment_field()

    def __init__(self, *args, products, cycles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products
        self.fields["cycle"].queryset = cycles


class ApplicationScoreForm(forms.Form):
    self_assessment_score = _self_assessment_field()


class ApplicationDocumentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Which document is it?"),
        choices=[("", _("Choose the document…")), *ApplicationDocument.Kind.choices],
    )
    file = forms.FileField(
        label=_("File"),
        help_text=DOCUMENT_HELP,
        validators=[validate_document_upload],
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )


class ImportUploadForm(forms.Form):
    """The province's OCOP list to check: an .xlsx workbook or a CSV file (checked by content, not by name)."""

    file = forms.FileField(
        label=_("OCOP list (Excel .xlsx or CSV)"),
        help_text=_(
            "The first sheet is read; its header row names the columns (Tên sản phẩm, Tên chủ thể, Địa chỉ, …). "
            "At most 5 MB and 5,000 rows. Nothing is saved until you confirm the dry run."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv"}
        ),
    )
