"""Lockout through the real django-axes backend, handler and middleware.

The example project locks an account after 5 failures (AXES_FAILURE_LIMIT) for 15 minutes. A
failure counts the same whether it came from the login form, the password step of
re-authentication or its one-time code step, and whichever spelling of the account was typed.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time

from django_datarights.reauth.axes import normalise_username
from django_datarights.reauth.state import SESSION_KEY

LOGIN_URL = "/accounts/login/"
REAUTH_URL = "/privacy/reauthenticate/"
LOCKED_TEXT = "Too many failed attempts"


def login(client: Client, username: str, password: str, **headers: str) -> Any:
    return client.post(LOGIN_URL, {"username": username, "password": password}, headers=headers)


def is_logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_spellings_share_one_budget(client: Client, radomir: Any) -> None:
    attempts = ["radomir", "radomir", "RADOMIR", "RADOMIR", radomir.email.upper()]
    statuses = [login(client, name, "wrong guess").status_code for name in attempts]

    assert statuses == [200, 200, 200, 200, 429]


def test_spellings_then_forged_headers(client: Client, radomir: Any, password: str) -> None:
    start = timezone.now()
    with freeze_time(start):
        statuses = []
        for name in ["radomir", "RADOMIR", radomir.email]:
            statuses += [login(client, name, "wrong guess").status_code for _ in range(3)]
        forged = [
            login(client, "radomir", "wrong guess", x_forwarded_for=f"203.0.113.{n}").status_code
            for n in range(10)
        ]
        right_password = login(client, "radomir", password, x_forwarded_for="198.51.100.7")

    assert statuses == [200, 200, 200, 200, 429, 429, 429, 429, 429]
    assert set(forged) == {429}
    assert right_password.status_code == 429
    assert LOCKED_TEXT in right_password.content.decode()
    assert not is_logged_in(client)


def test_forged_forwarded_for_earns_nothing(client: Client, radomir: Any) -> None:
    statuses = [
        login(client, "radomir", "wrong guess", x_forwarded_for=f"192.0.2.{n}").status_code
        for n in range(6)
    ]

    assert statuses == [200, 200, 200, 200, 429, 429]


def test_right_password_rejected_while_locked(client: Client, radomir: Any, password: str) -> None:
    for _attempt in range(5):
        login(client, "radomir", "wrong guess")

    response = login(client, "radomir", password)

    assert response.status_code == 429
    assert not is_logged_in(client)


def test_lockout_ends_after_cooloff(client: Client, radomir: Any, password: str) -> None:
    start = timezone.now()
    with freeze_time(start):
        for _attempt in range(5):
            login(client, "radomir", "wrong guess")
    with freeze_time(start + timedelta(minutes=16)):
        response = login(client, "radomir", password)

    assert response.status_code == 302
    assert is_logged_in(client)


def test_reauth_password_step_locks(client: Client, radomir: Any, password: str) -> None:
    client.force_login(radomir)
    statuses = [client.post(REAUTH_URL, {"password": "wrong guess"}).status_code for _ in range(5)]
    right = client.post(REAUTH_URL, {"password": password})

    assert statuses == [200, 200, 200, 200, 429]
    assert right.status_code == 429
    assert LOCKED_TEXT in right.content.decode()
    assert SESSION_KEY not in client.session


def test_reauth_code_step_locks(
    client: Client, radomir: Any, password: str, current_code: Any
) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=radomir, name="phone", confirmed=True)
    client.force_login(radomir)
    statuses = [
        client.post(REAUTH_URL, {"password": password, "otp_token": "000000"}).status_code
        for _ in range(5)
    ]
    right = client.post(REAUTH_URL, {"password": password, "otp_token": current_code(device)})

    assert statuses == [200, 200, 200, 200, 429]
    assert right.status_code == 429
    assert SESSION_KEY not in client.session


def test_login_and_reauth_share_budget(client: Client, radomir: Any, password: str) -> None:
    # Logged in first: a successful login resets the count (AXES_RESET_ON_SUCCESS).
    client.force_login(radomir)
    other_browser = Client()
    for _attempt in range(3):
        login(other_browser, radomir.email, "wrong guess")
    statuses = [client.post(REAUTH_URL, {"password": "wrong guess"}).status_code for _ in range(2)]

    assert statuses == [200, 429]
    assert login(other_browser, "radomir", password).status_code == 429


@pytest.mark.parametrize(
    "typed",
    [
        "radomir",
        "RADOMIR",
        " Radomir ",
        "radomir.petrov@example.invalid",
        "RADOMIR.PETROV@EXAMPLE.INVALID",
    ],
)
def test_normalise_username_variants(radomir: Any, typed: str) -> None:
    assert normalise_username(None, {"username": typed}) == "radomir"


def test_normalise_unknown_email(db: Any) -> None:
    assert (
        normalise_username(None, {"username": "Nobody@Example.invalid"}) == "nobody@example.invalid"
    )


def test_otp_setup_password_step_locks(client: Client, radomir: Any, password: str) -> None:
    client.force_login(radomir)
    client.get("/account/two-factor/")
    statuses = [
        client.post(
            "/account/two-factor/", {"password": "wrong guess", "otp_token": "123456"}
        ).status_code
        for _ in range(5)
    ]

    assert statuses == [200, 200, 200, 200, 429]
    assert login(Client(), "radomir", password).status_code == 429
