"""Pages of the clients app: client search and record, the intake form."""

from django.urls import path

from clients import views

urlpatterns = [
    path("forms/intake/<str:token>/", views.intake_link, name="intake-form-link"),
    path("forms/intake/", views.intake_form, name="intake-form"),
    path("clients/", views.client_search_page, name="clients"),
    path("clients/<int:pk>/", views.client_page, name="client"),
    path("clients/<int:pk>/edit/", views.client_edit, name="client-edit"),
    path("clients/<int:pk>/intake-link/", views.client_intake_link_send, name="client-intake-link"),
    path("clients/<int:pk>/merge/", views.client_merge, name="client-merge"),
]
