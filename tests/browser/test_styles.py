"""How the privacy page looks in Chromium: computed styles that only a browser can show."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WHITE = "rgb(255, 255, 255)"
ACCENT = "rgb(31, 86, 179)"
DANGER = "rgb(163, 32, 32)"


def style(locator, name):
    return locator.evaluate(f"element => getComputedStyle(element).{name}")


def test_delete_link_is_white_on_red(page, log_in, user):
    log_in(user)
    link = page.get_by_role("link", name="Delete my account")

    assert style(link, "color") == WHITE
    assert style(link, "backgroundColor") == DANGER
    assert style(link, "textDecorationLine") == "none"


def test_request_export_button_is_styled(page, log_in, user):
    log_in(user)
    button = page.get_by_role("button", name="Request a copy of my data")

    assert style(button, "backgroundColor") == ACCENT
    assert style(button, "color") == WHITE


def test_download_heading_hidden_on_screen(page, log_in, user):
    log_in(user)
    page.get_by_role("button", name="Request a copy of my data").click()
    page.wait_for_url("**/privacy/**")
    heading = page.locator("#datarights-exports th .datarights-visually-hidden")

    box = heading.bounding_box()
    assert box is not None
    assert box["width"] <= 1
    assert box["height"] <= 1
    # Screen readers still get the column name.
    assert page.get_by_role("columnheader", name="Download").count() == 1
