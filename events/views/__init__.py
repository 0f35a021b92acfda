"""Event views: public pages, registrations, the check-in desk and the MoU registry."""

from events.views.checkin import CheckInListView, CheckInRegistrationView, RegistrationDecideView
from events.views.mous import MoUDetailView, MoUDocumentView, MoUListView
from events.views.public import EventAgendaView, EventDetailView, EventListView, EventParticipantsView
from events.views.registrations import MyRegistrationView, RegistrationCancelView, RegistrationCreateView

__all__ = [
    "CheckInListView",
    "CheckInRegistrationView",
    "EventAgendaView",
    "EventDetailView",
    "EventListView",
    "EventParticipantsView",
    "MoUDetailView",
    "MoUDocumentView",
    "MoUListView",
    "MyRegistrationView",
    "RegistrationCancelView",
    "RegistrationCreateView",
    "RegistrationDecideView",
]
