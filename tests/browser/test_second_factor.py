"""A user sets up an authenticator app in the browser and then needs it to download an export."""

from __future__ import annotations

import base64
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django_otp.oath import hotp, totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from django_datarights.models import ExportRequest
from django_datarights.models.exports import ExportStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOCKOUT_HEADING = "Too many failed attempts"


def app_code(secret: str, drift: int = 0) -> str:
    """Compute the code an authenticator app shows for the base32 key, ``drift`` steps ahead."""
    return f"{totp(base64.b32decode(secret), drift=drift):06d}"


def next_code(secret: str, user: Any) -> str:
    """Return the code of the time step after the one the device last accepted.

    django-otp accepts each step only once, and the set-up used one. When the set-up crossed a
    step boundary, the device also learned a drift of one step, so a code counted from the
    clock alone can fall outside its window. The step after the last accepted one is within it
    for the next 30 seconds at least.
    """
    device = TOTPDevice.objects.get(user=user)
    return f"{hotp(base64.b32decode(secret), device.last_t + 1):06d}"


def wrong_code(secret: str) -> str:
    """Return a well-formed code that no nearby time step of the key produces."""
    valid = {app_code(secret, drift) for drift in range(-2, 3)}
    candidate = 123456
    while f"{candidate:06d}" in valid:
        candidate += 1
    return f"{candidate:06d}"


def set_up_authenticator(page: Any, screenshot: Any, password: str) -> tuple[str, list[str]]:
    """Confirm a TOTP device from the set-up page and return its key and the backup codes."""
    page.goto("/account/two-factor/")
    screenshot("otp-setup")
    # The key is read from the page text, as a person types it into an app without a camera.
    secret = page.locator("form").locator("xpath=preceding::code[1]").inner_text().strip()
    page.get_by_label("Password").fill(password)
    page.get_by_label("Code from the app").fill(app_code(secret))
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("heading", name="Your backup codes").wait_for()
    screenshot("backup-codes")
    codes = page.locator(".datarights-backup-codes code").all_inner_texts()
    backup_codes = [code.strip() for code in codes]
    return secret, backup_codes


def open_download(page: Any) -> None:
    """Request an export (built eagerly in tests) and follow its Download link."""
    page.goto("/privacy/")
    page.get_by_role("button", name="Request a copy of my data").click()
    page.wait_for_url("**/privacy/**")
    page.get_by_role("link", name="Download", exact=True).click()
    page.wait_for_url("**/privacy/reauthenticate/**")


@pytest.fixture
def authenticator(page, screenshot, log_in, user, password, settings):
    """Log the user in and set up their authenticator, then close the re-authentication window."""
    log_in(user)
    secret, backup_codes = set_up_authenticator(page, screenshot, password)
    # Confirming the device counts as a re-authentication, and the tests need a fresh one.
    settings.DATARIGHTS_REAUTH_WINDOW = timedelta(0)
    return secret, backup_codes


def test_setup_confirms_device(page, user, authenticator):
    secret, backup_codes = authenticator

    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed
    assert base64.b32encode(device.bin_key).decode() == secret
    assert len(backup_codes) == 10
    assert StaticToken.objects.filter(device__user=user).count() == 10


def test_download_needs_code(page, screenshot, user, password, settings, authenticator):
    secret, _ = authenticator
    open_download(page)
    screenshot("reauth-form")
    assert ExportRequest.objects.get(user=user).status == ExportStatus.READY
    assert page.get_by_label("One-time code").is_visible()

    settings.DATARIGHTS_REAUTH_WINDOW = timedelta(minutes=5)
    page.get_by_label("Password").fill(password)
    page.get_by_label("One-time code").fill(next_code(secret, user))
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Confirm").click()

    with zipfile.ZipFile(download_info.value.path()) as archive:
        assert archive.testzip() is None
        assert "index.html" in archive.namelist()


def test_wrong_codes_lock_account(page, screenshot, user, password, settings, authenticator):
    secret, _ = authenticator
    settings.AXES_FAILURE_LIMIT = 3
    open_download(page)

    for attempt in range(1, settings.AXES_FAILURE_LIMIT):
        page.get_by_label("Password").fill(password)
        page.get_by_label("One-time code").fill(wrong_code(secret))
        page.get_by_role("button", name="Confirm").click()
        # Exactly one error message: strict mode fails when the form repeats it.
        page.get_by_text("The code is not correct").wait_for()
        screenshot(f"wrong-code-{attempt}")
    page.get_by_label("Password").fill(password)
    page.get_by_label("One-time code").fill(wrong_code(secret))
    page.get_by_role("button", name="Confirm").click()

    page.get_by_role("heading", name=LOCKOUT_HEADING).wait_for()
    screenshot("locked-out")
    assert AccessAttempt.objects.filter(username=user.get_username()).exists()


def test_lockout_rejects_correct_code(page, screenshot, user, password, settings, authenticator):
    secret, backup_codes = authenticator
    settings.AXES_FAILURE_LIMIT = 3
    open_download(page)
    reauth_url = page.url
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.get_by_label("Password").fill(password)
        page.get_by_label("One-time code").fill(wrong_code(secret))
        page.get_by_role("button", name="Confirm").click()
    page.get_by_role("heading", name=LOCKOUT_HEADING).wait_for()

    settings.DATARIGHTS_REAUTH_WINDOW = timedelta(minutes=5)
    page.goto(reauth_url)
    page.get_by_label("Password").fill(password)
    # A backup code is valid whatever the time, so only the lockout can reject it.
    page.get_by_label("One-time code").fill(backup_codes[0])
    page.get_by_role("button", name="Confirm").click()

    page.get_by_role("heading", name=LOCKOUT_HEADING).wait_for()
    screenshot("locked-out-correct-code")
    # The code was never checked, so it is still unused.
    assert StaticToken.objects.filter(device__user=user, token=backup_codes[0]).exists()
