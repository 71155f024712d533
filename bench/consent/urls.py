"""URLs of the consent benchmark: the app's views and the bare baselines to compare them with."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("privacy/", include("django_datarights.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("bench/checks/", views.checks_with_app, name="bench-checks"),
    path("bench/checks-bare/", views.checks_bare, name="bench-checks-bare"),
    path("bench/page-bare/", views.page_bare, name="bench-page-bare"),
]
