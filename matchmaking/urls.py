from django.urls import path

from matchmaking.views import event_meetings, meetings, sourcing

app_name = "matchmaking"

urlpatterns = [
    # Buyers' profiles, shortlists, sourcing requests, offers and explained suggestions
    path("my/buyer-profile/", sourcing.BuyerProfileView.as_view(), name="buyer-profile"),
    path("my/shortlist/", sourcing.ShortlistView.as_view(), name="shortlist"),
    path("my/shortlist/add/", sourcing.ShortlistAddView.as_view(), name="shortlist-add"),
    path("my/shortlist/<int:pk>/", sourcing.ShortlistItemView.as_view(), name="shortlist-item"),
    path("my/suggestions/", sourcing.ProfileSuggestionsView.as_view(), name="profile-suggestions"),
    path("my/opportunities/", sourcing.ProducerOpportunitiesView.as_view(), name="producer-opportunities"),
    path("sourcing/", sourcing.SourcingRequestListView.as_view(), name="request-list"),
    path("sourcing/new/", sourcing.SourcingRequestCreateView.as_view(), name="request-create"),
    path("sourcing/<int:pk>/", sourcing.SourcingRequestDetailView.as_view(), name="request-detail"),
    path("sourcing/<int:pk>/status/", sourcing.SourcingRequestStatusView.as_view(), name="request-status"),
    path("sourcing/<int:pk>/offers/", sourcing.OfferCompareView.as_view(), name="offer-compare"),
    path("sourcing/<int:pk>/suggestions/", sourcing.RequestSuggestionsView.as_view(), name="request-suggestions"),
    path("readiness/<int:product_pk>/", sourcing.ReadinessView.as_view(), name="readiness"),
    # Meeting requests either way, their thread, .ics and outcomes
    path("my/meetings/", meetings.MeetingInboxView.as_view(), name="meeting-inbox"),
    path("meetings/new/", meetings.MeetingRequestCreateView.as_view(), name="meeting-create"),
    path("meetings/<int:pk>/", meetings.MeetingDetailView.as_view(), name="meeting-detail"),
    path("meetings/<int:pk>/meeting.ics", meetings.MeetingIcsView.as_view(), name="meeting-ics"),
    path("meetings/<int:pk>/outcome/", meetings.MeetingOutcomeView.as_view(), name="meeting-outcome"),
    path("meetings/<int:pk>/<slug:action>/", meetings.MeetingActionView.as_view(), name="meeting-action"),
    # One-to-one meetings at an event: slots, tables, availability, the scheduler, personal schedules
    path("events/<slug:slug>/meetings/setup/", event_meetings.MeetingSetupView.as_view(), name="event-meetings-setup"),
    path(
        "events/<slug:slug>/meetings/availability/",
        event_meetings.AvailabilityView.as_view(),
        name="event-meetings-availability",
    ),
    path("events/<slug:slug>/meetings/board/", event_meetings.MeetingBoardView.as_view(), name="event-meetings-board"),
    path(
        "events/<slug:slug>/meetings/schedule/run/",
        event_meetings.SchedulerRunView.as_view(),
        name="event-meetings-run",
    ),
    path(
        "events/<slug:slug>/meetings/<int:pk>/move/",
        event_meetings.MeetingMoveView.as_view(),
        name="event-meetings-move",
    ),
    path(
        "events/<slug:slug>/meetings/my-schedule/",
        event_meetings.PersonalScheduleView.as_view(),
        name="event-my-schedule",
    ),
    path(
        "events/<slug:slug>/meetings/my-schedule.ics",
        event_meetings.PersonalScheduleIcsView.as_view(),
        name="event-my-schedule-ics",
    ),
]
