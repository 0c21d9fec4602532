"""Pages of the salon app: the start page and signing in and out."""

from django.contrib.auth import views as auth_views
from django.urls import path

from salon import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]
