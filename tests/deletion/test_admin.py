"""Operator admin for deletion requests: actions go through the flows and are audited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from django_datarights.deletion import engine, flows
from django_datarights.models import AuditEvent, DeletionRequest
from django_datarights.models.deletion import DeletionStatus
from django_datarights.registry import registry
from example_project.shop.models import Invoice

from .conftest import InvoiceData

pytestmark = pytest.mark.django_db(transaction=True)

CHANGELIST = "admin:django_datarights_deletionrequest_changelist"


def run_action(client: Any, action: str, deletion: DeletionRequest, **extra: str) -> Any:
    data = {"action": action, ACTION_CHECKBOX_NAME: [str(deletion.pk)], "index": "0", **extra}
    return client.post(reverse(CHANGELIST), data)


@pytest.fixture
def scheduled(user, settings):
    settings.DATARIGHTS_DELETION_GRACE_PERIOD = timedelta(days=14)
    return flows.request_deletion(user)


def test_changelist_lists_requests(admin_client, scheduled):
    response = admin_client.get(reverse(CHANGELIST))

    assert response.status_code == 200
    assert str(scheduled.pk) in response.content.decode()


def test_expedite_action(admin_client, scheduled, empty_registry):
    run_action(admin_client, "expedite_selected", scheduled)

    scheduled.refresh_from_db()
    assert scheduled.status == DeletionStatus.DONE
    assert AuditEvent.objects.filter(action="deletion.expedited", actor_kind="operator").exists()


def test_hold_action_asks_reason(admin_client, scheduled):
    response = run_action(admin_client, "hold_selected", scheduled)

    assert response.status_code == 200
    assert "legal_hold_reason" in response.content.decode()
    scheduled.refresh_from_db()
    assert not scheduled.legal_hold


def test_hold_and_release_actions(admin_client, scheduled):
    data = {
        "action": "hold_selected",
        ACTION_CHECKBOX_NAME: [str(scheduled.pk)],
        "apply": "1",
        "legal_hold_reason": "Open tax audit",
    }
    admin_client.post(reverse(CHANGELIST), data)
    scheduled.refresh_from_db()
    assert scheduled.legal_hold
    assert scheduled.legal_hold_reason == "Open tax audit"

    run_action(admin_client, "release_selected", scheduled)

    scheduled.refresh_from_db()
    assert not scheduled.legal_hold


def test_cancel_action(admin_client, scheduled, user):
    run_action(admin_client, "cancel_selected", scheduled)

    scheduled.refresh_from_db()
    user.refresh_from_db()
    assert scheduled.status == DeletionStatus.CANCELLED
    assert user.is_active


def test_retry_action_finishes(admin_client, user, fill_shop, admin_user):
    fill_shop(user)
    registry.unregister(Invoice)
    deletion = flows.request_deletion(user, by_operator=True, publish=False)
    engine.erase(deletion.pk)
    registry.register(Invoice, InvoiceData)

    run_action(admin_client, "retry_selected", deletion)

    deletion.refresh_from_db()
    assert deletion.status == DeletionStatus.DONE
    assert deletion.error == ""


def test_change_page_shows_error_and_hits(admin_client, scheduled):
    DeletionRequest.objects.filter(pk=scheduled.pk).update(
        status=DeletionStatus.FAILED,
        error="Erasure stopped: rows of shop.Invoice.customer protect this account",
        progress={"shop.Address": {"deleted": 3, "anonymised": 0, "cascaded": 0, "done": True}},
        residual_hits=[{"table": "shop_supportnote", "column": "text", "count": 2}],
    )
    url = reverse("admin:django_datarights_deletionrequest_change", args=[scheduled.pk])

    text = admin_client.get(url).content.decode()

    assert "shop.Invoice.customer" in text
    assert "shop_supportnote" in text
    assert "shop.Address" in text


def test_refused_action_explains(admin_client, scheduled, empty_registry):
    run_action(admin_client, "retry_selected", scheduled)

    scheduled.refresh_from_db()
    assert scheduled.status == DeletionStatus.SCHEDULED
