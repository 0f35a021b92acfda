from django import forms
from django.contrib import admin
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from core.admin import SafeAutocompleteMixin
from matchmaking.models import (
    BuyerProfile,
    EventMeeting,
    MeetingMessage,
    MeetingOutcome,
    MeetingRequest,
    MeetingSlot,
    MeetingTable,
    Offer,
    ShortlistItem,
    SourcingRequest,
)


@admin.register(BuyerProfile)
class BuyerProfileAdmin(SafeAutocompleteMixin, admin.ModelAdmin):
    list_display = ["organisation", "kind", "min_stars"]
    list_filter = ["kind", "min_stars"]
    list_select_related = ["organisation"]
    search_fields = ["organisation__name"]
    autocomplete_fields = ["organisation"]
    filter_horizontal = ["subgroups", "provinces_served"]


class OfferInline(admin.TabularInline):
    model = Offer
    extra = 0
    fields = ["producer", "quantity_per_month", "unit", "price", "status", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SourcingRequest)
class SourcingRequestAdmin(SafeAutocompleteMixin, admin.ModelAdmin):
    list_display = ["title", "buyer", "subgroup", "quantity_per_month", "unit", "deadline", "status"]
    list_filter = ["status", "subgroup__group", "delivery_province"]
    list_select_related = ["buyer", "subgroup"]
    search_fields = ["title", "keywords", "buyer__name"]
    inlines = [OfferInline]
    readonly_fields = ["created_by", "created_at"]
    autocomplete_fields = ["buyer"]


class MeetingMessageInline(admin.TabularInline):
    model = MeetingMessage
    extra = 0
    fields = ["created_at", "organisation", "author", "text", "read_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class MeetingOutcomeInline(admin.TabularInline):
    model = MeetingOutcome
    extra = 0
    fields = ["organisation", "result", "mou", "order_value", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(MeetingRequest)
class MeetingRequestAdmin(admin.ModelAdmin):
    """Read-mostly: the moves go through the site so that both sides are told."""

    list_display = ["buyer", "producer", "initiator", "mode", "event", "status", "starts_at", "updated_at"]
    list_filter = ["status", "mode", "event", "hosted_by_staff"]
    list_select_related = ["buyer", "producer", "initiator", "event"]
    search_fields = ["buyer__name", "producer__name", "message"]
    readonly_fields = [
        "buyer",
        "producer",
        "initiator",
        "event",
        "sourcing_request",
        "mode",
        "online_link",
        "message",
        "proposed_times",
        "starts_at",
        "ends_at",
        "status",
        "decline_reason",
        "hosted_by_staff",
        "created_by",
        "created_at",
        "updated_at",
    ]
    exclude = ["products"]
    inlines = [MeetingMessageInline, MeetingOutcomeInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MeetingSlotForm(forms.ModelForm):
    """A slot added by hand lies within its event, as the generated ones do.

    A date far outside is worse than wrong: one in year 1 is stored in UTC as year 0 and cannot be read back.
    """

    class Meta:
        model = MeetingSlot
        fields = ["event", "starts_at", "ends_at"]

    def clean(self):
        cleaned_data = super().clean()
        event, starts_at, ends_at = (cleaned_data.get(name) for name in ("event", "starts_at", "ends_at"))
        if starts_at is None or ends_at is None:
            return cleaned_data
        if starts_at >= ends_at:
            self.add_error("ends_at", _("The slot must end after it starts."))
        elif event is not None:
            within = _("A slot must fall within its event, from %(start)s to %(end)s.") % {
                "start": formats.date_format(timezone.localtime(event.starts_at), "SHORT_DATETIME_FORMAT"),
                "end": formats.date_format(timezone.localtime(event.ends_at), "SHORT_DATETIME_FORMAT"),
            }
            if starts_at < event.starts_at:
                self.add_error("starts_at", within)
            if ends_at > event.ends_at:
                self.add_error("ends_at", within)
        return cleaned_data


@admin.register(MeetingSlot)
class MeetingSlotAdmin(admin.ModelAdmin):
    form = MeetingSlotForm
    list_display = ["event", "starts_at", "ends_at"]
    list_filter = ["event"]
    list_select_related = ["event"]


@admin.register(MeetingTable)
class MeetingTableAdmin(admin.ModelAdmin):
    list_display = ["event", "number"]
    list_filter = ["event"]
    list_select_related = ["event"]


@admin.register(EventMeeting)
class EventMeetingAdmin(admin.ModelAdmin):
    """Placements are made by the scheduler and moved on the event's board, where the rules are checked."""

    list_display = ["event", "slot", "table", "buyer", "producer", "placed_by_hand"]
    list_filter = ["event", "placed_by_hand"]
    list_select_related = ["event", "slot", "table", "buyer", "producer"]
    readonly_fields = ["request", "event", "slot", "table", "buyer", "producer", "placed_by_hand"]

    def has_add_permission(self, request):
        return False


@admin.register(ShortlistItem)
class ShortlistItemAdmin(admin.ModelAdmin):
    list_display = ["buyer", "product", "producer", "created_at"]
    list_select_related = ["buyer", "product", "producer"]
    search_fields = ["buyer__name", "product__name", "producer__name"]
    readonly_fields = ["buyer", "product", "producer", "note", "created_at"]

    def has_add_permission(self, request):
        return False
