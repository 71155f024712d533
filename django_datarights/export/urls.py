from django.urls import path

from . import views

urlpatterns = [
    path("", views.request_export_view, name="export-request"),
    path("<uuid:export_id>/status/", views.export_status, name="export-status"),
    path("<uuid:export_id>/download/", views.download_export, name="export-download"),
    path("<uuid:export_id>/file/", views.download_file, name="export-file"),
]
