"""The read-only audit admin and the mixin that records operators opening a user's page."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client

from django_datarights.audit.log import ActorKind
from django_datarights.models import AuditEvent
from django_datarights.pseudonyms import pseudonym_for

CHANGELIST = "/admin/django_datarights/auditevent/"


@pytest.fixture
def operator(make_user: Any) -> Any:
    return make_user("operator", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client: Client, operator: Any) -> Client:
    client.force_login(operator)
    return client


VERIFY = CHANGELIST + "verify/"


def test_changelist_before_any_verification(
    admin_client: Client, chain: list[AuditEvent], django_assert_max_num_queries: Any
) -> None:
    # The page does not read the whole trail: a fixed handful of queries, whatever its size.
    with django_assert_max_num_queries(12):
        response = admin_client.get(CHANGELIST)

    assert response.status_code == 200
    assert "The hash chain has not been verified yet." in response.content.decode()


def test_verify_button_reports_intact_chain(
    admin_client: Client, operator: Any, chain: list[AuditEvent]
) -> None:
    response = admin_client.post(VERIFY, follow=True)

    html = response.content.decode()
    assert "Hash chain intact: 4 events checked, head #4." in html
    assert "hash chain intact, 4 events checked, head #4" in html
    event = AuditEvent.objects.get(action="audit.verified")
    assert event.actor_kind == ActorKind.OPERATOR
    assert event.actor == pseudonym_for(operator.pk)
    assert event.details["checked"] == 4


def test_verify_button_reports_break(admin_client: Client, chain: list[AuditEvent]) -> None:
    AuditEvent.objects.filter(sequence=2).delete()

    response = admin_client.post(VERIFY, follow=True)

    html = response.content.decode()
    assert "Hash chain broken at event #2 (sequence_gap)" in html
    assert AuditEvent.objects.get(action="audit.verified").outcome == "failed"


def test_verify_needs_post(admin_client: Client, chain: list[AuditEvent]) -> None:
    assert admin_client.get(VERIFY).status_code == 405
    assert not AuditEvent.objects.filter(action="audit.verified").exists()


def test_verify_needs_csrf(operator: Any, chain: list[AuditEvent]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)

    assert client.post(VERIFY).status_code == 403
    assert not AuditEvent.objects.filter(action="audit.verified").exists()


def test_verify_needs_staff(client: Client, user: Any, chain: list[AuditEvent]) -> None:
    client.force_login(user)

    response = client.post(VERIFY)

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert not AuditEvent.objects.filter(action="audit.verified").exists()


def test_no_add_page(admin_client: Client, chain: list[AuditEvent]) -> None:
    assert admin_client.get(CHANGELIST + "add/").status_code == 403


def test_change_page_read_only(admin_client: Client, chain: list[AuditEvent]) -> None:
    url = f"{CHANGELIST}{chain[0].pk}/change/"

    response = admin_client.post(url, {"action": "consent.withdrawn"})

    assert response.status_code == 403
    assert AuditEvent.objects.get(pk=chain[0].pk).action == "consent.given"


def test_no_delete_page(admin_client: Client, chain: list[AuditEvent]) -> None:
    response = admin_client.post(f"{CHANGELIST}{chain[0].pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert AuditEvent.objects.count() == 4


def test_csv_export_rows(admin_client: Client, chain: list[AuditEvent]) -> None:
    response = admin_client.post(
        CHANGELIST,
        {"action": "export_csv", ACTION_CHECKBOX_NAME: [str(event.pk) for event in chain]},
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["sequence", "created_at", "action"]
    assert [row[0] for row in rows[1:]] == ["1", "2", "3", "4"]
    assert rows[3][8] == '{"rows": 12}'
    assert rows[4][10] == chain[3].hash


def test_csv_export_audited(admin_client: Client, operator: Any, chain: list[AuditEvent]) -> None:
    admin_client.post(
        CHANGELIST, {"action": "export_csv", ACTION_CHECKBOX_NAME: [str(chain[0].pk)]}
    )

    event = AuditEvent.objects.get(action="audit.exported")
    assert event.actor == pseudonym_for(operator)
    assert event.actor_kind == ActorKind.OPERATOR
    assert event.details == {"events": 1}


def test_csv_cells_not_formulas(admin_client: Client, user: Any) -> None:
    from django_datarights.audit import record_event

    event = record_event("consent.given", subject=user, object_ref="=HYPERLINK(1)")

    response = admin_client.post(
        CHANGELIST, {"action": "export_csv", ACTION_CHECKBOX_NAME: [str(event.pk)]}
    )

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][6] == "'=HYPERLINK(1)"


def test_user_page_view_audited(admin_client: Client, operator: Any, user: Any) -> None:
    response = admin_client.get(f"/admin/auth/user/{user.pk}/change/")

    assert response.status_code == 200
    event = AuditEvent.objects.get(action="admin.viewed")
    assert event.subject == pseudonym_for(user)
    assert event.actor == pseudonym_for(operator)
    assert event.actor_kind == ActorKind.OPERATOR
    assert event.object_ref == f"auth.user:{user.pk}"


def test_missing_user_not_audited(admin_client: Client) -> None:
    admin_client.get("/admin/auth/user/999999/change/")

    assert not AuditEvent.objects.filter(action="admin.viewed").exists()


def test_non_staff_not_audited(client: Client, user: Any, other_user: Any) -> None:
    client.force_login(other_user)

    response = client.get(f"/admin/auth/user/{user.pk}/change/")

    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="admin.viewed").exists()


def user_admins() -> list[Any]:
    from django.contrib import admin
    from django.contrib.auth import get_user_model

    # The app's own admins, plus the user admin: third-party admins (django-otp's devices) are
    # the host's choice.
    found = []
    for model, model_admin in admin.site._registry.items():
        points_at_user = model._meta.app_label == "django_datarights" and any(
            field.many_to_one and field.related_model is get_user_model() and field.name == "user"
            for field in model._meta.get_fields()
        )
        if model is get_user_model() or points_at_user:
            found.append(pytest.param(model_admin, id=model._meta.label))
    return found


@pytest.mark.parametrize("model_admin", user_admins())
def test_user_admins_audited(model_admin: Any) -> None:
    from django_datarights.admin import AuditedAdminMixin

    assert isinstance(model_admin, AuditedAdminMixin)


def test_export_admin_view_audited(admin_client: Client, user: Any) -> None:
    from django_datarights.models import ExportRequest

    export = ExportRequest.objects.create(user=user)

    response = admin_client.get(f"/admin/django_datarights/exportrequest/{export.pk}/change/")

    assert response.status_code == 200
    event = AuditEvent.objects.get(action="admin.viewed")
    assert event.subject == pseudonym_for(user)
    assert event.object_ref == f"django_datarights.exportrequest:{export.pk}"
