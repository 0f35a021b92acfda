"""Forms of the event meetings: slot setup, availability and a hand move. The rules live in the services."""

import datetime

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from core.forms import SingleLineFieldsMixin
from events.models import Event
from matchmaking.models import MeetingSlot, MeetingTable
from matchmaking.services.event_meetings import MAX_LENGTH_MINUTES, MAX_TABLES, MIN_LENGTH_MINUTES, SlotPlan


def event_days(event: Event) -> list[datetime.date]:
    first, last = timezone.localdate(event.starts_at), timezone.localdate(event.ends_at)
    return [first + datetime.timedelta(days=offset) for offset in range((last - first).days + 1)]


class SlotTimeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _slot_text(obj)


class SlotTimeMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return _slot_text(obj)


def _slot_text(slot: MeetingSlot) -> str:
    starts, ends = timezone.localtime(slot.starts_at), timezone.localtime(slot.ends_at)
    return (
        f"{formats.date_format(starts, 'SHORT_DATE_FORMAT')} "
        f"{formats.date_format(starts, 'TIME_FORMAT')}–{formats.date_format(ends, 'TIME_FORMAT')}"
    )


class MeetingSetupForm(SingleLineFieldsMixin, forms.Form):
    day = forms.TypedChoiceField(label=_("Day"), coerce=datetime.date.fromisoformat)
    starts = forms.TimeField(
        label=_("First meeting starts at"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        initial=datetime.time(13, 30),
    )
    ends = forms.TimeField(
        label=_("Last meeting ends by"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        initial=datetime.time(17, 0),
    )
    length_minutes = forms.IntegerField(
        label=_("Length of a meeting (minutes)"),
        min_value=MIN_LENGTH_MINUTES,
        max_value=MAX_LENGTH_MINUTES,
        initial=20,
    )
    table_count = forms.IntegerField(label=_("Number of tables"), min_value=1, max_value=MAX_TABLES, initial=20)

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        days = event_days(event)
        self.fields["day"].choices = [(day.isoformat(), formats.date_format(day, "DATE_FORMAT")) for day in days]
        self.fields["day"].initial = days[0].isoformat()
        if len(days) == 1:
            self.fields["day"].widget = forms.HiddenInput()

    def plan(self) -> SlotPlan:
        data = self.cleaned_data
        return SlotPlan(
            day=data["day"],
            starts=data["starts"],
            ends=data["ends"],
            length_minutes=data["length_minutes"],
            table_count=data["table_count"],
        )


class AvailabilityForm(SingleLineFieldsMixin, forms.Form):
    unavailable = SlotTimeMultipleChoiceField(
        label=_("Slots you cannot attend"),
        queryset=MeetingSlot.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Tick every slot in which you cannot meet; leave the others free."),
    )

    def __init__(self, *args, slots: list[MeetingSlot], unavailable: set[int], busy: dict[int, str], **kwargs):
        """`busy`: slot id -> the organisation's meeting there, in words."""
        super().__init__(*args, **kwargs)
        field = self.fields["unavailable"]
        field.queryset = MeetingSlot.objects.filter(pk__in=[slot.pk for slot in slots]).order_by("starts_at")
        # The slots are already loaded: offer them without another query.
        field.choices = [
            (slot.pk, f"{_slot_text(slot)} — {busy[slot.pk]}" if slot.pk in busy else _slot_text(slot))
            for slot in slots
        ]
        field.initial = sorted(unavailable)


class MeetingMoveForm(SingleLineFieldsMixin, forms.Form):
    slot = SlotTimeChoiceField(label=_("Slot"), queryset=MeetingSlot.objects.none(), empty_label=None)
    table = forms.ModelChoiceField(label=_("Table"), queryset=MeetingTable.objects.none(), empty_label=None)

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].queryset = MeetingSlot.objects.filter(event=event)
        self.fields["table"].queryset = MeetingTable.objects.filter(event=event)
