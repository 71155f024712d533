"""Celery tasks for retention: thin wrappers over the engine."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.db import transaction

from ..conf import app_settings
from ..models import RetentionPolicy
from . import engine

logger = logging.getLogger(__name__)


def _options() -> dict[str, Any]:
    queue = app_settings.CELERY_QUEUE
    return {"queue": queue} if queue else {}


def publish_enforcement(policy_id: int) -> None:
    """Publish one ``enforce_policy`` task once the current transaction commits."""
    transaction.on_commit(lambda: enforce_policy.apply_async((policy_id,), **_options()))


@shared_task(name="datarights.retention.enforce_all", acks_late=True)
def enforce_all() -> int:
    """Publish one enforcement task per policy that is not paused; return how many."""
    policy_ids = list(RetentionPolicy.objects.filter(paused=False).values_list("pk", flat=True))
    for policy_id in policy_ids:
        publish_enforcement(policy_id)
    logger.info("retention: published %d policy tasks", len(policy_ids))
    return len(policy_ids)


@shared_task(name="datarights.retention.enforce_policy", acks_late=True)
def enforce_policy(policy_id: int) -> str | None:
    """Enforce one policy; delivered twice, the second delivery skips or resumes the same run."""
    try:
        run = engine.enforce_policy(policy_id)
    except RetentionPolicy.DoesNotExist:
        logger.warning("retention policy %s no longer exists; nothing to enforce", policy_id)
        return None
    return str(run.status)
