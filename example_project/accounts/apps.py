from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "example_project.accounts"
    label = "example_accounts"
    verbose_name = _("Example accounts")
    default_auto_field = "django.db.models.BigAutoField"
