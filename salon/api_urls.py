"""The salon app's part of /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from salon import api

router = SimpleRouter()
router.register("salons", api.SalonViewSet, basename="salon")

urlpatterns = [
    path("auth/token/", api.AuthTokenView.as_view(), name="auth-token"),
    path("me/", api.MeView.as_view(), name="me"),
]
