"""Fixtures for end-to-end tests: headless Chromium against pytest-django's ``live_server``."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.services.browser import ACTION_TIMEOUT_MS, Screenshots, launch_chromium


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop in this thread, and Django refuses ORM calls
    # while a loop is running there. The tests call the ORM only between browser steps.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(chromium: Any, live_server: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies) whose relative URLs point at the live server."""
    context = chromium.new_context(base_url=live_server.url, accept_downloads=True)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot(page: Any, request: pytest.FixtureRequest) -> Screenshots:
    """Call ``screenshot("step")`` to save the current page under ``artifacts/screenshots/``."""
    return Screenshots(page, request.node.name)


@pytest.fixture
def log_in(page: Any, password: str) -> Callable[[Any], None]:
    """Log a user in through the site's login form, as a person would."""

    def log_in_as(user: Any, next_url: str = "/privacy/") -> None:
        page.goto(f"/accounts/login/?next={next_url}")
        page.get_by_label("Username").fill(user.get_username())
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"**{next_url}")

    return log_in_as


@pytest.fixture
def admin_user(make_user: Any) -> Any:
    return make_user("operator", is_staff=True, is_superuser=True)


# A test marked both ``browser`` and ``worker`` watches a page while a real worker runs the job.
from tests.services.worker_fixtures import (  # noqa: E402,F401
    broker,
    celery_app,
    mail_dir,
    start_worker,
    worker,
    worker_mail,
)
