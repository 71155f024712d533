"""The re-authentication form: the password, plus a one-time code when the user has a device."""

from __future__ import annotations

import logging
import math
from typing import Any

from django import forms
from django.contrib.auth import authenticate, user_login_failed
from django.core.validators import RegexValidator
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from django_otp import devices_for_user, match_token
from django_otp.models import Device

from .devices import has_second_factor

logger = logging.getLogger(__name__)

# In django-otp 1.x, TOTP codes are 6 or 8 digits and static backup codes are 8 lower-case
# base32 characters.
OTP_TOKEN_VALIDATOR = RegexValidator(
    r"^[0-9a-zA-Z]{6,16}$",
    message=_("Enter the code from your authenticator app or one of your backup codes."),
    code="malformed_token",
)


class ReauthForm(forms.Form):
    """Check the current user's password, and their one-time code when they have a device.

    Both checks report failures to django-axes: the password through ``authenticate()`` (the
    axes backend and its ``user_login_failed`` receiver see it), the code by sending
    ``user_login_failed`` with the username. A locked-out account fails even with the right
    password, and ``request.axes_locked_out`` is then set for the axes middleware.
    """

    error_messages = {
        "invalid_password": _("The password is not correct."),
        "invalid_token": _("The code is not correct or has already been used."),
        "throttled_token": ngettext_lazy(
            "The code is not correct or has already been used. After a wrong code, wait "
            "%(seconds)d second before trying the next one.",
            "The code is not correct or has already been used. After a wrong code, wait "
            "%(seconds)d seconds before trying the next one.",
            "seconds",
        ),
    }

    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    otp_token = forms.CharField(
        label=_("One-time code"),
        help_text=_("The 6-digit code from your authenticator app, or one of your backup codes."),
        max_length=16,
        validators=[OTP_TOKEN_VALIDATOR],
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text"}),
    )

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        self.request = request
        self.device: Device | None = None
        super().__init__(*args, **kwargs)
        self.needs_token = has_second_factor(request.user)
        if not self.needs_token:
            del self.fields["otp_token"]

    def clean_otp_token(self) -> str:
        return "".join(self.cleaned_data["otp_token"].split())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password = cleaned.get("password")
        if password is None or (self.needs_token and cleaned.get("otp_token") is None):
            # A field is missing or malformed: nothing was tried, so nothing is counted.
            return cleaned

        user = self.request.user
        username = user.get_username()
        authenticated = authenticate(self.request, username=username, password=password)
        if authenticated is None or authenticated.pk != user.pk:
            logger.info("re-authentication failed: password user_id=%s", user.pk)
            raise forms.ValidationError(
                self.error_messages["invalid_password"], code="invalid_password"
            )

        if self.needs_token:
            self.device = match_token(user, cleaned["otp_token"])
            if self.device is None:
                logger.info("re-authentication failed: one-time code user_id=%s", user.pk)
                user_login_failed.send(
                    sender=__name__,
                    credentials={"username": username},
                    request=self.request,
                )
                wait = throttle_wait_seconds(user)
                if wait:
                    raise forms.ValidationError(
                        self.error_messages["throttled_token"],
                        code="throttled_token",
                        params={"seconds": wait},
                    )
                raise forms.ValidationError(
                    self.error_messages["invalid_token"], code="invalid_token"
                )
        return cleaned


def throttle_wait_seconds(user: Any) -> int:
    """Return the seconds until django-otp verifies codes for ``user`` again, or 0.

    django-otp (1.x) rejects every code, right or wrong, for 1, 2, 4... seconds after each
    wrong one, so the user needs to know why a correct code failed.
    """
    now = timezone.now()
    wait = 0.0
    for device in devices_for_user(user, confirmed=True):
        allowed, data = device.verify_is_allowed()
        if not allowed and data and data.get("locked_until"):
            wait = max(wait, (data["locked_until"] - now).total_seconds())
    return math.ceil(wait) if wait > 0 else 0
