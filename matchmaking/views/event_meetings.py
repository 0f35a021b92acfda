"""Event meetings: slots and tables, availability, the scheduler board, hand moves, personal schedules."""

from django.contrib import messages
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import FormView, TemplateView

from accounts.roles import (
    ACT_ON_BEHALF_PERMISSION,
    OrganisationMemberRequiredMixin,
    StaffPermissionRequiredMixin,
    actor_for,
)
from core.forms import form_add_service_error
from events.models import Event
from matchmaking.forms.event_meetings import AvailabilityForm, MeetingMoveForm, MeetingSetupForm, event_days
from matchmaking.ics import meeting_calendar
from matchmaking.models import EventMeeting
from matchmaking.selectors import event_meetings as selectors
from matchmaking.services import event_meetings as services


class MeetingEventMixin(AccessMixin):
    """The event of the URL whose meetings the view handles (drafts only for staff), and its board's address."""

    def get_event(self) -> Event:
        if not hasattr(self, "event"):
            self.event = selectors.meeting_event_get(slug=self.kwargs["slug"], user=self.request.user)
        return self.event

    def board_url(self, anchor: str = "") -> str:
        return reverse("matchmaking:event-meetings-board", args=[self.get_event().slug]) + anchor


# --- Staff: setup, board, scheduler run, hand move ----------------------------------------------------------------


class MeetingSetupView(StaffPermissionRequiredMixin, MeetingEventMixin, FormView):
    """Generate the event's meeting slots and tables; refused once meetings are placed."""

    permission_required = ("matchmaking.add_meetingslot", "matchmaking.add_meetingtable")
    template_name = "matchmaking/event_meetings/setup.html"
    form_class = MeetingSetupForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "event": self.get_event()}

    def get_context_data(self, **kwargs):
        event = self.get_event()
        summary = selectors.meeting_setup_summary(event)
        return {
            **super().get_context_data(**kwargs),
            "event": event,
            "slots": summary.slots,
            "table_count": summary.table_count,
            "placed": summary.placed,
            "unavailable_marks": summary.unavailable_marks,
            "several_days": len(event_days(event)) > 1,
        }

    def form_valid(self, form):
        try:
            slots, tables = services.meeting_slots_generate(
                actor=actor_for(self.request), event=self.get_event(), plan=form.plan()
            )
        except ValidationError as error:
            form_add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(slots)s slots and %(tables)s tables are ready.") % {"slots": slots, "tables": tables},
        )
        return redirect(reverse("matchmaking:event-meetings-setup", args=[self.get_event().slug]))


class MeetingBoardView(StaffPermissionRequiredMixin, MeetingEventMixin, TemplateView):
    """The grid slot × table with every meeting, the requests left out and why, and the run button."""

    permission_required = ("matchmaking.view_eventmeeting",)
    template_name = "matchmaking/event_meetings/board.html"

    def get_context_data(self, **kwargs):
        event = self.get_event()
        board = selectors.meeting_board(event=event)
        user = self.request.user
        return {
            **super().get_context_data(**kwargs),
            "event": event,
            "board": board,
            "can_run": user.has_perms(["matchmaking.add_eventmeeting", "matchmaking.delete_eventmeeting"]),
            "can_move": user.has_perm("matchmaking.change_eventmeeting"),
            "can_setup": user.has_perm("matchmaking.add_meetingslot"),
            "can_act": user.has_perm(ACT_ON_BEHALF_PERMISSION),
            "participants": _participants(board.meetings),
        }


def _participants(meetings: list[EventMeeting]) -> list[dict]:
    """The organisations with meetings on the board and how many each has, buyers first."""
    found: dict[int, dict] = {}
    for meeting in meetings:
        for organisation in (meeting.buyer, meeting.producer):
            entry = found.setdefault(organisation.pk, {"organisation": organisation, "count": 0})
            entry["count"] += 1
    return sorted(found.values(), key=lambda entry: (entry["organisation"].kind != "buyer", entry["organisation"].name))


class SchedulerRunView(StaffPermissionRequiredMixin, MeetingEventMixin, View):
    """POST: run the scheduler on the event's accepted at-event requests; hand-placed meetings stay."""

    permission_required = ("matchmaking.add_eventmeeting", "matchmaking.delete_eventmeeting")
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            run = services.meetings_schedule(actor=actor_for(request), event=self.get_event())
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(self.board_url())
        messages.success(
            request,
            _(
                "The scheduler placed %(placed)s meetings (%(kept)s of them kept where staff put them by hand); "
                "no schedule can place more than %(bound)s."
            )
            % {"placed": run.placed, "kept": run.kept, "bound": run.bound},
        )
        if run.unplaced:
            messages.warning(
                request,
                ngettext(
                    "%(count)s accepted request is not placed: the reason is given below.",
                    "%(count)s accepted requests are not placed: the reasons are given below.",
                    len(run.unplaced),
                )
                % {"count": len(run.unplaced)},
            )
        return redirect(self.board_url())


class MeetingMoveView(StaffPermissionRequiredMixin, MeetingEventMixin, View):
    """POST slot and table: move one meeting by hand. A clash changes nothing and says why."""

    permission_required = ("matchmaking.change_eventmeeting",)
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        event = self.get_event()
        meeting = selectors.board_meeting_get(event=event, pk=kwargs["pk"])
        form = MeetingMoveForm(request.POST, event=event)
        if form.is_valid():
            try:
                meeting = services.event_meeting_move(
                    actor=actor_for(request),
                    meeting=meeting,
                    slot=form.cleaned_data["slot"],
                    table=form.cleaned_data["table"],
                )
            except ValidationError as error:
                form_add_service_error(form, error)
        if form.errors:
            problems = [str(message) for errors in form.errors.values() for message in errors]
            messages.error(request, _("The meeting was not moved: %(why)s") % {"why": " ".join(problems)})
        else:
            messages.success(
                request,
                _("Moved: %(meeting)s, %(slot)s, %(table)s.")
                % {"meeting": meeting.request, "slot": services.slot_label(meeting.slot), "table": meeting.table},
            )
        return redirect(self.board_url(f"#meeting-{meeting.pk}"))


# --- Participants: availability and personal schedule -------------------------------------------------------------


class ParticipantMixin(OrganisationMemberRequiredMixin, MeetingEventMixin):
    """A member of an organisation, or staff acting for it; the event must not be a draft for non-staff."""

    def organisation(self):
        return self.actor.organisation


class AvailabilityView(ParticipantMixin, FormView):
    """Tick the slots the organisation cannot attend."""

    template_name = "matchmaking/event_meetings/availability.html"
    form_class = AvailabilityForm

    def get(self, request, *args, **kwargs):
        self._check_registered()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self._check_registered()
        return super().post(request, *args, **kwargs)

    def _check_registered(self):
        if not selectors.registered_for(event=self.get_event(), organisation=self.organisation()):
            raise PermissionDenied("Only organisations with a confirmed registration mark their availability.")

    def _state(self):
        if not hasattr(self, "state"):
            event, organisation = self.get_event(), self.organisation()
            slots = selectors.event_slots(event)
            unavailable = selectors.unavailable_slot_ids(event=event, organisation=organisation)
            meetings = selectors.personal_schedule(event=event, organisation=organisation)
            self.state = slots, unavailable, meetings
        return self.state

    def get_form_kwargs(self):
        slots, unavailable, meetings = self._state()
        organisation = self.organisation()
        busy = {
            meeting.slot_id: _("your meeting with %(other)s, %(table)s")
            % {"other": selectors.other_side(meeting, organisation), "table": meeting.table}
            for meeting in meetings
        }
        return {**super().get_form_kwargs(), "slots": slots, "unavailable": unavailable, "busy": busy}

    def get_context_data(self, **kwargs):
        slots, unavailable, meetings = self._state()
        return {
            **super().get_context_data(**kwargs),
            "event": self.get_event(),
            "organisation": self.organisation(),
            "slots": slots,
            "meeting_count": len(meetings),
        }

    def form_valid(self, form):
        try:
            count = services.slot_unavailability_set(
                actor=self.actor,
                event=self.get_event(),
                organisation=self.organisation(),
                slots=form.cleaned_data["unavailable"],
            )
        except ValidationError as error:
            form_add_service_error(form, error)
            return self.form_invalid(form)
        if count:
            message = ngettext(
                "Saved: you cannot attend %(count)s slot.", "Saved: you cannot attend %(count)s slots.", count
            ) % {"count": count}
        else:
            message = _("Saved: you can attend every slot.")
        messages.success(self.request, message)
        return redirect(reverse("matchmaking:event-meetings-availability", args=[self.get_event().slug]))


class PersonalScheduleView(ParticipantMixin, TemplateView):
    """The acting organisation's meetings at the event, in time order; prints as a sheet."""

    template_name = "matchmaking/event_meetings/my_schedule.html"

    def get_context_data(self, **kwargs):
        event, organisation = self.get_event(), self.organisation()
        meetings = selectors.personal_schedule(event=event, organisation=organisation)
        return {
            **super().get_context_data(**kwargs),
            "event": event,
            "organisation": organisation,
            "rows": [
                {"meeting": meeting, "other": selectors.other_side(meeting, organisation)} for meeting in meetings
            ],
            "registered": selectors.registered_for(event=event, organisation=organisation),
            "on_behalf": self.actor.on_behalf,
        }


class PersonalScheduleIcsView(ParticipantMixin, View):
    """The acting organisation's meetings at the event as a calendar file, each with a reminder."""

    http_method_names = ["get", "head"]

    def get(self, request, *args, **kwargs):
        event, organisation = self.get_event(), self.organisation()
        meetings = selectors.personal_schedule_requests(event=event, organisation=organisation)
        response = HttpResponse(
            meeting_calendar(meetings, name=f"{event.name} — {organisation.name}"),
            content_type="text/calendar; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{event.slug}-meetings.ics"'
        patch_cache_control(response, private=True, no_store=True)
        return response
