from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from catalog import services
from catalog.forms import ProductForm
from catalog.images import validate_image_upload
from catalog.models import Certificate, ProducerProfile, Product, ProductGroup, ProductPhoto, ProductSubGroup, RuleSet


class ReadOnlyClassificationAdmin(admin.ModelAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RuleSet)
class RuleSetAdmin(ReadOnlyClassificationAdmin):
    list_display = ["code", "name", "decision_date", "max_section_a", "max_section_b", "max_section_c"]


class ProductSubGroupInline(admin.TabularInline):
    model = ProductSubGroup
    extra = 0


@admin.register(ProductGroup)
class ProductGroupAdmin(ReadOnlyClassificationAdmin):
    list_display = ["code", "name", "name_en", "rule_set"]
    list_filter = ["rule_set"]
    list_select_related = ["rule_set"]
    inlines = [ProductSubGroupInline]


@admin.register(ProductSubGroup)
class ProductSubGroupAdmin(ReadOnlyClassificationAdmin):
    list_display = ["code", "name", "group"]
    list_filter = ["group__rule_set", "group"]
    list_select_related = ["group"]
    search_fields = ["name", "name_en", "code"]


@admin.register(ProducerProfile)
class ProducerProfileAdmin(admin.ModelAdmin):
    list_display = ["organisation", "legal_form", "organisation_verified"]
    list_filter = ["legal_form", "organisation__is_verified", "organisation__province"]
    list_select_related = ["organisation"]
    search_fields = ["organisation__name", "organisation__tax_code"]
    autocomplete_fields = ["organisation"]

    @admin.display(boolean=True, description=_("verified"))
    def organisation_verified(self, obj):
        return obj.organisation.is_verified


class PhotoInlineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        primaries = [
            form
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("is_primary")
        ]
        if len(primaries) > 1:
            raise ValidationError(_("Only one photo can be the primary photo."))


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


class ProductAdminForm(forms.ModelForm):
    new_photo = forms.FileField(
        label=_("Add a photo"),
        required=False,
        validators=[validate_image_upload],
        help_text=_("JPEG, PNG or WebP, at most 10 MB and 40 megapixels."),
    )
    new_photo_alt_text = forms.CharField(label=_("What the new photo shows"), max_length=200, required=False)

    class Meta:
        model = Product
        fields = [*ProductForm.Meta.fields, "producer", "status"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    form = ProductAdminForm
    list_display = ["name", "producer", "subgroup", "status", "current_stars", "published_at"]
    list_filter = ["status", "subgroup__group", "producer__province", "producer__is_verified"]
    list_select_related = ["producer", "subgroup", "current_certificate"]
    search_fields = ["name", "name_en", "producer__name", "gtin"]
    autocomplete_fields = ["producer"]
    readonly_fields = ["current_certificate", "published_at", "created_at", "updated_at"]
    inlines = [ProductPhotoInline]
    date_hierarchy = "created_at"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "subgroup":
            kwargs["queryset"] = ProductSubGroup.objects.select_related("group")
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


class CertificateAdminForm(forms.ModelForm):
    class Meta:
        model = Certificate
        fields = ["product", "rule_set", "total_score", "decision_number", "decision_date", "level"]

    def _post_clean(self):
        super()._post_clean()
        # Stars and validity are derived, never typed: check the derived record as the database will.
        if self.errors:
            return
        self.instance.derive()
        if self.instance.decision_date > timezone.localdate():
            self.add_error("decision_date", _("The decision date cannot be in the future."))
        try:
            self.instance.validate_constraints()
        except ValidationError as error:
            self.add_error(None, error)


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    form = CertificateAdminForm
    list_display = ["decision_number", "product", "stars", "total_score", "decision_date", "valid_until", "status"]
    list_filter = ["status", "stars", "level", "rule_set"]
    list_select_related = ["product", "product__producer", "rule_set"]
    search_fields = ["decision_number", "product__name", "product__producer__name"]
    autocomplete_fields = ["product"]
    readonly_fields = ["stars", "valid_until", "status", "revoked_on", "revocation_reason", "created_at"]
    date_hierarchy = "decision_date"

    def has_add_permission(self, request):
        return request.user.has_perm("catalog.certify") and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("catalog.certify") and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # Certificates are public records: they are superseded or revoked, never deleted.
        return False

    def save_model(self, request, obj, form, change):
        services.certificate_record(certificate=obj)
