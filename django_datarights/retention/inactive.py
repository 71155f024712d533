"""The inactive-accounts policy: warn users who have not logged in, then erase their accounts.

A user's last activity is the policy's ``date_field`` (``last_login``). A user who never
logged in falls back to ``date_joined`` when the user model has that field.

A user inactive for ``period - warning_period`` gets one warning email. A user inactive for the
full ``period`` who was warned at least ``warning_period`` ago goes through the account
erasure path, as a deletion request made by the system. A login after the warning removes the
warning, so the next period of inactivity starts a new warning.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce
from django.shortcuts import resolve_url
from django.utils import timezone

from ..adapter import get_adapter
from ..audit import record_event
from ..emails import send_templated_email
from ..models import DeletionRequest, InactivityWarning, RetentionPolicy, RetentionRun
from ..models.deletion import OPEN
from ..models.retention import RunStatus
from .scope import PolicyTarget, exclude_held, oldest_as_datetime

logger = logging.getLogger(__name__)

ACTIVITY = "datarights_last_activity"


def users_with_activity(policy: RetentionPolicy) -> QuerySet[Any]:
    """Return every user annotated with ``datarights_last_activity``."""
    user_model = get_user_model()
    field_names = {f.name for f in user_model._meta.concrete_fields}
    sources = [F(policy.date_field)]
    if "date_joined" in field_names and policy.date_field != "date_joined":
        sources.append(F("date_joined"))
    expression = Coalesce(*sources) if len(sources) > 1 else sources[0]
    return user_model._base_manager.annotate(**{ACTIVITY: expression})


def candidates(policy: RetentionPolicy) -> QuerySet[Any]:
    """Return users the policy may act on: not held, without an open deletion request."""
    users = users_with_activity(policy)
    open_requests = DeletionRequest.objects.filter(status__in=OPEN, user__isnull=False).values(
        "user_id"
    )
    return exclude_held(users.exclude(pk__in=open_requests), None)


def warning_period(policy: RetentionPolicy) -> timedelta:
    return min(policy.warning_period or timedelta(0), policy.period)


def due_for_erasure(policy: RetentionPolicy, cutoff: datetime, now: datetime) -> QuerySet[Any]:
    """Return users inactive since ``cutoff`` and, with a warning period, warned long enough ago."""
    users = candidates(policy).filter(**{f"{ACTIVITY}__lte": cutoff})
    warn = warning_period(policy)
    if warn:
        warned = InactivityWarning.objects.filter(policy=policy, warned_at__lte=now - warn).values(
            "user_id"
        )
        users = users.filter(pk__in=warned)
    return users


def due_for_warning(policy: RetentionPolicy, now: datetime) -> QuerySet[Any]:
    """Return users inactive for ``period - warning_period`` who have not been warned yet."""
    warn = warning_period(policy)
    if not warn:
        return candidates(policy).none()
    warned = InactivityWarning.objects.filter(policy=policy).values("user_id")
    return (
        candidates(policy)
        .filter(**{f"{ACTIVITY}__lte": now - (policy.period - warn)})
        .exclude(pk__in=warned)
    )


def reset_returned_users(policy: RetentionPolicy) -> int:
    """Delete the warnings of users who logged in after being warned; return how many."""
    returned = []
    activity = dict(
        users_with_activity(policy)
        .filter(pk__in=InactivityWarning.objects.filter(policy=policy).values("user_id"))
        .values_list("pk", ACTIVITY)
    )
    for warning in InactivityWarning.objects.filter(policy=policy).only(
        "pk", "user_id", "last_login_seen"
    ):
        seen = activity.get(warning.user_id)
        if seen is not None and (warning.last_login_seen is None or seen > warning.last_login_seen):
            returned.append(warning.pk)
    if returned:
        InactivityWarning.objects.filter(pk__in=returned).delete()
    return len(returned)


def process(run: RetentionRun, target: PolicyTarget, *, now: datetime) -> None:
    """Reset, erase and warn, in that order, and record the counts on ``run``.

    Erasure comes before warning so that a user is never warned and erased in the same run.
    ``rows_deleted`` counts the accounts handed to the erasure path.
    """
    from ..deletion.flows import request_deletion
    from .engine import brake_engaged, max_share

    policy = target.policy
    reset = 0 if run.dry_run else reset_returned_users(policy)
    to_erase = due_for_erasure(policy, run.cutoff, now)
    erase_count = to_erase.count()
    total = get_user_model()._base_manager.count()
    if brake_engaged(policy, erase_count, total):
        run.status = RunStatus.BRAKED
        run.error = (
            f"{erase_count} of {total} accounts are due, "
            f"more than the allowed share {max_share(policy):.0%}"
        )
        run.rows_deleted = erase_count
        run.save(update_fields=["rows_deleted", "error"])
        return
    to_warn_ids = list(due_for_warning(policy, now).values_list("pk", flat=True))
    oldest = to_erase.order_by(ACTIVITY).values_list(ACTIVITY, flat=True).first()
    run.oldest_touched = oldest_as_datetime(oldest)
    if run.dry_run:
        run.rows_deleted = erase_count
        run.save(update_fields=["rows_deleted", "oldest_touched"])
        logger.info(
            "inactive accounts dry run %s: %d to erase, %d to warn",
            run.pk,
            erase_count,
            len(to_warn_ids),
        )
        return

    erased = 0
    for user in to_erase.order_by("pk").iterator():
        request_deletion(user, operator=None)
        erased += 1
        RetentionRun.objects.filter(pk=run.pk).update(
            rows_deleted=erased, last_pk=str(user.pk), heartbeat_at=timezone.now()
        )
    warned = sum(1 for user_pk in to_warn_ids if _warn(policy, user_pk, now))
    run.rows_deleted = erased
    run.save(update_fields=["rows_deleted", "oldest_touched"])
    logger.info(
        "inactive accounts run %s of policy %s: %d reset, %d warned, %d sent to erasure",
        run.pk,
        policy.pk,
        reset,
        warned,
        erased,
    )
    if warned or reset:
        record_event(
            "retention.inactivity_warnings",
            object_ref=f"retention_run:{run.pk}",
            details={"policy": policy.key, "warned": warned, "reset": reset},
        )


def _warn(policy: RetentionPolicy, user_pk: Any, now: datetime) -> bool:
    """Warn one user and record it; a failed send records nothing, so the next run tries again.

    A user without an address cannot be warned, and is recorded as warned so that the erasure
    still follows after the warning period.
    """
    with transaction.atomic():
        user = users_with_activity(policy).select_for_update().filter(pk=user_pk).first()
        if (
            user is None
            or InactivityWarning.objects.filter(policy=policy, user_id=user_pk).exists()
        ):
            return False
        activity = getattr(user, ACTIVITY)
        address = get_adapter().get_email(user)
        erasure_at = (activity or now) + policy.period
        if address:
            sent = send_templated_email(
                "retention_inactivity_warning",
                address,
                {
                    "user": user,
                    "erasure_at": max(erasure_at, now + warning_period(policy)),
                    "login_url": get_adapter().build_absolute_url(resolve_url(settings.LOGIN_URL)),
                },
                event="retention.inactivity_warning",
            )
            if not sent:
                return False
        InactivityWarning.objects.create(
            policy=policy, user_id=user_pk, last_login_seen=activity, warned_at=now
        )
    return True
