"""The sessions app's part of /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from sessions import api

router = SimpleRouter()
router.register("appointments", api.AppointmentViewSet, basename="appointment")
router.register("notifications", api.NotificationViewSet, basename="notification")
router.register("special-days", api.SpecialDayViewSet, basename="special-day")
router.register("time-off", api.TimeOffViewSet, basename="time-off")
router.register("rotas", api.RotaViewSet, basename="rota")

urlpatterns = [
    path("availability/", api.AvailabilityView.as_view(), name="availability"),
    path("day/", api.DayView.as_view(), name="day"),
    # Composes a routine with a screening outcome, so it lives here, above both.
    path("routines/<int:pk>/preview-plan/", api.RoutinePlanPreviewView.as_view(), name="routine-preview-plan"),
]
