"""The admin of producers' profiles and their products, with the products' photos."""

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from catalog import services
from catalog.admin.common import ProductSearchMixin
from catalog.admin.forms import PhotoInlineFormSet, ProductAdminForm
from catalog.models import ProducerProfile, Product, ProductPhoto, ProductSubGroup
from core.admin import LargeListMixin, SafeAutocompleteMixin


@admin.register(ProducerProfile)
class ProducerProfileAdmin(SafeAutocompleteMixin, admin.ModelAdmin):
    list_display = ["organisation", "legal_form", "organisation_verified"]
    list_filter = ["legal_form", "organisation__is_verified", "organisation__province"]
    list_select_related = ["organisation"]
    search_fields = ["organisation__name", "organisation__tax_code"]
    autocomplete_fields = ["organisation"]

    @admin.display(boolean=True, description=_("verified"))
    def organisation_verified(self, obj):
        return obj.organisation.is_verified


class ProductPhotoInline(admin.TabularInline):
    """Existing photos: order, primary, description. New photos come through the form's upload field."""

    model = ProductPhoto
    formset = PhotoInlineFormSet
    extra = 0
    fields = ["preview", "alt_text", "position", "is_primary"]
    readonly_fields = ["preview"]

    @admin.display(description=_("photo"))
    def preview(self, obj):
        if not obj.thumbnail_small:
            return "—"
        return format_html('<img src="{}" alt="" width="120">', obj.thumbnail_small.url)

    def has_add_permission(self, request, obj=None):
        return False


class SubGroupToRefineFilter(admin.SimpleListFilter):
    """Products whose sub-group is still a broader level, as an imported list left it."""

    title = _("sub-group to refine")
    parameter_name = "to_refine"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes: a broader level")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(subgroup__is_broad=self.value() == "yes")
        return queryset


@admin.register(Product)
class ProductAdmin(LargeListMixin, ProductSearchMixin, SafeAutocompleteMixin, admin.ModelAdmin):
    form = ProductAdminForm
    list_display = ["name", "producer", "subgroup", "status", "current_stars", "published_at"]
    # Orders and filters served by indexes; a date filter, not the date hierarchy (it reads every row for its years).
    list_filter = [
        "status",
        "subgroup__group",
        SubGroupToRefineFilter,
        "producer__province",
        "producer__is_verified",
        "created_at",
    ]
    sortable_by = ["name", "published_at"]
    list_select_related = ["producer", "subgroup", "current_certificate"]
    search_fields = ["name", "name_en", "producer__name", "gtin"]
    search_help_text = _("Words of the name, the description, the producer or its place (accents optional), or a GTIN.")
    number_fields = ("gtin",)
    autocomplete_fields = ["producer"]
    readonly_fields = ["current_certificate", "published_at", "created_at", "updated_at"]
    inlines = [ProductPhotoInline]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "subgroup":
            # Nobody picks a broad level; the form keeps a product's own until it is refined.
            kwargs["queryset"] = ProductSubGroup.objects.filter(is_broad=False).select_related("group")
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=_("stars"))
    def current_stars(self, obj):
        certificate = obj.current_certificate
        if certificate is None:
            return "—"
        return f"{certificate.stars}★ ({certificate.get_public_status_display()})"

    def save_model(self, request, obj, form, change):
        if obj.status == Product.Status.PUBLISHED and obj.published_at is None:
            obj.published_at = timezone.now()
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        upload = form.cleaned_data.get("new_photo")
        if upload:
            services.photo_add(
                actor=None, product=form.instance, upload=upload, alt_text=form.cleaned_data["new_photo_alt_text"]
            )
        services.product_reindex(product_ids=[form.instance.pk])
