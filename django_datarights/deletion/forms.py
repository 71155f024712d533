"""Forms of the deletion pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model, user_login_failed
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

INVALID_LOGIN = _("The username or password is not correct.")
LOCKED_OUT = _("Too many failed attempts. Try again later.")


class ConfirmDeletionForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that my account and its data will be erased."), required=True
    )


class CancelWithPasswordForm(forms.Form):
    """Username and password of an account that is closed while its deletion is pending.

    Django's login refuses inactive accounts, so this form checks the password itself. Each
    attempt counts for django-axes like a login: a lockout blocks the form, and a wrong
    password sends ``user_login_failed``.
    """

    username = forms.CharField(
        label=_("Username"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        self.request = request
        self.user: Any = None
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        username = cleaned.get("username")
        password = cleaned.get("password")
        if not username or password is None:
            return cleaned
        credentials = {"username": username}
        if not _axes_allows(self.request, credentials):
            raise forms.ValidationError(LOCKED_OUT, code="locked_out")
        user_model = get_user_model()
        user = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username}).first()
        if user is None:
            # Hash anyway, so the response takes as long as for an existing account.
            user_model().set_password(password)
            self._fail(credentials)
        elif not user.check_password(password):
            self._fail(credentials)
        self.user = user
        return cleaned

    def _fail(self, credentials: dict[str, Any]) -> None:
        user_login_failed.send(sender=__name__, credentials=credentials, request=self.request)
        raise forms.ValidationError(INVALID_LOGIN, code="invalid_login")


def _axes_allows(request: HttpRequest, credentials: dict[str, Any]) -> bool:
    from django.apps import apps

    if not apps.is_installed("axes"):
        return True
    from axes.handlers.proxy import AxesProxyHandler

    return bool(AxesProxyHandler.is_allowed(request, credentials))
