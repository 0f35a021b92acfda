"""Public event pages: the list, an event with its agenda, the printable agenda and the participants."""

from django.utils import timezone
from django.views.generic import ListView, TemplateView

from accounts.roles import actor_for
from events import permissions, selectors
from events.models import Registration


class EventListView(ListView):
    template_name = "events/event_list.html"
    context_object_name = "events"
    paginate_by = 12

    def get_queryset(self):
        return selectors.event_list_public()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        page = context["page_obj"]
        page.object_list = list(page.object_list)
        for event in page.object_list:
            event.registration_state = selectors.registration_state(event, now=now)
            event.places_left = selectors.places_left(event)
        context["events"] = context["object_list"] = page.object_list
        context["upcoming"] = [event for event in page.object_list if event.is_upcoming]
        context["past"] = [event for event in page.object_list if not event.is_upcoming]
        return context


class VisibleEventMixin:
    """The event of the URL, as the current user may see it."""

    def get_event(self):
        if not hasattr(self, "event"):
            self.event = selectors.event_get_visible(slug=self.kwargs["slug"], user=self.request.user)
        return self.event

    def event_context(self) -> dict:
        event = self.get_event()
        return {
            "event": event,
            "sessions": selectors.session_list(event),
            "places_left": selectors.places_left(event),
            "registration_state": selectors.registration_state(event),
        }


class EventDetailView(VisibleEventMixin, TemplateView):
    template_name = "events/event_detail.html"

    def get_context_data(self, **kwargs):
        context = {**super().get_context_data(**kwargs), **self.event_context()}
        event = context["event"]
        user = self.request.user
        actor = actor_for(self.request) if user.is_authenticated else None
        organisation = actor.organisation if actor else None
        registration = selectors.registration_get_own(event=event, organisation=organisation)
        active = registration is not None and registration.status not in (
            Registration.Status.CANCELLED,
            Registration.Status.REJECTED,
        )
        context.update(
            {
                "acting_organisation_for_event": organisation,
                "registration": registration,
                "registration_active": active,
                # Anonymous visitors see the button too: it leads them to sign in first.
                "can_register": context["registration_state"] == "open"
                and not active
                and (not user.is_authenticated or organisation is not None),
                "can_check_in": user.is_staff and user.has_perm(permissions.MANAGE_REGISTRATIONS),
            }
        )
        return context


class EventAgendaView(VisibleEventMixin, TemplateView):
    template_name = "events/event_agenda.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **self.event_context()}


class EventParticipantsView(VisibleEventMixin, TemplateView):
    template_name = "events/event_participants.html"

    def get_context_data(self, **kwargs):
        event = self.get_event()
        return {
            **super().get_context_data(**kwargs),
            "event": event,
            "participants": selectors.participant_list(event),
        }
