"""Launch the system Chromium through Playwright, and keep screenshots of the pages visited."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.services.availability import chromium_path

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = REPO_ROOT / "artifacts" / "screenshots"

#: Headless flags for a container: no sandbox (often no user namespaces), no GPU, and no
#: background traffic to Google services, so the browser talks only to the live server.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

#: Milliseconds Playwright waits for an element or a navigation before failing the test.
ACTION_TIMEOUT_MS = 10_000


def launch_chromium(playwright: Any) -> Any:
    return playwright.chromium.launch(
        executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
    )


class Screenshots:
    """Numbered full-page screenshots for one test: ``<test>-01-<step>.png``."""

    def __init__(self, page: Any, test_name: str) -> None:
        self.page = page
        self.prefix = re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name)
        self.count = 0

    def __call__(self, step: str) -> Path:
        self.count += 1
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / f"{self.prefix}-{self.count:02d}-{step}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path
