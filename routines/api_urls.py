"""The routines app's part of /api/v1/."""

from rest_framework.routers import SimpleRouter

from routines import api

router = SimpleRouter()
router.register("routines", api.RoutineViewSet, basename="routine")
router.register("services", api.ServiceViewSet, basename="service")

urlpatterns = []
