"""The admin behind a verified second factor, as the example project sets it up."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.test import Client
from django_otp.admin import OTPAdminSite
from django_otp.plugins.otp_totp.models import TOTPDevice

ADMIN_URL = "/admin/"
REAUTH_URL = "/privacy/reauthenticate/"


@pytest.fixture
def otp_admin(monkeypatch: pytest.MonkeyPatch) -> None:
    # What the example project's urls.py does when DJANGO_ADMIN_OTP=1.
    monkeypatch.setattr(admin.site, "__class__", OTPAdminSite)


@pytest.fixture
def operator(make_user: Any) -> Any:
    return make_user("operator", is_staff=True, is_superuser=True)


def test_password_login_not_enough(otp_admin: None, client: Client, operator: Any) -> None:
    client.force_login(operator)

    response = client.get(ADMIN_URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_verified_session_let_in(
    otp_admin: None, client: Client, operator: Any, password: str, current_code: Any
) -> None:
    device = TOTPDevice.objects.create(user=operator, name="phone", confirmed=True)
    client.force_login(operator)

    client.post(REAUTH_URL, {"password": password, "otp_token": current_code(device)})
    response = client.get(ADMIN_URL)

    assert response.status_code == 200


def test_plain_admin_without_switch(client: Client, operator: Any) -> None:
    client.force_login(operator)

    assert client.get(ADMIN_URL).status_code == 200
