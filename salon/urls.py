from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from clients import api as clients_api
from clients import views as clients_views
from routines import api as routines_api
from routines import views as routines_views
from salon import api as salon_api
from salon import views
from salon.health import healthz
from sessions import api as sessions_api
from sessions import cancel_views, feedback_views, therapist_views
from sessions import views as sessions_views

router = DefaultRouter()
router.register("salons", salon_api.SalonViewSet, basename="salon")
router.register("routines", routines_api.RoutineViewSet, basename="routine")
router.register("clients", clients_api.ClientViewSet, basename="client")
router.register("appointments", sessions_api.AppointmentViewSet, basename="appointment")
router.register("notifications", sessions_api.NotificationViewSet, basename="notification")

api_v1 = [
    path("auth/token/", salon_api.AuthTokenView.as_view(), name="auth-token"),
    path("me/", salon_api.MeView.as_view(), name="me"),
    path("availability/", sessions_api.AvailabilityView.as_view(), name="availability"),
    path("day/", sessions_api.DayView.as_view(), name="day"),
    path(
        "clients/<int:client_pk>/screenings/",
        clients_api.ScreeningViewSet.as_view({"get": "list", "post": "create"}),
        name="client-screenings",
    ),
    path("", include(router.urls)),
]

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", healthz, name="healthz"),
    path("forms/intake/<str:token>/", clients_views.intake_link, name="intake-form-link"),
    path("forms/intake/", clients_views.intake_form, name="intake-form"),
    path("forms/feedback/<str:token>/", feedback_views.feedback_link, name="feedback-form-link"),
    path("forms/feedback/", feedback_views.feedback_form, name="feedback-form"),
    path("forms/cancel/<str:token>/", cancel_views.cancel_link, name="cancel-link"),
    path("forms/cancel/", cancel_views.cancel_form, name="cancel-form"),
    path("desk/", sessions_views.desk, name="desk"),
    path("desk/book/", sessions_views.desk_book, name="desk-book"),
    path("desk/clients/", sessions_views.desk_clients, name="desk-clients"),
    path("desk/next-free/", sessions_views.desk_next_free, name="desk-next-free"),
    path("desk/appointments/<int:pk>/", sessions_views.desk_appointment, name="desk-appointment"),
    path("desk/appointments/<int:pk>/<slug:action>/", sessions_views.desk_action, name="desk-action"),
    path("my-day/", therapist_views.my_day, name="my-day"),
    path("my-day/print/", therapist_views.day_sheet, name="day-sheet"),
    path("my-day/calendar-feed/reset/", therapist_views.calendar_feed_reset, name="calendar-feed-reset"),
    path("calendar/<str:token>.ics", therapist_views.calendar_feed, name="calendar-feed"),
    path("sessions/<int:pk>/", therapist_views.session_run, name="session-run"),
    path("sessions/<int:pk>/<slug:action>/", therapist_views.session_action, name="session-action"),
    path("clients/", clients_views.client_search_page, name="clients"),
    path("clients/<int:pk>/", clients_views.client_page, name="client"),
    path("routines/", routines_views.routine_list_page, name="routines"),
    path("routines/<slug:slug>/", routines_views.routine_page, name="routine"),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]
