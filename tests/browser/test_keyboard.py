"""The privacy settings page used with the keyboard alone, with and without JavaScript."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from django_datarights.models import ConsentRecord, Purpose
from tests.services.browser import ACTION_TIMEOUT_MS, Screenshots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Tab presses after which a control that was never reached counts as unreachable.
MAX_TABS = 80

# An approximation of the focused element's accessible name that is enough for this page's
# controls. It is the label of a form field, else aria-label, else the visible text.
FOCUSED_NAME_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "";
  if (el.labels && el.labels.length) return el.labels[0].innerText.trim();
  return (el.getAttribute("aria-label") || el.innerText || "").trim();
}"""

#: Links of the page's table of contents, in page order.
TABLE_OF_CONTENTS = [
    "Your choices",
    "Privacy policy",
    "Preferences",
    "What we hold about you",
    "Download your data",
    "Delete your account",
    "Activity",
]

FOCUS_STYLE_JS = """() => {
  const style = getComputedStyle(document.activeElement);
  return {outline: style.outlineStyle, width: style.outlineWidth, shadow: style.boxShadow};
}"""


@pytest.fixture
def newsletter() -> Purpose:
    return Purpose.objects.create(
        slug="newsletter",
        name="Monthly newsletter",
        description="We email you our news once a month.",
    )


@pytest.fixture
def no_script_page(chromium: Any, live_server: Any) -> Iterator[Any]:
    """A browser context with JavaScript switched off."""
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    yield context.new_page()
    context.close()


def log_in_with_keyboard(page: Any, user: Any, password: str) -> None:
    """Log in through the login form and land at the top of the privacy settings page."""
    page.goto("/accounts/login/?next=/privacy/")
    page.get_by_label("Username").fill(user.get_username())
    page.get_by_label("Password").fill(password)
    page.get_by_label("Password").press("Enter")
    page.wait_for_url("**/privacy/")


def focused_name(page: Any) -> str:
    return page.evaluate(FOCUSED_NAME_JS)


def is_focused(locator: Any) -> bool:
    return locator.evaluate("el => el === document.activeElement")


def tab_until(page: Any, name: str) -> list[str]:
    """Press Tab until ``name`` has focus and return the names of the elements passed on the way."""
    passed = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        current = focused_name(page)
        if current == name:
            return passed
        passed.append(current)
    raise AssertionError(f"{name!r} not reached after {MAX_TABS} Tab presses: {passed}")


def test_first_tab_reaches_skip_link(page, user, password):
    log_in_with_keyboard(page, user, password)

    page.keyboard.press("Tab")

    assert is_focused(page.get_by_role("link", name="Skip to content"))


def test_skip_link_focuses_main(page, user, password):
    log_in_with_keyboard(page, user, password)
    page.keyboard.press("Tab")

    page.keyboard.press("Enter")

    assert is_focused(page.locator("main"))


def test_keyboard_toggle_saves_consent(page, screenshot, user, password, newsletter):
    log_in_with_keyboard(page, user, password)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    tab_until(page, "Monthly newsletter")
    checkbox = page.get_by_label("Monthly newsletter")
    assert is_focused(checkbox)
    page.keyboard.press("Space")

    assert checkbox.is_checked()
    page.locator("#datarights-consent [role=status]").filter(
        has_text="Your choices were saved."
    ).wait_for()
    screenshot("consent-toggled")
    records = ConsentRecord.objects.filter(user=user, purpose=newsletter)
    assert [record.given for record in records] == [True]


def test_focused_checkbox_shows_focus(page, user, password, newsletter):
    log_in_with_keyboard(page, user, password)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    tab_until(page, "Monthly newsletter")
    style = page.evaluate(FOCUS_STYLE_JS)

    assert style["outline"] != "none" or style["shadow"] != "none"
    assert style["outline"] == "none" or style["width"] != "0px"


def test_shift_tab_returns_to_checkbox(page, user, password, newsletter):
    log_in_with_keyboard(page, user, password)
    tab_until(page, "Monthly newsletter")

    page.keyboard.press("Tab")
    assert focused_name(page) == "Save choices"
    page.keyboard.press("Shift+Tab")

    assert is_focused(page.get_by_label("Monthly newsletter"))


def test_tab_order_of_sections(page, screenshot, user, password, newsletter):
    log_in_with_keyboard(page, user, password)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    before_checkbox = tab_until(page, "Monthly newsletter")
    before_export = tab_until(page, "Request a copy of my data")
    screenshot("export-button-focused")
    before_deletion = tab_until(page, "Delete my account")

    # The table of contents comes first, then each section's controls in reading order.
    assert before_checkbox == TABLE_OF_CONTENTS
    assert before_export == ["Save choices"]
    assert before_deletion == []


def test_no_script_space_then_save(no_script_page, user, password, newsletter):
    page = no_script_page
    screenshot = Screenshots(page, "test_no_script_space_then_save")
    log_in_with_keyboard(page, user, password)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    tab_until(page, "Monthly newsletter")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert focused_name(page) == "Save choices"
    page.keyboard.press("Enter")

    page.wait_for_url("**/privacy/**")
    page.get_by_text("Your choices were saved.").wait_for()
    screenshot("saved-without-javascript")
    assert page.get_by_label("Monthly newsletter").is_checked()
    records = ConsentRecord.objects.filter(user=user, purpose=newsletter)
    assert [record.given for record in records] == [True]
