from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from unittest import mock

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import timezone
from freezegun import freeze_time

from django_datarights.export import crypto, flows
from django_datarights.export.storage import export_storage
from django_datarights.models import AuditEvent, ExportRequest
from django_datarights.models.exports import ExportStatus
from django_datarights.pseudonyms import pseudonym_for
from django_datarights.registry import PersonalData, registry
from example_project.shop.models import ActivityLog, Message

from .conftest import make_key, read_archive


@pytest.fixture
def request_built(django_capture_on_commit_callbacks):
    def run(user, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            export = flows.request_export(user, **kwargs)
        export.refresh_from_db()
        return export

    return run


# --- Limits ----------------------------------------------------------------------------------


def test_in_flight_limit_rejects_second_request(user):
    flows.request_export(user)
    with pytest.raises(flows.ExportLimitReached, match="still being prepared"):
        flows.request_export(user)


def test_daily_limit_message_names_next_day(user, settings):
    settings.DATARIGHTS_EXPORT_MAX_PER_DAY = 1
    settings.DATARIGHTS_EXPORT_MAX_IN_FLIGHT = 5
    settings.TIME_ZONE = "Europe/Berlin"
    # 23:30 in Berlin on 3 March: the next request is possible from midnight, 4 March.
    with freeze_time(datetime(2026, 3, 3, 22, 30, tzinfo=dt_timezone.utc)):
        flows.request_export(user)
        with pytest.raises(flows.ExportLimitReached) as caught:
            flows.request_export(user)
    assert "1 exports per day" in caught.value.message
    assert caught.value.retry_at.isoformat() == "2026-03-04T00:00:00+01:00"
    assert "March 4, 2026" in caught.value.message


def test_daily_limit_resets_at_local_midnight(user, settings):
    settings.DATARIGHTS_EXPORT_MAX_PER_DAY = 1
    settings.DATARIGHTS_EXPORT_MAX_IN_FLIGHT = 5
    settings.TIME_ZONE = "Europe/Berlin"
    with freeze_time(datetime(2026, 3, 3, 22, 30, tzinfo=dt_timezone.utc)):
        flows.request_export(user)
    with freeze_time(datetime(2026, 3, 3, 23, 1, tzinfo=dt_timezone.utc)):
        assert flows.request_export(user).status == ExportStatus.QUEUED


def test_operator_request_skips_limits(user, make_user):
    operator = make_user("operator", is_staff=True)
    flows.request_export(user)
    export = flows.request_export(user, operator=operator)
    assert export.requested_by == operator


def test_request_records_audit_event(user):
    export = flows.request_export(user)
    event = AuditEvent.objects.get(action="export.requested")
    assert event.subject == pseudonym_for(user)
    assert event.object_ref == str(export.pk)


# --- Building --------------------------------------------------------------------------------


def test_build_twice_builds_once(user, request_built):
    export = request_built(user)
    name = export.storage_name
    assert flows.build_export(export.pk) is None
    export.refresh_from_db()
    assert export.storage_name == name
    assert export.attempts == 1


def test_ready_email_links_to_settings_page(user, request_built):
    request_built(user)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert "http://127.0.0.1:8000/privacy/" in message.body
    assert "/download/" not in message.body


def test_stored_file_is_encrypted(user, shop_data, request_built):
    shop_data(user)
    export = request_built(user)
    with export_storage().open(export.storage_name, "rb") as stored:
        content = stored.read()
    assert content.startswith(crypto.MAGIC)
    assert b"Invented Road" not in content
    assert len(content) == export.size


def test_storage_name_is_random(user, request_built):
    export = request_built(user)
    assert export.storage_name.startswith("datarights/")
    assert user.username not in export.storage_name
    assert str(export.pk) not in export.storage_name


def test_tampered_stored_file_rejected(user, request_built):
    export = request_built(user)
    path = export_storage().path(export.storage_name)
    with open(path, "r+b") as stored:
        stored.seek(crypto.HEADER_SIZE + 5)
        byte = stored.read(1)
        stored.seek(crypto.HEADER_SIZE + 5)
        stored.write(bytes([byte[0] ^ 1]))
    with pytest.raises(crypto.ArchiveDecryptionError):
        b"".join(flows.open_archive(export))


def test_archive_readable_after_key_rotation(user, settings, request_built):
    key_a, key_b = make_key(), make_key()
    settings.DATARIGHTS_ARCHIVE_KEYS = [key_a]
    export = request_built(user)
    settings.DATARIGHTS_ARCHIVE_KEYS = [key_b, key_a]
    assert "manifest.json" in read_archive(export).namelist()


def test_archive_unreadable_without_its_key(user, settings, request_built):
    settings.DATARIGHTS_ARCHIVE_KEYS = [make_key()]
    export = request_built(user)
    settings.DATARIGHTS_ARCHIVE_KEYS = [make_key()]
    with pytest.raises(crypto.ArchiveDecryptionError):
        b"".join(flows.open_archive(export))


# --- One failing dataset ---------------------------------------------------------------------


class BrokenData(PersonalData):
    user_path = "user"
    category = "Activity log"

    @classmethod
    def export_row(cls, instance):
        return {"id": object()}


@pytest.fixture
def broken_activity_log():
    snapshot = registry.snapshot()
    registry.unregister(ActivityLog)
    registry.register(ActivityLog, BrokenData)
    yield
    registry.restore(snapshot)


def test_failing_dataset_fails_export(user, shop_data, broken_activity_log, request_built):
    shop_data(user)
    export = request_built(user)
    assert export.status == ExportStatus.FAILED
    assert not export.is_downloadable


def test_failing_dataset_named_for_user(user, shop_data, broken_activity_log, request_built):
    shop_data(user)
    export = request_built(user)
    assert "Activity log" in export.failure_message
    assert "object" not in export.failure_message


def test_failing_dataset_named_for_operator(user, shop_data, broken_activity_log, request_built):
    shop_data(user)
    export = request_built(user)
    assert "shop.ActivityLog" in export.failure_reason
    assert "UnserialisableValue" in export.failure_reason


def test_failing_dataset_leaves_no_file(
    user, shop_data, broken_activity_log, request_built, archive_storage
):
    shop_data(user)
    request_built(user)
    assert not list(archive_storage.rglob("*.bin"))


def test_large_dataset_counted_exactly(user, settings, request_built):
    settings.DATARIGHTS_EXPORT_CHUNK_SIZE = 100
    Message.objects.bulk_create(
        Message(author=user, subject=f"s{i}", body="b") for i in range(2500)
    )
    export = request_built(user)
    entry = next(d for d in export.manifest["datasets"] if d["label"] == "shop.Message")
    assert entry["rows"] == 2500


# --- Interrupted builds ----------------------------------------------------------------------


def test_interrupted_build_retries_and_finishes(user, shop_data, request_built, archive_storage):
    shop_data(user)
    real_save = export_storage().save
    calls = {"n": 0}

    def save_then_die(name, content, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            content.read(1000)
            (archive_storage / name).parent.mkdir(parents=True, exist_ok=True)
            (archive_storage / name).write_bytes(b"partial")
            raise OSError("disk went away")
        return real_save(name, content, **kwargs)

    with mock.patch.object(type(export_storage()), "save", autospec=True) as save:
        save.side_effect = lambda storage, name, content, **kw: save_then_die(name, content, **kw)
        export = request_built(user)
    assert export.status == ExportStatus.READY
    assert export.attempts == 2
    assert [p.name for p in archive_storage.rglob("*.bin")] == [export.storage_name.split("/")[-1]]
    assert "manifest.json" in read_archive(export).namelist()


def test_interrupted_build_fails_after_max_attempts(user, settings, request_built):
    settings.DATARIGHTS_EXPORT_MAX_ATTEMPTS = 2
    with mock.patch(
        "django_datarights.export.flows.build_archive", side_effect=RuntimeError("boom")
    ):
        export = request_built(user)
    assert export.status == ExportStatus.FAILED
    assert export.attempts == 2
    assert "boom" in export.failure_reason


def test_killed_build_not_downloadable(user):
    export = flows.request_export(user)
    export.status = ExportStatus.RUNNING
    export.heartbeat_at = timezone.now()
    export.storage_name = "datarights/" + "0" * 32 + ".bin"
    export.save()
    assert not export.is_downloadable
    with pytest.raises(flows.ExportNotAvailable):
        flows.open_archive(export)


def test_stalled_build_requeued_and_finished(
    user, archive_storage, django_capture_on_commit_callbacks
):
    export = flows.request_export(user)
    partial = "datarights/" + "a" * 32 + ".bin"
    export_storage().save(partial, ContentFile(b"partial"))
    ExportRequest.objects.filter(pk=export.pk).update(
        status=ExportStatus.RUNNING,
        attempts=1,
        storage_name=partial,
        heartbeat_at=timezone.now() - timedelta(hours=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert flows.requeue_stalled() == 1
    export.refresh_from_db()
    assert export.status == ExportStatus.READY
    assert not export_storage().exists(partial)


def test_recent_running_build_not_requeued(user):
    export = flows.request_export(user)
    ExportRequest.objects.filter(pk=export.pk).update(
        status=ExportStatus.RUNNING, heartbeat_at=timezone.now()
    )
    assert flows.requeue_stalled() == 0
    assert flows.build_export(export.pk) is None


def test_stalled_build_at_max_attempts_fails(user, settings):
    settings.DATARIGHTS_EXPORT_MAX_ATTEMPTS = 1
    export = flows.request_export(user)
    ExportRequest.objects.filter(pk=export.pk).update(
        status=ExportStatus.RUNNING, attempts=1, heartbeat_at=timezone.now() - timedelta(hours=1)
    )
    flows.requeue_stalled()
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED


def test_retry_restarts_failed_export(
    user, make_user, settings, request_built, django_capture_on_commit_callbacks
):
    settings.DATARIGHTS_EXPORT_MAX_ATTEMPTS = 1
    with mock.patch(
        "django_datarights.export.flows.build_archive", side_effect=RuntimeError("boom")
    ):
        export = request_built(user)
    assert export.status == ExportStatus.FAILED
    with django_capture_on_commit_callbacks(execute=True):
        flows.retry_export(export, make_user("operator", is_staff=True))
    export.refresh_from_db()
    assert export.status == ExportStatus.READY


# --- Expiry and discard ----------------------------------------------------------------------


def test_expiry_destroys_key_and_file(user, request_built, django_capture_on_commit_callbacks):
    export = request_built(user)
    name = export.storage_name
    with django_capture_on_commit_callbacks(execute=True):
        count = flows.expire_exports(now=export.expires_at + timedelta(seconds=1))
    export.refresh_from_db()
    assert count == 1
    assert export.status == ExportStatus.EXPIRED
    assert export.wrapped_key is None
    assert not export_storage().exists(name)


def test_expiry_leaves_current_archive(user, request_built):
    export = request_built(user)
    assert flows.expire_exports(now=export.expires_at - timedelta(seconds=1)) == 0


def test_expiry_rollback_keeps_file(user, request_built):
    from django.db import transaction

    export = request_built(user)
    with pytest.raises(RuntimeError), transaction.atomic():
        flows.expire_exports(now=export.expires_at + timedelta(seconds=1))
        raise RuntimeError("rolled back")
    export.refresh_from_db()
    assert export.status == ExportStatus.READY
    assert export.wrapped_key is not None
    assert export_storage().exists(export.storage_name)


def test_discard_removes_every_archive(
    user, settings, request_built, django_capture_on_commit_callbacks
):
    settings.DATARIGHTS_EXPORT_MAX_IN_FLIGHT = 5
    first = request_built(user)
    second = request_built(user)
    with django_capture_on_commit_callbacks(execute=True):
        assert flows.discard_exports_for(user) == 2
    for export in (first, second):
        name = export.storage_name
        export.refresh_from_db()
        assert export.wrapped_key is None
        assert not export_storage().exists(name)
