"""Export, erasure and retention jobs run by a real worker, including one killed mid-job."""

from __future__ import annotations

import posixpath
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from django_datarights.deletion.flows import request_deletion
from django_datarights.export.flows import request_export
from django_datarights.export.storage import STORAGE_PREFIX, export_storage
from django_datarights.models import AuditEvent, DeletionRequest, ExportRequest, RetentionRun
from django_datarights.models.deletion import DeletionStatus
from django_datarights.models.exports import ExportStatus
from django_datarights.models.retention import RetentionPolicy, RunStatus
from django_datarights.retention.sync import sync_declared_policies
from django_datarights.retention.tasks import enforce_all
from example_project.shop.models import ActivityLog
from tests.services.celery_worker import wait_until

pytestmark = pytest.mark.worker

User = get_user_model()

READY_SUBJECT = "is ready to download"
DELETED_SUBJECT = "account has been deleted"

#: Worker settings for the kill tests: a build whose worker died is taken over as soon as the
#: task comes back, instead of after the production default of 30 minutes.
QUICK_TAKEOVER = {"DATARIGHTS_EXPORT_STALL_TIMEOUT": 1, "DATARIGHTS_ERASURE_STALL_TIMEOUT": 1}


def export_status(export: ExportRequest) -> str:
    export.refresh_from_db()
    return export.status


def deletion_status(deletion: DeletionRequest) -> str:
    deletion.refresh_from_db()
    return deletion.status


def wait_for_mail(worker_mail, subject_part: str) -> int:
    """Return the count of matching emails once there is one; they are sent after the commit."""
    return wait_until(lambda: worker_mail(subject_part), timeout=10, what="email")


def stored_archives() -> set[str]:
    """Return every archive in storage, including files other tests of this run left behind."""
    storage = export_storage()
    if not storage.exists(STORAGE_PREFIX):
        return set()
    _directories, files = storage.listdir(STORAGE_PREFIX)
    return {posixpath.join(STORAGE_PREFIX, name) for name in files}


def test_export_built_by_worker(worker, worker_mail, user):
    export = request_export(user)

    wait_until(lambda: export_status(export) == ExportStatus.READY, timeout=30, what="export")

    assert export.is_downloadable
    assert AuditEvent.objects.filter(action="export.built", object_ref=str(export.pk)).count() == 1
    assert wait_for_mail(worker_mail, READY_SUBJECT) == 1


def test_erasure_run_by_worker(worker, worker_mail, user):
    deletion = request_deletion(user)

    wait_until(lambda: deletion_status(deletion) == DeletionStatus.DONE, timeout=30, what="erasure")

    assert not User.objects.filter(pk=user.pk).exists()
    assert AuditEvent.objects.filter(action="deletion.executed").count() == 1
    assert wait_for_mail(worker_mail, DELETED_SUBJECT) == 1


def test_retention_enforced_by_worker(worker, user):
    sync_declared_policies()
    old = ActivityLog.objects.create(user=user, action="login")
    ActivityLog.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
    recent = [ActivityLog.objects.create(user=user, action="login") for _ in range(3)]
    active_policies = RetentionPolicy.objects.filter(paused=False).count()

    enforce_all.delay()

    wait_until(
        lambda: RetentionRun.objects.exclude(status=RunStatus.RUNNING).count() >= active_policies,
        timeout=60,
        what="retention runs",
    )
    assert not ActivityLog.objects.filter(pk=old.pk).exists()
    assert ActivityLog.objects.filter(pk__in=[row.pk for row in recent]).count() == 3
    assert not RetentionRun.objects.filter(status=RunStatus.FAILED).exists()


def test_killed_export_finishes_once(start_worker, worker_mail, user, tmp_path):
    block_dir = tmp_path / "block"
    block_dir.mkdir()
    archives_before = stored_archives()
    first = start_worker(QUICK_TAKEOVER, block_dir)
    export = request_export(user)
    wait_until((block_dir / "started").exists, timeout=30, what="export start")

    first.kill()
    export.refresh_from_db()
    assert export.status == ExportStatus.RUNNING
    assert not export.is_downloadable

    (block_dir / "release").touch()
    start_worker(QUICK_TAKEOVER, block_dir)
    wait_until(lambda: export_status(export) == ExportStatus.READY, timeout=60, what="export")

    assert (block_dir / "started").read_text().count("started") == 2
    assert export.attempts == 2
    assert AuditEvent.objects.filter(action="export.built", object_ref=str(export.pk)).count() == 1
    assert wait_for_mail(worker_mail, READY_SUBJECT) == 1
    assert stored_archives() - archives_before == {export.storage_name}


def test_killed_erasure_finishes_once(start_worker, worker_mail, user, tmp_path):
    block_dir = tmp_path / "block"
    block_dir.mkdir()
    first = start_worker(QUICK_TAKEOVER, block_dir)
    deletion = request_deletion(user)
    wait_until((block_dir / "started").exists, timeout=30, what="erasure start")

    first.kill()
    assert deletion_status(deletion) == DeletionStatus.RUNNING

    (block_dir / "release").touch()
    start_worker(QUICK_TAKEOVER, block_dir)
    wait_until(lambda: deletion_status(deletion) == DeletionStatus.DONE, timeout=60, what="erasure")

    assert deletion.attempts == 2
    assert not User.objects.filter(pk=user.pk).exists()
    assert AuditEvent.objects.filter(action="deletion.executed").count() == 1
    assert wait_for_mail(worker_mail, DELETED_SUBJECT) == 1


def test_beat_sweep_starts_due_erasure(worker, start_beat, user, settings):
    settings.DATARIGHTS_DELETION_GRACE_PERIOD = timedelta(days=14)
    deletion = request_deletion(user)
    DeletionRequest.objects.filter(pk=deletion.pk).update(
        due_at=timezone.now() - timedelta(minutes=1)
    )

    start_beat(interval=1.0)

    wait_until(lambda: deletion_status(deletion) == DeletionStatus.DONE, timeout=45, what="erasure")
    assert not User.objects.filter(pk=user.pk).exists()


def test_beat_sweep_requeues_stalled_export(worker, start_beat, worker_mail, user):
    an_hour_ago = timezone.now() - timedelta(hours=1)
    export = ExportRequest.objects.create(
        user=user,
        status=ExportStatus.RUNNING,
        attempts=1,
        started_at=an_hour_ago,
        heartbeat_at=an_hour_ago,
    )

    start_beat(interval=1.0)

    wait_until(lambda: export_status(export) == ExportStatus.READY, timeout=45, what="export")
    assert export.attempts == 2
    assert AuditEvent.objects.filter(action="export.built", object_ref=str(export.pk)).count() == 1
    assert wait_for_mail(worker_mail, READY_SUBJECT) == 1
