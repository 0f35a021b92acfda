from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.roles import Actor
from catalog import services
from catalog.filters import STAR_CHOICES
from catalog.forms import ProductForm
from catalog.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    Certificate,
    EvaluationCycle,
    ProducerProfile,
    Product,
    ProductGroup,
    ProductPhoto,
    ProductSubGroup,
    RuleSet,
    Score,
)
from catalog.ocop_rules import CENTRAL_CANDIDATE_SCORE, CERTIFIED_SCORE, average_total, stars_for_score
from catalog.search import product_match
from core.admin import LargeListMixin, SafeAutocompleteMixin
from core.forms import form_add_service_error
from core.images import validate_image_upload


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
class ProducerProfileAdmin(SafeAutocompleteMixin, admin.ModelAdmin):
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("subgroup")
        if field is None or not (self.instance.subgroup_id and self.instance.subgroup.is_broad):
            return
        # The broad level an imported list gave stays selectable until staff choose the sub-group.
        field.queryset = ProductSubGroup.objects.filter(
            Q(is_broad=False) | Q(pk=self.instance.subgroup_id)
        ).select_related("group")
        field.help_text = _(
            "The province's list gave only this broader level of the classification: refine it to the product's "
            "sub-group."
        )


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


# --- The OCOP certification: staff run it here, every change through catalog.services ---------------------------

REVIEW_PERMISSION = "catalog.change_application"
CERTIFY_PERMISSION = "catalog.certify"
REVOCABLE_STATUSES = (Certificate.Status.VALID, Certificate.Status.EXPIRED)


def staff_actor(request) -> Actor:
    """Staff act in the admin as themselves, never on behalf of a producer."""
    return Actor(user=request.user, organisation=None, on_behalf=False)


def stars_label(stars: int | None) -> str:
    return f"{stars}★" if stars else "—"


def date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


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


class ApplicationStepForm(forms.Form):
    """The form of one workflow step; it knows the application and the staff member."""

    def __init__(self, *args, application: Application, user, **kwargs):
        self.application = application
        self.user = user
        super().__init__(*args, **kwargs)


class ConfirmForm(ApplicationStepForm):
    """Nothing to type: the page says what will happen and the button does it."""


class ReturnForm(ApplicationStepForm):
    message = forms.CharField(
        label=_("What the producer must add or correct"),
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text=_("The producer reads this with the returned application."),
    )


class ScoreForm(ApplicationStepForm):
    section_a = forms.DecimalField(
        label=_("Section A — product and community strength"), max_digits=4, decimal_places=1
    )
    section_b = forms.DecimalField(label=_("Section B — marketing"), max_digits=4, decimal_places=1)
    section_c = forms.DecimalField(label=_("Section C — product quality"), max_digits=4, decimal_places=1)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 4, "cols": 80}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rule_set = self.application.cycle.rule_set
        for name, maximum in (
            ("section_a", rule_set.max_section_a),
            ("section_b", rule_set.max_section_b),
            ("section_c", rule_set.max_section_c),
        ):
            # The service checks the range against the rule set; the form only says it and guides the browser.
            self.fields[name].help_text = _("0–%(maximum)s points (%(rule_set)s)") % {
                "maximum": maximum,
                "rule_set": rule_set.code,
            }
            self.fields[name].widget.attrs.update(min=0, max=maximum)
        mine = self.application.scores.filter(scorer=self.user).first()
        if mine is not None:
            self.initial.update(
                section_a=mine.section_a, section_b=mine.section_b, section_c=mine.section_c, note=mine.note
            )


class RecogniseForm(ApplicationStepForm):
    decision_number = forms.CharField(label=_("Decision number"), max_length=50, help_text=_("E.g. 2150/QĐ-UBND."))
    decision_date = forms.DateField(label=_("Decision date"), widget=date_input())
    level = forms.ChoiceField(
        label=_("Recognising level"),
        choices=Certificate.Level.choices,
        help_text=_("The province recognises 3 and 4 stars; 5 stars are recognised centrally (by the ministry)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision_date"].initial = timezone.localdate()
        self.fields["level"].initial = (
            Certificate.Level.CENTRAL if self.application.stars == 5 else Certificate.Level.PROVINCE
        )


class RejectForm(ApplicationStepForm):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text=_("The producer reads this reason."),
    )


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
            REVIEW_PERMISSION,
            (Status.SUBMITTED,),
            ConfirmForm,
            _review_start,
            intro=_("The application goes under review and the council can score it. The producer is told."),
        ),
        WorkflowStep(
            "return",
            _("Return for documents"),
            REVIEW_PERMISSION,
            (Status.SUBMITTED, Status.UNDER_REVIEW),
            ReturnForm,
            _return,
            intro=_("The producer can add or correct documents and submit the application again."),
        ),
        WorkflowStep(
            "score",
            _("Enter my score"),
            CERTIFY_PERMISSION,
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
            CERTIFY_PERMISSION,
            (Status.UNDER_REVIEW,),
            ConfirmForm,
            _score_finish,
            intro=_("The council's score is the average of the members' totals; the stars follow from it."),
            context=_scores_context,
        ),
        WorkflowStep(
            "reopen",
            _("Reopen scoring"),
            CERTIFY_PERMISSION,
            (Status.SCORED,),
            ConfirmForm,
            _reopen,
            intro=_("The application goes back under review so that council members can correct their scores."),
            context=_scores_context,
        ),
        WorkflowStep(
            "propose",
            _("Propose to the centre"),
            CERTIFY_PERMISSION,
            (Status.SCORED,),
            ConfirmForm,
            _propose,
            intro=_("Products scoring 90 or more are proposed to the ministry, which recognises 5 stars."),
            offered=_central_candidate,
        ),
        WorkflowStep(
            "recognise",
            _("Recognise"),
            CERTIFY_PERMISSION,
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
            CERTIFY_PERMISSION,
            (Status.SCORED, Status.PROPOSED_CENTRAL),
            RejectForm,
            _reject,
            intro=_("The application ends without a certificate. The producer is told the reason."),
        ),
    ]
}


@admin.register(Application)
class ApplicationAdmin(ProductSearchMixin, ActionPageMixin, AuditTrailAdmin):
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

    def has_add_permission(self, request):
        # Producers create applications in their workspace.
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

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


class CertificateAdminForm(forms.ModelForm):
    class Meta:
        model = Certificate
        fields = ["product", "rule_set", "total_score", "decision_number", "decision_date", "level"]

    def _post_clean(self):
        super()._post_clean()
        # Stars and validity are derived, never typed: check the derived record as the database will.
        if self.errors:
            return
        if self.instance.decision_date > timezone.localdate():
            # Before derive(): the end of validity of a date in year 9999 is past the calendar's end.
            self.add_error("decision_date", _("The decision date cannot be in the future."))
            return
        self.instance.derive()
        try:
            self.instance.validate_constraints()
        except ValidationError as error:
            self.add_error(None, error)


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revocation"),
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text=_("The producer reads this reason; the public verification page shows the revocation."),
    )
    revoked_on = forms.DateField(label=_("Revoked on"), widget=date_input(), initial=timezone.localdate)


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
        return request.user.has_perm(CERTIFY_PERMISSION) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        # A revoked or superseded certificate is a closed record: it is read, never edited.
        if obj is not None and obj.status in (Certificate.Status.REVOKED, Certificate.Status.SUPERSEDED):
            return False
        return request.user.has_perm(CERTIFY_PERMISSION) and super().has_change_permission(request, obj)

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
        return certificate.status in REVOCABLE_STATUSES and request.user.has_perm(CERTIFY_PERMISSION)

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
        if not (self.has_view_permission(request, certificate) and request.user.has_perm(CERTIFY_PERMISSION)):
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
