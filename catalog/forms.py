from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.images import validate_image_upload
from catalog.models import ProducerProfile, Product, ProductSubGroup, Standard

MONTH_CHOICES = [(month, _("Month %(number)d") % {"number": month}) for month in range(1, 13)]
PHOTO_HELP = _("JPEG, PNG or WebP, at most 10 MB and 40 megapixels.")


class SubGroupChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.group.name} — {obj.name}"


class ProductForm(forms.ModelForm):
    subgroup = SubGroupChoiceField(
        label=_("OCOP product group"),
        queryset=ProductSubGroup.objects.filter(group__rule_set__code="148/2023").select_related("group"),
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
