"""The clients app's part of /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from clients import api

router = SimpleRouter()
router.register("clients", api.ClientViewSet, basename="client")

urlpatterns = [
    path(
        "clients/<int:client_pk>/screenings/",
        api.ScreeningViewSet.as_view({"get": "list", "post": "create"}),
        name="client-screenings",
    ),
]
