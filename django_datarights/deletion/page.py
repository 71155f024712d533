"""The account deletion section of the privacy settings page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def section_context(request: HttpRequest) -> dict[str, Any]:
    return {}
