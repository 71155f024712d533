"""A person's privacy flows, end to end in headless Chromium: consent, export, deletion."""

from __future__ import annotations

import re
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from django_datarights.models import ConsentRecord, DeletionRequest, ExportRequest, Purpose
from django_datarights.models.deletion import DeletionStatus
from django_datarights.models.exports import ExportStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

User = get_user_model()


def confirm_password_if_asked(page: Any, password: str) -> None:
    """Fill in the re-authentication form when a sensitive action shows it."""
    if page.get_by_role("button", name="Confirm").count() and page.get_by_label("Password").count():
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Confirm").click()


@pytest.fixture
def newsletter() -> Purpose:
    return Purpose.objects.create(
        slug="newsletter",
        name="Monthly newsletter",
        description="We email you our news once a month.",
    )


def test_consent_change_is_saved(page, screenshot, log_in, user, newsletter):
    log_in(user)
    checkbox = page.get_by_label("Monthly newsletter")
    assert not checkbox.is_checked()

    checkbox.check()
    page.get_by_role("button", name="Save choices").click()
    status = page.locator("#datarights-consent [role=status]")
    status.filter(has_text="Your choices were saved.").wait_for()
    # The history table shows the new choice without a reload.
    history = page.get_by_role("table", name="History of your choices")
    assert history.get_by_role("cell", name="Monthly newsletter").count() == 1
    assert history.get_by_role("cell", name="Allowed", exact=True).count() == 1
    screenshot("consent-saved")
    page.reload()

    assert page.get_by_label("Monthly newsletter").is_checked()
    # The toggle saves, and the button must not save the same change again.
    records = ConsentRecord.objects.filter(user=user, purpose=newsletter)
    assert [record.given for record in records] == [True]


def test_export_downloads_zip(page, screenshot, log_in, user, password):
    log_in(user)
    page.get_by_role("button", name="Request a copy of my data").click()
    page.wait_for_url("**/privacy/**")
    screenshot("export-requested")

    export = ExportRequest.objects.get(user=user)
    assert export.status == ExportStatus.READY
    # Logging in is no re-authentication, so Download first leads to the password form.
    page.get_by_role("link", name="Download", exact=True).click()
    page.wait_for_url("**/privacy/reauthenticate/**")
    screenshot("export-reauthenticate")
    page.get_by_label("Password").fill(password)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Confirm").click()
    archive_path = download_info.value.path()
    # The browser shows the download page, not the form with the password still typed in.
    page.get_by_role("heading", name="Download your data", level=1).wait_for()
    screenshot("export-download-page")
    assert page.get_by_label("Password").count() == 0
    assert page.get_by_role("link", name="Download personal-data.zip").is_visible()

    with zipfile.ZipFile(archive_path) as archive:
        names = archive.namelist()
        assert archive.testzip() is None
    assert download_info.value.suggested_filename.endswith(".zip")
    assert "index.html" in names
    assert any(name.endswith(".json") for name in names)


def test_export_link_has_no_download_attribute(page, log_in, user):
    log_in(user)
    page.get_by_role("button", name="Request a copy of my data").click()
    page.wait_for_url("**/privacy/**")

    link = page.get_by_role("link", name="Download", exact=True)
    # With the attribute, a browser saves the re-authentication redirect as a file.
    assert link.get_attribute("download") is None


def test_deletion_request_then_cancel(page, screenshot, log_in, user, password, settings):
    settings.DATARIGHTS_DELETION_GRACE_PERIOD = timedelta(days=14)
    log_in(user)
    page.get_by_role("link", name="Delete my account").click()
    confirm_password_if_asked(page, password)
    screenshot("deletion-confirm")
    page.get_by_label(re.compile("I understand")).check()
    page.get_by_role("button", name="Delete my account").click()
    screenshot("deletion-requested")

    deletion = DeletionRequest.objects.get(user=user)
    assert deletion.status == DeletionStatus.SCHEDULED
    user.refresh_from_db()
    assert not user.is_active

    page.goto("/privacy/delete/cancel/")
    page.get_by_label("Username").fill(user.get_username())
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Cancel the deletion and sign in").click()
    screenshot("deletion-cancelled")

    deletion.refresh_from_db()
    assert deletion.status == DeletionStatus.CANCELLED
    user.refresh_from_db()
    assert user.is_active
