from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import forms, language, views

admin.site.site_header = "MNR Portal administration"
admin.site.site_title = "MNR Portal"

two_factor_patterns = [
    path("", views.two_factor_manage, name="manage"),
    path("setup/", views.two_factor_setup, name="setup"),
    path("verify/", views.two_factor_verify, name="verify"),
    path("backup-codes/", views.two_factor_backup_codes, name="backup_codes"),
    path("backup-codes/new/", views.two_factor_regenerate, name="regenerate"),
    path("remove/", views.two_factor_remove, name="remove"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=forms.LoginForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/2fa/", include((two_factor_patterns, "two_factor"))),
    path("accounts/tokens/", views.api_tokens, name="api_tokens"),
    path("accounts/tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("accounts/password/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(post_reset_login=False),
        name="password_reset_confirm",
    ),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("healthz", views.healthz, name="healthz"),
    path("language/", language.language_set, name="language_set"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("", include("assessments.urls")),
    path("", include("evidence.urls")),
    path("", include("reports.urls")),
    path("", include("plans.urls")),
    path("", include("network.urls")),
]
handler404 = "mnr_portal.views.not_found"
