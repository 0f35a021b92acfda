from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminFileWidget
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import services
from accounts.models import ActionRecord, LegacyWard, Organisation, Province, User, Ward
from core.admin import LargeListMixin, ReadOnlyAdminMixin, SafeAutocompleteMixin
from core.images import ACCEPT as IMAGE_ACCEPT
from core.images import validate_image_upload


@admin.register(User)
class UserAdmin(SafeAutocompleteMixin, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "organisation", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups", "organisation__kind"]
    list_select_related = ["organisation"]
    search_fields = ["email", "full_name", "organisation__name"]
    autocomplete_fields = ["organisation"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "phone", "organisation")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "organisation", "password1", "password2")}),
    )
    # The fields that grant rights: only superusers set them, or staff who may change users could make
    # anyone (themselves included) staff, superuser or a member of the certifying council.
    privilege_fields = ("is_staff", "is_superuser", "groups", "user_permissions")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += [name for name in self.privilege_fields if name not in fields]
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None or request.user.is_superuser or "password" not in form.base_fields:
            return form

        class WithoutThePasswordLink(form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.fields["password"].help_text = _(
                    "Only a superuser sets a password here. The member resets their own from the sign-in page."
                )

        return WithoutThePasswordLink

    def user_change_password(self, request, id, form_url=""):
        # Setting a member's password would let staff sign in as that member, outside "acting on behalf" and
        # its audit trail: only a superuser may, and staff send the member a password reset instead.
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def has_change_permission(self, request, obj=None):
        # A staff account, its password included, is a superuser's to change: whoever could reset a council
        # member's password could sign in and certify. Other staff still see it, read-only.
        if obj is not None and (obj.is_staff or obj.is_superuser) and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)


class MemberInline(admin.TabularInline):
    model = User
    fields = ["email", "full_name", "phone", "is_active"]
    readonly_fields = ["email"]
    extra = 0
    can_delete = False
    show_change_link = True

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if request.user.is_superuser:
            return formset

        class StaffAccountsLocked(formset):
            """A staff or superuser account in the list is a superuser's to change (as in the user admin): its
            row is shown, and whatever is posted for it is ignored."""

            def _construct_form(self, i, **form_kwargs):
                form = super()._construct_form(i, **form_kwargs)
                member = form.instance
                if member.pk and (member.is_staff or member.is_superuser):
                    for field in form.fields.values():
                        field.disabled = True
                return form

        return StaffAccountsLocked


@admin.register(Organisation)
class OrganisationAdmin(LargeListMixin, SafeAutocompleteMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "tax_code", "province", "is_verified", "created_at"]
    list_filter = ["kind", "is_verified", "province", "created_at"]
    list_select_related = ["province"]
    search_fields = ["name", "tax_code", "email"]
    autocomplete_fields = ["province", "ward"]
    readonly_fields = ["is_verified", "verified_at", "verified_by", "created_at"]
    inlines = [MemberInline]
    actions = ["verify_selected"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "website":
            kwargs["assume_scheme"] = "https"
        if db_field.name == "logo":
            # The Pillow pipeline decides what an image is, as on the organisation's own form (not ImageField's check).
            return forms.FileField(
                label=db_field.verbose_name,
                required=False,
                validators=[validate_image_upload],
                help_text=_("JPEG, PNG or WebP, at most 10 MB and 40 megapixels."),
                widget=AdminFileWidget(attrs={"accept": IMAGE_ACCEPT}),
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if "logo" in form.changed_data:
            services.organisation_logo_process(organisation=obj)
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Verify the selected organisations"), permissions=["verify"])
    def verify_selected(self, request, queryset):
        count = 0
        for organisation in queryset.filter(is_verified=False):
            services.organisation_verify(staff_user=request.user, organisation=organisation)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d organisation verified.", "%(count)d organisations verified.", count) % {"count": count},
            messages.SUCCESS,
        )

    def has_verify_permission(self, request):
        return request.user.has_perm("accounts.verify_organisation")


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["name", "short_name", "code"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Ward)
class WardAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "province"]
    list_filter = ["province"]
    list_select_related = ["province"]
    search_fields = ["name", "short_name", "code"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LegacyWard)
class LegacyWardAdmin(admin.ModelAdmin):
    list_display = ["name", "district_name", "province_name", "ward"]
    list_select_related = ["ward", "ward__province"]
    search_fields = ["name", "district_name", "province_name"]
    readonly_fields = ["code", "name", "district_name", "province_name", "ward"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ActionRecord)
class ActionRecordAdmin(ReadOnlyAdminMixin, LargeListMixin, admin.ModelAdmin):
    list_display = ["created_at", "actor", "organisation", "on_behalf", "verb", "summary"]
    # A date filter, not a date hierarchy: the hierarchy reads every record for the years it offers.
    list_filter = ["on_behalf", "verb", "created_at"]
    list_select_related = ["actor", "organisation"]
    search_fields = ["actor__email", "organisation__name", "summary"]
