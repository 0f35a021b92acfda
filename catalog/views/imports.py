"""Staff import of the province's existing OCOP list: upload, dry run, confirmation, progress, template."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import formats
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from accounts.roles import Actor, StaffPermissionRequiredMixin
from catalog import permissions
from catalog.forms import ImportUploadForm
from catalog.imports import selectors
from catalog.imports.checking import CREATE, ERROR, INCOMPLETE, OUTCOMES, UNCHANGED, UPDATE
from catalog.imports.columns import RECOGNISED_COLUMNS
from catalog.imports.forms import ProducerChoiceForm
from catalog.imports.reading import MAX_ROWS
from catalog.imports.template import import_template_xlsx
from catalog.models import ImportBatch
from catalog.services import imports as services

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _staff_actor(request) -> Actor:
    # Importing is the department's own act, even while a staff member is acting for a producer.
    return Actor(user=request.user, organisation=None)


class ImportStaffMixin(StaffPermissionRequiredMixin):
    permission_required = (permissions.IMPORT_OCOP_LIST,)


class ImportUploadView(ImportStaffMixin, FormView):
    """Upload a list: its rows are checked (a dry run) and the results shown before anything is saved."""

    template_name = "catalog/staff/import.html"
    form_class = ImportUploadForm

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "batches": selectors.import_batches_recent(),
            "columns": RECOGNISED_COLUMNS,
            "max_rows": formats.number_format(MAX_ROWS, force_grouping=True),
        }

    def form_valid(self, form):
        try:
            batch = services.import_batch_check(actor=_staff_actor(self.request), upload=form.cleaned_data["file"])
        except ValidationError as error:
            for message in error.message_dict.get("file", error.messages):
                form.add_error("file", message)
            return self.form_invalid(form)
        return redirect(batch.get_absolute_url())


class ImportBatchView(ImportStaffMixin, TemplateView):
    """The dry run (or, once confirmed, the import's result): every row's outcome, errors first and in full."""

    template_name = "catalog/staff/import_batch.html"

    def get_context_data(self, **kwargs):
        batch = get_object_or_404(ImportBatch.objects.select_related("uploaded_by", "confirmed_by"), pk=kwargs["pk"])
        rows = selectors.import_batch_rows(
            batch=batch, outcome=self.request.GET.get("outcome", ""), page=self.request.GET.get("page")
        )
        if batch.in_progress:
            return {
                **super().get_context_data(**kwargs),
                "batch": batch,
                "progress": services.import_progress(batch=batch),
                "layout": selectors.import_layout_display(batch=batch),
            }
        counts = {outcome: batch.counts.get(outcome, 0) for outcome in OUTCOMES}
        to_import = counts[CREATE] + counts[UPDATE] + counts[INCOMPLETE]
        imported = batch.status == ImportBatch.Status.IMPORTED
        choice_form = kwargs.get("choice_form") or ProducerChoiceForm(
            rows=batch.rows, initial={ProducerChoiceForm.field_name(n): c for n, c in batch.producer_choices.items()}
        )
        return {
            **super().get_context_data(**kwargs),
            "batch": batch,
            "counts": counts,
            "to_import": to_import,
            "nothing_to_change": not imported and not to_import and counts[UNCHANGED] > 0,
            "layout": selectors.import_layout_display(batch=batch),
            "choice_form": choice_form if choice_form.rows and not imported else None,
            "rows": rows,
            "page_obj": rows.page,
            "outcome_tabs": [
                {"value": value, "label": label, "count": counts[value], "selected": rows.outcome == value}
                for value, label in _outcome_labels(imported)
            ],
            "can_confirm": not imported and to_import > 0,
            "earlier": selectors.import_batch_earlier(batch=batch),
        }


def _outcome_labels(imported: bool):
    if imported:
        return (
            (ERROR, _("Not imported")),
            (CREATE, _("Created")),
            (UPDATE, _("Updated")),
            (INCOMPLETE, _("Imported, to complete")),
            (UNCHANGED, _("Unchanged")),
        )
    return (
        (ERROR, _("Errors")),
        (CREATE, _("To create")),
        (UPDATE, _("To update")),
        (INCOMPLETE, _("To create, needs completion")),
        (UNCHANGED, _("Unchanged")),
    )


class ImportChooseView(ImportStaffMixin, View):
    """Staff say which producer a row means where its name is only close to producers in the portal."""

    http_method_names = ["post"]

    def post(self, request, pk):
        batch = get_object_or_404(ImportBatch, pk=pk)
        form = ProducerChoiceForm(request.POST, rows=batch.rows)
        if form.is_valid() and form.choices():
            try:
                services.import_batch_choose(actor=_staff_actor(request), batch=batch, choices=form.choices())
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("Your choices are recorded and the rows were checked again."))
                return redirect(batch.get_absolute_url())
        elif form.is_valid():
            messages.error(request, _("Choose a producer for at least one row."))
        view = ImportBatchView()
        view.setup(request, pk=pk)
        return view.render_to_response(view.get_context_data(pk=pk, choice_form=form), status=400)


class ImportConfirmView(ImportStaffMixin, View):
    """Import the valid rows of a checked batch; without JavaScript it is a plain POST and redirect."""

    http_method_names = ["post"]

    def post(self, request, pk):
        batch = get_object_or_404(ImportBatch.objects.defer("rows"), pk=pk)
        later = batch.row_count > services.BACKGROUND_ROWS
        try:
            if later:
                batch = services.import_batch_confirm_later(actor=_staff_actor(request), batch=batch)
            else:
                batch = services.import_batch_confirm(actor=_staff_actor(request), batch=batch)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(batch.get_absolute_url())
        if later:
            return redirect(batch.get_absolute_url())
        messages.success(
            request,
            _(
                "Imported: %(create)s rows created, %(update)s updated, %(incomplete)s created to complete, "
                "%(unchanged)s unchanged, %(error)s not imported."
            )
            % {outcome: batch.counts.get(outcome, 0) for outcome in OUTCOMES},
        )
        return redirect(batch.get_absolute_url())


class ImportProgressView(ImportStaffMixin, View):
    """How far a running import is, for the progress bar (read from the batch row, written by the import)."""

    http_method_names = ["get"]

    def get(self, request, pk):
        batch = get_object_or_404(ImportBatch.objects.defer("rows"), pk=pk)
        response = JsonResponse(services.import_progress(batch=batch))
        patch_cache_control(response, private=True, no_store=True)
        return response


class ImportTemplateView(ImportStaffMixin, View):
    """An empty list with the expected headers, a guide to each column, and the sub-group codes."""

    http_method_names = ["get", "head"]

    def get(self, request):
        response = HttpResponse(import_template_xlsx(), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = 'attachment; filename="mau-danh-sach-ocop.xlsx"'
        response["X-Content-Type-Options"] = "nosniff"
        return response
