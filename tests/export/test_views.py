import io
import json
import zipfile
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from django_datarights.export import flows
from django_datarights.models import AuditEvent, ExportRequest
from django_datarights.models.exports import ExportStatus
from django_datarights.reauth.state import SESSION_KEY


@pytest.fixture
def ready_export(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        export = flows.request_export(user)
    export.refresh_from_db()
    return export


@pytest.fixture
def reauthed_client(client, user):
    client.force_login(user)
    session = client.session
    import time

    session[SESSION_KEY] = time.time()
    session.save()
    return client


def download_url(export):
    return reverse("datarights:export-download", args=[export.pk])


def file_url(export):
    return reverse("datarights:export-file", args=[export.pk])


# The download page and the file behind it guard the archive in the same way.
both_views = pytest.mark.parametrize("view", ["export-download", "export-file"])


def view_url(view, export):
    return reverse(f"datarights:{view}", args=[export.pk])


def test_download_page_starts_file(reauthed_client, ready_export):
    response = reauthed_client.get(download_url(ready_export))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "no-store" in response["Cache-Control"]
    content = response.content.decode()
    assert f'<meta http-equiv="refresh" content="0; url={file_url(ready_export)}">' in content
    assert f'href="{file_url(ready_export)}"' in content


def test_download_page_records_nothing(reauthed_client, ready_export):
    reauthed_client.get(download_url(ready_export))
    ready_export.refresh_from_db()
    assert ready_export.download_count == 0
    assert ready_export.status == ExportStatus.READY


def test_download_streams_zip(reauthed_client, ready_export):
    response = reauthed_client.get(file_url(ready_export))
    assert response.status_code == 200
    assert response.streaming
    body = b"".join(response.streaming_content)
    assert "manifest.json" in zipfile.ZipFile(io.BytesIO(body)).namelist()


def test_download_headers(reauthed_client, ready_export):
    response = reauthed_client.get(file_url(ready_export))
    assert response["Content-Disposition"] == 'attachment; filename="personal-data.zip"'
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"] == "application/zip"


def test_download_recorded(reauthed_client, ready_export):
    reauthed_client.get(file_url(ready_export))
    ready_export.refresh_from_db()
    assert ready_export.download_count == 1
    assert ready_export.status == ExportStatus.DOWNLOADED
    assert AuditEvent.objects.filter(
        action="export.downloaded", object_ref=str(ready_export.pk)
    ).exists()


@both_views
def test_foreign_export_is_404(view, client, other_user, ready_export):
    client.force_login(other_user)
    session = client.session
    import time

    session[SESSION_KEY] = time.time()
    session.save()
    assert client.get(view_url(view, ready_export)).status_code == 404


@both_views
def test_unknown_export_is_404(view, reauthed_client):
    url = reverse(f"datarights:{view}", args=["00000000-0000-4000-8000-000000000000"])
    assert reauthed_client.get(url).status_code == 404


@both_views
def test_expired_export_is_410(
    view, reauthed_client, ready_export, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        flows.expire_exports(now=ready_export.expires_at + timedelta(seconds=1))
    response = reauthed_client.get(view_url(view, ready_export))
    assert response.status_code == 410
    assert b"has expired" in response.content


@both_views
def test_past_expiry_before_sweep_is_410(view, reauthed_client, ready_export):
    ExportRequest.objects.filter(pk=ready_export.pk).update(expires_at=ready_export.created_at)
    assert reauthed_client.get(view_url(view, ready_export)).status_code == 410


@both_views
def test_queued_export_is_404(view, reauthed_client, user):
    export = flows.request_export(user)
    assert reauthed_client.get(view_url(view, export)).status_code == 404


@both_views
def test_download_requires_reauth(view, client, user, ready_export):
    client.force_login(user)
    response = client.get(view_url(view, ready_export))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("datarights:reauth"))
    ready_export.refresh_from_db()
    assert ready_export.download_count == 0


@both_views
def test_download_requires_login(view, client, ready_export):
    response = client.get(view_url(view, ready_export))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_status_json_for_owner(client, user, ready_export):
    client.force_login(user)
    response = client.get(reverse("datarights:export-status", args=[ready_export.pk]))
    data = json.loads(response.content)
    assert data["status"] == "ready"
    assert data["progress"] == 100
    assert data["download_url"] == download_url(ready_export)


def test_status_foreign_is_404(client, other_user, ready_export):
    client.force_login(other_user)
    assert (
        client.get(reverse("datarights:export-status", args=[ready_export.pk])).status_code == 404
    )


def test_request_needs_post(client, user):
    client.force_login(user)
    assert client.get(reverse("datarights:export-request")).status_code == 405


def test_request_needs_csrf(user):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(user)
    assert csrf_client.post(reverse("datarights:export-request")).status_code == 403
    assert not ExportRequest.objects.exists()


def test_request_over_limit_shows_message(client, user):
    client.force_login(user)
    flows.request_export(user)
    response = client.post(reverse("datarights:export-request"), follow=True)
    assert b"still being prepared" in response.content
    assert ExportRequest.objects.count() == 1


def test_request_throttled_per_hour(client, user, settings):
    settings.DATARIGHTS_EXPORT_REQUESTS_PER_HOUR = 1
    settings.DATARIGHTS_EXPORT_MAX_IN_FLIGHT = 5
    client.force_login(user)
    client.post(reverse("datarights:export-request"))
    response = client.post(reverse("datarights:export-request"), follow=True)
    assert b"Too many attempts" in response.content
    assert ExportRequest.objects.count() == 1


def test_page_lists_exports(client, user, ready_export):
    client.force_login(user)
    response = client.get(reverse("datarights:settings"))
    assert download_url(ready_export).encode() in response.content


def test_page_shows_failure_message(client, user):
    export = flows.request_export(user)
    ExportRequest.objects.filter(pk=export.pk).update(
        status=ExportStatus.FAILED,
        failure_message="We could not include your Orders.",
        failure_reason="dataset shop.Order: secret operator detail",
    )
    client.force_login(user)
    response = client.get(reverse("datarights:settings"))
    assert b"We could not include your Orders." in response.content
    assert b"secret operator detail" not in response.content


def test_section_query_count_constant(rf, user, settings):
    from django_datarights.export.page import section_context

    settings.DATARIGHTS_EXPORT_MAX_IN_FLIGHT = 10
    settings.DATARIGHTS_EXPORT_MAX_PER_DAY = 10
    request = rf.get("/")
    request.user = user
    flows.request_export(user)
    with CaptureQueriesContext(connection) as one:
        section_context(request)
    for _ in range(3):
        flows.request_export(user)
    with CaptureQueriesContext(connection) as four:
        section_context(request)
    assert len(one) == len(four) == 1


# --- Tasks and transactions ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_task_published_after_commit(client, user, monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "ATOMIC_REQUESTS", True)
    seen = []

    def fake_apply_async(args, **kwargs):
        # The row must be visible to a worker when the task is published.
        seen.append(ExportRequest.objects.filter(pk=args[0]).exists())

    client.force_login(user)
    with mock.patch(
        "django_datarights.export.tasks.build.apply_async", side_effect=fake_apply_async
    ):
        client.post(reverse("datarights:export-request"))
    assert seen == [True]


def test_task_published_on_commit_only(user, django_capture_on_commit_callbacks):
    with mock.patch("django_datarights.export.tasks.build.apply_async") as publish:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            flows.request_export(user)
        assert publish.call_count == 0
        for callback in callbacks:
            callback()
    assert publish.call_count == 1


def test_rolled_back_request_publishes_nothing(
    client, user, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setitem(connection.settings_dict, "ATOMIC_REQUESTS", True)
    client.force_login(user)
    with (
        mock.patch("django_datarights.export.tasks.build.apply_async") as publish,
        mock.patch(
            "django_datarights.export.views.messages.success", side_effect=RuntimeError("forced")
        ),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        client.post(reverse("datarights:export-request"))
    assert publish.call_count == 0
    assert callbacks == []
    assert not ExportRequest.objects.exists()


@both_views
def test_retired_key_is_410(view, reauthed_client, ready_export, settings):
    from .conftest import make_key

    settings.DATARIGHTS_ARCHIVE_KEYS = [make_key()]
    response = reauthed_client.get(view_url(view, ready_export))
    assert response.status_code == 410
    ready_export.refresh_from_db()
    assert ready_export.download_count == 0


def test_missing_file_is_410(reauthed_client, ready_export):
    from django_datarights.export.storage import export_storage

    export_storage().delete(ready_export.storage_name)
    response = reauthed_client.get(file_url(ready_export))
    assert response.status_code == 410
    ready_export.refresh_from_db()
    assert ready_export.download_count == 0
