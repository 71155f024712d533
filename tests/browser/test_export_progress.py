"""An export watched in the browser while a real worker builds it."""

from __future__ import annotations

import pytest

from django_datarights.models import ExportRequest
from django_datarights.models.exports import ExportStatus
from tests.services.celery_worker import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.worker]

#: Milliseconds to wait for the page to show a new export status.
STATUS_TIMEOUT_MS = 30_000


@pytest.fixture
def blocked_worker(start_worker, tmp_path):
    """A worker whose export build waits until ``release`` exists in the returned directory."""
    block_dir = tmp_path / "block"
    block_dir.mkdir()
    start_worker(block_dir=block_dir)
    return block_dir


def request_export_in_page(page, log_in, user):
    log_in(user)
    page.get_by_role("button", name="Request a copy of my data").click()
    return ExportRequest.objects.get(user=user)


def test_status_shown_while_building(page, screenshot, log_in, user, blocked_worker):
    from playwright.sync_api import expect

    export = request_export_in_page(page, log_in, user)
    wait_until((blocked_worker / "started").exists, timeout=30, what="build start")
    page.reload()

    screenshot("export-building")
    expect(page.get_by_text("Being prepared")).to_be_visible()
    assert page.get_by_role("link", name="Download", exact=True).count() == 0

    (blocked_worker / "release").touch()
    wait_until(
        lambda: ExportRequest.objects.get(pk=export.pk).status == ExportStatus.READY,
        timeout=30,
        what="export ready",
    )
    page.reload()
    screenshot("export-ready")
    expect(page.get_by_role("link", name="Download", exact=True)).to_be_visible()


def test_status_updates_without_reload(page, screenshot, log_in, user, blocked_worker):
    from playwright.sync_api import expect

    request_export_in_page(page, log_in, user)
    wait_until((blocked_worker / "started").exists, timeout=30, what="build start")

    (blocked_worker / "release").touch()

    expect(page.get_by_role("link", name="Download", exact=True)).to_be_visible(
        timeout=STATUS_TIMEOUT_MS
    )
    screenshot("export-ready-live")
