from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from catalog.views import catalogue as catalog_views
from ocop_portal import views

admin.site.site_header = "Cổng OCOP — Sở Công Thương"
admin.site.site_title = "Cổng OCOP"
admin.site.index_title = "Quản trị"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
]

urlpatterns += i18n_patterns(
    path("", catalog_views.HomeView.as_view(), name="home"),
    path("", include("catalog.urls")),
    path("", include("reports.urls")),
    path("", include("matchmaking.urls")),
    path("events/", include("events.urls")),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

if settings.DEBUG:
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]

handler403 = "ocop_portal.views.permission_denied"
handler404 = "ocop_portal.views.page_not_found"
handler500 = "ocop_portal.views.server_error"
