"""Forms of sourcing: the buyer profile, shortlist notes, sourcing requests and offers."""

from django import forms
from django.utils import timezone, translation
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from accounts.models import Province
from catalog.classification import CURRENT_RULE_SET
from catalog.forms import MONTH_CHOICES
from catalog.models import Product, ProductSubGroup, Standard
from core.forms import SingleLineFieldsMixin
from matchmaking.models import BuyerProfile, SourcingRequest

STAR_CHOICES = [(3, _("3 stars")), (4, _("4 stars")), (5, _("5 stars"))]


def subgroups_queryset():
    return (
        # Not the broad levels an imported list may leave a product at: nobody picks one (catalog.completion).
        ProductSubGroup.objects.filter(group__rule_set__code=CURRENT_RULE_SET, is_broad=False)
        .select_related("group")
        .order_by("group__position", "position")
    )


def grouped_subgroup_choices() -> list:
    """Sub-groups under their group's name, in the current language: [(group, [(pk, sub-group), …]), …]."""
    language = translation.get_language()
    groups: dict[int, tuple[str, list]] = {}
    for subgroup in subgroups_queryset():
        label, options = groups.setdefault(subgroup.group_id, (subgroup.group.localised_name(language), []))
        options.append((subgroup.pk, f"{subgroup.code} {subgroup.localised_name(language)}"))
    return list(groups.values())


def month_labels(months) -> list[str]:
    return [str(MONTHS[month]) for month in months if month in MONTHS]


def standard_labels(codes) -> list[str]:
    return [str(Standard(code).label) for code in codes if code in Standard.values]


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BuyerProfileForm(forms.ModelForm):
    subgroups = forms.ModelMultipleChoiceField(
        label=_("Product sub-groups you source"),
        queryset=subgroups_queryset(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Suggestions come from these sub-groups. Tick none to see every group."),
    )
    min_stars = forms.TypedChoiceField(
        label=_("Minimum OCOP stars"), choices=STAR_CHOICES, coerce=int, widget=forms.RadioSelect
    )
    standards_required = forms.MultipleChoiceField(
        label=_("Standards you require"),
        choices=Standard.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A product without one of these is left out of your suggestions, with the reason."),
    )
    provinces_served = forms.ModelMultipleChoiceField(
        label=_("Provinces and cities you serve"),
        queryset=Province.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Producers in these places rank a little higher."),
    )
    checklist = forms.MultipleChoiceField(
        label=_("Listing checklist"),
        choices=BuyerProfile.Requirement.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("What a product needs before you list it. Producers see their gaps against it."),
    )

    class Meta:
        model = BuyerProfile
        fields = [
            "kind",
            "subgroups",
            "min_stars",
            "standards_required",
            "provinces_served",
            "typical_volume",
            "listing_requirements",
            "checklist",
        ]
        widgets = {"listing_requirements": forms.Textarea(attrs={"rows": 5})}
        help_texts = {
            "typical_volume": _("For example: 1–2 tấn per month for each item."),
            "listing_requirements": _("In your own words: documents, packaging, delivery, payment terms."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subgroups"].choices = grouped_subgroup_choices()

    def grouped_subgroups(self) -> list:
        """The sub-group checkboxes under their group's name: [(group, [bound checkbox, …]), …]."""
        boxes = {str(box.data["value"]): box for box in self["subgroups"]}
        return [
            (label, [boxes[str(pk)] for pk, _label in options if str(pk) in boxes])
            for label, options in self.fields["subgroups"].choices
        ]


class ShortlistAddForm(SingleLineFieldsMixin, forms.Form):
    """A product or a producer to keep, with an optional note."""

    product = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    producer = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    note = forms.CharField(label=_("Private note"), required=False, max_length=2000, widget=forms.Textarea)

    def clean(self):
        cleaned_data = super().clean()
        if bool(cleaned_data.get("product")) == bool(cleaned_data.get("producer")):
            raise forms.ValidationError(_("Choose one product or one producer to shortlist."), code="one_target")
        return cleaned_data


class ShortlistNoteForm(SingleLineFieldsMixin, forms.Form):
    note = forms.CharField(
        label=_("Private note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Only your organisation sees it."),
    )


class SourcingRequestForm(forms.ModelForm):
    subgroup = forms.ModelChoiceField(label=_("Product sub-group"), queryset=subgroups_queryset())
    min_stars = forms.TypedChoiceField(
        label=_("Minimum OCOP stars"), choices=STAR_CHOICES, coerce=int, widget=forms.RadioSelect
    )
    standards_required = forms.MultipleChoiceField(
        label=_("Standards required"), choices=Standard.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    delivery_province = forms.ModelChoiceField(
        label=_("Delivery province/city"), queryset=Province.objects.order_by("name")
    )
    months_needed = forms.TypedMultipleChoiceField(
        label=_("Months needed"),
        choices=MONTH_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick none if you buy all year."),
    )

    class Meta:
        model = SourcingRequest
        fields = [
            "subgroup",
            "title",
            "keywords",
            "description",
            "quantity_per_month",
            "unit",
            "min_stars",
            "standards_required",
            "delivery_province",
            "target_price",
            "months_needed",
            "deadline",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 5}), "deadline": _date_input()}
        help_texts = {
            "title": _("For example: Nước mắm cá cơm 40 độ đạm for 120 stores."),
            "keywords": _("Words producers' products should contain, e.g. “nước mắm cá cơm”."),
            "unit": _("E.g. kg, tấn, chai, hộp."),
            "target_price": _("Optional: the price per unit you aim for."),
            "deadline": _("Producers can send offers until this day."),
        }

    sections = [
        (_("What you want to buy"), ["subgroup", "title", "keywords", "description"]),
        (_("How much and when"), ["quantity_per_month", "unit", "months_needed", "delivery_province", "target_price"]),
        (_("What the products must have"), ["min_stars", "standards_required"]),
        (_("Answers"), ["deadline"]),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subgroup"].choices = [("", "---------"), *grouped_subgroup_choices()]
        self.fields["quantity_per_month"].widget.attrs.update({"min": "0", "step": "any", "inputmode": "decimal"})
        self.fields["target_price"].widget.attrs.update({"min": "1", "inputmode": "numeric"})

    def clean_quantity_per_month(self):
        quantity = self.cleaned_data["quantity_per_month"]
        if quantity is not None and quantity <= 0:
            raise forms.ValidationError(_("Enter a quantity above zero."), code="quantity_not_positive")
        return quantity

    def clean_target_price(self):
        price = self.cleaned_data.get("target_price")
        if price is not None and price <= 0:
            raise forms.ValidationError(_("Enter a price above zero, or leave it empty."), code="price_not_positive")
        return price

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline is not None and deadline < timezone.localdate():
            raise forms.ValidationError(_("The deadline cannot be in the past."), code="deadline_past")
        return deadline

    def clean_months_needed(self):
        months = sorted(set(self.cleaned_data.get("months_needed") or []))
        return [] if len(months) == 12 else months

    def section_fields(self):
        return [(title, [self[name] for name in names]) for title, names in self.sections]


class ProductChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class OfferForm(SingleLineFieldsMixin, forms.Form):
    products = ProductChoiceField(
        label=_("Products offered"),
        queryset=Product.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Your published products."),
        error_messages={"required": _("Choose at least one of your products.")},
    )
    quantity_per_month = forms.DecimalField(
        label=_("Quantity per month"),
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"min": "0", "step": "any", "inputmode": "decimal"}),
    )
    unit = forms.CharField(label=_("Unit"), max_length=30)
    price = forms.IntegerField(
        label=_("Price per unit (VND)"), widget=forms.NumberInput(attrs={"min": "1", "inputmode": "numeric"})
    )
    message = forms.CharField(
        label=_("Message to the buyer"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Packaging, delivery, certificates, payment terms."),
    )

    def __init__(self, *args, producer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["products"].queryset = Product.objects.published().filter(producer=producer).order_by("name")

    def clean_quantity_per_month(self):
        quantity = self.cleaned_data["quantity_per_month"]
        if quantity <= 0:
            raise forms.ValidationError(_("Enter a quantity above zero."), code="quantity_not_positive")
        return quantity

    def clean_price(self):
        price = self.cleaned_data["price"]
        if price <= 0:
            raise forms.ValidationError(_("Enter a price above zero."), code="price_not_positive")
        return price
