"""Mixins the apps' ModelAdmins share.

- `SafeAutocompleteMixin`: the admin's autocomplete fields, safe against a submitted value that cannot be a key.
  Django's autocomplete widget looks the submitted values up as they came to show them again, so a value that
  cannot be a key of the model ("abc", "1.5", a NUL byte: only a hand-made request sends one) fails that query
  and the page answers 500. Here such a value is shown as unselected; the form field's own message says what
  was wrong with it.
- `LargeListMixin`: admin lists over tables that grow with the catalogue (products, certificates,
  organisations, the audit trail).

- `ReadOnlyAdminMixin`: records staff read and never add, change or delete.

It also lists the outgoing emails for staff (`OutgoingEmailAdmin`).
"""

from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.models import OutgoingEmail


def _may_be_key(field, value) -> bool:
    if "\x00" in str(value):
        return False
    try:
        field.to_python(value)
    except ValidationError:
        return False
    return True


class _KeysOnlyMixin:
    def optgroups(self, name, value, attr=None):
        options = self.field.remote_field.model._meta
        key = options.get_field(getattr(self.field.remote_field, "field_name", options.pk.attname))
        return super().optgroups(name, [item for item in value if _may_be_key(key, item)], attr)


class KeysOnlyAutocompleteSelect(_KeysOnlyMixin, AutocompleteSelect):
    pass


class KeysOnlyAutocompleteSelectMultiple(_KeysOnlyMixin, AutocompleteSelectMultiple):
    pass


class SafeAutocompleteMixin:
    """For a ModelAdmin or inline with `autocomplete_fields`: the same widgets, safe against a tampered value."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KeysOnlyAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KeysOnlyAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class LargeListMixin:
    """No whole-table work beside the page: no second count of every row, no "Show counts" on the filters.

    Each filter value's count reads every row (minutes for the certificates of a million products); the
    count of the filtered list is the one the pagination needs.
    """

    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER


class ReadOnlyAdminMixin:
    """A record staff read and never add, change or delete in the admin (a trail, a log, a workflow's rows)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The emails the portal has sent or is still trying to send: read-only, for staff answering "I got nothing"."""

    list_display = ["subject", "recipients", "created_at", "sent_at", "attempts", "last_error"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["subject", "to"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    @admin.display(description=_("to"))
    def recipients(self, email):
        return ", ".join(email.to)
