"""The export section of the privacy settings page."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest

from ..conf import app_settings
from ..models import ExportRequest

# Requests listed on the page, newest first.
LISTED_REQUESTS = 5


def section_context(request: HttpRequest) -> dict[str, Any]:
    """Return the export section's context with one query, whatever the number of requests."""
    exports = list(
        ExportRequest.objects.filter(user=cast(Any, request.user))
        .defer("manifest", "failure_reason")
        .order_by("-created_at")[:LISTED_REQUESTS]
    )
    return {
        "requests": exports,
        "has_in_flight": any(export.in_flight for export in exports),
        "link_lifetime_days": app_settings.EXPORT_LINK_LIFETIME.days,
    }
