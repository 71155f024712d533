"""The example project's TOTP set-up page and its email change page behind sudo mode."""

from __future__ import annotations

import base64
from typing import Any

from django.core import mail
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from django_datarights.models import AuditEvent
from django_datarights.pseudonyms import pseudonym_for
from django_datarights.reauth.state import SESSION_KEY

SETUP_URL = "/account/two-factor/"
EMAIL_URL = "/account/email/"
REAUTH_URL = "/privacy/reauthenticate/"


def pending_device(user: Any) -> TOTPDevice:
    return TOTPDevice.objects.get(user=user, confirmed=False)


def test_setup_shows_inline_qr(logged_in: Client) -> None:
    html = logged_in.get(SETUP_URL).content.decode()

    assert "<svg" in html
    assert "<img" not in html


def test_setup_shows_secret(logged_in: Client, user: Any) -> None:

    html = logged_in.get(SETUP_URL).content.decode()

    assert base64.b32encode(pending_device(user).bin_key).decode() in html


def test_setup_keeps_one_pending_device(logged_in: Client, user: Any) -> None:
    logged_in.get(SETUP_URL)
    logged_in.get(SETUP_URL)

    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_setup_confirms_device(
    logged_in: Client, user: Any, password: str, current_code: Any
) -> None:
    logged_in.get(SETUP_URL)
    device = pending_device(user)

    response = logged_in.post(SETUP_URL, {"password": password, "otp_token": current_code(device)})

    device.refresh_from_db()
    assert response.status_code == 200
    assert device.confirmed
    assert SESSION_KEY in logged_in.session


def test_setup_shows_backup_codes_once(
    logged_in: Client, user: Any, password: str, current_code: Any
) -> None:
    logged_in.get(SETUP_URL)
    device = pending_device(user)

    first_page = logged_in.post(
        SETUP_URL, {"password": password, "otp_token": current_code(device)}
    )
    later = logged_in.get(SETUP_URL)

    codes = list(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(codes) == 10
    assert all(code in first_page.content.decode() for code in codes)
    assert not any(code in later.content.decode() for code in codes)


def test_setup_wrong_code_rejected(logged_in: Client, user: Any, password: str) -> None:
    logged_in.get(SETUP_URL)

    response = logged_in.post(SETUP_URL, {"password": password, "otp_token": "000000"})

    assert response.status_code == 200
    assert "The code is not correct" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def test_setup_wrong_password_rejected(logged_in: Client, user: Any, current_code: Any) -> None:
    logged_in.get(SETUP_URL)

    logged_in.post(
        SETUP_URL, {"password": "wrong", "otp_token": current_code(pending_device(user))}
    )

    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def test_setup_audited(logged_in: Client, user: Any, password: str, current_code: Any) -> None:
    logged_in.get(SETUP_URL)
    logged_in.post(
        SETUP_URL, {"password": password, "otp_token": current_code(pending_device(user))}
    )

    assert AuditEvent.objects.filter(
        action="account.otp_enabled", subject=pseudonym_for(user)
    ).exists()


def test_setup_then_reauth_needs_code(
    logged_in: Client, user: Any, password: str, current_code: Any
) -> None:
    logged_in.get(SETUP_URL)
    logged_in.post(
        SETUP_URL, {"password": password, "otp_token": current_code(pending_device(user))}
    )

    response = logged_in.get(REAUTH_URL)

    assert 'name="otp_token"' in response.content.decode()


def test_setup_requires_login(client: Client) -> None:
    response = client.get(SETUP_URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def reauthenticated(client: Client, password: str) -> Client:
    client.post(REAUTH_URL, {"password": password})
    return client


def test_email_change_saved(logged_in: Client, user: Any, password: str) -> None:
    reauthenticated(logged_in, password)

    response = logged_in.post(EMAIL_URL, {"email": "ingrid.new@example.invalid"})

    user.refresh_from_db()
    assert response.status_code == 302
    assert user.email == "ingrid.new@example.invalid"


def test_email_change_tells_old_address(logged_in: Client, user: Any, password: str) -> None:
    reauthenticated(logged_in, password)

    logged_in.post(EMAIL_URL, {"email": "ingrid.new@example.invalid"})

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ingrid@example.invalid"]


def test_email_change_audited(logged_in: Client, user: Any, password: str) -> None:
    reauthenticated(logged_in, password)

    logged_in.post(EMAIL_URL, {"email": "ingrid.new@example.invalid"})

    assert AuditEvent.objects.filter(
        action="account.email_changed", subject=pseudonym_for(user)
    ).exists()


def test_email_change_needs_reauth(logged_in: Client, user: Any) -> None:
    response = logged_in.post(EMAIL_URL, {"email": "ingrid.new@example.invalid"})

    user.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"].startswith(REAUTH_URL)
    assert user.email == "ingrid@example.invalid"


def test_email_taken_rejected(logged_in: Client, user: Any, other_user: Any, password: str) -> None:
    reauthenticated(logged_in, password)

    response = logged_in.post(EMAIL_URL, {"email": other_user.email.upper()})

    user.refresh_from_db()
    assert "This address is used by another account." in response.content.decode()
    assert user.email == "ingrid@example.invalid"


def test_email_malformed_rejected(logged_in: Client, user: Any, password: str) -> None:
    reauthenticated(logged_in, password)

    for value in ["not an address", "a@" + "b" * 300 + ".invalid", ""]:
        response = logged_in.post(EMAIL_URL, {"email": value})
        assert response.status_code == 200

    user.refresh_from_db()
    assert user.email == "ingrid@example.invalid"
