"""Benchmark views. Each app view has a bare twin that renders the same template with a context
computed once, so the difference between the two is the app's own work per request."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from django_datarights.consent.queries import has_consent
from django_datarights.views.page import SECTIONS

CHECKED_SLUGS = [f"purpose-{n:02d}" for n in range(20)]

_page_context: dict[str, Any] = {}


@login_required
def checks_with_app(request: HttpRequest) -> HttpResponse:
    answers = [(slug, has_consent(request.user, slug, request)) for slug in CHECKED_SLUGS]
    return render(request, "bench_consent/checks.html", {"answers": answers})


@login_required
def checks_bare(request: HttpRequest) -> HttpResponse:
    answers = [(slug, False) for slug in CHECKED_SLUGS]
    return render(request, "bench_consent/checks.html", {"answers": answers})


@login_required
def page_bare(request: HttpRequest) -> HttpResponse:
    # Built on the first request only; later requests render the template from this copy.
    if not _page_context:
        _page_context.update({name: build(request) for name, build in SECTIONS})
    return render(request, "django_datarights/settings_page.html", _page_context)
