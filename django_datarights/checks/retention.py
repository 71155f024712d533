"""Checks on retention policies stored in the database (run with ``check --database``)."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError

E030 = "datarights.E030"
W030 = "datarights.W030"


def check_retention_policies(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Report policies whose model or date field does not exist, or whose code rule is gone."""
    if not databases:
        return []
    from ..models import RetentionPolicy
    from ..retention.scope import resolve

    messages: list[checks.CheckMessage] = []
    try:
        policies = list(RetentionPolicy.objects.all())
    except DatabaseError:
        # The table does not exist before the first migrate.
        return []
    for policy in policies:
        try:
            resolve(policy)
        except ImproperlyConfigured as exc:
            in_code_only = policy.declared_in_code and "declared in code" in str(exc)
            message_class = checks.Warning if in_code_only else checks.Error
            messages.append(
                message_class(
                    str(exc),
                    hint="Fix the model or date field in the admin, or delete the policy."
                    if not in_code_only
                    else "The policy is paused until its rule is declared again.",
                    obj=f"retention policy {policy.key}",
                    id=W030 if in_code_only else E030,
                )
            )
    return messages
