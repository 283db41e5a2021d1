from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

admin.site.site_header = "MNR Portal administration"
admin.site.site_title = "MNR Portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
