"""Kept rows anonymised in batches by primary-key range, one ``UPDATE`` per batch."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from django_datarights.deletion import engine, flows
from django_datarights.models import DeletionRequest
from django_datarights.models.deletion import DeletionStatus
from django_datarights.registry import registry
from example_project.shop.models import Invoice, Order, OrderLine


def request_now(user: Any) -> DeletionRequest:
    return flows.request_deletion(user, by_operator=True, publish=False)


def add_orders(user: Any, count: int) -> None:
    """Give ``user`` ``count`` more orders, each with one line carrying a gift message."""
    for index in range(count):
        order = Order.objects.create(
            customer=user,
            number=f"X-{user.pk}-{index}",
            shipping_name="Ingrid Halvorsen",
            shipping_address="2 Halvorsenveien, Bergen",
            total=Decimal("3.00"),
        )
        OrderLine.objects.create(
            order=order,
            product="Cup",
            unit_price=Decimal("3.00"),
            gift_message="For Ingrid Halvorsen",
        )


@pytest.fixture
def range_batches(monkeypatch: pytest.MonkeyPatch) -> list[type]:
    """Record the model of each batch anonymised by primary-key range."""
    seen: list[type] = []
    original = engine._anonymise_first_rows

    def spy(queryset, updates, state, size):
        seen.append(queryset.model)
        return original(queryset, updates, state, size)

    monkeypatch.setattr(engine, "_anonymise_first_rows", spy)
    return seen


@pytest.mark.django_db(transaction=True)
def test_counts_exactly_across_batches(user, other_user, fill_shop, settings, range_batches):
    settings.DATARIGHTS_ERASURE_BATCH_SIZE = 2
    fill_shop(user)
    fill_shop(other_user)
    add_orders(user, 4)
    deletion = request_now(user)

    assert engine.erase(deletion.pk) == engine.DONE

    deletion.refresh_from_db()
    assert deletion.progress["shop.Order"]["anonymised"] == 5
    assert deletion.progress["shop.OrderLine"]["anonymised"] == 5
    assert range_batches.count(Order) == 3
    assert not Order.objects.filter(shipping_name="Ingrid Halvorsen").exists()
    assert Order.objects.filter(customer=other_user).count() == 1


@pytest.mark.django_db(transaction=True)
def test_hashed_rows_with_files_keep_key_list(user, fill_shop, range_batches):
    fill_shop(user)
    deletion = request_now(user)

    engine.erase(deletion.pk)

    assert Order in range_batches
    assert Invoice not in range_batches
    deletion.refresh_from_db()
    assert deletion.progress["shop.Invoice"]["anonymised"] == 1


@pytest.mark.django_db(transaction=True)
def test_resumes_after_failed_range_batch(user, fill_shop, settings, monkeypatch):
    settings.DATARIGHTS_ERASURE_BATCH_SIZE = 2
    # One batch per transaction, so the batches before the failure stay committed.
    settings.DATARIGHTS_ERASURE_TRANSACTION_SECONDS = 0
    fill_shop(user)
    add_orders(user, 4)
    deletion = request_now(user)
    calls = {"n": 0}
    original = engine._anonymise_first_rows

    def failing(queryset, updates, state, size):
        if queryset.model is Order:
            calls["n"] += 1
            if calls["n"] == 2:
                raise RuntimeError("injected")
        return original(queryset, updates, state, size)

    monkeypatch.setattr(engine, "_anonymise_first_rows", failing)
    assert engine.erase(deletion.pk) == engine.FAILED
    deletion.refresh_from_db()
    assert deletion.status == DeletionStatus.FAILED
    assert deletion.progress["shop.Order"]["anonymised"] == 2
    assert Order.objects.filter(customer=user).count() == 3

    monkeypatch.setattr(engine, "_anonymise_first_rows", original)
    flows.retry(deletion, operator=None)

    deletion.refresh_from_db()
    assert deletion.status == DeletionStatus.DONE
    assert deletion.progress["shop.Order"]["anonymised"] == 5
    assert Order.objects.filter(customer__isnull=True).count() == 5


@pytest.mark.django_db(transaction=True)
def test_range_batch_run_again_changes_nothing(user, fill_shop, settings):
    settings.DATARIGHTS_ERASURE_BATCH_SIZE = 2
    fill_shop(user)
    add_orders(user, 4)
    step = engine._anonymise_batch(registry.get(OrderLine), user)
    state = engine.StepState()
    for _batch in range(3):
        done = step(state, 2)
    assert done
    assert state.anonymised == 5

    assert step(state, 2) is True
    assert state.anonymised == 5
