"""The admin of the OCOP certification: cycles, applications and their scores, the workflow, certificates.

Staff run the workflow here, each step a button of the application's page; every change goes through
catalog.services.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog import permissions, services
from catalog.admin.common import ActionPageMixin, AuditTrailAdmin, ProductSearchMixin, staff_actor, stars_label
from catalog.admin.forms import (
    ApplicationStepForm,
    CertificateAdminForm,
    ConfirmForm,
    RecogniseForm,
    RejectForm,
    ReturnForm,
    RevokeForm,
    ScoreForm,
)
from catalog.filters import STAR_CHOICES
from catalog.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    Certificate,
    EvaluationCycle,
    Score,
)
from catalog.ocop_rules import CENTRAL_CANDIDATE_SCORE, CERTIFIED_SCORE, average_total, stars_for_score
from core.admin import LargeListMixin, ReadOnlyAdminMixin, SafeAutocompleteMixin

REVOCABLE_STATUSES = (Certificate.Status.VALID, Certificate.Status.EXPIRED)


class StarsListFilter(admin.SimpleListFilter):
    """3, 4 or 5 stars, without reading every certificate for the values it has (as a plain field filter does)."""

    title = _("stars")
    parameter_name = "stars"

    def lookups(self, request, model_admin):
        return STAR_CHOICES

    def queryset(self, request, queryset):
        if self.value() in {value for value, _label in STAR_CHOICES}:
            return queryset.filter(stars=int(self.value()))
        return queryset


@admin.register(EvaluationCycle)
class EvaluationCycleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "year", "round", "rule_set", "opens_on", "closes_on", "application_count"]
    list_filter = ["year", "rule_set"]
    list_select_related = ["rule_set"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(application_total=Count("applications"))

    @admin.display(description=_("applications"), ordering="application_total")
    def application_count(self, obj):
        return obj.application_total


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ApplicationDocumentInline(ReadOnlyInline):
    model = ApplicationDocument
    fields = ["kind", "download", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = ["download"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")

    @admin.display(description=_("file"))
    def download(self, obj):
        # Documents live in private storage: the download view checks who may read them.
        url = reverse("catalog:application-document", args=[obj.application_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_name)


class ScoreInline(ReadOnlyInline):
    model = Score
    fields = ["scorer", "section_a", "section_b", "section_c", "total", "note", "history"]
    readonly_fields = ["total", "history"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("scorer")

    @admin.display(description=_("total"))
    def total(self, obj):
        return obj.total

    @admin.display(description=_("changes"))
    def history(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("admin:catalog_score_history", args=[obj.pk]), _("History"))


class ApplicationEventInline(ReadOnlyInline):
    model = ApplicationEvent
    verbose_name_plural = _("timeline")
    fields = ["created_at", "from_status", "to_status", "actor", "on_behalf", "message"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


# --- The workflow: each step is a button of the application's page, who may press it and what it does -------------


def _review_start(actor, application, data):
    services.application_review_start(actor=actor, application=application)
    return gettext("The review has started.")


def _return(actor, application, data):
    services.application_return(actor=actor, application=application, message=data["message"])
    return gettext("The application was returned to the producer.")


def _score(actor, application, data):
    score = services.score_enter(
        actor=actor,
        application=application,
        section_a=data["section_a"],
        section_b=data["section_b"],
        section_c=data["section_c"],
        note=data["note"],
    )
    return gettext("Your score was saved: %(total)s/100.") % {"total": score.total}


def _score_finish(actor, application, data):
    application = services.application_score_finish(actor=actor, application=application)
    return gettext("The scoring is finished: %(score)s/100, %(stars)s.") % {
        "score": application.total_score,
        "stars": stars_label(application.stars),
    }


def _reopen(actor, application, data):
    services.application_review_start(actor=actor, application=application)
    return gettext("The scoring is open again.")


def _propose(actor, application, data):
    services.application_propose_central(actor=actor, application=application)
    return gettext("The application was proposed to the centre for 5 stars.")


def _recognise(actor, application, data):
    certificate = services.application_recognise(
        actor=actor,
        application=application,
        decision_number=data["decision_number"],
        decision_date=data["decision_date"],
        level=data["level"],
    )
    return gettext("Recognised by decision %(number)s: %(stars)s, valid until %(date)s.") % {
        "number": certificate.decision_number,
        "stars": stars_label(certificate.stars),
        "date": certificate.valid_until.strftime("%d/%m/%Y"),
    }


def _reject(actor, application, data):
    services.application_reject(actor=actor, application=application, reason=data["reason"])
    return gettext("The application was marked not recognised.")


def _always(application) -> bool:
    return True


def _central_candidate(application) -> bool:
    return application.total_score is not None and application.total_score >= CENTRAL_CANDIDATE_SCORE


def _recognisable(application) -> bool:
    # A scored product of 90 or more goes to the centre first; under 50 it is not recognised at all.
    if application.status == Application.Status.PROPOSED_CENTRAL:
        return True
    return application.total_score is not None and CERTIFIED_SCORE <= application.total_score < CENTRAL_CANDIDATE_SCORE


def _scores_context(application) -> dict:
    scores = list(application.scores.select_related("scorer"))
    average = average_total([score.total for score in scores]) if scores else None
    return {
        "scores": scores,
        "show_scores": True,
        "average": average,
        "average_stars": stars_label(stars_for_score(average)) if average is not None else "",
    }


@dataclass(frozen=True)
class WorkflowStep:
    """A button on the application's change page and the form page behind it."""

    slug: str
    label: str
    permission: str
    statuses: tuple[str, ...]
    form_class: type[ApplicationStepForm]
    perform: Callable  # (actor, application, cleaned_data) -> success message
    intro: str = ""
    offered: Callable[[Application], bool] = _always  # whether the button shows; the service has the last word
    context: Callable[[Application], dict] | None = None


Status = Application.Status
WORKFLOW_STEPS = {
    step.slug: step
    for step in [
        WorkflowStep(
            "review",
            _("Start the review"),
            permissions.REVIEW,
            (Status.SUBMITTED,),
            ConfirmForm,
            _review_start,
            intro=_("The application goes under review and the council can score it. The producer is told."),
        ),
        WorkflowStep(
            "return",
            _("Return for documents"),
            permissions.REVIEW,
            (Status.SUBMITTED, Status.UNDER_REVIEW),
            ReturnForm,
            _return,
            intro=_("The producer can add or correct documents and submit the application again."),
        ),
        WorkflowStep(
            "score",
            _("Enter my score"),
            permissions.CERTIFY,
            (Status.UNDER_REVIEW,),
            ScoreForm,
            _score,
            intro=_(
                "Your own points for each section of the score sheet. Each council member keeps their own score; "
                "the council's score is their average when the scoring is finished."
            ),
        ),
        WorkflowStep(
            "finish",
            _("Finish scoring"),
            permissions.CERTIFY,
            (Status.UNDER_REVIEW,),
            ConfirmForm,
            _score_finish,
            intro=_("The council's score is the average of the members' totals; the stars follow from it."),
            context=_scores_context,
        ),
        WorkflowStep(
            "reopen",
            _("Reopen scoring"),
            permissions.CERTIFY,
            (Status.SCORED,),
            ConfirmForm,
            _reopen,
            intro=_("The application goes back under review so that council members can correct their scores."),
            context=_scores_context,
        ),
        WorkflowStep(
            "propose",
            _("Propose to the centre"),
            permissions.CERTIFY,
            (Status.SCORED,),
            ConfirmForm,
            _propose,
            intro=_("Products scoring 90 or more are proposed to the ministry, which recognises 5 stars."),
            offered=_central_candidate,
        ),
        WorkflowStep(
            "recognise",
            _("Recognise"),
            permissions.CERTIFY,
            (Status.SCORED, Status.PROPOSED_CENTRAL),
            RecogniseForm,
            _recognise,
            intro=_(
                "Record the recognition decision. The product gets its certificate, valid for 36 months from the "
                "decision date; the stars follow from the council's score."
            ),
            offered=_recognisable,
        ),
        WorkflowStep(
            "reject",
            _("Not recognised"),
            permissions.CERTIFY,
            (Status.SCORED, Status.PROPOSED_CENTRAL),
            RejectForm,
            _reject,
            intro=_("The application ends without a certificate. The producer is told the reason."),
        ),
    ]
}


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdminMixin, ProductSearchMixin, ActionPageMixin, AuditTrailAdmin):
    # Producers create applications in their workspace; staff act on them through the action pages.
    """Read-only records; the status moves only through the workflow buttons."""

    product_path = "product__"
    search_help_text = _("Words of the product, its producer or its place (accents optional).")

    change_form_template = "admin/catalog/application/change_form.html"
    list_display = ["product", "producer", "cycle", "status", "total_score", "stars", "updated_at"]
    list_filter = ["status", "cycle"]
    list_select_related = ["product__producer", "cycle"]
    search_fields = ["product__name", "product__producer__name"]
    fieldsets = [
        (None, {"fields": ["product", "producer", "cycle", "rule_set", "status", "certificate"]}),
        (_("Scores"), {"fields": ["self_assessment_score", "total_score", "stars"]}),
        (_("Messages"), {"fields": ["return_message", "decision_note"]}),
        (_("Dates"), {"fields": ["created_at", "submitted_at", "updated_at"]}),
    ]
    readonly_fields = [field for _name, options in fieldsets for field in options["fields"]]
    inlines = [ApplicationDocumentInline, ScoreInline, ApplicationEventInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product__producer", "cycle__rule_set")

    @admin.display(description=_("producer"), ordering="product__producer__name")
    def producer(self, obj):
        return obj.product.producer

    @admin.display(description=_("rule set"))
    def rule_set(self, obj):
        return obj.cycle.rule_set

    @admin.display(description=_("stars"), ordering="total_score")
    def stars(self, obj):
        return stars_label(obj.stars)

    @admin.display(description=_("certificate"))
    def certificate(self, obj):
        certificate = obj.certificates.order_by("-pk").first()
        if certificate is None:
            return "—"
        url = reverse("admin:catalog_certificate_change", args=[certificate.pk], current_app=self.admin_site.name)
        return format_html('<a href="{}">{}</a>', url, certificate)

    def get_urls(self):
        steps = [
            path(
                f"<int:object_id>/{slug}/",
                self.admin_site.admin_view(self.workflow_view),
                {"slug": slug},
                name=f"catalog_application_{slug}",
            )
            for slug in WORKFLOW_STEPS
        ]
        return steps + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        application = self.get_object(request, unquote(object_id))
        buttons = self.workflow_buttons(request, application) if application is not None else []
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "workflow_buttons": buttons})

    def workflow_buttons(self, request, application) -> list[dict]:
        """The moves the application's status allows and the user's permissions allow."""
        buttons = []
        for step in WORKFLOW_STEPS.values():
            if not (
                application.status in step.statuses
                and step.offered(application)
                and request.user.has_perm(step.permission)
            ):
                continue
            label = self.step_label(step, application, request.user)
            url = reverse(
                f"admin:catalog_application_{step.slug}", args=[application.pk], current_app=self.admin_site.name
            )
            buttons.append({"slug": step.slug, "label": label, "url": url})
        return buttons

    @staticmethod
    def step_label(step, application, user):
        if step.form_class is ScoreForm and application.scores.filter(scorer=user).exists():
            return _("Correct my score")
        return step.label

    def workflow_view(self, request, object_id, slug):
        step = WORKFLOW_STEPS[slug]
        application = self.get_object(request, str(object_id))
        if application is None:
            raise Http404
        if not (self.has_view_permission(request, application) and request.user.has_perm(step.permission)):
            raise PermissionDenied
        if application.status not in step.statuses:
            return self.refuse_unavailable(
                request,
                application,
                gettext("“%(step)s” is not possible while the application is “%(status)s”.")
                % {"step": step.label, "status": application.get_status_display()},
            )
        form = step.form_class(
            request.POST if request.method == "POST" else None, application=application, user=request.user
        )
        actor = staff_actor(request)
        return self.action_page(
            request,
            obj=application,
            form=form,
            perform=lambda data: step.perform(actor, application, data),
            title=self.step_label(step, application, request.user),
            intro=step.intro,
            summary=[
                (_("product"), application.product),
                (_("producer"), application.product.producer),
                (_("evaluation cycle"), f"{application.cycle} ({application.cycle.rule_set})"),
                (_("status"), application.get_status_display()),
                (_("council score"), application.total_score if application.total_score is not None else "—"),
                (_("stars"), stars_label(application.stars)),
            ],
            extra_context=step.context(application) if step.context else None,
        )


@admin.register(Score)
class ScoreAdmin(AuditTrailAdmin):
    """Read-only: council members score through the application's "Enter my score" page."""

    list_display = ["application", "scorer", "section_a", "section_b", "section_c", "total", "updated_at"]
    list_filter = ["application__cycle"]
    list_select_related = ["application__product", "application__cycle", "scorer"]
    search_fields = ["application__product__name", "scorer__email", "scorer__full_name"]
    fields = [
        "application",
        "scorer",
        "section_a",
        "section_b",
        "section_c",
        "total",
        "note",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("total"))
    def total(self, obj):
        return obj.total


@admin.register(Certificate)
class CertificateAdmin(LargeListMixin, ProductSearchMixin, SafeAutocompleteMixin, ActionPageMixin, AuditTrailAdmin):
    form = CertificateAdminForm
    change_form_template = "admin/catalog/certificate/change_form.html"
    list_display = [
        "decision_number",
        "product",
        "stars",
        "total_score",
        "decision_date",
        "valid_until",
        "status",
        "verification",
    ]
    list_filter = ["status", StarsListFilter, "level", "rule_set", "decision_date"]
    list_select_related = ["product", "product__producer", "rule_set"]
    search_fields = ["decision_number", "product__name", "product__producer__name"]
    search_help_text = _("A decision number (from its start), or words of the product, its producer or its place.")
    product_path = "product__"
    number_fields = ("decision_number",)
    numbers_alone = True
    autocomplete_fields = ["product"]
    readonly_fields = [
        "stars",
        "valid_until",
        "status",
        "revoked_on",
        "revocation_reason",
        "created_at",
        "application",
        "verification",
    ]

    def has_add_permission(self, request):
        return request.user.has_perm(permissions.CERTIFY) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        # A revoked or superseded certificate is a closed record: it is read, never edited.
        if obj is not None and obj.status in (Certificate.Status.REVOKED, Certificate.Status.SUPERSEDED):
            return False
        return request.user.has_perm(permissions.CERTIFY) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # Certificates are public records: they are superseded or revoked, never deleted.
        return False

    def save_model(self, request, obj, form, change):
        services.certificate_record(certificate=obj, actor=staff_actor(request))

    @admin.display(description=_("verification code"))
    def verification(self, obj):
        if obj.pk is None:
            return "—"
        url = reverse("catalog:certificate-verify", args=[obj.verification_code])
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, obj.verification_code)

    def get_urls(self):
        revoke = path(
            "<int:object_id>/revoke/", self.admin_site.admin_view(self.revoke_view), name="catalog_certificate_revoke"
        )
        return [revoke, *super().get_urls()]

    def may_revoke(self, request, certificate) -> bool:
        return certificate.status in REVOCABLE_STATUSES and request.user.has_perm(permissions.CERTIFY)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        certificate = self.get_object(request, unquote(object_id))
        buttons = []
        if certificate is not None and self.may_revoke(request, certificate):
            url = reverse("admin:catalog_certificate_revoke", args=[certificate.pk], current_app=self.admin_site.name)
            buttons.append({"slug": "revoke", "label": _("Revoke"), "url": url})
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "workflow_buttons": buttons})

    def revoke_view(self, request, object_id):
        certificate = self.get_object(request, str(object_id))
        if certificate is None:
            raise Http404
        if not (self.has_view_permission(request, certificate) and request.user.has_perm(permissions.CERTIFY)):
            raise PermissionDenied
        if certificate.status not in REVOCABLE_STATUSES:
            return self.refuse_unavailable(
                request,
                certificate,
                gettext("A certificate that is “%(status)s” cannot be revoked.")
                % {"status": certificate.get_status_display()},
            )
        form = RevokeForm(request.POST if request.method == "POST" else None)
        actor = staff_actor(request)

        def perform(data):
            services.certificate_revoke(
                actor=actor, certificate=certificate, reason=data["reason"], revoked_on=data["revoked_on"]
            )
            return gettext("The certificate was revoked.")

        return self.action_page(
            request,
            obj=certificate,
            form=form,
            perform=perform,
            title=_("Revoke the certificate"),
            intro=_(
                "The product loses its OCOP stars from this date. The producer is told by email, and the public "
                "verification page shows the certificate as revoked."
            ),
            summary=[
                (_("product"), certificate.product),
                (_("producer"), certificate.product.producer),
                (_("decision"), f"{certificate.decision_number} ({certificate.decision_date:%d/%m/%Y})"),
                (_("stars"), stars_label(certificate.stars)),
                (_("valid until"), f"{certificate.valid_until:%d/%m/%Y}"),
                (_("status"), certificate.get_public_status_display()),
            ],
        )
