"""The consent section in headless Chromium: saving on toggle, the live region, keyboard, mobile."""

from __future__ import annotations

from typing import Any

import pytest

from django_datarights.consent.purposes import save_purpose
from django_datarights.consent.queries import has_consent
from django_datarights.models import ConsentRecord, Purpose

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def analytics() -> Purpose:
    return save_purpose(
        Purpose(slug="analytics", name="Analytics", description="Count page visits.")
    )


def test_toggle_saves_without_submit(page, log_in, user, analytics):
    log_in(user)

    page.get_by_label("Analytics").check()

    status = page.locator("#datarights-consent [role=status]")
    status.filter(has_text="Your choices were saved.").wait_for()
    assert has_consent(user, "analytics") is True
    assert ConsentRecord.objects.filter(user=user, given=True).count() == 1


def test_page_works_without_javascript(chromium, live_server, password, user, analytics):
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    browser_page = context.new_page()
    try:
        browser_page.goto("/accounts/login/?next=/privacy/")
        browser_page.get_by_label("Username").fill(user.get_username())
        browser_page.get_by_label("Password").fill(password)
        browser_page.get_by_role("button", name="Log in").click()
        browser_page.wait_for_url("**/privacy/")

        browser_page.get_by_label("Analytics").check()
        browser_page.get_by_role("button", name="Save choices").click()
        browser_page.wait_for_url("**/privacy/#datarights-consent")

        assert "Your choices were saved." in browser_page.content()
    finally:
        context.close()
    assert has_consent(user, "analytics") is True


def test_first_tab_reaches_skip_link(page, log_in, user, analytics):
    log_in(user)

    page.keyboard.press("Tab")

    assert page.evaluate("document.activeElement.getAttribute('href')") == "#datarights-main"


def test_no_csp_violations(page, log_in, user, analytics):
    violations: list[Any] = []

    def collect(message: Any) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    page.on("console", collect)
    log_in(user)

    page.get_by_label("Analytics").check()
    page.locator("#datarights-consent [role=status]").filter(has_text="saved").wait_for()

    assert violations == []


def test_mobile_layout_is_one_column(page, log_in, user, analytics):
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(user)

    page_width = page.evaluate("document.documentElement.scrollWidth")
    button = page.get_by_role("button", name="Save choices").bounding_box()

    assert page_width <= 360
    assert button is not None
    assert button["width"] > 250
