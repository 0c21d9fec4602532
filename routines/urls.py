"""Pages of the routines app."""

from django.urls import path

from routines import views

urlpatterns = [
    path("routines/", views.routine_list_page, name="routines"),
    path("routines/<slug:slug>/", views.routine_page, name="routine"),
]
