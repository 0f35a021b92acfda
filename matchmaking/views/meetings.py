"""Meeting requests either way: the request form, the inbox, the page with its thread and moves, .ics, outcomes.

A meeting is found only among the acting organisation's own meetings (as buyer or as producer), so any
other organisation's meeting is a 404. Staff acting on behalf of an organisation act as that organisation.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView, TemplateView

from accounts.models import Organisation
from accounts.roles import OrganisationMemberRequiredMixin
from core.http import int_or_none
from matchmaking.forms.meetings import ACTION_FORMS, MeetingRequestForm, MessageForm, OutcomeForm
from matchmaking.ics import meeting_calendar
from matchmaking.models import MeetingOutcome, MeetingRequest
from matchmaking.selectors import meetings as selectors
from matchmaking.services import meetings as services

SIDES = (Organisation.Kind.BUYER, Organisation.Kind.PRODUCER)

SUCCESS_MESSAGES = {
    services.Action.ACCEPT: gettext_lazy("The meeting is accepted. The other side is told by email."),
    services.Action.DECLINE: gettext_lazy("The request is declined."),
    services.Action.PROPOSE: gettext_lazy("Your times are sent. The other side answers next."),
    services.Action.CANCEL: gettext_lazy("The meeting is cancelled."),
}


# --- What the viewer sees -----------------------------------------------------------------------------------------


def _annotate_for(meeting: MeetingRequest, organisation: Organisation) -> MeetingRequest:
    """Per-viewer facts the templates show (no queries: relations are loaded)."""
    meeting.other = meeting.other_side(organisation)
    meeting.sent_by_us = meeting.initiator_id == organisation.pk
    meeting.awaits_us = services.awaits_answer_from(meeting, organisation)
    meeting.times = services.meeting_times(meeting)
    meeting.placement_here = services.meeting_placement(meeting)
    return meeting


# --- The inbox ----------------------------------------------------------------------------------------------------


class MeetingInboxView(OrganisationMemberRequiredMixin, ListView):
    organisation_kinds = SIDES
    template_name = "matchmaking/meetings/inbox.html"
    context_object_name = "meetings"
    paginate_by = 20

    def get_queryset(self):
        status = self.request.GET.get("status", "")
        self.status = status if status in MeetingRequest.Status.values else ""
        return selectors.meeting_inbox(organisation=self.actor.organisation, status=self.status)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organisation = self.actor.organisation
        meetings = [_annotate_for(meeting, organisation) for meeting in context["page_obj"].object_list]
        counts = selectors.meeting_status_counts(organisation)
        context.update(
            {
                "meetings": meetings,
                "organisation": organisation,
                "status": self.status,
                "total": sum(counts.values()),
                "tabs": [
                    {"value": value, "label": label, "count": counts.get(value, 0), "selected": value == self.status}
                    for value, label in MeetingRequest.Status.choices
                ],
            }
        )
        return context


# --- Asking for a meeting -----------------------------------------------------------------------------------------


class MeetingRequestCreateView(OrganisationMemberRequiredMixin, TemplateView):
    """`?producer=<id>` for a buyer, `?buyer=<id>` for a producer; optional `product`, `sourcing_request`, `event`."""

    organisation_kinds = SIDES
    template_name = "matchmaking/meetings/request_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.problem = ""
        return super().dispatch(request, *args, **kwargs)

    def load_counterpart(self) -> None:
        organisation = self.actor.organisation
        is_buyer = organisation.kind == Organisation.Kind.BUYER
        counterpart_id = int_or_none(self.request.GET.get("producer" if is_buyer else "buyer"))
        self.counterpart = None
        if counterpart_id is None:
            self.problem = (
                _("Choose the producer to meet: open a producer's or a product's page and use “Request a meeting”.")
                if is_buyer
                else _("Choose the buyer to meet: open a sourcing request and use “Request a meeting”.")
            )
            return
        self.counterpart = selectors.counterpart_get(pk=counterpart_id)
        if self.counterpart is None:
            raise Http404("No such organisation.")
        try:
            services.counterpart_check(organisation=organisation, counterpart=self.counterpart)
        except ValidationError as error:
            self.problem = " ".join(error.messages)
            return
        self.buyer, self.producer = (organisation, self.counterpart) if is_buyer else (self.counterpart, organisation)
        sourcing_request_id = int_or_none(self.request.GET.get("sourcing_request"))
        self.sourcing_request = (
            selectors.buyer_request_get(buyer=self.buyer, pk=sourcing_request_id) if sourcing_request_id else None
        )

    def new_form(self, data=None) -> MeetingRequestForm:
        form = MeetingRequestForm(data, organisation=self.actor.organisation, producer=self.producer)
        if data is None:
            initial = {"mode": MeetingRequest.Mode.ONLINE}
            event_id = int_or_none(self.request.GET.get("event"))
            if "event" in form.fields and event_id and form.fields["event"].queryset.filter(pk=event_id).exists():
                initial.update(mode=MeetingRequest.Mode.AT_EVENT, event=event_id)
            product_id = int_or_none(self.request.GET.get("product"))
            if "products" in form.fields and product_id:
                initial["products"] = [product_id]
            form.initial = initial
        return form

    def render_page(self, form=None, *, status=200):
        context = self.get_context_data(
            form=form,
            problem=self.problem,
            counterpart=self.counterpart,
            organisation=self.actor.organisation,
            sourcing_request=getattr(self, "sourcing_request", None),
        )
        return self.render_to_response(context, status=status)

    def get(self, request, *args, **kwargs):
        self.load_counterpart()
        if self.problem:
            return self.render_page(status=400)
        return self.render_page(self.new_form())

    def post(self, request, *args, **kwargs):
        self.load_counterpart()
        if self.problem:
            return self.render_page(status=400)
        form = self.new_form(request.POST)
        if not form.is_valid():
            return self.render_page(form, status=400)
        data = form.cleaned_data
        try:
            meeting = services.meeting_request_create(
                actor=self.actor,
                counterpart=self.counterpart,
                mode=data["mode"],
                message=data["message"],
                proposed_times=form.proposed_times(),
                products=data.get("products") or (),
                event=data.get("event"),
                sourcing_request=self.sourcing_request,
                online_link=data["online_link"],
            )
        except ValidationError as error:
            form.add_service_error(error)
            return self.render_page(form, status=400)
        messages.success(
            request,
            _("Your meeting request is sent to %(name)s. We will email you their answer.")
            % {"name": self.counterpart.name},
        )
        return redirect("matchmaking:meeting-detail", meeting.pk)


# --- One meeting: its page, its moves, its thread -----------------------------------------------------------------


class MeetingSideMixin(OrganisationMemberRequiredMixin):
    """The meeting of the URL among the acting organisation's own; any other organisation gets a 404."""

    def get_meeting(self) -> MeetingRequest:
        return selectors.own_meeting_get(organisation=self.actor.organisation, pk=self.kwargs["pk"])

    def detail_url(self, meeting: MeetingRequest, anchor: str = "") -> str:
        return reverse("matchmaking:meeting-detail", args=[meeting.pk]) + (f"#{anchor}" if anchor else "")


class MeetingDetailView(MeetingSideMixin, TemplateView):
    """GET shows the meeting and marks the other side's messages read; POST adds a message to the thread."""

    template_name = "matchmaking/meetings/detail.html"

    def get(self, request, *args, **kwargs):
        return self.render_detail(self.get_meeting())

    def post(self, request, *args, **kwargs):
        meeting = self.get_meeting()
        form = MessageForm(request.POST)
        if form.is_valid():
            try:
                services.meeting_message_add(actor=self.actor, meeting=meeting, text=form.cleaned_data["text"])
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("Your message is sent."))
                return redirect(self.detail_url(meeting, "thread"))
        return self.render_detail(meeting, message_form=form, status=400)

    def render_detail(self, meeting, *, action_forms=None, message_form=None, status=200):
        organisation = self.actor.organisation
        _annotate_for(meeting, organisation)
        thread = selectors.meeting_thread(meeting)
        for message in thread:
            message.is_ours = message.organisation_id == organisation.pk
            message.is_new = not message.is_ours and message.read_at is None
        if any(message.is_new for message in thread):
            services.meeting_messages_mark_read(actor=self.actor, meeting=meeting)

        action_forms = action_forms or {}
        forms = {
            str(action): action_forms.get(action) or ACTION_FORMS[action](meeting=meeting, prefix=str(action))
            for action in services.allowed_actions(meeting, organisation)
        }
        if message_form is None and meeting.status in services.THREAD_OPEN_STATUSES:
            message_form = MessageForm()
        outcomes = selectors.meeting_outcomes(meeting)
        for outcome in outcomes:
            outcome.is_ours = outcome.organisation_id == organisation.pk
        context = self.get_context_data(
            meeting=meeting,
            organisation=organisation,
            thread=thread,
            forms=forms,
            message_form=message_form,
            confirmed=services.is_confirmed(meeting),
            outcome_open=services.outcome_open(meeting),
            outcomes=outcomes,
            our_outcome=next((outcome for outcome in outcomes if outcome.is_ours), None),
            history=selectors.pair_history(meeting),
        )
        return self.render_to_response(context, status=status)


class MeetingActionView(MeetingDetailView):
    """POST `accept`, `decline`, `propose` or `cancel`; a move the table does not give this side is refused (403)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            action = services.Action(kwargs["action"])
        except ValueError:
            raise Http404("No such move.") from None
        meeting = self.get_meeting()
        if not services.may_make(meeting, self.actor.organisation, action):
            raise PermissionDenied("This side may not make this move now.")
        form = ACTION_FORMS[action](request.POST, meeting=meeting, prefix=str(action))
        if form.is_valid():
            try:
                self.perform(action, meeting, form)
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, SUCCESS_MESSAGES[action])
                return redirect(self.detail_url(meeting))
        return self.render_detail(meeting, action_forms={action: form}, status=400)

    def perform(self, action, meeting, form) -> None:
        data = form.cleaned_data
        if action == services.Action.ACCEPT:
            services.meeting_request_accept(actor=self.actor, meeting=meeting, time=form.chosen_time())
        elif action == services.Action.DECLINE:
            services.meeting_request_decline(actor=self.actor, meeting=meeting, reason=data["reason"])
        elif action == services.Action.PROPOSE:
            services.meeting_request_propose(
                actor=self.actor, meeting=meeting, proposed_times=form.proposed_times(), note=data["note"]
            )
        else:
            services.meeting_request_cancel(actor=self.actor, meeting=meeting, reason=data["reason"])


class MeetingIcsView(MeetingSideMixin, View):
    """The confirmed meeting as a calendar file; a meeting without a confirmed time has none (404)."""

    def get(self, request, *args, **kwargs):
        meeting = self.get_meeting()
        if not services.is_confirmed(meeting):
            raise Http404("The meeting is not confirmed.")
        response = HttpResponse(meeting_calendar([meeting]), content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
        return response


class MeetingOutcomeView(MeetingSideMixin, TemplateView):
    """Each side records what came of the meeting once it has taken place; recording again corrects it."""

    template_name = "matchmaking/meetings/outcome_form.html"

    def not_yet(self, meeting):
        messages.info(self.request, _("The outcome can be recorded once an accepted meeting has taken place."))
        return redirect(self.detail_url(meeting))

    def our_outcome(self, meeting) -> MeetingOutcome | None:
        return selectors.outcome_of(meeting=meeting, organisation=self.actor.organisation)

    def render_page(self, meeting, form, *, status=200):
        _annotate_for(meeting, self.actor.organisation)
        context = self.get_context_data(meeting=meeting, form=form, organisation=self.actor.organisation)
        return self.render_to_response(context, status=status)

    def get(self, request, *args, **kwargs):
        meeting = self.get_meeting()
        if not services.outcome_open(meeting):
            return self.not_yet(meeting)
        outcome = self.our_outcome(meeting)
        initial = (
            {"result": outcome.result, "mou": outcome.mou_id, "order_value": outcome.order_value, "note": outcome.note}
            if outcome
            else {}
        )
        return self.render_page(meeting, OutcomeForm(initial=initial, meeting=meeting))

    def post(self, request, *args, **kwargs):
        meeting = self.get_meeting()
        if not services.outcome_open(meeting):
            return self.not_yet(meeting)
        form = OutcomeForm(request.POST, meeting=meeting)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.meeting_outcome_record(
                    actor=self.actor,
                    meeting=meeting,
                    result=data["result"],
                    mou=data["mou"],
                    order_value=data["order_value"],
                    note=data["note"],
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("The outcome is recorded. Thank you."))
                return redirect(self.detail_url(meeting, "outcomes"))
        return self.render_page(meeting, form, status=400)
