"""The privacy settings page: one view that gathers each area's section."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from ..audit.page import section_context as activity_section
from ..consent.page import holdings_section_context as holdings_section
from ..consent.page import preferences_section_context as preferences_section
from ..consent.page import section_context as consent_section
from ..deletion.page import section_context as deletion_section
from ..export.page import section_context as export_section

# (context name, builder). Each builder returns the context its include template reads; the
# page's query count stays constant because each builder runs a fixed number of queries.
SECTIONS: list[tuple[str, Callable[[HttpRequest], dict[str, Any]]]] = [
    ("consent", consent_section),
    ("preferences", preferences_section),
    ("holdings", holdings_section),
    ("exports", export_section),
    ("deletion", deletion_section),
    ("activity", activity_section),
]


@never_cache
@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    context = {name: build(request) for name, build in SECTIONS}
    return render(request, "django_datarights/settings_page.html", context)
