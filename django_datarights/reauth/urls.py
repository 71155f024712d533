from django.urls import path

from . import views

urlpatterns = [
    path("", views.reauthenticate, name="reauth"),
]
