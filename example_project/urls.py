import os

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django_otp.admin import OTPAdminSite

# DJANGO_ADMIN_OTP=1 lets only users with a verified second factor into the admin: the login
# form then asks for a one-time code too. Switching the class keeps every registration.
if os.environ.get("DJANGO_ADMIN_OTP") == "1":
    admin.site.__class__ = OTPAdminSite

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("account/", include("example_project.accounts.urls")),
    path("privacy/", include("django_datarights.urls")),
    path("", include("example_project.shop.urls")),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
