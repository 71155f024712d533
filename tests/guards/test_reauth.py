"""Sudo mode: the password, plus a one-time code from a real django-otp device."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from freezegun import freeze_time

from django_datarights.reauth.state import SESSION_KEY

REAUTH_URL = "/privacy/reauthenticate/"
EMAIL_URL = "/account/email/"


def is_marked(client: Client) -> bool:
    return SESSION_KEY in client.session


def test_password_opens_window(logged_in: Client, password: str) -> None:
    response = logged_in.post(REAUTH_URL, {"password": password, "next": EMAIL_URL})

    assert response.status_code == 302
    assert response["Location"] == EMAIL_URL
    assert is_marked(logged_in)


def test_wrong_password_rejected(logged_in: Client) -> None:
    response = logged_in.post(REAUTH_URL, {"password": "not my password"})

    assert response.status_code == 200
    assert "The password is not correct." in response.content.decode()
    assert not is_marked(logged_in)


def test_session_key_changes(logged_in: Client, password: str) -> None:
    before = logged_in.session.session_key

    logged_in.post(REAUTH_URL, {"password": password})

    assert logged_in.session.session_key != before


def test_anonymous_sent_to_login(client: Client) -> None:
    response = client.get(REAUTH_URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_device_needs_code(logged_in: Client, password: str, totp_device: Any) -> None:
    response = logged_in.post(REAUTH_URL, {"password": password})

    assert response.status_code == 200
    assert 'name="otp_token"' in response.content.decode()
    assert not is_marked(logged_in)


def test_totp_code_accepted(
    logged_in: Client, password: str, totp_device: Any, current_code: Any
) -> None:
    response = logged_in.post(
        REAUTH_URL, {"password": password, "otp_token": current_code(totp_device)}
    )

    assert response.status_code == 302
    assert is_marked(logged_in)


def test_totp_verifies_session(
    logged_in: Client, password: str, totp_device: Any, current_code: Any
) -> None:
    logged_in.post(REAUTH_URL, {"password": password, "otp_token": current_code(totp_device)})

    assert logged_in.session.get("otp_device_id") == totp_device.persistent_id


def test_wrong_totp_rejected(
    logged_in: Client, password: str, totp_device: Any, current_code: Any
) -> None:
    wrong = str((int(current_code(totp_device)) + 1) % 1_000_000).zfill(6)

    response = logged_in.post(REAUTH_URL, {"password": password, "otp_token": wrong})

    assert response.status_code == 200
    assert "The code is not correct" in response.content.decode()
    assert not is_marked(logged_in)


def test_code_without_password_rejected(
    logged_in: Client, totp_device: Any, current_code: Any
) -> None:
    response = logged_in.post(
        REAUTH_URL, {"password": "wrong", "otp_token": current_code(totp_device)}
    )

    assert response.status_code == 200
    assert not is_marked(logged_in)


def test_backup_code_works_once(logged_in: Client, password: str, backup_codes: list[str]) -> None:
    first = logged_in.post(REAUTH_URL, {"password": password, "otp_token": backup_codes[0]})
    assert first.status_code == 302
    assert not StaticToken.objects.filter(token=backup_codes[0]).exists()

    session = logged_in.session
    del session[SESSION_KEY]
    session.save()
    again = logged_in.post(REAUTH_URL, {"password": password, "otp_token": backup_codes[0]})

    assert again.status_code == 200
    assert SESSION_KEY not in logged_in.session


@pytest.mark.parametrize("token", ["12", "12345678901234567", "12 34 56 ;", "<script>"])
def test_malformed_code_rejected(
    logged_in: Client, password: str, totp_device: Any, token: str
) -> None:
    response = logged_in.post(REAUTH_URL, {"password": password, "otp_token": token})

    assert response.status_code == 200
    assert not is_marked(logged_in)


def test_oversized_password_rejected(logged_in: Client) -> None:
    response = logged_in.post(REAUTH_URL, {"password": "x" * 5000})

    assert response.status_code == 200
    assert not is_marked(logged_in)


def test_second_factor_required_redirects(logged_in: Client, settings: Any) -> None:
    settings.DATARIGHTS_REQUIRE_SECOND_FACTOR = True

    response = logged_in.get(REAUTH_URL + "?next=/account/email/")

    assert response.status_code == 302
    assert response["Location"] == "/account/two-factor/?next=%2Faccount%2Femail%2F"


def test_second_factor_required_with_device(
    logged_in: Client, settings: Any, totp_device: Any
) -> None:
    settings.DATARIGHTS_REQUIRE_SECOND_FACTOR = True

    response = logged_in.get(REAUTH_URL)

    assert response.status_code == 200


def test_decorator_redirects_to_reauth(logged_in: Client) -> None:
    response = logged_in.get(EMAIL_URL)

    assert response.status_code == 302
    assert response["Location"] == REAUTH_URL + "?next=%2Faccount%2Femail%2F"


def test_decorator_lets_through(logged_in: Client, password: str) -> None:
    logged_in.post(REAUTH_URL, {"password": password})

    assert logged_in.get(EMAIL_URL).status_code == 200


def test_window_expires(logged_in: Client, password: str, settings: Any) -> None:
    settings.DATARIGHTS_REAUTH_WINDOW = timedelta(minutes=5)
    start = timezone.now()
    with freeze_time(start):
        logged_in.post(REAUTH_URL, {"password": password})
    with freeze_time(start + timedelta(minutes=4, seconds=59)):
        assert logged_in.get(EMAIL_URL).status_code == 200
    with freeze_time(start + timedelta(minutes=5, seconds=1)):
        assert logged_in.get(EMAIL_URL).status_code == 302


def test_rate_limit_answers_429(logged_in: Client, settings: Any) -> None:
    settings.DATARIGHTS_REAUTH_MAX_PER_HOUR = 2
    for _attempt in range(2):
        logged_in.post(REAUTH_URL, {"password": "wrong"})

    response = logged_in.post(REAUTH_URL, {"password": "wrong"})

    assert response.status_code == 429
    assert "Too many attempts. Try again in 60 minutes." in response.content.decode()
    assert 3590 <= int(response["Retry-After"]) <= 3600


def test_rate_limit_blocks_right_password(logged_in: Client, password: str, settings: Any) -> None:
    settings.DATARIGHTS_REAUTH_MAX_PER_HOUR = 1
    logged_in.post(REAUTH_URL, {"password": "wrong"})

    response = logged_in.post(REAUTH_URL, {"password": password})

    assert response.status_code == 429
    assert not is_marked(logged_in)


def test_reauth_url_name() -> None:
    assert reverse("datarights:reauth") == REAUTH_URL


def test_code_after_wrong_one_waits(
    logged_in: Client, password: str, totp_device: Any, current_code: Any
) -> None:
    start = timezone.now()
    with freeze_time(start):
        wrong = str((int(current_code(totp_device)) + 1) % 1_000_000).zfill(6)
        logged_in.post(REAUTH_URL, {"password": password, "otp_token": wrong})
        right_too_soon = logged_in.post(
            REAUTH_URL, {"password": password, "otp_token": current_code(totp_device)}
        )
    with freeze_time(start + timedelta(seconds=3)):
        right_later = logged_in.post(
            REAUTH_URL, {"password": password, "otp_token": current_code(totp_device)}
        )

    assert "wait 1 second before trying the next one" in right_too_soon.content.decode()
    assert right_later.status_code == 302
