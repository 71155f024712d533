"""Delete paths (one statement, or Django's collector) and the stored files of deleted rows."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models.signals import post_delete

from django_datarights.models import RetentionPolicy
from django_datarights.retention import deleting
from django_datarights.retention.engine import enforce_policy
from example_project.shop.models import ActivityLog, Message, Order

from .conftest import NOW

pytestmark = pytest.mark.django_db

YEAR = timedelta(days=365)


@pytest.fixture
def message_policy() -> RetentionPolicy:
    return RetentionPolicy.objects.get(key="shop.message.sent_at")


@pytest.fixture
def make_message(user: Any) -> Any:
    def factory(age: timedelta) -> Message:
        message = Message(author=user, subject="Parcel", body="Where is it?", sent_at=NOW - age)
        message.attachment.save("receipt.txt", ContentFile(b"receipt"), save=False)
        message.save()
        return message

    return factory


def test_activity_log_uses_one_statement() -> None:
    assert deleting.can_fast_delete(ActivityLog, "default") is True


def test_model_with_files_uses_collector() -> None:
    assert deleting.can_fast_delete(Message, "default") is False


def test_delete_receiver_forces_collector() -> None:
    def receiver(**kwargs: Any) -> None:
        pass

    post_delete.connect(receiver, sender=ActivityLog)
    try:
        assert deleting.can_fast_delete(ActivityLog, "default") is False
    finally:
        post_delete.disconnect(receiver, sender=ActivityLog)


def test_fast_path_deletes_rows(
    log_policy: Any, make_log: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    real_delete = deleting.delete_due_range

    def spy(*args: Any, **kwargs: Any) -> int:
        calls.append(kwargs["through"])
        return real_delete(*args, **kwargs)

    monkeypatch.setattr(deleting, "delete_due_range", spy)
    row = make_log(31 * timedelta(days=1))

    run = enforce_policy(log_policy.pk, now=NOW)

    assert calls == [row.pk]
    assert run.rows_deleted == 1
    assert ActivityLog.objects.count() == 0


def test_file_removed_after_commit(
    message_policy: Any, make_message: Any, django_capture_on_commit_callbacks: Any
) -> None:
    message = make_message(YEAR + timedelta(days=1))
    name = message.attachment.name

    with django_capture_on_commit_callbacks(execute=True):
        run = enforce_policy(message_policy.pk, now=NOW)

    assert run.rows_deleted == 1
    assert not Message.objects.filter(pk=message.pk).exists()
    assert not default_storage.exists(name)


def test_file_removed_with_receiver(
    message_policy: Any, make_message: Any, django_capture_on_commit_callbacks: Any
) -> None:
    seen = []

    def receiver(instance: Message, **kwargs: Any) -> None:
        seen.append(instance.pk)

    message = make_message(YEAR + timedelta(days=1))
    name = message.attachment.name
    post_delete.connect(receiver, sender=Message)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            enforce_policy(message_policy.pk, now=NOW)
    finally:
        post_delete.disconnect(receiver, sender=Message)

    assert seen == [message.pk]
    assert not default_storage.exists(name)


def test_young_row_keeps_file(
    message_policy: Any, make_message: Any, django_capture_on_commit_callbacks: Any
) -> None:
    message = make_message(YEAR - timedelta(days=1))

    with django_capture_on_commit_callbacks(execute=True):
        enforce_policy(message_policy.pk, now=NOW)

    assert default_storage.exists(message.attachment.name)


def test_rollback_keeps_file(
    message_policy: Any, make_message: Any, django_capture_on_commit_callbacks: Any
) -> None:
    message = make_message(YEAR + timedelta(days=1))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                enforce_policy(message_policy.pk, now=NOW)
                raise RuntimeError("roll the caller's transaction back")
        except RuntimeError:
            pass

    assert callbacks == []
    assert Message.objects.filter(pk=message.pk).exists()
    assert default_storage.exists(message.attachment.name)


def make_order(user: Any, number: str, age: timedelta) -> Order:
    return Order.objects.create(
        customer=user,
        number=number,
        placed_at=NOW - age,
        shipping_name="Ingrid Halvorsen",
        shipping_address="Storgata 1, Oslo",
        total=Decimal("12.50"),
    )


def test_anonymise_keeps_row(user: Any) -> None:
    policy = RetentionPolicy.objects.get(key="shop.order.placed_at")
    old = make_order(user, "A-1", 3 * YEAR + timedelta(days=1))
    young = make_order(user, "A-2", YEAR)

    run = enforce_policy(policy.pk, now=NOW)

    old.refresh_from_db()
    young.refresh_from_db()
    assert run.rows_anonymised == 1
    assert run.rows_deleted == 0
    assert old.customer_id is None
    assert old.shipping_name == ""
    assert old.shipping_address == ""
    assert young.shipping_name == "Ingrid Halvorsen"


def test_anonymised_rows_skipped_next_time(user: Any) -> None:
    policy = RetentionPolicy.objects.get(key="shop.order.placed_at")
    make_order(user, "A-1", 3 * YEAR + timedelta(days=1))
    enforce_policy(policy.pk, now=NOW)

    second = enforce_policy(policy.pk, now=NOW + timedelta(days=1))

    assert second.rows_anonymised == 0
