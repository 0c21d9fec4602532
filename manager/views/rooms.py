"""Rooms of the location."""

urlpatterns = []
