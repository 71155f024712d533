from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DataRightsConfig(AppConfig):
    name = "django_datarights"
    label = "django_datarights"
    verbose_name = _("Data rights")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        # The app's own datasets (consent history, requests, audit events, the account) first,
        # then every installed app's ``datarights`` module, the way the admin finds ``admin``.
        from . import checks, datarights, receivers

        autodiscover_modules("datarights")
        datarights.register_account()
        checks.register_all()
        receivers.connect_all()
