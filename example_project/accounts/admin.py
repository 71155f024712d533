"""The user admin of the example project, audited: every opened user page is recorded."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from django_datarights.admin import AuditedAdminMixin

user_model = get_user_model()

if admin.site.is_registered(user_model):
    admin.site.unregister(user_model)


@admin.register(user_model)
class AuditedUserAdmin(AuditedAdminMixin, UserAdmin):
    pass
