from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("signup/", views.SignupChoiceView.as_view(), name="signup"),
    path("signup/<slug:kind>/", views.SignupView.as_view(), name="signup-kind"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password-change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path("password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password-reset-done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path("password/reset/complete/", views.PasswordResetCompleteView.as_view(), name="password-reset-complete"),
    path("me/", views.DashboardView.as_view(), name="dashboard"),
    path("me/organisation/", views.OrganisationUpdateView.as_view(), name="organisation-edit"),
    path("staff/organisations/", views.StaffOrganisationListView.as_view(), name="staff-organisations"),
    path("staff/act-as/<int:pk>/", views.acting_start_view, name="acting-start"),
    path("staff/act-as/stop/", views.acting_stop_view, name="acting-stop"),
    path("places/wards/", views.ward_options_view, name="ward-options"),
]
