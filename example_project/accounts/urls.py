from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("two-factor/", views.otp_setup, name="otp_setup"),
    path("email/", views.change_email, name="change_email"),
]
