"""Fixtures for the guard tests: logged-in clients, real django-otp devices, codes."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice


@pytest.fixture(autouse=True)
def _empty_caches() -> None:
    # Rate-limit counters live in the cache, which outlives each test's database rollback.
    for cache in caches.all():
        cache.clear()


@pytest.fixture
def radomir(make_user: Any) -> Any:
    return make_user("radomir", email="radomir.petrov@example.invalid", first_name="Radomir")


@pytest.fixture
def logged_in(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


@pytest.fixture
def totp_device(user: Any) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


@pytest.fixture
def current_code() -> Any:
    """Return a function that computes the TOTP code a phone would show for a device now."""

    def code_for(device: TOTPDevice) -> str:
        value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        return str(value).zfill(device.digits)

    return code_for


@pytest.fixture
def backup_codes(user: Any) -> list[str]:
    device = StaticDevice.objects.create(user=user, name="backup", confirmed=True)
    codes = ["abcd2345", "efgh6789"]
    for code in codes:
        StaticToken.objects.create(device=device, token=code)
    return codes
