"""Forms of the example account pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate, get_user_model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from django_datarights.reauth.forms import OTP_TOKEN_VALIDATOR


class TOTPConfirmForm(forms.Form):
    """Confirm a new TOTP device with the account password and a first code from the app."""

    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    otp_token = forms.CharField(
        label=_("Code from the app"),
        max_length=16,
        validators=[OTP_TOKEN_VALIDATOR],
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, request: HttpRequest, device: TOTPDevice, *args: Any, **kwargs: Any) -> None:
        self.request = request
        self.device = device
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password = cleaned.get("password")
        token = cleaned.get("otp_token")
        if password is None or token is None:
            return cleaned
        user = self.request.user
        # Through authenticate() so django-axes counts a wrong password here as on the login form.
        authenticated = authenticate(self.request, username=user.get_username(), password=password)
        if authenticated is None or authenticated.pk != user.pk:
            raise forms.ValidationError(_("The password is not correct."), code="invalid_password")
        if not self.device.verify_token("".join(token.split())):
            raise forms.ValidationError(
                _("The code is not correct. Check the time on your phone and try the next code."),
                code="invalid_token",
            )
        return cleaned


class ChangeEmailForm(forms.Form):
    """A new email address for the current account."""

    email = forms.EmailField(label=_("New email address"), max_length=254)

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if email.lower() == (self.user.email or "").lower():
            raise forms.ValidationError(_("This is already your email address."), code="unchanged")
        user_model = get_user_model()
        taken = user_model._default_manager.filter(email__iexact=email).exclude(pk=self.user.pk)
        if taken.exists():
            raise forms.ValidationError(_("This address is used by another account."), code="taken")
        return email
