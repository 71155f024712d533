"""Fixtures for the export tests: shop rows, archive keys and a storage per test."""

from __future__ import annotations

import base64
import io
import json
import os
import zipfile
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import caches
from django.core.files.base import ContentFile

from django_datarights.conf import app_settings
from django_datarights.export import flows
from example_project.shop.models import (
    ActivityLog,
    Address,
    Invoice,
    Message,
    Order,
    OrderLine,
    Profile,
)


def make_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


@pytest.fixture(autouse=True)
def archive_storage(settings: Any, tmp_path: Any) -> Any:
    """Keep every test's archives and uploads in its own directory."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
        "datarights": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "archives"), "base_url": None},
        },
    }
    settings.DATARIGHTS_ARCHIVE_KEYS = [make_key()]
    # The hourly request throttle counts in the cache, which outlives a test's database.
    caches[app_settings.RATE_LIMIT_CACHE].clear()
    return tmp_path / "archives"


@pytest.fixture
def shop_data() -> Any:
    """Create shop rows for a user: every registered shop model, with uploaded files."""

    def factory(user: Any, *, orders: int = 2) -> dict[str, Any]:
        profile = Profile.objects.create(
            user=user, display_name=user.first_name, phone="+47 555 0100"
        )
        profile.id_document.save(
            "passport.pdf", ContentFile(b"%PDF-1.4 invented document"), save=True
        )
        Address.objects.create(
            user=user,
            recipient_name=user.get_full_name(),
            street="1 Invented Road",
            city="Bergen",
            postcode="5003",
            country="NO",
        )
        created = []
        for number in range(orders):
            order = Order.objects.create(
                customer=user,
                number=f"{user.pk}-{number}",
                shipping_name=user.get_full_name(),
                shipping_address="1 Invented Road",
                total=Decimal("19.90"),
            )
            OrderLine.objects.create(
                order=order, product="Tea", quantity=2, unit_price=Decimal("9.95")
            )
            created.append(order)
        invoice = Invoice.objects.create(
            customer=user,
            order=created[0],
            number=f"I-{user.pk}",
            billing_name=user.get_full_name(),
            billing_address="1 Invented Road",
            amount=Decimal("19.90"),
        )
        invoice.pdf.save("invoice.pdf", ContentFile(b"%PDF-1.4 invented invoice"), save=True)
        Message.objects.create(author=user, subject="Where is my tea?", body='=HYPERLINK("x")')
        ActivityLog.objects.create(user=user, action="login", ip_address="192.0.2.1")
        return {"profile": profile, "orders": created, "invoice": invoice}

    return factory


def read_archive(export: Any) -> zipfile.ZipFile:
    """Decrypt an export's archive and open it as a ZIP."""
    return zipfile.ZipFile(io.BytesIO(b"".join(flows.open_archive(export))))


def dataset_rows(archive: zipfile.ZipFile, name: str) -> list[dict[str, Any]]:
    return json.loads(archive.read(f"data/{name}.json"))["rows"]
