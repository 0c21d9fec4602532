"""The sessions app's part of /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from sessions import api, course_api, staff_api

router = SimpleRouter()
router.register("appointments", api.AppointmentViewSet, basename="appointment")
router.register("notifications", api.NotificationViewSet, basename="notification")
router.register("special-days", api.SpecialDayViewSet, basename="special-day")
router.register("time-off", api.TimeOffViewSet, basename="time-off")
router.register("rooms", api.RoomViewSet, basename="room")
router.register("rotas", api.RotaViewSet, basename="rota")
# The accounts are the salon app's; deactivating looks at the bookings, so it is served here.
router.register("staff", staff_api.StaffViewSet, basename="staff")

urlpatterns = [
    path("availability/", api.AvailabilityView.as_view(), name="availability"),
    path("day/", api.DayView.as_view(), name="day"),
    path("courses/", course_api.CourseView.as_view(), name="courses"),
    path("courses/plan/", course_api.CoursePlanView.as_view(), name="course-plan"),
    path("opening-hours/", api.OpeningHoursView.as_view(), name="opening-hours"),
    # Composes a routine with a screening outcome, so it lives here, above both.
    path("routines/<int:pk>/preview-plan/", api.RoutinePlanPreviewView.as_view(), name="routine-preview-plan"),
]
