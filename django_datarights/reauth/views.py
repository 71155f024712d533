"""The re-authentication page."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import django_otp
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from ..conf import app_settings
from ..ratelimit import check_rate, retry_after_header
from .devices import has_second_factor
from .forms import ReauthForm
from .state import mark_reauthenticated

logger = logging.getLogger(__name__)

MAX_NEXT_LENGTH = 2048


def safe_next(request: HttpRequest, fallback: str | None = None) -> str:
    """Return the ``next`` parameter if it is a path on this site, else the fallback.

    Only a path that starts with a single ``/`` is accepted: absolute URLs, scheme-relative
    ``//host`` and ``/\\host`` forms, and overlong values all fall back.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target.startswith("/")
        and len(target) <= MAX_NEXT_LENGTH
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        and not target.startswith(("//", "/\\"))
    ):
        return target
    return fallback or reverse("datarights:settings")


def _otp_setup_redirect(next_url: str) -> HttpResponseRedirect:
    setup_url = app_settings.OTP_SETUP_URL
    if not setup_url:
        raise ImproperlyConfigured(
            "DATARIGHTS_REQUIRE_SECOND_FACTOR is on but DATARIGHTS_OTP_SETUP_URL is not set. "
            "Set it to the URL (or URL name) of the page where users add a django-otp device."
        )
    return HttpResponseRedirect(resolve_url(setup_url) + "?" + urlencode({"next": next_url}))


@never_cache
@sensitive_post_parameters("password", "otp_token")
@login_required
def reauthenticate(request: HttpRequest) -> HttpResponse:
    """Ask for the password (and a one-time code) and open the re-authentication window.

    A user who must have a second factor but has none is sent to ``DATARIGHTS_OTP_SETUP_URL``
    first. Attempts beyond ``DATARIGHTS_REAUTH_MAX_PER_HOUR`` are answered with status 429,
    whatever django-axes counts.
    """
    next_url = safe_next(request)
    if app_settings.REQUIRE_SECOND_FACTOR and not has_second_factor(request.user):
        return _otp_setup_redirect(next_url)

    if request.method == "POST":
        exceeded = check_rate(request.user, "reauth")
        if exceeded is not None:
            context = {
                "form": ReauthForm(request),
                "next": next_url,
                "rate_error": exceeded.message,
            }
            response = render(request, "django_datarights/reauth/form.html", context, status=429)
            for header, value in retry_after_header(exceeded).items():
                response[header] = value
            return response

        form = ReauthForm(request, data=request.POST)
        if form.is_valid():
            if form.device is not None:
                # The session is now OTP-verified too, so an OTPAdminSite lets the user in.
                django_otp.login(request, form.device)
            # A new session key after the privilege step, so a session id seen before it is
            # worth nothing afterwards.
            request.session.cycle_key()
            mark_reauthenticated(request)
            logger.info("re-authentication succeeded user_id=%s", request.user.pk)
            return HttpResponseRedirect(next_url)
    else:
        form = ReauthForm(request)
    return render(request, "django_datarights/reauth/form.html", {"form": form, "next": next_url})
