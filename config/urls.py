"""The root URLconf: each app's pages and its part of /api/v1/, plus what
belongs to the installation (health check, admin, API schema and docs).

The schema and its docs are for staff only: they map every operation and
field of a system that holds health data."""

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from clients import api_urls as clients_api
from config.health import healthz
from online import api_urls as online_api
from routines import api_urls as routines_api
from salon import api_urls as salon_api
from salon.roles import HasRole, Role, role_required
from sessions import api_urls as sessions_api

APPS_API = [salon_api, routines_api, clients_api, sessions_api]
STAFF_ROLES = (Role.RECEPTIONIST, Role.THERAPIST, Role.MANAGER)

# One router over every app's resources, so /api/v1/ lists them all.
router = DefaultRouter()
for app_api in APPS_API:
    router.registry.extend(app_api.router.registry)

# The public API of online booking (no token) under its own prefix, tried
# first: it takes the most calls, and Django tries the patterns in order.
api_v1 = [
    path("public/", include(online_api.urlpatterns)),
    *(url for app_api in APPS_API for url in app_api.urlpatterns),
    path("", include(router.urls)),
]

# The API and the booking site before the pages' hundred-odd patterns: no
# page address starts with either prefix, and they take the most calls.
urlpatterns = [
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("book/", include("online.urls")),
    path("", include("salon.urls")),
    path("", include("routines.urls")),
    path("", include("clients.urls")),
    path("", include("sessions.urls")),
    path("", include("manager.urls")),
    path("reports/", include("reports.urls")),
    path("healthz", healthz, name="healthz"),
    # The texts of the pages' scripts in the reader's language (every app's
    # djangojs catalogue); a script from this site, so the CSP allows it.
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(permission_classes=[HasRole.of(*STAFF_ROLES)]), name="schema"),
    # A page: anonymous visitors are sent to the login. Its set-up script
    # comes from the same address (?script), so nothing on it is inline.
    path(
        "api/docs/",
        role_required(*STAFF_ROLES)(
            SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="config/api_docs.html")
        ),
        name="api-docs",
    ),
]

handler404 = "salon.views.not_found"
handler500 = "salon.views.server_error"
