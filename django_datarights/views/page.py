"""The privacy settings page: one view that gathers each area's section."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from ..consent.page import section_context as consent_section
from ..deletion.page import section_context as deletion_section
from ..export.page import section_context as export_section

# (context name, builder). Each builder returns the context its include template reads; the
# page's query count stays constant because each builder runs a fixed number of queries.
SECTIONS: list[tuple[str, Callable[[HttpRequest], dict[str, Any]]]] = [
    ("consent", consent_section),
    ("exports", export_section),
    ("deletion", deletion_section),
]


@never_cache
@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    context = {name: build(request) for name, build in SECTIONS}
    return render(request, "django_datarights/settings_page.html", context)
