from django.urls import path

from . import views

urlpatterns = [
    path("", views.delete_account, name="deletion"),
    path("cancel/", views.cancel_with_password, name="deletion-cancel-login"),
    path("cancel/<str:token>/", views.cancel_with_link, name="deletion-cancel-link"),
]
