"""Export flows: request, build, download, expiry, requeue, retry and discard.

Views, admin actions, Celery tasks and the management command call these functions, so each
operation sends the same signals and audit events whichever way it is started.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import IO, Any, cast

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .. import signals
from ..adapter import get_adapter
from ..audit import ActorKind, record_event
from ..conf import app_settings
from ..emails import send_templated_email
from ..models import ExportRequest
from ..models.exports import DOWNLOADABLE, IN_FLIGHT, ExportStatus
from . import crypto
from .archive import ArchiveResult, DatasetFailed, build_archive
from .storage import delete_archive_file, export_storage, new_storage_name
from .upload import EncryptedUpload

logger = logging.getLogger(__name__)

# Progress and heartbeat are written at most this often during a build.
HEARTBEAT_INTERVAL = timedelta(seconds=5)


class ExportLimitReached(Exception):
    """The user may not request another export yet; the message states when they can."""

    def __init__(self, message: str, *, retry_at: datetime | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_at = retry_at


class ExportNotAvailable(Exception):
    """The archive cannot be read: it expired, is not built yet, or its key is gone."""


# --- Requesting ------------------------------------------------------------------------------


def request_export(user: Any, *, operator: Any = None) -> ExportRequest:
    """Create an export request for ``user`` and publish its build once the transaction commits.

    Users are limited to ``EXPORT_MAX_IN_FLIGHT`` queued or running requests and
    ``EXPORT_MAX_PER_DAY`` requests per calendar day in the site's time zone; ``ExportLimitReached``
    states when the next request is possible. Requests started by an operator skip both limits.
    """
    with transaction.atomic():
        # Lock the user's row so two simultaneous requests cannot both pass the limits.
        get_user_model()._default_manager.select_for_update().filter(pk=user.pk).first()
        if operator is None:
            _check_limits(user)
        export = ExportRequest.objects.create(user=user, requested_by=operator)
        record_event(
            "export.requested",
            subject=user,
            actor=operator or user,
            actor_kind=ActorKind.OPERATOR if operator is not None else ActorKind.USER,
            object_ref=export.pk,
        )
        signals.export_requested.send(sender=ExportRequest, export=export, operator=operator)
        publish_build(export)
    logger.info("export %s requested", export.pk)
    return export


def _check_limits(user: Any) -> None:
    in_flight = ExportRequest.objects.filter(user=user, status__in=IN_FLIGHT).count()
    if in_flight >= app_settings.EXPORT_MAX_IN_FLIGHT:
        raise ExportLimitReached(
            _(
                "Your previous export is still being prepared. "
                "You can request a new one when it is ready."
            )
        )
    now = timezone.localtime()
    start_of_day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    today = ExportRequest.objects.filter(user=user, created_at__gte=start_of_day).count()
    if today >= app_settings.EXPORT_MAX_PER_DAY:
        next_day = timezone.make_aware(
            datetime.combine(now.date() + timedelta(days=1), datetime.min.time()), now.tzinfo
        )
        raise ExportLimitReached(
            _(
                "You have reached the limit of %(count)d exports per day. "
                "You can request a new one from %(when)s."
            )
            % {
                "count": app_settings.EXPORT_MAX_PER_DAY,
                "when": formats.date_format(next_day, "DATETIME_FORMAT"),
            },
            retry_at=next_day,
        )


def publish_build(export: ExportRequest) -> None:
    """Send the build task after the current transaction commits (at once outside one)."""
    from .tasks import build

    export_id = str(export.pk)
    options: dict[str, Any] = (
        {"queue": app_settings.CELERY_QUEUE} if app_settings.CELERY_QUEUE else {}
    )
    transaction.on_commit(lambda: build.apply_async((export_id,), **options))


# --- Building --------------------------------------------------------------------------------


def build_export(export_id: Any) -> ExportRequest | None:
    """Build the archive of one export request; safe to call twice for the same id.

    Does nothing when the request is already finished, or when another worker is building it
    and its heartbeat is recent. An interrupted build leaves the request ``running``; the
    sweep requeues it after ``EXPORT_STALL_TIMEOUT``, and the next build removes the half-written
    file first.
    """
    export = _claim(export_id)
    if export is None:
        return None

    user = export.user
    last_beat = [timezone.now()]

    def on_progress(done: int, total: int) -> None:
        now = timezone.now()
        if now - last_beat[0] < HEARTBEAT_INTERVAL and done < total:
            return
        last_beat[0] = now
        # Leave a little room: 100% means the encrypted file is stored too.
        percent = min(95, int(done * 95 / max(total, 1)))
        ExportRequest.objects.filter(pk=export.pk, status=ExportStatus.RUNNING).update(
            progress=percent, heartbeat_at=now
        )

    try:
        data_key = crypto.new_data_key()
        # The archive is encrypted as it is written; on an error, the handlers below delete
        # whatever part of the file reached the storage.
        with EncryptedUpload(export_storage(), export.storage_name, data_key) as upload:
            result = build_archive(user, cast(IO[bytes], upload), progress=on_progress)
        wrapped_key, key_id = crypto.wrap_data_key(data_key)
        del data_key
    except DatasetFailed as failure:
        _fail(export, failure)
        return export
    except Exception as exc:
        _interrupted(export, exc)
        return export

    return _finish(export, upload, wrapped_key, key_id, result)


def _claim(export_id: Any) -> ExportRequest | None:
    now = timezone.now()
    with transaction.atomic():
        export = ExportRequest.objects.select_for_update().filter(pk=export_id).first()
        if export is None:
            logger.warning("export %s not found, build skipped", export_id)
            return None
        if export.status not in IN_FLIGHT:
            logger.info("export %s is %s, build skipped", export.pk, export.status)
            return None
        if export.status == ExportStatus.RUNNING and not _is_stalled(export, now):
            logger.info("export %s is being built by another worker, build skipped", export.pk)
            return None
        if export.attempts >= app_settings.EXPORT_MAX_ATTEMPTS:
            _mark_failed(export, f"gave up after {export.attempts} attempts", now=now)
            return None
        stale_name = export.storage_name
        export.status = ExportStatus.RUNNING
        export.attempts += 1
        export.started_at = now
        export.heartbeat_at = now
        export.progress = 0
        export.storage_name = new_storage_name()
        export.save(
            update_fields=[
                "status",
                "attempts",
                "started_at",
                "heartbeat_at",
                "progress",
                "storage_name",
            ]
        )
    # A previous attempt may have left part of a file behind; it was never offered for download.
    if stale_name:
        delete_archive_file(stale_name)
    logger.info("export %s build started, attempt %d", export.pk, export.attempts)
    return export


def _is_stalled(export: ExportRequest, now: datetime) -> bool:
    beat = export.heartbeat_at or export.started_at
    return beat is None or now - beat >= app_settings.EXPORT_STALL_TIMEOUT


def _finish(
    export: ExportRequest,
    upload: EncryptedUpload,
    wrapped_key: bytes,
    key_id: str,
    result: ArchiveResult,
) -> ExportRequest:
    stored_name = upload.stored_name
    now = timezone.now()
    with transaction.atomic():
        current = ExportRequest.objects.select_for_update().get(pk=export.pk)
        if current.status != ExportStatus.RUNNING or current.storage_name != export.storage_name:
            # Another build took over (the sweep requeued this one); its file wins.
            logger.warning("export %s changed during the build, archive discarded", export.pk)
            delete_archive_file(stored_name)
            return current
        current.status = ExportStatus.READY
        current.storage_name = stored_name
        current.wrapped_key = wrapped_key
        current.key_id = key_id
        current.size = upload.size
        current.sha256 = upload.sha256
        current.row_count = result.row_count
        current.manifest = result.manifest
        current.progress = 100
        current.heartbeat_at = now
        current.finished_at = now
        current.expires_at = now + app_settings.EXPORT_LINK_LIFETIME
        current.failure_reason = ""
        current.failure_message = ""
        current.save()
        record_event(
            "export.built",
            subject=current.user_id,
            object_ref=current.pk,
            details={"rows": current.row_count, "size": current.size, "attempt": current.attempts},
        )
        signals.export_ready.send(sender=ExportRequest, export=current)
        transaction.on_commit(lambda: send_ready_email(current))
    logger.info("export %s ready: %d rows, %d bytes", current.pk, current.row_count, current.size)
    return current


def _fail(export: ExportRequest, failure: DatasetFailed) -> None:
    delete_archive_file(export.storage_name)
    message = _(
        "We could not include your %(category)s in the export, so no archive was made. "
        "Our team has been told; you can try again later."
    ) % {"category": failure.category}
    with transaction.atomic():
        current = ExportRequest.objects.select_for_update().get(pk=export.pk)
        _mark_failed(current, f"dataset {failure.dataset}: {failure.reason}", message=message)


def _interrupted(export: ExportRequest, exc: Exception) -> None:
    """Handle an unexpected error: retry until ``EXPORT_MAX_ATTEMPTS``, then fail."""
    logger.error("export %s build attempt %d failed", export.pk, export.attempts, exc_info=exc)
    delete_archive_file(export.storage_name)
    reason = f"attempt {export.attempts}: {type(exc).__name__}: {exc}"
    with transaction.atomic():
        current = ExportRequest.objects.select_for_update().get(pk=export.pk)
        if current.status != ExportStatus.RUNNING:
            return
        if current.attempts >= app_settings.EXPORT_MAX_ATTEMPTS:
            _mark_failed(current, reason)
            return
        current.status = ExportStatus.QUEUED
        current.failure_reason = reason
        current.storage_name = ""
        current.save(update_fields=["status", "failure_reason", "storage_name"])
        publish_build(current)


def _mark_failed(
    export: ExportRequest, reason: str, *, message: str = "", now: datetime | None = None
) -> None:
    """Mark a locked request failed for good; the caller holds the row lock."""
    export.status = ExportStatus.FAILED
    export.failure_reason = reason
    export.failure_message = message or _(
        "We could not prepare your export. Please try again later."
    )
    export.finished_at = now or timezone.now()
    export.wrapped_key = None
    export.save(
        update_fields=["status", "failure_reason", "failure_message", "finished_at", "wrapped_key"]
    )
    record_event(
        "export.failed",
        subject=export.user_id,
        object_ref=export.pk,
        outcome="failed",
        details={"attempts": export.attempts},
    )
    signals.export_failed.send(sender=ExportRequest, export=export, reason=reason)
    logger.warning("export %s failed after %d attempts", export.pk, export.attempts)


def send_ready_email(export: ExportRequest) -> bool:
    """Tell the user the archive is ready; the link goes to the settings page, not the file."""
    user = export.user
    adapter = get_adapter()
    return send_templated_email(
        "export_ready",
        adapter.get_email(user),
        {
            "user": user,
            "export": export,
            "settings_url": adapter.build_absolute_url(reverse("datarights:settings")),
            "expires_at": export.expires_at,
        },
        event="export_ready",
    )


# --- Reading ---------------------------------------------------------------------------------


def archive_key_available(export: ExportRequest) -> bool:
    """Return whether a configured site key unwraps the archive's data key."""
    try:
        crypto.unwrap_data_key(bytes(export.wrapped_key or b""), export.key_id)
    except crypto.ArchiveDecryptionError:
        return False
    return True


def open_archive(export: ExportRequest) -> Iterator[bytes]:
    """Return an iterator over the decrypted archive, one chunk at a time.

    Raises ``ExportNotAvailable`` when the archive cannot be offered. A chunk that fails
    authentication raises ``crypto.ArchiveDecryptionError`` while iterating.
    """
    if not export.is_downloadable:
        raise ExportNotAvailable(f"export {export.pk} is {export.status}")
    data_key = crypto.unwrap_data_key(bytes(export.wrapped_key or b""), export.key_id)
    source = export_storage().open(export.storage_name, "rb")
    return _decrypting(source, data_key, export.pk)


def _decrypting(source: Any, data_key: bytes, export_id: Any) -> Iterator[bytes]:
    try:
        yield from crypto.decrypt_stream(source, data_key)
    except crypto.ArchiveDecryptionError:
        # The response has started, so the download ends early and the ZIP is incomplete.
        logger.error("export %s archive failed authentication while streaming", export_id)
        raise
    finally:
        source.close()


def record_download(export: ExportRequest, request: HttpRequest | None = None) -> None:
    """Count a download and record it in the audit trail."""
    now = timezone.now()
    ExportRequest.objects.filter(pk=export.pk).update(
        download_count=F("download_count") + 1,
        last_downloaded_at=now,
        status=ExportStatus.DOWNLOADED,
    )
    export.refresh_from_db(fields=["download_count", "last_downloaded_at", "status"])
    record_event(
        "export.downloaded",
        subject=export.user_id,
        actor=export.user_id,
        object_ref=export.pk,
        details={"downloads": export.download_count},
    )
    signals.export_downloaded.send(sender=ExportRequest, export=export, request=request)
    logger.info("export %s downloaded, download %d", export.pk, export.download_count)


# --- Expiry, sweeps and operators -------------------------------------------------------------


def expire_exports(now: datetime | None = None) -> int:
    """Destroy the key and the file of every archive past its expiry; return how many."""
    now = now or timezone.now()
    ids = list(
        ExportRequest.objects.filter(status__in=DOWNLOADABLE, expires_at__lte=now).values_list(
            "pk", flat=True
        )
    )
    expired = 0
    for export_id in ids:
        with transaction.atomic():
            export = (
                ExportRequest.objects.select_for_update()
                .filter(pk=export_id, status__in=DOWNLOADABLE, expires_at__lte=now)
                .first()
            )
            if export is None:
                continue
            _destroy(export, now)
            export.status = ExportStatus.EXPIRED
            export.save(update_fields=["status", "wrapped_key", "expired_at", "storage_name"])
            record_event("export.expired", subject=export.user_id, object_ref=export.pk)
        expired += 1
    if expired:
        logger.info("expired %d export archives", expired)
    return expired


def _destroy(export: ExportRequest, now: datetime) -> None:
    """Forget the data key and delete the stored file once the transaction commits."""
    name = export.storage_name
    export.wrapped_key = None
    export.expired_at = now
    export.storage_name = ""
    if name:
        transaction.on_commit(lambda: delete_archive_file(name))


def requeue_stalled(now: datetime | None = None) -> int:
    """Requeue running builds whose heartbeat is older than ``EXPORT_STALL_TIMEOUT``.

    A build that has used ``EXPORT_MAX_ATTEMPTS`` is marked failed instead. Returns the number
    of requests requeued or failed.
    """
    now = now or timezone.now()
    cutoff = now - app_settings.EXPORT_STALL_TIMEOUT
    ids = list(
        ExportRequest.objects.filter(
            status=ExportStatus.RUNNING, heartbeat_at__lte=cutoff
        ).values_list("pk", flat=True)
    )
    handled = 0
    for export_id in ids:
        with transaction.atomic():
            export = (
                ExportRequest.objects.select_for_update()
                .filter(pk=export_id, status=ExportStatus.RUNNING)
                .first()
            )
            if export is None or not _is_stalled(export, now):
                continue
            if export.attempts >= app_settings.EXPORT_MAX_ATTEMPTS:
                _mark_failed(export, f"stalled after {export.attempts} attempts", now=now)
            else:
                export.status = ExportStatus.QUEUED
                export.save(update_fields=["status"])
                publish_build(export)
        handled += 1
    if handled:
        logger.info("requeued or failed %d stalled exports", handled)
    return handled


def retry_export(export: ExportRequest, operator: Any) -> ExportRequest:
    """Start a failed export again with a fresh attempt count (admin action)."""
    with transaction.atomic():
        current = ExportRequest.objects.select_for_update().get(pk=export.pk)
        if current.status != ExportStatus.FAILED:
            return current
        current.status = ExportStatus.QUEUED
        current.attempts = 0
        current.progress = 0
        current.failure_message = ""
        current.save(update_fields=["status", "attempts", "progress", "failure_message"])
        record_event(
            "export.retried",
            subject=current.user_id,
            actor=operator,
            actor_kind=ActorKind.OPERATOR,
            object_ref=current.pk,
        )
        publish_build(current)
    logger.info("export %s retried by an operator", current.pk)
    return current


def discard_exports_for(user: Any) -> int:
    """Delete every archive file and data key of ``user``'s exports; used by erasure.

    Requests still queued or running are marked failed so no build writes a new archive.
    Returns the number of requests changed.
    """
    now = timezone.now()
    changed = 0
    with transaction.atomic():
        for export in ExportRequest.objects.select_for_update().filter(user=user):
            if (
                not export.storage_name
                and export.wrapped_key is None
                and export.status not in IN_FLIGHT
            ):
                continue
            _destroy(export, now)
            if export.status in IN_FLIGHT:
                export.status = ExportStatus.FAILED
                export.failure_reason = "account erased"
            elif export.status in DOWNLOADABLE:
                export.status = ExportStatus.EXPIRED
            export.save(
                update_fields=[
                    "status",
                    "wrapped_key",
                    "expired_at",
                    "storage_name",
                    "failure_reason",
                ]
            )
            changed += 1
    logger.info("discarded %d exports for an erased account", changed)
    return changed
