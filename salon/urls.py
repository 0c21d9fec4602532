"""Pages of the salon app: the start page and signing in and out."""

from django.contrib.auth import views as auth_views
from django.urls import path

from salon import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", views.two_factor_verify, name="two-factor-verify"),
    path("accounts/two-factor/set-up/", views.two_factor_enrol, name="two-factor-enrol"),
    path("accounts/two-factor/recovery-codes/", views.recovery_codes, name="recovery-codes"),
    path("accounts/security/", views.account_security, name="account-security"),
    path("accounts/language/", views.account_language, name="account-language"),
    path("accounts/location/", views.location_choose, name="location-choose"),
    path("accounts/tokens/<str:token_key>/revoke/", views.account_token_revoke, name="account-token-revoke"),
    path("accounts/invitation/<str:token>/", views.invitation, name="invitation"),
]
