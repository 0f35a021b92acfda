"""What the catalogue's admin pages share: the product search box, the audit trail, the form pages of actions."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from accounts.roles import Actor
from catalog.search import product_match
from core.forms import form_add_service_error


class ProductSearchMixin:
    """The admin's search box reads the products' search documents (GIN index), not LIKE over joined tables.

    The words match as in the public catalogue: every word, as a prefix, accents optional, over the product's
    names and descriptions, its producer and place. `product_path` reaches the product from the listed model.
    A text that starts with a digit also matches the start of `number_fields` (a GTIN, a decision number; each
    has a pattern index), or only them with `numbers_alone`: when they are not on the products' table, an OR
    across the join would read every row. `search_fields` only switch the search box on.
    """

    product_path = ""
    number_fields: tuple[str, ...] = ()
    numbers_alone = False

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        condition = Q(pk__in=[])
        is_number = term[0].isdigit()
        if is_number:
            for field in self.number_fields:
                condition |= Q(**{f"{field}__startswith": term})
        words = None if is_number and self.numbers_alone else product_match(term, path=self.product_path)
        if words is not None:
            condition |= words
        return queryset.filter(condition), False


def staff_actor(request) -> Actor:
    """Staff act in the admin as themselves, never on behalf of a producer."""
    return Actor(user=request.user, organisation=None, on_behalf=False)


def stars_label(stars: int | None) -> str:
    return f"{stars}★" if stars else "—"


class AuditTrailAdmin(SimpleHistoryAdmin):
    """The history pages are the audit trail staff read; they never revert a record around the services."""

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class ActionPageMixin:
    """A small form page of the admin that calls one service and returns to the change page."""

    action_template = "admin/catalog/action_form.html"

    def change_url(self, obj) -> str:
        opts = self.model._meta
        return reverse(
            f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk], current_app=self.admin_site.name
        )

    def refuse_unavailable(self, request, obj, message: str) -> HttpResponseRedirect:
        self.message_user(request, message, messages.WARNING)
        return HttpResponseRedirect(self.change_url(obj))

    def action_page(self, request, *, obj, form, perform, title, summary, intro="", extra_context=None):
        """On a valid POST run `perform(cleaned_data)` (it returns the success message); show any refusal."""
        if form.is_bound and form.is_valid():
            try:
                message = perform(form.cleaned_data)
            except ValidationError as error:
                form_add_service_error(form, error)
            else:
                self.message_user(request, message, messages.SUCCESS)
                return HttpResponseRedirect(self.change_url(obj))
        request.current_app = self.admin_site.name
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "title": title,
            "subtitle": str(obj),
            "summary": summary,
            "intro": intro,
            "form": form,
            "submit_label": title,
            "cancel_url": self.change_url(obj),
            **(extra_context or {}),
        }
        return TemplateResponse(request, self.action_template, context)
