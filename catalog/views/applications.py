"""The producer's OCOP applications (hồ sơ): create, add the dossier's documents, submit, follow."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView, TemplateView

from accounts.roles import actor_for
from catalog import permissions, services
from catalog.forms import ApplicationCreateForm, ApplicationDocumentForm, ApplicationScoreForm
from catalog.models import Application, ApplicationDocument, EvaluationCycle, Product
from catalog.storage import private_file_response
from catalog.views.workspace import ProducerWorkspaceMixin
from core.forms import form_add_service_error


class ApplicationWorkspaceMixin(ProducerWorkspaceMixin):
    def own_applications(self):
        return Application.objects.filter(product__producer=self.actor.organisation)

    def get_own_application(self, pk):
        # Another producer's application is not found, not forbidden: its existence is not revealed.
        return get_object_or_404(self.own_applications().select_related("product", "cycle__rule_set"), pk=pk)


class ApplicationListView(ApplicationWorkspaceMixin, ListView):
    template_name = "catalog/applications/application_list.html"
    context_object_name = "applications"
    paginate_by = 20

    def get_queryset(self):
        return self.own_applications().select_related("product", "cycle").order_by("-updated_at", "-pk")


class ApplicationCreateView(ApplicationWorkspaceMixin, TemplateView):
    template_name = "catalog/applications/application_form.html"

    def get_form(self, data=None):
        products = self.own_products().exclude(status=Product.Status.ARCHIVED).order_by("name", "pk")
        today = timezone.localdate()
        cycles = EvaluationCycle.objects.filter(opens_on__lte=today, closes_on__gte=today).select_related("rule_set")
        initial = {}
        if data is None:
            product_pk = self.request.GET.get("product", "")
            # ASCII digits of a plausible length: int() refuses "²" and numbers of thousands of digits.
            if (
                product_pk.isascii()
                and product_pk.isdigit()
                and len(product_pk) <= 18
                and products.filter(pk=product_pk).exists()
            ):
                initial["product"] = int(product_pk)
            open_cycles = list(cycles[:2])
            if len(open_cycles) == 1:
                initial["cycle"] = open_cycles[0].pk
        return ApplicationCreateForm(data, products=products, cycles=cycles, initial=initial)

    def render_form(self, form):
        return self.render_to_response(
            {
                "form": form,
                "has_open_cycle": form.fields["cycle"].queryset.exists(),
                "has_products": form.fields["product"].queryset.exists(),
            }
        )

    def get(self, request, *args, **kwargs):
        return self.render_form(self.get_form())

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if not form.is_valid():
            return self.render_form(form)
        try:
            application = services.application_create(
                actor=self.actor,
                product=form.cleaned_data["product"],
                cycle=form.cleaned_data["cycle"],
                self_assessment_score=form.cleaned_data["self_assessment_score"],
            )
        except ValidationError as error:
            form_add_service_error(form, error)
            return self.render_form(form)
        messages.success(
            request, _("The application is saved as a draft. Upload the documents of the dossier, then submit it.")
        )
        return redirect("catalog:my-application-detail", pk=application.pk)


class ApplicationDetailView(ApplicationWorkspaceMixin, TemplateView):
    """The application, its timeline and documents; POST adds a document or changes the self-assessment."""

    template_name = "catalog/applications/application_detail.html"

    def render_page(self, application, *, upload_form=None, score_form=None, status=200):
        documents = list(application.documents.all())
        present = {document.kind for document in documents}
        checklist = [
            {"label": ApplicationDocument.Kind(kind).label, "present": kind in present}
            for kind in ApplicationDocument.REQUIRED_KINDS
        ]
        return self.render_to_response(
            {
                "application": application,
                "documents": documents,
                "events": application.events.select_related("actor"),
                "checklist": checklist,
                "missing_count": sum(not item["present"] for item in checklist),
                "editable": application.is_editable_by_producer,
                "upload_form": upload_form or ApplicationDocumentForm(),
                "score_form": score_form
                or ApplicationScoreForm(initial={"self_assessment_score": application.self_assessment_score}),
            },
            status=status,
        )

    def get(self, request, pk):
        return self.render_page(self.get_own_application(pk))

    def post(self, request, pk):
        application = self.get_own_application(pk)
        if not application.is_editable_by_producer:
            messages.error(request, _("A submitted application cannot be changed."))
            return redirect("catalog:my-application-detail", pk=pk)
        action = request.POST.get("action")
        if action == "upload":
            return self.upload(application)
        if action == "score":
            return self.score(application)
        return redirect("catalog:my-application-detail", pk=pk)

    def upload(self, application):
        form = ApplicationDocumentForm(self.request.POST, self.request.FILES)
        if form.is_valid():
            try:
                document = services.document_add(
                    actor=self.actor,
                    application=application,
                    kind=form.cleaned_data["kind"],
                    upload=form.cleaned_data["file"],
                )
            except ValidationError as error:
                form_add_service_error(form, error)
            else:
                messages.success(
                    self.request,
                    _("“%(name)s” is added as: %(kind)s.")
                    % {"name": document.original_name, "kind": document.get_kind_display()},
                )
                return redirect(reverse("catalog:my-application-detail", args=[application.pk]) + "#documents")
        return self.render_page(application, upload_form=form, status=400)

    def score(self, application):
        form = ApplicationScoreForm(self.request.POST)
        if form.is_valid():
            try:
                services.application_update(
                    actor=self.actor,
                    application=application,
                    self_assessment_score=form.cleaned_data["self_assessment_score"],
                )
            except ValidationError as error:
                form_add_service_error(form, error)
            else:
                messages.success(self.request, _("The self-assessment score is saved."))
                return redirect("catalog:my-application-detail", pk=application.pk)
        return self.render_page(application, score_form=form, status=400)


class ApplicationSubmitView(ApplicationWorkspaceMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        application = self.get_own_application(pk)
        try:
            services.application_submit(actor=self.actor, application=application)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _(
                    "The application is submitted. The Department of Industry and Trade will review it "
                    "and tell you by email."
                ),
            )
        return redirect("catalog:my-application-detail", pk=pk)


class DocumentDownloadView(LoginRequiredMixin, View):
    """A dossier document, for its producer (or staff acting for it) and for staff who review dossiers."""

    http_method_names = ["get", "head"]

    def get(self, request, pk, document_pk):
        actor = actor_for(request)
        documents = ApplicationDocument.objects.filter(application_id=pk)
        if not (request.user.is_staff and request.user.has_perm(permissions.REVIEW_DOCUMENTS)):
            if actor.organisation is None:
                raise Http404
            # Anyone else's document is not found, not forbidden: its existence is not revealed.
            documents = documents.filter(application__product__producer=actor.organisation)
        document = get_object_or_404(documents, pk=document_pk)
        return private_file_response(document.file, filename=document.original_name, content_type=document.content_type)


class DocumentDeleteView(ApplicationWorkspaceMixin, TemplateView):
    """GET asks for confirmation; POST removes the document from the dossier."""

    template_name = "catalog/applications/document_confirm_delete.html"

    def get_own_document(self, pk, document_pk):
        return get_object_or_404(
            ApplicationDocument.objects.select_related("application__product", "application__cycle"),
            pk=document_pk,
            application__pk=pk,
            application__product__producer=self.actor.organisation,
        )

    def get(self, request, pk, document_pk):
        document = self.get_own_document(pk, document_pk)
        if not document.application.is_editable_by_producer:
            messages.error(request, _("Documents can only be removed while the application is a draft or returned."))
            return redirect("catalog:my-application-detail", pk=pk)
        return self.render_to_response({"document": document, "application": document.application})

    def post(self, request, pk, document_pk):
        document = self.get_own_document(pk, document_pk)
        try:
            services.document_delete(actor=self.actor, document=document)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("“%(name)s” is removed from the dossier.") % {"name": document.original_name})
        return redirect(reverse("catalog:my-application-detail", args=[pk]) + "#documents")
