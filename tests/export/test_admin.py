import pytest
from django.urls import reverse

from django_datarights.export import flows
from django_datarights.models import AuditEvent, ExportRequest
from django_datarights.models.exports import ExportStatus


@pytest.fixture
def operator(make_user):
    return make_user("operator", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, operator):
    client.force_login(operator)
    return client


def changelist():
    return reverse("admin:django_datarights_exportrequest_changelist")


def test_changelist_renders(admin_client, user):
    flows.request_export(user)
    assert admin_client.get(changelist()).status_code == 200


def test_change_page_read_only(admin_client, user):
    export = flows.request_export(user)
    url = reverse("admin:django_datarights_exportrequest_change", args=[export.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert b'name="status"' not in response.content


def test_add_starts_export_through_flow(
    admin_client, user, operator, django_capture_on_commit_callbacks
):
    url = reverse("admin:django_datarights_exportrequest_add")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {"user": user.pk})
    assert response.status_code == 302
    export = ExportRequest.objects.get()
    assert export.requested_by == operator
    assert export.status == ExportStatus.READY
    assert AuditEvent.objects.get(action="export.requested").actor_kind == "operator"


def test_retry_action(admin_client, user, settings, django_capture_on_commit_callbacks):
    export = flows.request_export(user)
    ExportRequest.objects.filter(pk=export.pk).update(status=ExportStatus.FAILED, attempts=3)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            changelist(), {"action": "retry_selected", "_selected_action": [export.pk]}
        )
    export.refresh_from_db()
    assert export.status == ExportStatus.READY


def test_retry_action_skips_ready(admin_client, user):
    export = flows.request_export(user)
    ExportRequest.objects.filter(pk=export.pk).update(status=ExportStatus.READY)
    response = admin_client.post(
        changelist(), {"action": "retry_selected", "_selected_action": [export.pk]}, follow=True
    )
    assert b"skipped because it had not failed" in response.content


def test_start_action_one_export_per_user(admin_client, user, settings):
    settings.DATARIGHTS_EXPORT_MAX_IN_FLIGHT = 5
    first = flows.request_export(user)
    second = flows.request_export(user, operator=user)
    admin_client.post(
        changelist(),
        {"action": "start_export_for_users", "_selected_action": [first.pk, second.pk]},
    )
    assert ExportRequest.objects.filter(user=user).count() == 3
