"""The example shop's account pages."""

from __future__ import annotations

import base64
import logging
from typing import Any

import django_otp
import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from django_datarights.audit import ActorKind, record_event
from django_datarights.conf import app_settings
from django_datarights.reauth import reauth_required
from django_datarights.reauth.state import mark_reauthenticated
from django_datarights.reauth.views import safe_next

from .forms import ChangeEmailForm, TOTPConfirmForm

logger = logging.getLogger(__name__)

BACKUP_CODE_COUNT = 10


def _pending_device(user: object) -> TOTPDevice:
    # One unconfirmed device per user, reused across page loads so the QR code stays the same
    # until it is confirmed.
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def _qr_svg(device: TOTPDevice) -> str:
    # Inline SVG: the QR code needs no external asset and no inline script or style.
    return segno.make(device.config_url, micro=False).svg_inline(
        scale=4, title=_("QR code for your authenticator app")
    )


def _issue_backup_codes(user: object) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="backup codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@never_cache
@sensitive_post_parameters("password", "otp_token")
@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Add a TOTP authenticator: show a QR code and the secret, confirm with a code, then show
    ten backup codes once."""
    next_url = safe_next(request, fallback=reverse("datarights:settings"))
    user = request.user
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return render(request, "accounts/otp_already_set_up.html", {"next": next_url})

    device = _pending_device(user)
    if request.method == "POST":
        form = TOTPConfirmForm(request, device, data=request.POST)
        if form.is_valid():
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                codes = _issue_backup_codes(user)
                record_event(
                    "account.otp_enabled", subject=user, actor=user, object_ref=f"totp:{device.pk}"
                )
            # The user has just given the password and a valid code: that is a re-authentication.
            request.session.cycle_key()
            django_otp.login(request, device)
            mark_reauthenticated(request)
            logger.info("second factor confirmed user_id=%s device_id=%s", user.pk, device.pk)
            return render(request, "accounts/backup_codes.html", {"codes": codes, "next": next_url})
    else:
        form = TOTPConfirmForm(request, device)

    context = {
        "form": form,
        "next": next_url,
        "qr_svg": _qr_svg(device),
        "secret": base64.b32encode(device.bin_key).decode(),
        "required": app_settings.REQUIRE_SECOND_FACTOR,
    }
    return render(request, "accounts/otp_setup.html", context)


@never_cache
@reauth_required
def change_email(request: HttpRequest) -> HttpResponse:
    """Change the account's email address; needs a recent re-authentication.

    A notice goes to the previous address, so the owner learns of a change made from a stolen
    session.
    """
    # reauth_required has already sent anonymous users to the login page.
    user: Any = request.user
    if request.method == "POST":
        form = ChangeEmailForm(user, data=request.POST)
        if form.is_valid():
            previous = user.email
            with transaction.atomic():
                user.email = form.cleaned_data["email"]
                user.save(update_fields=["email"])
                record_event(
                    "account.email_changed", subject=user, actor=user, actor_kind=ActorKind.USER
                )
            if previous:
                send_mail(
                    _("Your email address was changed"),
                    _(
                        "The email address of your account at %(site)s was just changed. "
                        "If you did not do this, contact us at once."
                    )
                    % {"site": app_settings.SITE_NAME},
                    None,
                    [previous],
                )
            logger.info("email address changed user_id=%s", user.pk)
            messages.success(request, _("Your email address was changed."))
            return HttpResponseRedirect(reverse("datarights:settings"))
    else:
        form = ChangeEmailForm(user)
    return render(request, "accounts/change_email.html", {"form": form})
