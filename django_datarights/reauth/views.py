from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from .forms import ReauthForm
from .state import mark_reauthenticated


def safe_next(request: HttpRequest, fallback: str | None = None) -> str:
    """Return the ``next`` parameter if it is a path on this site, else the fallback."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback or reverse("datarights:settings")


@never_cache
@login_required
def reauthenticate(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request)
    if request.method == "POST":
        form = ReauthForm(request, data=request.POST)
        if form.is_valid():
            mark_reauthenticated(request)
            return HttpResponseRedirect(next_url)
    else:
        form = ReauthForm(request)
    return render(request, "django_datarights/reauth/form.html", {"form": form, "next": next_url})
