"""Checks that no personal data is left out of the registry by accident."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import checks
from django.db import models

from ..conf import app_settings
from ..registry import registry

W010 = "datarights.W010"
W011 = "datarights.W011"

W010_MESSAGE = (
    "{model}.{field} points at the user model, but {model} is not registered as personal data."
)
W010_HINT = (
    "Register {model} in a datarights.py module so its rows are exported and erased with the "
    "account, or add '{model}' to DATARIGHTS_UNREGISTERED_OK if it holds no personal data."
)
W011_MESSAGE = (
    "{model}.{field} looks like personal data, but it is neither exported nor anonymised, and "
    "the rows are kept on erasure."
)
W011_HINT = (
    "Add '{field}' to the declaration's anonymise mapping so erasure clears it, and remove it "
    "from exclude (or add it to fields) so the user receives it in an export."
)

# Apps whose user relations the app handles itself: its own models, the user model's app,
# sessions, the admin log, django-otp devices and django-axes records.
HANDLED_APP_LABELS = frozenset(
    {
        "django_datarights",
        "auth",
        "sessions",
        "admin",
        "otp_totp",
        "otp_static",
        "otp_hotp",
        "otp_email",
        "otp_yubikey",
        "otp_webauthn",
        "axes",
    }
)

# Words in a field name that suggest personal data, compared with the name's "_"-separated parts.
PERSONAL_NAME_PARTS = frozenset(
    {"email", "phone", "ip", "name", "address", "street", "postcode", "birth"}
)

# Flags, timestamps and numbers named after personal data ("email_verified", "final_email_sent_at")
# do not hold it; a date of birth is a DateField, which is still checked.
NOT_PERSONAL_FIELD_TYPES = (
    models.BooleanField,
    models.DateTimeField,
    models.IntegerField,
    models.FloatField,
    models.DecimalField,
)


def check_registry_coverage(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    return [*check_unregistered_user_relations(app_configs), *check_unhandled_personal_fields()]


def check_unregistered_user_relations(app_configs: Any = None) -> list[checks.CheckMessage]:
    """Warn about each unregistered model with a foreign key or one-to-one to the user model."""
    user_model = get_user_model()
    allowed = set(app_settings.UNREGISTERED_OK)
    handled = HANDLED_APP_LABELS | {user_model._meta.app_label}
    configs = app_configs if app_configs is not None else apps.get_app_configs()
    messages: list[checks.CheckMessage] = []
    for app_config in configs:
        if app_config.label in handled:
            continue
        for model in app_config.get_models():
            label = model._meta.label
            if registry.is_registered(model) or label in allowed or model._meta.proxy:
                continue
            for field in model._meta.concrete_fields:
                if not _is_user_relation(field, user_model):
                    continue
                messages.append(
                    checks.Warning(
                        W010_MESSAGE.format(model=label, field=field.name),
                        hint=W010_HINT.format(model=label),
                        obj=model,
                        id=W010,
                    )
                )
                break
    return messages


def looks_personal(field_name: str) -> bool:
    return bool(PERSONAL_NAME_PARTS.intersection(field_name.lower().split("_")))


def check_unhandled_personal_fields() -> list[checks.CheckMessage]:
    """Warn about personal-looking fields of kept rows that are neither exported nor anonymised."""
    messages: list[checks.CheckMessage] = []
    for declaration in registry.in_export_order():
        if not declaration.keeps_rows() or declaration.is_user_model():
            continue
        exported = set(declaration.export_field_names())
        anonymised = set(declaration.anonymise)
        for field in declaration.model._meta.concrete_fields:
            if field.is_relation or isinstance(field, NOT_PERSONAL_FIELD_TYPES):
                continue
            if not looks_personal(field.name):
                continue
            if field.name in exported or field.name in anonymised:
                continue
            messages.append(
                checks.Warning(
                    W011_MESSAGE.format(model=declaration.label(), field=field.name),
                    hint=W011_HINT.format(field=field.name),
                    obj=declaration.model,
                    id=W011,
                )
            )
    return messages


def _is_user_relation(field: models.Field, user_model: type[models.Model]) -> bool:
    return bool((field.many_to_one or field.one_to_one) and field.related_model is user_model)
