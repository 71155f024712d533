"""Production settings of the example project: deploy checks, CSP, no inline script or style."""

from __future__ import annotations

import base64
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [
    ROOT / "django_datarights" / "templates" / "django_datarights",
    ROOT / "example_project" / "templates",
    ROOT / "example_project" / "accounts" / "templates",
]
INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE
)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
# Rendered into the export archive and opened from disk, never served by the site, so the
# site's CSP does not apply and its styles must be inline.
NOT_SERVED = {"export/archive_index.html"}


def production_environment() -> dict[str, str]:
    # Browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment must not have it.
    inherited = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {key: value for key, value in os.environ.items() if key not in inherited}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "example_project.settings",
            "DJANGO_PRODUCTION": "1",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DATARIGHTS_ARCHIVE_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
            "DATARIGHTS_PSEUDONYM_KEY": secrets.token_urlsafe(32),
            # Only configures the cache; check --deploy does not connect to it.
            "DJANGO_CACHE_URL": "redis://127.0.0.1:6379/1",
        }
    )
    return env


def test_check_deploy_clean() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_needs_secret_key() -> None:
    env = production_environment()
    del env["DJANGO_SECRET_KEY"]

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0


def test_csp_header_sent(client: Client, user: Any) -> None:
    client.force_login(user)

    policy = client.get("/privacy/")["Content-Security-Policy"]

    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy


def test_csp_on_reauth_page(client: Client, user: Any) -> None:
    client.force_login(user)

    assert "Content-Security-Policy" in client.get("/privacy/reauthenticate/")


def test_templates_have_no_inline_code() -> None:
    offenders = []
    for directory in TEMPLATE_DIRS:
        for template in directory.rglob("*.html"):
            if template.relative_to(directory).as_posix() in NOT_SERVED:
                continue
            text = template.read_text()
            for pattern in (INLINE_SCRIPT, INLINE_STYLE, EVENT_HANDLER):
                if pattern.search(text):
                    offenders.append(f"{template.relative_to(ROOT)}: {pattern.pattern}")

    assert offenders == []


def test_rendered_pages_have_no_inline_code(client: Client, user: Any) -> None:
    client.force_login(user)
    for url in ["/privacy/", "/privacy/reauthenticate/", "/account/two-factor/"]:
        html = client.get(url).content.decode()
        assert not INLINE_SCRIPT.search(html), url
        assert not INLINE_STYLE.search(html), url
        assert not EVENT_HANDLER.search(html), url
