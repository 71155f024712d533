"""URLs of the app. Include them under a prefix of your choice::

    path("privacy/", include("django_datarights.urls")),
"""

from django.urls import include, path

from .views.page import settings_page

app_name = "datarights"

urlpatterns = [
    path("", settings_page, name="settings"),
    path("reauthenticate/", include("django_datarights.reauth.urls")),
    path("consent/", include("django_datarights.consent.urls")),
    path("export/", include("django_datarights.export.urls")),
    path("delete/", include("django_datarights.deletion.urls")),
]
