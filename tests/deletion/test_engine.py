"""The erasure engine: completeness, resumption, protected relations and idempotence."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.management import call_command
from django.db.models.signals import post_delete

from django_datarights.conf import app_settings
from django_datarights.deletion import engine, flows
from django_datarights.deletion.residual import find_residuals
from django_datarights.models import AuditEvent, ConsentRecord, DeletionRequest, Purpose
from django_datarights.models.deletion import DeletionStatus
from django_datarights.registry import PersonalData, anonymisers, registry
from example_project.shop.models import (
    ActivityLog,
    Address,
    Invoice,
    Message,
    Order,
    OrderLine,
    Profile,
    SupportNote,
)

from .conftest import SHOP_DECLARATIONS


def request_now(user: Any) -> DeletionRequest:
    """Create a request that is due at once without publishing the task."""
    return flows.request_deletion(user, by_operator=True, publish=False)


def rows_of(user: Any) -> dict[tuple[str, Any], str]:
    """Serialise the user row and every shop row of ``user``, keyed by label and pk."""
    found = {}
    for model, _declaration in SHOP_DECLARATIONS:
        bound = registry.get(model)
        for row in bound.rows_for(user):
            found[(model._meta.label, row.pk)] = serializers.serialize("json", [row])
    found[("auth.User", user.pk)] = serializers.serialize(
        "json", [get_user_model().objects.get(pk=user.pk)]
    )
    return found


def full_dump() -> str:
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    return out.getvalue().lower()


@pytest.mark.django_db(transaction=True)
def test_canary_leaves_no_identifier(user, other_user, fill_shop):
    data = fill_shop(user)
    other_data = fill_shop(other_user)
    identifiers = ["ingrid", "halvorsen", "ingrid@example.invalid", data["profile"].phone]
    own_files = [
        (data["profile"].id_document.storage, data["profile"].id_document.name),
        (data["invoice"].pdf.storage, data["invoice"].pdf.name),
        (data["message"].attachment.storage, data["message"].attachment.name),
    ]
    other_files = [
        (other_data["profile"].id_document.storage, other_data["profile"].id_document.name),
        (other_data["invoice"].pdf.storage, other_data["invoice"].pdf.name),
        (other_data["message"].attachment.storage, other_data["message"].attachment.name),
    ]
    other_before = rows_of(other_user)

    deletion = request_now(user)
    assert engine.erase(deletion.pk) == engine.DONE

    dump = full_dump()
    for value in identifiers:
        assert value.lower() not in dump, value
    assert rows_of(other_user) == other_before
    for storage, name in own_files:
        assert not storage.exists(name)
    for storage, name in other_files:
        assert storage.exists(name)
    deletion.refresh_from_db()
    assert deletion.residual_hits == []
    assert deletion.identifiers == []


@pytest.mark.django_db(transaction=True)
def test_kept_rows_are_anonymised(user, fill_shop):
    data = fill_shop(user)
    deletion = request_now(user)

    engine.erase(deletion.pk)

    invoice = Invoice.objects.get(pk=data["invoice"].pk)
    assert invoice.customer_id is None
    assert invoice.billing_address == ""
    assert invoice.billing_name != "Ingrid Halvorsen"
    assert invoice.pdf.name == ""
    order = Order.objects.get(pk=data["order"].pk)
    assert order.customer_id is None
    assert order.shipping_name == ""
    assert OrderLine.objects.get(order=order).gift_message == ""


@pytest.mark.django_db(transaction=True)
def test_every_row_of_a_kind(make_user, fill_shop):
    ottilie = make_user("ottilie", first_name="Ottilie", last_name="Brandvold")
    fill_shop(ottilie, addresses=3, logs=2)
    assert Address.objects.filter(user=ottilie).count() == 3

    deletion = request_now(ottilie)
    engine.erase(deletion.pk)

    assert not Address.objects.filter(recipient_name__icontains="Brandvold").exists()
    assert not ActivityLog.objects.filter(description__icontains="Brandvold").exists()
    assert find_residuals(["Brandvold"]) == []
    deletion.refresh_from_db()
    assert deletion.progress["shop.Address"]["deleted"] == 3
    assert deletion.progress["shop.ActivityLog"]["deleted"] == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("seconds", "left_after_failure"),
    [
        # One batch per transaction: the two batches before the failure stay committed.
        (0, 1),
        # One transaction for the whole step: the failure undoes the batches before it too.
        (60, 3),
    ],
)
def test_resumes_after_failed_batch(
    user, fill_shop, settings, monkeypatch, seconds, left_after_failure
):
    settings.DATARIGHTS_ERASURE_BATCH_SIZE = 1
    settings.DATARIGHTS_ERASURE_TRANSACTION_SECONDS = seconds
    fill_shop(user, addresses=3)
    deletion = request_now(user)
    calls = {"n": 0}
    original = engine._delete_rows

    def failing(rows, state, **kwargs):
        if rows.model is Address:
            calls["n"] += 1
            if calls["n"] == 3:
                raise RuntimeError("injected")
        return original(rows, state, **kwargs)

    monkeypatch.setattr(engine, "_delete_rows", failing)
    assert engine.erase(deletion.pk) == engine.FAILED
    deletion.refresh_from_db()
    assert deletion.status == DeletionStatus.FAILED
    assert "RuntimeError" in deletion.error
    assert Address.objects.filter(user=user).count() == left_after_failure

    monkeypatch.setattr(engine, "_delete_rows", original)
    flows.retry(deletion, operator=None)

    deletion.refresh_from_db()
    assert deletion.status == DeletionStatus.DONE
    assert deletion.progress["shop.Address"]["deleted"] == 3
    assert not get_user_model().objects.filter(pk=user.pk).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("seconds", "transactions"), [(0, 4), (60, 1)])
def test_batches_share_transaction_within_budget(
    user, fill_shop, settings, monkeypatch, seconds, transactions
):
    settings.DATARIGHTS_ERASURE_BATCH_SIZE = 1
    settings.DATARIGHTS_ERASURE_TRANSACTION_SECONDS = seconds
    fill_shop(user, addresses=3)
    deletion = request_now(user)
    current = {"step": ""}
    locked_in = []
    run_step, lock_running = engine._run_step, engine._lock_running

    def naming(deletion_pk, name, step):
        current["step"] = name
        return run_step(deletion_pk, name, step)

    def counting(deletion_pk):
        locked_in.append(current["step"])
        return lock_running(deletion_pk)

    monkeypatch.setattr(engine, "_run_step", naming)
    monkeypatch.setattr(engine, "_lock_running", counting)
    assert engine.erase(deletion.pk) == engine.DONE

    # Without a budget: one transaction per address, and one that finds none left.
    assert locked_in.count("shop.Address") == transactions
    assert not Address.objects.filter(user=user).exists()


class WorkerKilled(BaseException):
    """Stands for a worker process that dies: no ``except Exception`` catches it."""


@pytest.mark.django_db(transaction=True)
def test_resumes_after_killed_worker(user, fill_shop, settings, monkeypatch):
    settings.DATARIGHTS_ERASURE_BATCH_SIZE = 1
    data = fill_shop(user, addresses=3)
    deletion = request_now(user)
    original = engine._anonymise_batch

    def killing(declaration, owner):
        step = original(declaration, owner)
        if declaration.model is not Order:
            return step

        def batch(state, size):
            step(state, size)
            raise WorkerKilled

        return batch

    monkeypatch.setattr(engine, "_anonymise_batch", killing)
    with pytest.raises(WorkerKilled):
        engine.erase(deletion.pk)
    deletion.refresh_from_db()
    assert deletion.status == DeletionStatus.RUNNING
    assert "shop.Order" not in deletion.progress

    monkeypatch.setattr(engine, "_anonymise_batch", original)
    assert engine.erase(deletion.pk) == engine.DONE
    deletion.refresh_from_db()
    assert deletion.progress["shop.Order"]["anonymised"] == 1
    assert deletion.progress["shop.Address"]["deleted"] == 3
    assert Order.objects.get(pk=data["order"].pk).customer_id is None


@pytest.mark.django_db(transaction=True)
def test_second_run_changes_nothing(user, fill_shop):
    fill_shop(user)
    deletion = request_now(user)
    engine.erase(deletion.pk)
    dump = full_dump()
    events = AuditEvent.objects.count()

    assert engine.erase(deletion.pk) == engine.NOTHING_TO_DO

    assert full_dump() == dump
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db(transaction=True)
def test_user_without_data(user, empty_registry):
    deletion = request_now(user)

    assert engine.erase(deletion.pk) == engine.DONE

    deletion.refresh_from_db()
    assert deletion.status == DeletionStatus.DONE
    assert deletion.user_id is None
    assert deletion.progress["auth.User"]["deleted"] == 1


@pytest.mark.django_db(transaction=True)
def test_protected_invoice_stops_cleanly(user, fill_shop):
    fill_shop(user)

    class InvoiceKeptWithCustomer(PersonalData):
        user_path = "customer"
        erasure = "anonymise"
        anonymise = {"billing_name": anonymisers.fixed("")}

    registry.unregister(Invoice)
    registry.register(Invoice, InvoiceKeptWithCustomer)
    deletion = request_now(user)

    assert engine.erase(deletion.pk) == engine.FAILED

    deletion.refresh_from_db()
    assert deletion.status == DeletionStatus.FAILED
    assert "shop.Invoice.customer" in deletion.error
    assert "Ingrid" not in deletion.error
    assert get_user_model().objects.filter(pk=user.pk).exists()
    assert Address.objects.filter(user=user).count() == 3
    assert Profile.objects.filter(user=user).exists()
    assert deletion.progress == {}


@pytest.mark.django_db(transaction=True)
def test_unregistered_protected_model_stops(user, fill_shop):
    fill_shop(user)
    registry.unregister(Invoice)
    deletion = request_now(user)

    assert engine.erase(deletion.pk) == engine.FAILED

    deletion.refresh_from_db()
    assert "shop.Invoice.customer" in deletion.error
    assert AuditEvent.objects.filter(action="deletion.failed").count() == 1


@pytest.mark.django_db(transaction=True)
def test_failed_request_not_retried_by_sweep(user, fill_shop):
    from django_datarights.deletion.sweep import due_requests

    fill_shop(user)
    registry.unregister(Invoice)
    deletion = request_now(user)
    engine.erase(deletion.pk)

    assert due_requests() == []
    assert engine.erase(deletion.pk) == engine.NOTHING_TO_DO


@pytest.mark.django_db(transaction=True)
def test_cascaded_rows_are_counted(user, fill_shop):
    class OrderDeleted(PersonalData):
        user_path = "customer"

    fill_shop(user)
    registry.unregister(Order)
    registry.unregister(OrderLine)
    registry.register(Order, OrderDeleted)
    deletion = request_now(user)

    engine.erase(deletion.pk)

    deletion.refresh_from_db()
    assert deletion.progress["shop.Order"]["deleted"] == 1
    assert deletion.progress["shop.Order"]["cascaded"] == 1
    assert deletion.progress["shop.Order"]["cascaded_by_model"] == {"shop.OrderLine": 1}


@pytest.mark.django_db(transaction=True)
def test_files_of_deleted_rows_removed(user, fill_shop):
    data = fill_shop(user)
    attachment = data["message"].attachment
    deletion = request_now(user)

    engine.erase(deletion.pk)

    assert not attachment.storage.exists(attachment.name)
    assert not Message.objects.filter(pk=data["message"].pk).exists()


@pytest.mark.django_db(transaction=True)
def test_residual_check_finds_support_note(make_user, fill_shop):
    ottilie = make_user("ottilie", first_name="Ottilie", last_name="Brandvold")
    fill_shop(ottilie)
    SupportNote.objects.create(ticket="T-1", text="Ms BRANDVOLD called about a parcel")
    deletion = request_now(ottilie)

    engine.erase(deletion.pk)

    deletion.refresh_from_db()
    assert deletion.residual_hits == [{"table": "shop_supportnote", "column": "text", "count": 1}]
    assert deletion.identifiers == []
    assert deletion.residual_checked_at is not None


@pytest.mark.django_db(transaction=True)
def test_residual_escapes_like_wildcards(empty_registry):
    SupportNote.objects.create(ticket="T-1", text="discount 50 percent")

    assert find_residuals(["50%"]) == []
    assert find_residuals(["t_1"]) == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("keep_proof", [True, False])
def test_consent_history(user, empty_registry, settings, keep_proof):
    settings.DATARIGHTS_KEEP_CONSENT_PROOF = keep_proof
    purpose = Purpose.objects.create(slug="news", name="Newsletter", description="News by email")
    record = ConsentRecord.objects.create(
        user=user,
        subject="subject-hash",
        purpose=purpose,
        version=1,
        given=True,
        channel="settings_page",
        ip_address="192.0.2.0",
    )
    deletion = request_now(user)

    engine.erase(deletion.pk)

    kept = ConsentRecord.objects.filter(pk=record.pk).first()
    if keep_proof:
        assert kept is not None
        assert kept.user_id is None
        assert kept.subject == "subject-hash"
        assert kept.ip_address == ""
    else:
        assert kept is None


@pytest.mark.django_db(transaction=True)
def test_axes_and_otp_records_removed(user, empty_registry):
    from axes.models import AccessAttempt, AccessLog
    from django_otp.plugins.otp_static.models import StaticDevice

    AccessAttempt.objects.create(
        username="ingrid",
        ip_address="192.0.2.1",
        user_agent="test",
        failures_since_start=1,
    )
    AccessLog.objects.create(
        username="ingrid@example.invalid", ip_address="192.0.2.1", user_agent="t"
    )
    AccessLog.objects.create(username="someone-else", ip_address="192.0.2.1", user_agent="t")
    StaticDevice.objects.create(user=user, name="backup")
    deletion = request_now(user)

    engine.erase(deletion.pk)

    assert not AccessAttempt.objects.filter(username="ingrid").exists()
    assert list(AccessLog.objects.values_list("username", flat=True)) == ["someone-else"]
    assert not StaticDevice.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_record_left_without_pii(user, fill_shop):
    fill_shop(user)
    deletion = request_now(user)

    engine.erase(deletion.pk)

    deletion.refresh_from_db()
    assert deletion.user_id is None
    assert deletion.subject
    assert deletion.requested_by_operator
    assert deletion.finished_at is not None
    assert "ingrid" not in str(deletion.progress).lower()


@pytest.mark.django_db(transaction=True)
def test_signals_sent(user, empty_registry):
    from django_datarights import signals

    seen = []

    def on_pre(sender, deletion, user, **kwargs):
        seen.append(("pre", user.pk))

    def on_done(sender, deletion, counts, **kwargs):
        seen.append(("done", counts["auth.User"]["deleted"]))

    signals.pre_erasure.connect(on_pre)
    signals.erasure_completed.connect(on_done)
    try:
        deletion = request_now(user)
        engine.erase(deletion.pk)
    finally:
        signals.pre_erasure.disconnect(on_pre)
        signals.erasure_completed.disconnect(on_done)

    assert seen == [("pre", user.pk), ("done", 1)]


@pytest.mark.django_db(transaction=True)
def test_plan_counts_without_change(user, fill_shop):
    fill_shop(user)

    counts = engine.plan(user)

    assert counts["shop.Address"] == {"deleted": 3, "anonymised": 0, "cascaded": 0}
    assert counts["shop.Invoice"] == {"deleted": 0, "anonymised": 1, "cascaded": 0}
    assert counts["auth.User"]["deleted"] == 1
    assert Address.objects.filter(user=user).count() == 3
    assert app_settings.ERASURE_BATCH_SIZE > 0


@pytest.mark.django_db(transaction=True)
def test_default_registry_keeps_audit_trail(user):
    from django_datarights.audit.verify import verify_chain

    Address.objects.create(
        user=user,
        recipient_name="Ingrid Halvorsen",
        street="1 Halvorsenveien",
        city="Bergen",
        postcode="5003",
        country="NO",
    )
    deletion = request_now(user)
    events_before = AuditEvent.objects.count()

    assert engine.erase(deletion.pk) == engine.DONE

    assert AuditEvent.objects.count() == events_before + 1
    assert verify_chain().ok
    deletion.refresh_from_db()
    assert deletion.status == DeletionStatus.DONE
    assert deletion.residual_hits == []
    assert not Address.objects.filter(user_id=user.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_residual_check_reads_unknown_tables(empty_registry):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE legacy_notes (id INTEGER PRIMARY KEY, body VARCHAR(200))")
        cursor.execute("INSERT INTO legacy_notes (id, body) VALUES (1, 'Ask Ms Brandvold')")
    try:
        hits = find_residuals(["brandvold"])
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE legacy_notes")

    assert hits == [{"table": "legacy_notes", "column": "body", "count": 1}]


@pytest.fixture
def delete_paths(monkeypatch):
    """Record, per model, whether each deleted batch took the single-statement path."""
    seen = []
    original = engine._delete_rows

    def spy(rows, state, *, single_statement):
        seen.append((rows.model, single_statement))
        return original(rows, state, single_statement=single_statement)

    monkeypatch.setattr(engine, "_delete_rows", spy)
    return seen


@pytest.mark.django_db(transaction=True)
def test_plain_rows_use_one_statement(user, fill_shop, delete_paths):
    fill_shop(user, addresses=3)
    deletion = request_now(user)

    assert engine.erase(deletion.pk) == engine.DONE

    assert (Address, True) in delete_paths
    deletion.refresh_from_db()
    assert deletion.progress["shop.Address"]["deleted"] == 3
    assert not Address.objects.filter(user=user).exists()


@pytest.mark.django_db(transaction=True)
def test_rows_with_files_use_one_statement(user, fill_shop, delete_paths):
    data = fill_shop(user)
    attachment = data["message"].attachment
    deletion = request_now(user)

    engine.erase(deletion.pk)

    # The stored names are read first, so the files still go after the commit.
    assert (Message, True) in delete_paths
    assert (Message, False) not in delete_paths
    assert not attachment.storage.exists(attachment.name)
    deletion.refresh_from_db()
    assert deletion.progress["shop.Message"]["files"] == 1


@pytest.mark.django_db(transaction=True)
def test_rows_with_files_and_receiver_use_collector(user, fill_shop, delete_paths):
    data = fill_shop(user)
    attachment = data["message"].attachment

    def receiver(sender, instance, **kwargs):
        pass

    post_delete.connect(receiver, sender=Message)
    try:
        engine.erase(request_now(user).pk)
    finally:
        post_delete.disconnect(receiver, sender=Message)

    assert (Message, False) in delete_paths
    assert not attachment.storage.exists(attachment.name)


@pytest.mark.django_db(transaction=True)
def test_delete_receiver_sees_each_row(user, fill_shop, delete_paths):
    fill_shop(user, addresses=3)
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance.pk)

    post_delete.connect(receiver, sender=Address)
    try:
        deletion = request_now(user)
        engine.erase(deletion.pk)
    finally:
        post_delete.disconnect(receiver, sender=Address)

    assert (Address, True) not in delete_paths
    assert len(seen) == 3


@pytest.mark.django_db(transaction=True)
def test_cascading_rows_use_collector(user, fill_shop, delete_paths):
    class OrderDeleted(PersonalData):
        user_path = "customer"

    fill_shop(user)
    registry.unregister(Order)
    registry.unregister(OrderLine)
    registry.register(Order, OrderDeleted)
    deletion = request_now(user)

    engine.erase(deletion.pk)

    assert (Order, False) in delete_paths
    assert not OrderLine.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_batches_count_exactly(user, fill_shop, settings):
    settings.DATARIGHTS_ERASURE_BATCH_SIZE = 2
    fill_shop(user, addresses=5, logs=4)
    deletion = request_now(user)

    engine.erase(deletion.pk)

    deletion.refresh_from_db()
    assert deletion.progress["shop.Address"]["deleted"] == 5
    assert deletion.progress["shop.ActivityLog"]["deleted"] == 4
    assert not Address.objects.filter(user=user).exists()


@pytest.mark.django_db(transaction=True)
def test_residual_counts_each_column(empty_registry):
    SupportNote.objects.create(ticket="Brandvold-1", text="Parcel lost")
    SupportNote.objects.create(ticket="T-2", text="Ms Brandvold called")
    SupportNote.objects.create(ticket="Brandvold-3", text="Brandvold again")

    hits = find_residuals(["brandvold"])

    assert {"table": "shop_supportnote", "column": "ticket", "count": 2} in hits
    assert {"table": "shop_supportnote", "column": "text", "count": 2} in hits


@pytest.mark.django_db(transaction=True)
def test_residual_counts_row_once(empty_registry):
    SupportNote.objects.create(ticket="T-1", text="Ottilie Brandvold, ottilie@example.invalid")

    hits = find_residuals(["Ottilie Brandvold", "Brandvold", "ottilie@example.invalid", "Ottilie"])

    assert hits == [{"table": "shop_supportnote", "column": "text", "count": 1}]


@pytest.mark.django_db(transaction=True)
def test_residual_many_identifiers_split(empty_registry):
    SupportNote.objects.create(ticket="T-1", text="Ask Ms Brandvold")
    identifiers = [f"street {index:04d}" for index in range(600)] + ["Brandvold"]

    hits = find_residuals(identifiers)

    assert hits == [{"table": "shop_supportnote", "column": "text", "count": 1}]


def test_identifiers_containing_others_dropped():
    from django_datarights.deletion.residual import _shortest_identifiers

    shortest = _shortest_identifiers(
        ["Ingrid Halvorsen", "halvorsen", "Ingrid", "ingrid@example.invalid"]
    )

    assert sorted(shortest) == ["halvorsen", "ingrid"]
