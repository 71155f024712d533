"""Create and update ``RetentionPolicy`` rows from the rules declared in code, on ``migrate``.

A field an operator changed in the admin is listed in the policy's ``overridden`` and keeps
the operator's value. A policy whose rule was removed from code is paused, because its filter
existed only in code.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models.signals import post_migrate

from ..models import RetentionPolicy
from ..models.retention import PolicyKind
from ..registry import PersonalData, Retention
from .scope import declared_rules

logger = logging.getLogger(__name__)

#: Fields that code declarations set and operators may override.
SYNCED_FIELDS = ("name", "model", "date_field", "period", "action", "paused")


def declared_values(declaration: type[PersonalData], rule: Retention) -> dict[str, Any]:
    return {
        "name": rule.name or f"{declaration.model._meta.verbose_name_plural} by {rule.date_field}",
        "model": declaration.model._meta.label,
        "date_field": rule.date_field,
        "period": rule.period,
        "action": rule.action,
        "paused": False,
    }


def sync_declared_policies(using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Bring policy rows in line with the code; return counts of created, updated and paused."""
    counts = {"created": 0, "updated": 0, "paused": 0}
    rules = declared_rules()
    with transaction.atomic(using=using):
        existing = {p.key: p for p in RetentionPolicy.objects.using(using).select_for_update()}
        for key, (declaration, rule) in rules.items():
            values = declared_values(declaration, rule)
            policy = existing.get(key)
            if policy is None:
                RetentionPolicy.objects.using(using).create(
                    key=key, kind=PolicyKind.RECORDS, declared_in_code=True, **values
                )
                counts["created"] += 1
                continue
            changed = [
                name
                for name, value in values.items()
                if name not in policy.overridden and getattr(policy, name) != value
            ]
            if not policy.declared_in_code:
                policy.declared_in_code = True
                changed.append("declared_in_code")
            for name in changed:
                if name != "declared_in_code":
                    setattr(policy, name, values[name])
            if changed:
                policy.save(using=using, update_fields=[*changed, "updated_at"])
                counts["updated"] += 1
        for key, policy in existing.items():
            if policy.declared_in_code and key not in rules and not policy.paused:
                policy.paused = True
                policy.save(using=using, update_fields=["paused", "updated_at"])
                counts["paused"] += 1
                logger.warning(
                    "retention policy %s is no longer declared in code; paused it", policy.pk
                )
    if any(counts.values()):
        logger.info(
            "retention policies synced: %(created)d created, %(updated)d updated, "
            "%(paused)d paused",
            counts,
        )
    return counts


def _on_post_migrate(sender: Any, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    sync_declared_policies(using=using)


def connect() -> None:
    """Sync code declarations after ``migrate`` has run this app's migrations."""
    from django.apps import apps

    post_migrate.connect(
        _on_post_migrate,
        sender=apps.get_app_config("django_datarights"),
        dispatch_uid="django_datarights.retention.sync",
    )
