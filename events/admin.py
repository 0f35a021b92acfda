"""Staff run events, their agenda and the MoU registry here; registrations change only through the site.

The database's check constraints hold the rules; these forms put each rule's message beside the field it
is about, so staff see "ends before it starts" on the end date rather than a 500 or a banner.
"""

import operator
import uuid

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.roles import Actor
from catalog.documents import document_check, validate_document_upload
from core.admin import SafeAutocompleteMixin
from events import services
from events.models import Event, MoU, MoUNote, MoUParty, Registration, Session, Speaker


def constraint_message(model, name: str) -> str:
    """The message a model's check constraint gives, so the form says exactly what the database enforces."""
    constraint = next(constraint for constraint in model._meta.constraints if constraint.name == name)
    return constraint.get_violation_error_message()


class OrderedFieldsFormMixin:
    """Checks `first < second` style rules in the form and shows each constraint's message beside a field.

    `order_rules`: (constraint name, earlier field, later field, comparison, field for the message).
    A field with an error is left out of the database constraint check, so the message shows only once.
    """

    order_rules: tuple = ()

    def clean(self):
        cleaned_data = super().clean()
        for name, earlier, later, compare, field in self.order_rules:
            first, second = cleaned_data.get(earlier), cleaned_data.get(later)
            if first is not None and second is not None and not compare(first, second) and field not in self.errors:
                self.add_error(field, constraint_message(self._meta.model, name))
        return cleaned_data


def staff_actor(request) -> Actor:
    """Staff act in the admin as themselves, never on behalf of an organisation."""
    return Actor(user=request.user, organisation=None, on_behalf=False)


# --- Events and their agenda --------------------------------------------------------------------------------------


class EventAdminForm(OrderedFieldsFormMixin, forms.ModelForm):
    order_rules = (
        ("event_starts_before_ends", "starts_at", "ends_at", operator.lt, "ends_at"),
        (
            "event_registration_opens_before_closes",
            "registration_opens_at",
            "registration_closes_at",
            operator.lt,
            "registration_closes_at",
        ),
        (
            "event_registration_closes_by_end",
            "registration_closes_at",
            "ends_at",
            operator.le,
            "registration_closes_at",
        ),
    )

    class Meta:
        model = Event
        fields = [
            "name",
            "slug",
            "kind",
            "status",
            "organiser",
            "description",
            "starts_at",
            "ends_at",
            "venue",
            "address",
            "province",
            "registration_opens_at",
            "registration_closes_at",
            "capacity",
            "requires_approval",
            "report_published",
        ]

    # A date in year 1 is stored in UTC as year 0, which no page can read back; one in year 9999 overflows
    # as soon as a meeting slot is added to it.
    years = (2000, 2100)

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("capacity") == 0:
            self.add_error("capacity", _("The capacity is at least one person; leave it empty for no limit."))
        for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
            value = cleaned_data.get(name)
            if value is not None and not self.years[0] <= value.year <= self.years[1]:
                self.add_error(
                    name,
                    _("Enter a date in the years %(first)s to %(last)s.")
                    % {"first": self.years[0], "last": self.years[1]},
                )
        return cleaned_data


class SessionForm(OrderedFieldsFormMixin, forms.ModelForm):
    """A session: it ends after it starts and lies within its event's dates (services.session_check)."""

    order_rules = (("session_starts_before_ends", "starts_at", "ends_at", operator.lt, "ends_at"),)

    class Meta:
        model = Session
        fields = ["event", "starts_at", "ends_at", "title", "room", "moderator", "topics"]

    def __init__(self, *args, event=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event

    def clean(self):
        cleaned_data = super().clean()
        event = self.event or cleaned_data.get("event")
        starts_at, ends_at = cleaned_data.get("starts_at"), cleaned_data.get("ends_at")
        # The event's own dates may be missing when its form has errors; they are reported there.
        if event is not None and event.starts_at and event.ends_at and starts_at and ends_at:
            try:
                services.session_check(Session(event=event, starts_at=starts_at, ends_at=ends_at))
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned_data


class SessionInlineFormSet(forms.BaseInlineFormSet):
    def get_form_kwargs(self, index):
        # The event being edited, with the dates just typed: a session is checked against those.
        return {**super().get_form_kwargs(index), "event": self.instance}


class SessionInline(admin.StackedInline):
    model = Session
    form = SessionForm
    formset = SessionInlineFormSet
    extra = 0
    fields = [("starts_at", "ends_at"), "title", ("room", "moderator"), "topics"]
    show_change_link = True


@admin.register(Event)
class EventAdmin(SafeAutocompleteMixin, admin.ModelAdmin):
    form = EventAdminForm
    list_display = ["name", "kind", "starts_at", "status", "province", "report_published"]
    list_filter = ["status", "kind", "report_published", "province"]
    list_select_related = ["province"]
    search_fields = ["name", "slug", "venue"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["organiser", "province"]
    date_hierarchy = "starts_at"
    readonly_fields = ["created_at", "report_link"]
    inlines = [SessionInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "status", "organiser", "description"]}),
        (_("Date and place"), {"fields": [("starts_at", "ends_at"), "venue", "address", "province"]}),
        (
            _("Registration"),
            {"fields": [("registration_opens_at", "registration_closes_at"), "capacity", "requires_approval"]},
        ),
        (_("Report"), {"fields": ["report_published", "report_link", "created_at"]}),
    ]

    @admin.display(description=_("report page"))
    def report_link(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        url = reverse("reports:event-report", args=[obj.slug])
        return format_html('<a href="{}">{}</a>', url, url)


class SpeakerInline(admin.TabularInline):
    model = Speaker
    extra = 0
    fields = ["position", "name", "title", "organisation_name"]


@admin.register(Session)
class SessionAdmin(SafeAutocompleteMixin, admin.ModelAdmin):
    form = SessionForm
    list_display = ["title", "event", "starts_at", "ends_at", "room"]
    list_filter = ["event"]
    list_select_related = ["event"]
    search_fields = ["title", "moderator", "event__name"]
    autocomplete_fields = ["event"]
    inlines = [SpeakerInline]


# --- Registrations: read here, changed through the site's services ------------------------------------------------


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["organisation", "event", "participation", "status", "people_count", "checked_in_at"]
    list_filter = ["event", "participation", "status", "organisation__kind", "organisation__province"]
    list_select_related = ["organisation", "event"]
    search_fields = ["organisation__name", "organisation__tax_code", "code"]
    date_hierarchy = "created_at"
    fields = [
        "event",
        "organisation",
        "participation",
        "people_count",
        "status",
        "code",
        "booth",
        "show_publicly",
        "products",
        "note",
        "registered_by",
        "on_behalf",
        "checked_in_at",
        "checked_in_by",
        "created_at",
        "updated_at",
    ]
    # Places, the waiting list and check-in go through events.services (capacity is locked there).
    readonly_fields = [name for name in fields if name not in ("booth",)]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- The MoU registry ---------------------------------------------------------------------------------------------


class MoUPartyFormSet(forms.BaseInlineFormSet):
    """Two or more different parties of the kinds the MoU's kind names (services.mou_parties_check)."""

    def clean(self):
        chosen = [getattr(form, "cleaned_data", {}) for form in self.forms]
        parties = [data["organisation"] for data in chosen if data.get("organisation") and not data.get("DELETE")]
        if not any(form.errors for form in self.forms) and self.instance.kind:
            try:
                services.mou_parties_check(kind=self.instance.kind, parties=parties)
            except ValidationError as error:
                raise ValidationError(error.message_dict.get("parties", error.messages)) from None
        super().clean()


class MoUPartyInline(SafeAutocompleteMixin, admin.TabularInline):
    model = MoUParty
    formset = MoUPartyFormSet
    extra = 2
    min_num = 0
    autocomplete_fields = ["organisation"]
    verbose_name_plural = _("parties (at least two)")


class MoUNoteForm(forms.ModelForm):
    class Meta:
        model = MoUNote
        fields = ["noted_on", "status", "text"]

    def __init__(self, *args, mou=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.mou = mou

    def clean(self):
        cleaned_data = super().clean()
        # services.mou_note_add's date rule, checked here so that it shows beside the date before anything is saved.
        noted_on, signed_on = cleaned_data.get("noted_on"), self.mou.signed_on if self.mou else None
        if noted_on and (noted_on > timezone.localdate() or (signed_on and noted_on < signed_on)):
            self.add_error("noted_on", _("The date lies between the signing and today."))
        return cleaned_data


class MoUNoteFormSet(forms.BaseInlineFormSet):
    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "mou": self.instance}


class MoUNoteInline(admin.TabularInline):
    """The follow-up timeline; a new note goes through services.mou_note_add, so the MoU takes its status."""

    model = MoUNote
    form = MoUNoteForm
    formset = MoUNoteFormSet
    extra = 0
    fields = ["noted_on", "status", "text", "author"]
    readonly_fields = ["author"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PrivateDocumentInput(forms.ClearableFileInput):
    """The signed document has no public address: link to the download that checks permissions instead."""

    class Link:
        def __init__(self, name: str, url: str):
            self.name, self.url = name, url

        def __str__(self):
            return self.name

    def is_initial(self, value):
        return bool(value and getattr(value, "name", None))

    def format_value(self, value):
        if self.is_initial(value) and getattr(value, "instance", None) is not None and value.instance.pk:
            url = reverse("events:mou-document", args=[value.instance.pk])
            return self.Link(value.name.rsplit("/", 1)[-1], url)
        return None


class MoUAdminForm(forms.ModelForm):
    class Meta:
        model = MoU
        fields = ["kind", "title", "scope", "signed_on", "event", "products", "value", "status", "document"]
        widgets = {"document": PrivateDocumentInput(attrs={"accept": "application/pdf,image/jpeg,image/png"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "document" in self.fields:
            self.fields["document"].validators.append(validate_document_upload)
            self.fields["document"].help_text = _("PDF, JPEG or PNG, at most 10 MB. Only the parties and staff see it.")


@admin.register(MoU)
class MoUAdmin(SafeAutocompleteMixin, admin.ModelAdmin):
    form = MoUAdminForm
    list_display = ["title", "kind", "signed_on", "event", "status", "value"]
    list_filter = ["kind", "status", "event"]
    list_select_related = ["event"]
    search_fields = ["title", "scope", "party_links__organisation__name"]
    date_hierarchy = "signed_on"
    autocomplete_fields = ["event", "products"]
    readonly_fields = ["created_by", "created_at"]
    fields = [
        "kind",
        "title",
        "scope",
        "signed_on",
        "event",
        "products",
        "value",
        "status",
        "document",
        "created_by",
        "created_at",
    ]
    inlines = [MoUPartyInline, MoUNoteInline]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        if "document" in form.changed_data and obj.document and not obj.document._committed:
            # Stored under a generated name whose extension is the type read from the content (already validated
            # by the form), so the download's type never follows the name the file arrived with.
            _content_type, extension = document_check(upload=obj.document.file)
            obj.document.name = f"{uuid.uuid4().hex}.{extension}"
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not MoUNote:
            return super().save_formset(request, form, formset, change)
        actor = staff_actor(request)
        # The admin's history message reads these, as after a formset's own save().
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for note_form in formset.extra_forms:
            if not note_form.has_changed() or note_form in formset.deleted_forms:
                continue
            note = services.mou_note_add(
                actor=actor,
                mou=form.instance,
                status=note_form.cleaned_data["status"],
                text=note_form.cleaned_data["text"],
                noted_on=note_form.cleaned_data["noted_on"],
            )
            formset.new_objects.append(note)
        # The status the last note gave is the MoU's status; the change form must not overwrite it later.
        form.instance.refresh_from_db(fields=["status"])
        return None
