from django.urls import path

from events import views

app_name = "events"

urlpatterns = [
    path("", views.EventListView.as_view(), name="event-list"),
    path("mous/", views.MoUListView.as_view(), name="mou-list"),
    path("mous/<int:pk>/", views.MoUDetailView.as_view(), name="mou-detail"),
    path("mous/<int:pk>/document/", views.MoUDocumentView.as_view(), name="mou-document"),
    path("<slug:slug>/", views.EventDetailView.as_view(), name="event-detail"),
    path("<slug:slug>/agenda/", views.EventAgendaView.as_view(), name="event-agenda"),
    path("<slug:slug>/participants/", views.EventParticipantsView.as_view(), name="event-participants"),
    path("<slug:slug>/register/", views.RegistrationCreateView.as_view(), name="event-register"),
    path("<slug:slug>/my-registration/", views.MyRegistrationView.as_view(), name="my-registration"),
    path("<slug:slug>/my-registration/cancel/", views.RegistrationCancelView.as_view(), name="registration-cancel"),
    path("<slug:slug>/check-in/", views.CheckInListView.as_view(), name="staff-checkin"),
    path(
        "<slug:slug>/check-in/<str:code>/", views.CheckInRegistrationView.as_view(), name="staff-checkin-registration"
    ),
    path(
        "<slug:slug>/registrations/<int:pk>/decide/",
        views.RegistrationDecideView.as_view(),
        name="staff-registration-decide",
    ),
]
