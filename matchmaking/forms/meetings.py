"""Forms of meeting requests: the request, the moves on it, the thread and the outcome.

The forms validate the input's shape; the rules (who, when, limits) are the services' and come back as
ValidationErrors that `add_service_error` shows beside the field they name.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from catalog.models import Product
from core.forms import form_add_service_error
from events.models import Event
from matchmaking.models import MeetingOutcome, MeetingRequest
from matchmaking.selectors.meetings import eligible_events, mou_choices
from matchmaking.services import meetings as services

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
TIME_FIELDS = ("time_1", "time_2", "time_3")


def _time_field(label) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=False,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )


def time_label(time: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(time), "DATETIME_FORMAT")


class ServiceErrorsMixin:
    # A service names `proposed_times`; the form shows it beside the first time field.
    service_field_aliases = {"proposed_times": "time_1"}

    def add_service_error(self, error: ValidationError) -> None:
        """Show a service's refusal beside the field it names, or at the top when the form has no such field."""
        form_add_service_error(self, error, aliases=self.service_field_aliases)


class ProposedTimesForm(ServiceErrorsMixin, forms.Form):
    time_1 = _time_field(_("First proposed time"))
    time_2 = _time_field(_("Second proposed time"))
    time_3 = _time_field(_("Third proposed time"))

    def proposed_times(self) -> list[datetime.datetime]:
        return [self.cleaned_data[name] for name in TIME_FIELDS if self.cleaned_data.get(name)]


class ProductChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class EventChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        day = formats.date_format(timezone.localtime(obj.starts_at), "DATE_FORMAT")
        return f"{obj.name} ({day})"


class MeetingRequestForm(ProposedTimesForm):
    """Ask a producer (for a buyer) or a buyer (for a producer) to meet."""

    field_order = ["mode", "online_link", "event", *TIME_FIELDS, "products", "message"]

    mode = forms.ChoiceField(label=_("How would you like to meet?"), widget=forms.RadioSelect)
    online_link = forms.URLField(
        label=_("Online meeting link"),
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text=_("For an online meeting: the link of the video call (Zoom, Google Meet, Teams…)."),
    )
    event = EventChoiceField(
        label=_("Event"),
        queryset=Event.objects.none(),
        required=False,
        empty_label=_("Choose an event"),
        help_text=_("For a meeting at an event: only events where your registration is confirmed are listed."),
    )
    products = ProductChoiceField(
        label=_("Products to discuss"),
        queryset=Product.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    message = forms.CharField(
        label=_("Message"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Introduce your organisation and say what you would like to discuss."),
    )

    def __init__(self, *args, organisation: Organisation, producer: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = eligible_events(organisation)
        modes = MeetingRequest.Mode.choices
        if not self.fields["event"].queryset.exists():
            modes = [(value, label) for value, label in modes if value != MeetingRequest.Mode.AT_EVENT]
            del self.fields["event"]
        self.fields["mode"].choices = modes
        self.fields["products"].queryset = Product.objects.public().filter(producer=producer).order_by("name", "pk")
        if not self.fields["products"].queryset.exists():
            del self.fields["products"]
        for name in TIME_FIELDS:
            self.fields[name].help_text = ""
        self.fields["time_1"].help_text = _(
            "Up to three times that suit you; the other side picks one. A meeting lasts 30 minutes. "
            "At an event the times are optional: the organisers place the meeting in a slot."
        )


class AcceptForm(ServiceErrorsMixin, forms.Form):
    """Pick one of the proposed times (at an event there is nothing to pick: the scheduler places it)."""

    time = forms.TypedChoiceField(
        label=_("Choose the time"), widget=forms.RadioSelect, coerce=datetime.datetime.fromisoformat
    )

    def __init__(self, *args, meeting: MeetingRequest, **kwargs):
        super().__init__(*args, **kwargs)
        if meeting.mode == MeetingRequest.Mode.AT_EVENT:
            del self.fields["time"]
            return
        now = timezone.now()
        self.fields["time"].choices = [
            (time.isoformat(), time_label(time)) for time in meeting.proposed_times if time > now
        ]

    @property
    def has_choices(self) -> bool:
        return "time" not in self.fields or bool(self.fields["time"].choices)

    def chosen_time(self) -> datetime.datetime | None:
        return self.cleaned_data.get("time")


class DeclineForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Say briefly why, so that the other side understands."),
    )

    def __init__(self, *args, meeting: MeetingRequest, **kwargs):
        super().__init__(*args, **kwargs)


class ProposeForm(ProposedTimesForm):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional: it is added to the thread."),
    )

    def __init__(self, *args, meeting: MeetingRequest, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_1"].required = True
        if meeting.mode == MeetingRequest.Mode.AT_EVENT:
            self.fields["time_1"].help_text = _("Times within the event; the organisers' slots decide in the end.")


class CancelForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, meeting: MeetingRequest, **kwargs):
        super().__init__(*args, **kwargs)


ACTION_FORMS = {
    services.Action.ACCEPT: AcceptForm,
    services.Action.DECLINE: DeclineForm,
    services.Action.PROPOSE: ProposeForm,
    services.Action.CANCEL: CancelForm,
}


class MessageForm(ServiceErrorsMixin, forms.Form):
    text = forms.CharField(label=_("Your message"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))


class MoUChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title} ({formats.date_format(obj.signed_on, 'DATE_FORMAT')})"


class OutcomeForm(ServiceErrorsMixin, forms.Form):
    result = forms.ChoiceField(
        label=_("What came of the meeting?"), choices=MeetingOutcome.Result.choices, widget=forms.RadioSelect
    )
    mou = MoUChoiceField(
        label=_("MoU signed"),
        queryset=None,
        required=False,
        empty_label=_("No MoU"),
        help_text=_("From the MoU registry: MoUs both organisations signed."),
    )
    order_value = forms.IntegerField(
        label=_("Order value (VND)"), required=False, min_value=0, help_text=_("Optional: the first order's value.")
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only your organisation sees this note."),
    )

    def __init__(self, *args, meeting: MeetingRequest, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mou"].queryset = mou_choices(meeting)
