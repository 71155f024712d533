from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _


class ReauthForm(forms.Form):
    password = forms.CharField(
        label=_("Password"), strip=False, max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )

    def __init__(self, request: Any, *args: Any, **kwargs: Any) -> None:
        self.request = request
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password = cleaned.get("password")
        if password is None:
            return cleaned
        user = self.request.user
        credentials = {user.USERNAME_FIELD: user.get_username(), "password": password}
        authenticated = authenticate(self.request, **credentials)
        if authenticated is None or authenticated.pk != user.pk:
            raise forms.ValidationError(_("The password is not correct."), code="invalid_password")
        return cleaned
