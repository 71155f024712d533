"""The demo shop's admin: every model opens, and views of a customer's records are audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from django_datarights.models import AuditEvent
from example_project.shop.models import (
    ActivityLog,
    Address,
    Invoice,
    Message,
    Order,
    Profile,
    SupportNote,
)

AUDITED = [Profile, Address, Order, Invoice, Message, ActivityLog]


@pytest.fixture
def operator_client(client: Any, seeded: Any) -> Any:
    operator = get_user_model().objects.create_user(
        "shop-operator", password="operator-pass", is_staff=True, is_superuser=True
    )
    client.force_login(operator)
    return client


def admin_url(model: Any, view: str, *args: Any) -> str:
    return reverse(f"admin:shop_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", [*AUDITED, SupportNote], ids=lambda model: model.__name__)
def test_changelist_opens(operator_client: Any, model: Any) -> None:
    assert operator_client.get(admin_url(model, "changelist")).status_code == 200


@pytest.mark.parametrize("model", AUDITED, ids=lambda model: model.__name__)
def test_change_page_view_audited(operator_client: Any, model: Any) -> None:
    record = model.objects.exclude(**{f"{subject_field(model)}__isnull": True}).first()
    response = operator_client.get(admin_url(model, "change", record.pk))
    assert response.status_code == 200
    event = AuditEvent.objects.filter(action="admin.viewed").latest("pk")
    assert event.object_ref == f"{model._meta.label_lower}:{record.pk}"


def subject_field(model: Any) -> str:
    return {Order: "customer", Invoice: "customer", Message: "author"}.get(model, "user")
