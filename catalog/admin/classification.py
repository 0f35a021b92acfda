"""The admin of the OCOP classification: rule sets, product groups and their sub-groups, which are never deleted."""

from django.contrib import admin

from catalog.models import ProductGroup, ProductSubGroup, RuleSet


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
