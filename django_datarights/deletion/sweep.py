"""The periodic sweep that starts due erasures: the grace period is a date, not a countdown."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..conf import app_settings
from ..models import DeletionRequest
from ..models.deletion import DeletionStatus
from .residual import run_residual_check

logger = logging.getLogger(__name__)


def due_requests() -> list[DeletionRequest]:
    """Return scheduled requests past their due date and running ones without recent progress.

    Requests on legal hold are left out, and so are failed ones: a failure waits for an
    operator to retry it, so a broken erasure is not started again every few minutes.
    """
    now = timezone.now()
    stalled_before = now - app_settings.ERASURE_STALL_TIMEOUT
    return list(
        DeletionRequest.objects.filter(legal_hold=False)
        .filter(
            Q(status=DeletionStatus.SCHEDULED, due_at__lte=now)
            | Q(status=DeletionStatus.RUNNING, heartbeat_at__lt=stalled_before)
            | Q(status=DeletionStatus.RUNNING, heartbeat_at__isnull=True)
        )
        .order_by("due_at")
    )


def sweep() -> int:
    """Publish one erasure task per due or stalled request; return how many were published.

    Also runs the residual check of any finished erasure whose check did not run.
    """
    from .flows import publish_erasure

    published = 0
    with transaction.atomic():
        for deletion in due_requests():
            publish_erasure(deletion)
            published += 1
    unchecked = DeletionRequest.objects.filter(
        status=DeletionStatus.DONE, residual_checked_at__isnull=True
    ).exclude(identifiers=[])
    for deletion in unchecked:
        run_residual_check(deletion)
    logger.info("deletion sweep published %d erasures", published)
    return published
