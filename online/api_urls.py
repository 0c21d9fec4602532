"""The public API of online booking, under /api/v1/public/ (``config.urls``)."""

from django.urls import path

from online import api

urlpatterns = [
    path("locations/", api.LocationsView.as_view(), name="public-locations"),
    path("services/", api.ServicesView.as_view(), name="public-services"),
    path("availability/", api.AvailabilityView.as_view(), name="public-availability"),
    path("holds/", api.HoldView.as_view(), name="public-holds"),
    path("holds/confirm/", api.ConfirmView.as_view(), name="public-holds-confirm"),
]
