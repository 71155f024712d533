from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from django_datarights.models import AuditEvent, RetentionRun
from django_datarights.models.retention import RunStatus
from django_datarights.retention import deleting
from django_datarights.retention.engine import enforce_policy
from django_datarights.signals import retention_run_finished
from example_project.shop.models import ActivityLog

from .conftest import NOW

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def test_deletes_rows_past_period(log_policy: Any, make_log: Any) -> None:
    old = make_log(31 * DAY)
    young = make_log(29 * DAY)

    run = enforce_policy(log_policy.pk, now=NOW)

    assert run.status == RunStatus.DONE
    assert run.rows_deleted == 1
    assert not ActivityLog.objects.filter(pk=old.pk).exists()
    assert ActivityLog.objects.filter(pk=young.pk).exists()


def test_row_exactly_at_period_is_due(log_policy: Any, make_log: Any) -> None:
    at_boundary = make_log(30 * DAY)
    one_second_short = make_log(30 * DAY - timedelta(seconds=1))

    enforce_policy(log_policy.pk, now=NOW)

    assert not ActivityLog.objects.filter(pk=at_boundary.pk).exists()
    assert ActivityLog.objects.filter(pk=one_second_short.pk).exists()


def test_records_run_details(log_policy: Any, make_log: Any) -> None:
    make_log(40 * DAY)
    make_log(35 * DAY)

    run = enforce_policy(log_policy.pk, now=NOW)

    assert run.cutoff == NOW - 30 * DAY
    assert run.oldest_touched == NOW - 40 * DAY
    assert run.finished_at is not None
    assert run.duration is not None
    assert run.last_pk


def test_every_row_of_kind_across_batches(
    log_policy: Any, make_log: Any, other_user: Any, settings: Any
) -> None:
    settings.DATARIGHTS_RETENTION_BATCH_SIZE = 2
    for days in range(31, 38):
        make_log(days * DAY)
        make_log(days * DAY, owner=other_user)

    run = enforce_policy(log_policy.pk, now=NOW)

    assert run.rows_deleted == 14
    assert ActivityLog.objects.count() == 0


def test_dry_run_changes_nothing(log_policy: Any, make_log: Any) -> None:
    make_log(31 * DAY)
    make_log(32 * DAY)

    run = enforce_policy(log_policy.pk, dry_run=True, now=NOW)

    assert run.dry_run is True
    assert run.status == RunStatus.DONE
    assert run.rows_deleted == 2
    assert ActivityLog.objects.count() == 2


def test_dry_run_writes_no_audit_event(log_policy: Any, make_log: Any) -> None:
    make_log(31 * DAY)

    enforce_policy(log_policy.pk, dry_run=True, now=NOW)

    assert not AuditEvent.objects.filter(action="retention.run").exists()


def test_brake_stops_run(log_policy: Any, make_log: Any, settings: Any) -> None:
    settings.DATARIGHTS_RETENTION_MAX_SHARE = 0.5
    for _ in range(3):
        make_log(31 * DAY)
    make_log(DAY)

    run = enforce_policy(log_policy.pk, now=NOW)

    assert run.status == RunStatus.BRAKED
    assert ActivityLog.objects.count() == 4
    assert "3 of 4 rows" in run.error


def test_brake_mails_admins(log_policy: Any, make_log: Any, settings: Any) -> None:
    settings.DATARIGHTS_RETENTION_MAX_SHARE = 0.5
    make_log(31 * DAY)

    enforce_policy(log_policy.pk, now=NOW)

    assert len(mail.outbox) == 1
    assert log_policy.key in mail.outbox[0].subject
    assert "example.invalid" not in mail.outbox[0].body


def test_policy_share_overrides_site_share(make_policy: Any, make_log: Any, settings: Any) -> None:
    settings.DATARIGHTS_RETENTION_MAX_SHARE = 0.1
    policy = make_policy(max_share=1.0)
    make_log(31 * DAY)

    run = enforce_policy(policy.pk, now=NOW)

    assert run.status == RunStatus.DONE


def test_held_user_rows_kept(
    log_policy: Any, make_log: Any, other_user: Any, hold_user: Any
) -> None:
    held = make_log(31 * DAY, owner=other_user)
    free = make_log(31 * DAY)
    hold_user(other_user)

    enforce_policy(log_policy.pk, now=NOW)

    assert ActivityLog.objects.filter(pk=held.pk).exists()
    assert not ActivityLog.objects.filter(pk=free.pk).exists()


def test_held_record_kept(log_policy: Any, make_log: Any, hold_record: Any) -> None:
    held = make_log(31 * DAY)
    hold_record(held)

    enforce_policy(log_policy.pk, now=NOW)

    assert ActivityLog.objects.filter(pk=held.pk).exists()


def test_released_hold_no_longer_protects(log_policy: Any, make_log: Any, hold_record: Any) -> None:
    row = make_log(31 * DAY)
    hold = hold_record(row)
    hold.released_at = timezone.now()
    hold.save()

    enforce_policy(log_policy.pk, now=NOW)

    assert not ActivityLog.objects.filter(pk=row.pk).exists()


def test_failed_run_resumes_with_same_cutoff(
    log_policy: Any, make_log: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.DATARIGHTS_RETENTION_BATCH_SIZE = 2
    for days in range(31, 36):
        make_log(days * DAY)
    real_delete = deleting.delete_due_range
    calls = {"n": 0}

    def failing_second_batch(*args: Any, **kwargs: Any) -> int:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker lost its database connection")
        return real_delete(*args, **kwargs)

    monkeypatch.setattr(deleting, "delete_due_range", failing_second_batch)
    first = enforce_policy(log_policy.pk, now=NOW)
    monkeypatch.setattr(deleting, "delete_due_range", real_delete)
    # Due a day later than the first run's cut-off only: the resumed run must leave it.
    later = NOW + DAY
    newly_due = make_log(30 * DAY + timedelta(hours=12), now=later)

    resumed = enforce_policy(log_policy.pk, now=later)

    assert first.status == RunStatus.FAILED
    assert first.rows_deleted == 2
    assert resumed.pk == first.pk
    assert resumed.status == RunStatus.DONE
    assert resumed.cutoff == NOW - 30 * DAY
    assert resumed.rows_deleted == 5
    assert list(ActivityLog.objects.values_list("pk", flat=True)) == [newly_due.pk]


def test_failure_mails_admins_without_personal_data(
    log_policy: Any, make_log: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_log(31 * DAY)

    def failing(*args: Any, **kwargs: Any) -> int:
        raise RuntimeError("value ingrid@example.invalid violates a constraint")

    monkeypatch.setattr(deleting, "delete_due_range", failing)
    run = enforce_policy(log_policy.pk, now=NOW)

    assert run.status == RunStatus.FAILED
    assert "RuntimeError" in run.error
    assert "example.invalid" not in run.error
    assert len(mail.outbox) == 1
    assert "example.invalid" not in mail.outbox[0].body


def test_stale_running_run_is_resumed(log_policy: Any, make_log: Any, settings: Any) -> None:
    settings.DATARIGHTS_RETENTION_STALE_AFTER = timedelta(minutes=10)
    make_log(31 * DAY)
    stale = RetentionRun.objects.create(
        policy=log_policy,
        cutoff=NOW - 30 * DAY,
        heartbeat_at=timezone.now() - timedelta(minutes=11),
    )

    run = enforce_policy(log_policy.pk, now=NOW)

    assert run.pk == stale.pk
    assert run.status == RunStatus.DONE
    assert ActivityLog.objects.count() == 0


def test_fresh_running_run_causes_skip(log_policy: Any, make_log: Any) -> None:
    row = make_log(31 * DAY)
    RetentionRun.objects.create(
        policy=log_policy, cutoff=NOW - 30 * DAY, heartbeat_at=timezone.now()
    )

    run = enforce_policy(log_policy.pk, now=NOW)

    assert run.status == RunStatus.SKIPPED
    assert ActivityLog.objects.filter(pk=row.pk).exists()


def test_paused_policy_is_skipped(make_policy: Any, make_log: Any) -> None:
    policy = make_policy(paused=True)
    make_log(31 * DAY)

    run = enforce_policy(policy.pk, now=NOW)

    assert run.status == RunStatus.SKIPPED
    assert ActivityLog.objects.count() == 1


def test_next_run_starts_after_done_run(log_policy: Any, make_log: Any) -> None:
    first = enforce_policy(log_policy.pk, now=NOW)
    make_log(31 * DAY, now=NOW + DAY)

    second = enforce_policy(log_policy.pk, now=NOW + DAY)

    assert second.pk != first.pk
    assert second.rows_deleted == 1


def test_sends_finished_signal(log_policy: Any, make_log: Any) -> None:
    make_log(31 * DAY)
    received = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        received.append(kwargs)

    retention_run_finished.connect(receiver)
    try:
        run = enforce_policy(log_policy.pk, now=NOW)
    finally:
        retention_run_finished.disconnect(receiver)

    assert len(received) == 1
    assert received[0]["run"].pk == run.pk
    assert received[0]["policy"].pk == log_policy.pk


def test_records_audit_event(log_policy: Any, make_log: Any) -> None:
    make_log(31 * DAY)

    run = enforce_policy(log_policy.pk, now=NOW)

    event = AuditEvent.objects.get(action="retention.run")
    assert event.object_ref == f"retention_run:{run.pk}"
    assert event.details["rows_deleted"] == 1


def test_unknown_model_fails_clearly(make_policy: Any) -> None:
    policy = make_policy(model="shop.NoSuchModel")

    run = enforce_policy(policy.pk, now=NOW)

    assert run.status == RunStatus.FAILED
    assert "unknown model 'shop.NoSuchModel'" in run.error


def test_taken_over_run_stops(
    log_policy: Any, make_log: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.DATARIGHTS_RETENTION_BATCH_SIZE = 1
    first = make_log(32 * DAY)
    second = make_log(31 * DAY)
    real_delete = deleting.delete_due_range

    def another_worker_takes_over(*args: Any, **kwargs: Any) -> int:
        deleted = real_delete(*args, **kwargs)
        # A second worker found the heartbeat stale and wrote its own.
        RetentionRun.objects.filter(policy=log_policy).update(heartbeat_at=timezone.now() + DAY)
        return deleted

    monkeypatch.setattr(deleting, "delete_due_range", another_worker_takes_over)
    run = enforce_policy(log_policy.pk, now=NOW)

    assert run.status == RunStatus.RUNNING
    assert run.rows_deleted == 0
    assert ActivityLog.objects.filter(pk=first.pk).exists()
    assert ActivityLog.objects.filter(pk=second.pk).exists()
