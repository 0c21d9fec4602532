"""The salon app's part of /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from salon import api

router = SimpleRouter()
router.register("salons", api.SalonViewSet, basename="salon")

urlpatterns = [
    path("auth/token/", api.AuthTokenView.as_view(), name="auth-token"),
    path("auth/tokens/", api.AuthTokenListView.as_view(), name="auth-token-list"),
    path("auth/tokens/<str:token_key>/", api.AuthTokenRevokeView.as_view(), name="auth-token-revoke"),
    path("auth/sign-out/", api.AuthSignOutView.as_view(), name="auth-sign-out"),
    path("me/", api.MeView.as_view(), name="me"),
    path("salons/<int:pk>/settings/", api.LocationSettingsView.as_view(), name="salon-settings"),
    path("business/", api.BusinessSettingsView.as_view(), name="business-settings"),
]
