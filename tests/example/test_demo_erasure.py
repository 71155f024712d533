"""Erasing a seeded demo customer follows the shop's registrations and leaves the other alone."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from django_datarights.models import DeletionRequest
from example_project.shop.models import (
    ActivityLog,
    Address,
    Invoice,
    Message,
    Order,
    OrderLine,
    Profile,
)


def counts_for(user):
    return {
        "profile": Profile.objects.filter(user=user).count(),
        "addresses": Address.objects.filter(user=user).count(),
        "orders": Order.objects.filter(customer=user).count(),
        "lines": OrderLine.objects.filter(order__customer=user).count(),
        "invoices": Invoice.objects.filter(customer=user).count(),
        "messages": Message.objects.filter(author=user).count(),
        "activity": ActivityLog.objects.filter(user=user).count(),
    }


@pytest.fixture
def erased_alice(seeded, django_capture_on_commit_callbacks):
    """Erase alice through the management command; return her order and invoice numbers."""
    alice = get_user_model().objects.get(username="alice")
    orders = list(Order.objects.filter(customer=alice).values_list("number", flat=True))
    invoices = list(Invoice.objects.filter(customer=alice).values_list("number", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("datarights_erase", "alice", "--yes")
    return {"orders": orders, "invoices": invoices}


def test_erasure_removes_account(erased_alice):
    assert not get_user_model().objects.filter(username="alice").exists()
    assert DeletionRequest.objects.get().status == "done"


def test_erasure_keeps_orders_anonymised(erased_alice):
    orders = Order.objects.filter(number__in=erased_alice["orders"])

    assert orders.count() == len(erased_alice["orders"])
    for order in orders:
        assert order.customer_id is None
        assert order.shipping_name == ""
        assert order.shipping_address == ""


def test_erasure_clears_gift_messages(erased_alice):
    lines = OrderLine.objects.filter(order__number__in=erased_alice["orders"])

    assert lines.exists()
    assert not lines.exclude(gift_message="").exists()


def test_erasure_keeps_invoices_anonymised(erased_alice):
    invoices = Invoice.objects.filter(number__in=erased_alice["invoices"])

    assert invoices.count() == len(erased_alice["invoices"])
    for invoice in invoices:
        assert invoice.customer_id is None
        assert invoice.billing_name == ""
        assert invoice.billing_address == ""


def test_erasure_deletes_personal_rows(erased_alice):
    assert not Profile.objects.filter(display_name__startswith="Alice").exists()
    assert not Address.objects.filter(recipient_name__startswith="Alice").exists()
    assert not Message.objects.filter(subject="Change of delivery address").exists()


def test_erasure_reports_support_note(erased_alice):
    hits = DeletionRequest.objects.get().residual_hits

    assert {"table": "shop_supportnote", "column": "text", "count": 1} in hits


def test_erasure_leaves_bob_alone(seeded, django_capture_on_commit_callbacks):
    bob = get_user_model().objects.get(username="bob")
    before = counts_for(bob)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("datarights_erase", "alice", "--yes")

    assert counts_for(bob) == before
    assert Order.objects.filter(customer=bob).exclude(shipping_name="").count() == before["orders"]


def test_erasure_removes_stored_files(seeded, django_capture_on_commit_callbacks):
    alice = get_user_model().objects.get(username="alice")
    stored = [(alice.profile.id_document.storage, alice.profile.id_document.name)]
    for message in Message.objects.filter(author=alice):
        stored.append((message.attachment.storage, message.attachment.name))

    with django_capture_on_commit_callbacks(execute=True):
        call_command("datarights_erase", "alice", "--yes")

    for storage, name in stored:
        assert not storage.exists(name)


def test_erasure_removes_kept_invoice_pdf(seeded, django_capture_on_commit_callbacks):
    alice = get_user_model().objects.get(username="alice")
    invoice = Invoice.objects.filter(customer=alice).first()
    storage, name = invoice.pdf.storage, invoice.pdf.name

    with django_capture_on_commit_callbacks(execute=True):
        call_command("datarights_erase", "alice", "--yes")

    invoice.refresh_from_db()
    assert invoice.pdf.name == ""
    assert invoice.amount > 0
    assert not storage.exists(name)
