from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from django_datarights.models import PrivacyPolicy, Purpose
from example_project.shop.demo import seed_demo
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

CUSTOMER_MODELS = [
    (Profile, "user"),
    (Address, "user"),
    (Order, "customer"),
    (OrderLine, "order__customer"),
    (Invoice, "customer"),
    (Message, "author"),
    (ActivityLog, "user"),
]
ALL_SHOP_MODELS = [model for model, _path in CUSTOMER_MODELS] + [SupportNote]


def row_counts():
    return {model._meta.label: model.objects.count() for model in ALL_SHOP_MODELS}


def test_seed_creates_demo_logins(seeded):
    users = get_user_model().objects
    assert users.get(username="alice").check_password("alice-demo-pass")
    assert users.get(username="bob").check_password("bob-demo-pass")
    admin = users.get(username="admin")
    assert admin.is_superuser
    assert admin.check_password("admin-demo-pass")


def test_seed_uses_invalid_email_domain(seeded):
    emails = get_user_model().objects.values_list("email", flat=True)
    assert emails
    for email in emails:
        assert email.endswith("@example.invalid")


@pytest.mark.parametrize("username", ["alice", "bob"])
@pytest.mark.parametrize(("model", "user_path"), CUSTOMER_MODELS)
def test_seed_fills_every_model(seeded, username, model, user_path):
    user = get_user_model().objects.get(username=username)
    assert model.objects.filter(**{user_path: user}).exists()


def test_seed_gives_alice_several_addresses(seeded):
    alice = get_user_model().objects.get(username="alice")
    assert alice.addresses.count() == 3
    assert alice.addresses.filter(is_default=True).count() == 1


def test_seed_stores_files(seeded):
    alice = get_user_model().objects.get(username="alice")
    assert alice.profile.id_document.read().startswith(b"Identity document")
    for invoice in Invoice.objects.filter(customer=alice):
        assert invoice.pdf.read().startswith(b"%PDF-1.4")
    for message in Message.objects.filter(author=alice):
        assert message.attachment.size > 0


def test_seed_creates_support_note(seeded):
    assert SupportNote.objects.count() == 1


def test_seed_creates_purposes(seeded):
    bases = dict(Purpose.objects.values_list("slug", "legal_basis"))
    assert bases == {
        "order-fulfilment": "contract",
        "bookkeeping": "legal_obligation",
        "support": "legitimate_interest",
        "newsletter": "consent",
        "analytics": "consent",
    }


def test_seed_leaves_consent_purposes_off(seeded):
    for purpose in Purpose.objects.filter(legal_basis="consent"):
        assert purpose.default_given is False
        assert purpose.versions.count() == 1


def test_seed_publishes_privacy_policy(seeded, seed_time):
    policy = PrivacyPolicy.objects.get()
    assert policy.effective_at < seed_time


def test_seed_twice_creates_nothing(seeded, seed_time):
    counts = row_counts()
    purposes = Purpose.objects.count()

    second = seed_demo(now=seed_time + timedelta(days=1))

    assert second.total == 0
    assert row_counts() == counts
    assert Purpose.objects.count() == purposes
    assert get_user_model().objects.count() == 3


def test_seed_restores_changed_password(seeded, seed_time):
    alice = get_user_model().objects.get(username="alice")
    alice.set_password("something-else-entirely")
    alice.save()

    seed_demo(now=seed_time)

    alice.refresh_from_db()
    assert alice.check_password("alice-demo-pass")


def test_seed_keeps_unchanged_password_hash(seeded, seed_time):
    # A new hash would change the session hash and log the user out.
    before = get_user_model().objects.get(username="bob").password

    seed_demo(now=seed_time)

    assert get_user_model().objects.get(username="bob").password == before


def test_reset_recreates_deleted_rows(seeded, seed_time):
    counts = row_counts()
    Message.objects.all().delete()
    Address.objects.filter(label="Work").delete()

    seed_demo(reset=True, now=seed_time)

    assert row_counts() == counts


def test_reset_keeps_operator_and_purposes(seeded, seed_time):
    admin_pk = get_user_model().objects.get(username="admin").pk

    seed_demo(reset=True, now=seed_time)

    assert get_user_model().objects.get(username="admin").pk == admin_pk
    assert Purpose.objects.count() == 5


def test_seed_after_erasure_keeps_anonymised_orders(seeded, seed_time):
    # What an erasure leaves behind: orders and invoices detached and anonymised.
    alice = get_user_model().objects.get(username="alice")
    kept_orders = set(Order.objects.filter(customer=alice).values_list("number", flat=True))
    Invoice.objects.filter(customer=alice).update(customer=None, billing_name="")
    Order.objects.filter(customer=alice).update(customer=None, shipping_name="")
    alice.delete()

    seed_demo(now=seed_time)

    new_alice = get_user_model().objects.get(username="alice")
    new_orders = set(Order.objects.filter(customer=new_alice).values_list("number", flat=True))
    assert len(new_orders) == len(kept_orders)
    assert not new_orders & kept_orders
    assert Order.objects.filter(number__in=kept_orders, customer=None).count() == len(kept_orders)


def test_command_reports_nothing_to_do(seeded, capsys):
    call_command("seed_demo")

    assert "nothing was created" in capsys.readouterr().out


def test_command_reports_created_rows(db, capsys):
    call_command("seed_demo")

    output = capsys.readouterr().out
    assert "shop.Order: 5 created" in output
    assert "Demo data is ready." in output
