"""Enforcing retention policies: claim a run, check the safety brake, work in batches.

Every enforcement is a ``RetentionRun`` row. Its cut-off is fixed when the run starts, and each
batch commits together with the run's counters and ``last_pk``. A run interrupted between
batches, by a killed worker or an error, is therefore resumed by the next run with the same
cut-off, after the last committed primary key. A run in progress updates a heartbeat. A second
worker that finds a fresh heartbeat records a skipped run, and one that finds a stale
heartbeat takes the run over.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.mail import mail_admins
from django.db import DEFAULT_DB_ALIAS, router, transaction
from django.db.models import F, Min
from django.db.models.deletion import ProtectedError, RestrictedError
from django.utils import timezone

from ..audit import record_event
from ..conf import app_settings
from ..models import RetentionPolicy, RetentionRun
from ..models.retention import RetentionAction, RunStatus
from ..signals import retention_run_finished
from . import deleting, inactive
from .scope import (
    PolicyTarget,
    cutoff_for,
    due_queryset,
    is_inactive_accounts,
    oldest_as_datetime,
    resolve,
)

logger = logging.getLogger(__name__)


class RunTakenOver(Exception):
    """Another worker took over this run after its heartbeat went stale."""


def enforce_policy(
    policy_id: int, *, dry_run: bool = False, now: datetime | None = None
) -> RetentionRun:
    """Enforce one policy now and return the run that records what happened.

    ``now`` fixes the clock for the cut-off (tests and previews); the heartbeat always uses the
    real clock. A dry run counts what a run would touch and changes nothing. Errors are
    recorded on the run, logged and mailed to the site admins, not raised.
    """
    now = now or timezone.now()
    if dry_run:
        policy = RetentionPolicy.objects.get(pk=policy_id)
        run = RetentionRun.objects.create(
            policy=policy,
            dry_run=True,
            cutoff=cutoff_for(policy.period, now),
            started_at=timezone.now(),
        )
    else:
        run = _claim(policy_id, now)
        if run.status != RunStatus.RUNNING:
            return run
        policy = run.policy
    started = time.monotonic()
    try:
        target = resolve(policy)
        if is_inactive_accounts(policy):
            inactive.process(run, target, now=now)
        else:
            _process_records(run, target)
    except RunTakenOver:
        logger.warning(
            "retention run %s of policy %s was taken over by another worker", run.pk, policy.pk
        )
        run.refresh_from_db()
        return run
    except Exception as exc:
        _fail(run, policy, exc)
    else:
        if run.status == RunStatus.RUNNING:
            run.status = RunStatus.DONE
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "finished_at", "error"])
    _announce(run, policy, time.monotonic() - started)
    return run


def _claim(policy_id: int, now: datetime) -> RetentionRun:
    """Start a run, resume an interrupted one, or record a skipped run.

    The policy row is locked with ``SKIP LOCKED`` while deciding, so two workers claiming at
    the same moment cannot both start: the one that finds the row locked records a skip.
    """
    with transaction.atomic():
        policy = (
            RetentionPolicy.objects.select_for_update(skip_locked=True).filter(pk=policy_id).first()
        )
        if policy is not None:
            return _claim_locked(policy, now)
    policy = RetentionPolicy.objects.get(pk=policy_id)
    return _skipped(policy, now, "another worker is claiming this policy")


def _claim_locked(policy: RetentionPolicy, now: datetime) -> RetentionRun:
    if policy.paused:
        return _skipped(policy, now, "policy is paused")
    latest = (
        policy.runs.filter(dry_run=False)
        .exclude(status=RunStatus.SKIPPED)
        .order_by("-started_at", "-pk")
        .first()
    )
    clock = timezone.now()
    if latest is not None and latest.status == RunStatus.RUNNING:
        last_seen = latest.heartbeat_at or latest.started_at
        if clock - last_seen < app_settings.RETENTION_STALE_AFTER:
            return _skipped(policy, now, f"run {latest.pk} is in progress")
        logger.warning("retention run %s of policy %s stalled; resuming it", latest.pk, policy.pk)
        return _resume(latest, clock)
    if latest is not None and latest.status == RunStatus.FAILED:
        logger.info(
            "retention run %s of policy %s failed earlier; resuming it", latest.pk, policy.pk
        )
        return _resume(latest, clock)
    return RetentionRun.objects.create(
        policy=policy, cutoff=cutoff_for(policy.period, now), started_at=clock, heartbeat_at=clock
    )


def _resume(run: RetentionRun, clock: datetime) -> RetentionRun:
    run.status = RunStatus.RUNNING
    run.heartbeat_at = clock
    run.finished_at = None
    run.save(update_fields=["status", "heartbeat_at", "finished_at"])
    return run


def _skipped(policy: RetentionPolicy, now: datetime, reason: str) -> RetentionRun:
    clock = timezone.now()
    logger.info("retention policy %s skipped: %s", policy.pk, reason)
    return RetentionRun.objects.create(
        policy=policy,
        status=RunStatus.SKIPPED,
        cutoff=cutoff_for(policy.period, now),
        started_at=clock,
        finished_at=clock,
        error=reason,
    )


def max_share(policy: RetentionPolicy) -> float:
    return policy.max_share if policy.max_share is not None else app_settings.RETENTION_MAX_SHARE


def brake_engaged(policy: RetentionPolicy, due: int, total: int) -> bool:
    """Return whether ``due`` rows out of ``total`` exceed the share a single run may touch."""
    return total > 0 and due / total > max_share(policy)


def _process_records(run: RetentionRun, target: PolicyTarget) -> None:
    policy = target.policy
    model = target.model
    using = router.db_for_write(model) or DEFAULT_DB_ALIAS
    anonymise = policy.action == RetentionAction.ANONYMISE
    if anonymise and (target.declaration is None or not target.declaration.anonymise):
        raise ImproperlyConfigured(
            f"retention policy {policy.key!r} anonymises, but {model._meta.label} is not "
            "registered with fields to anonymise"
        )

    due_rows = due_queryset(target, run.cutoff)
    if anonymise:
        if target.declaration is None:
            raise ImproperlyConfigured(
                f"{target.model._meta.label} is not registered, so it cannot be anonymised"
            )
        done_condition = deleting.already_anonymised(target.declaration)
        if done_condition is not None:
            due_rows = due_rows.exclude(done_condition)

    # The brake looks at the whole table before anything changes.
    due = due_rows.count()
    total = model._base_manager.using(using).count()
    if brake_engaged(policy, due, total):
        run.status = RunStatus.BRAKED
        run.error = (
            f"{due} of {total} rows are due, more than the allowed share {max_share(policy):.0%}"
        )
        _count(run, due, anonymise)
        return
    if due == 0:
        return
    oldest = oldest_as_datetime(due_rows.aggregate(oldest=Min(target.date_field.name))["oldest"])
    if run.dry_run:
        _count(run, due, anonymise)
        run.oldest_touched = oldest
        return
    if run.oldest_touched is None or (oldest is not None and oldest < run.oldest_touched):
        RetentionRun.objects.filter(pk=run.pk).update(oldest_touched=oldest)
        run.oldest_touched = oldest

    fast = not anonymise and deleting.can_fast_delete(model, using)
    batch_size = app_settings.RETENTION_BATCH_SIZE
    pk_field = model._meta.pk
    last_pk = pk_field.to_python(run.last_pk) if run.last_pk else None
    if anonymise:
        path = "anonymise"
    elif fast:
        path = "single-statement delete"
    else:
        path = "collector delete"
    logger.info("retention run %s of policy %s: %d rows due, %s path", run.pk, policy.pk, due, path)
    while True:
        with transaction.atomic(using=using):
            batch = due_rows.order_by("pk")
            if last_pk is not None:
                batch = batch.filter(pk__gt=last_pk)
            pks = list(batch.values_list("pk", flat=True)[:batch_size])
            if not pks:
                break
            if anonymise:
                if target.declaration is None:  # checked before the loop; keeps mypy informed
                    raise ImproperlyConfigured(f"{target.model._meta.label} is not registered")
                changed = deleting.anonymise_rows(model, target.declaration, pks, using=using)
            elif fast:
                changed = deleting.delete_due_range(
                    due_rows, after=last_pk, through=pks[-1], using=using
                )
            else:
                changed = deleting.delete_rows(model, pks, using=using, fast=False)
            last_pk = pks[-1]
            _commit_progress(run, changed, anonymise, last_pk)
        if len(pks) < batch_size:
            break


def _commit_progress(run: RetentionRun, changed: int, anonymise: bool, last_pk: Any) -> None:
    """Record one batch on the run, inside the batch's transaction.

    The update matches only the heartbeat this worker wrote last. If another worker has taken
    the run over in the meantime, it matches nothing and the batch rolls back.
    """
    clock = timezone.now()
    counter = "rows_anonymised" if anonymise else "rows_deleted"
    updated = RetentionRun.objects.filter(pk=run.pk, heartbeat_at=run.heartbeat_at).update(
        **{counter: F(counter) + changed}, last_pk=str(last_pk), heartbeat_at=clock
    )
    if updated != 1:
        raise RunTakenOver(run.pk)
    run.heartbeat_at = clock
    run.last_pk = str(last_pk)
    setattr(run, counter, getattr(run, counter) + changed)


def _count(run: RetentionRun, rows: int, anonymise: bool) -> None:
    if anonymise:
        run.rows_anonymised = rows
    else:
        run.rows_deleted = rows
    run.save(update_fields=["rows_anonymised", "rows_deleted"])


def _fail(run: RetentionRun, policy: RetentionPolicy, exc: Exception) -> None:
    # Database error messages can quote row values. Only messages that name nothing but models
    # and fields are kept, and other errors are stored as their class name.
    if isinstance(exc, (ProtectedError, RestrictedError, ImproperlyConfigured)):
        detail = str(exc.args[0]) if exc.args else type(exc).__name__
    else:
        detail = type(exc).__name__
    run.status = RunStatus.FAILED
    run.error = f"{detail} (after primary key {run.last_pk or 'none'})"
    logger.error(
        "retention run %s of policy %s failed after %d deleted and %d anonymised rows: %s",
        run.pk,
        policy.pk,
        run.rows_deleted,
        run.rows_anonymised,
        type(exc).__name__,
    )
    mail_admins(
        f"Retention run {run.pk} failed",
        f"The retention run {run.pk} of policy {policy.key} failed: {run.error}. "
        "The next run resumes it with the same cut-off.",
        fail_silently=True,
    )


def _announce(run: RetentionRun, policy: RetentionPolicy, seconds: float) -> None:
    logger.info(
        "retention run %s of policy %s %s%s: %d deleted, %d anonymised in %.1fs",
        run.pk,
        policy.pk,
        run.status,
        " (dry run)" if run.dry_run else "",
        run.rows_deleted,
        run.rows_anonymised,
        seconds,
    )
    if run.status == RunStatus.BRAKED and not run.dry_run:
        mail_admins(
            f"Retention policy {policy.key} stopped by the safety brake",
            f"Run {run.pk} changed nothing: {run.error}. Check the policy, then raise its "
            "safety brake share in the admin if the rows really are due.",
            fail_silently=True,
        )
    if not run.dry_run:
        record_event(
            "retention.run",
            object_ref=f"retention_run:{run.pk}",
            outcome="ok" if run.status == RunStatus.DONE else str(run.status),
            details={
                "policy": policy.key,
                "status": str(run.status),
                "rows_deleted": run.rows_deleted,
                "rows_anonymised": run.rows_anonymised,
                "cutoff": run.cutoff.isoformat(),
            },
        )
    retention_run_finished.send(sender=RetentionRun, policy=policy, run=run)
