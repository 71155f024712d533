"""``datarights_retention`` on the demo data removes exactly the rows past their period."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from django_datarights.models import RetentionPolicy
from django_datarights.retention.sync import sync_declared_policies
from example_project.shop.demo import seed_demo
from example_project.shop.models import ActivityLog, Invoice, Message, Order


@pytest.fixture
def retention_run(db, django_capture_on_commit_callbacks):
    """Seed the demo now, enforce every shop policy, and return the seed time."""
    now = timezone.now()
    seed_demo(now=now)
    sync_declared_policies()
    assert RetentionPolicy.objects.filter(key__startswith="shop.").count() == 4
    with django_capture_on_commit_callbacks(execute=True):
        call_command("datarights_retention")
    return now


def test_old_activity_deleted(retention_run):
    cutoff = retention_run - timedelta(days=90)

    assert not ActivityLog.objects.filter(created_at__lt=cutoff).exists()
    assert ActivityLog.objects.filter(created_at__gte=cutoff).count() == 5


def test_old_messages_deleted(retention_run):
    cutoff = retention_run - timedelta(days=365)

    assert not Message.objects.filter(sent_at__lt=cutoff).exists()
    assert Message.objects.count() == 2


def test_old_message_files_removed(db, django_capture_on_commit_callbacks):
    now = timezone.now()
    seed_demo(now=now)
    sync_declared_policies()
    old = Message.objects.filter(sent_at__lt=now - timedelta(days=365))
    stored = [(message.attachment.storage, message.attachment.name) for message in old]
    assert len(stored) == 2

    with django_capture_on_commit_callbacks(execute=True):
        call_command("datarights_retention")

    for storage, name in stored:
        assert not storage.exists(name)


def test_old_invoice_deleted(retention_run):
    assert Invoice.objects.count() == 4


def test_old_orders_anonymised(retention_run):
    cutoff = retention_run - timedelta(days=3 * 365)
    old_orders = Order.objects.filter(placed_at__lt=cutoff)

    assert old_orders.count() == 2
    for order in old_orders:
        assert order.shipping_name == ""
        assert order.shipping_address == ""
        assert order.customer_id is None


def test_recent_orders_untouched(retention_run):
    cutoff = retention_run - timedelta(days=3 * 365)

    for order in Order.objects.filter(placed_at__gte=cutoff):
        assert order.shipping_name
        assert order.customer_id is not None
