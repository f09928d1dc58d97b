from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from portal import api, views

api_v1: list[URLPattern | URLResolver] = [
    path("me/", api.MeView.as_view(), name="api-me"),
    path("auth/token/", api.TokenView.as_view(), name="api-token"),
    path("calendar/", api.CalendarView.as_view(), name="api-calendar"),
    path("calendar/due/", api.CalendarDueView.as_view(), name="api-calendar-due"),
    path("", include("items.api_urls")),
    path("", include("licences.api_urls")),
    path("", include("applications.api_urls")),
    path("", include("approvals.api_urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("accounts/login/", views.PortalLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", views.password_change, name="password_change"),
    path("workspace/", views.workspace, name="workspace"),
    path("workspace/admin/calendar/import/", views.calendar_import, name="calendar_import"),
    path("workspace/<slug:slug>/", views.workspace_page, name="workspace_page"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_mark_read, name="inbox_mark_read"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("", include("items.urls")),
    path("", include("applications.urls")),
    path("review/", include("approvals.urls")),
    path("licences/", include("licences.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI from the sidecar package; its script is served as a file (no inline script), and its page
    # carries a small inline style block.
    path("api/docs/", csp_update({"style-src": ["'unsafe-inline'"]})(
        SpectacularSwaggerSplitView.as_view(url_name="api-schema")), name="api-docs"),
]

handler403 = "portal.views.permission_denied"
