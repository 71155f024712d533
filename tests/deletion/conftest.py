"""Fixtures for the deletion tests: the shop registered by the test, and people with data."""

from __future__ import annotations

from decimal import Decimal
from itertools import count
from typing import Any

import pytest
from django.core.cache import caches
from django.core.files.base import ContentFile

from django_datarights.conf import app_settings
from django_datarights.registry import ANONYMISE, PersonalData, anonymisers, registry
from example_project.shop.models import (
    ActivityLog,
    Address,
    Invoice,
    Message,
    Order,
    OrderLine,
    Profile,
)

KEEP_REASON = "Invoices and orders are kept for the legal bookkeeping period."


class ProfileData(PersonalData):
    user_path = "user"
    files = ["id_document"]
    identifier_fields = ["phone", "display_name"]
    category = "Profile"


class AddressData(PersonalData):
    user_path = "user"
    identifier_fields = ["street"]
    category = "Addresses"


class OrderData(PersonalData):
    user_path = "customer"
    erasure = ANONYMISE
    legal_basis_for_keeping = KEEP_REASON
    anonymise = {
        "customer": anonymisers.null(),
        "shipping_name": anonymisers.fixed(""),
        "shipping_address": anonymisers.fixed(""),
    }
    category = "Orders"


class OrderLineData(PersonalData):
    user_path = "order__customer"
    erasure = ANONYMISE
    legal_basis_for_keeping = KEEP_REASON
    anonymise = {"gift_message": anonymisers.fixed("")}
    category = "Order lines"


class InvoiceData(PersonalData):
    user_path = "customer"
    files = ["pdf"]
    erasure = ANONYMISE
    legal_basis_for_keeping = KEEP_REASON
    anonymise = {
        "customer": anonymisers.null(),
        "billing_name": anonymisers.hashed(),
        "billing_address": anonymisers.fixed(""),
    }
    category = "Invoices"


class MessageData(PersonalData):
    user_path = "author"
    files = ["attachment"]
    category = "Support messages"


class ActivityLogData(PersonalData):
    user_path = "user"
    category = "Activity log"


SHOP_DECLARATIONS = [
    (Profile, ProfileData),
    (Address, AddressData),
    (Order, OrderData),
    (OrderLine, OrderLineData),
    (Invoice, InvoiceData),
    (Message, MessageData),
    (ActivityLog, ActivityLogData),
]


@pytest.fixture(autouse=True)
def clear_rate_limits() -> None:
    """Start each test with no counted attempts.

    The counters live in the cache, which outlives a test's database, and user primary keys
    repeat between tests, so a count left by one test would reject another test's requests.
    """
    caches[app_settings.RATE_LIMIT_CACHE].clear()


@pytest.fixture
def shop_registry() -> Any:
    """Register the shop models with the declarations above, and only those."""
    saved = registry.snapshot()
    registry.clear()
    for model, declaration in SHOP_DECLARATIONS:
        registry.register(model, declaration)
    yield registry
    registry.restore(saved)


@pytest.fixture
def empty_registry() -> Any:
    saved = registry.snapshot()
    registry.clear()
    yield registry
    registry.restore(saved)


_numbers = count(1)


@pytest.fixture
def fill_shop(shop_registry: Any) -> Any:
    """Give a user rows in every shop model, with uploaded files, using their own names."""

    def factory(user: Any, *, addresses: int = 3, logs: int = 2) -> dict[str, Any]:
        surname = user.last_name
        full_name = f"{user.first_name} {user.last_name}"
        n = next(_numbers)
        profile = Profile.objects.create(
            user=user,
            display_name=full_name,
            phone=f"+47 555 0{n:03d}",
            bio=f"Hello, I am {full_name}.",
        )
        profile.id_document.save(f"id-{n}.txt", ContentFile(b"identity document"))

        for index in range(addresses):
            Address.objects.create(
                user=user,
                recipient_name=full_name,
                street=f"{index + 1} {surname}veien {n}",
                city="Bergen",
                postcode="5003",
                country="NO",
                is_default=index == 0,
            )

        order = Order.objects.create(
            customer=user,
            number=f"O-{n}",
            shipping_name=full_name,
            shipping_address=f"1 {surname}veien {n}, Bergen",
            total=Decimal("12.50"),
        )
        OrderLine.objects.create(
            order=order,
            product="Teapot",
            unit_price=Decimal("12.50"),
            gift_message=f"For {full_name}",
        )

        invoice = Invoice.objects.create(
            customer=user,
            order=order,
            number=f"I-{n}",
            billing_name=full_name,
            billing_address=f"1 {surname}veien {n}, Bergen",
            amount=Decimal("12.50"),
        )
        invoice.pdf.save(f"invoice-{n}.pdf", ContentFile(b"%PDF invoice"))

        message = Message.objects.create(
            author=user,
            subject="Delivery",
            body=f"Regards, {full_name}",
        )
        message.attachment.save(f"photo-{n}.txt", ContentFile(b"attachment"))

        for index in range(logs):
            ActivityLog.objects.create(
                user=user,
                action="login",
                description=f"{surname} signed in ({index})",
                ip_address="192.0.2.10",
            )

        return {"profile": profile, "order": order, "invoice": invoice, "message": message}

    return factory


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks: Any) -> Any:
    """Run a callable and then the on-commit callbacks it registered, as a commit would."""

    def runner(func: Any, *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return func(*args, **kwargs)

    return runner
