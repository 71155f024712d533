"""Views of account deletion: thin wrappers over ``flows``."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from ..conf import app_settings
from ..models.deletion import DeletionStatus
from ..ratelimit import check_rate
from ..reauth.decorators import reauth_required
from . import flows
from .forms import CancelWithPasswordForm, ConfirmDeletionForm
from .summary import erasure_summary

logger = logging.getLogger(__name__)

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@never_cache
@login_required
@reauth_required
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    """Show what erasure deletes and keeps; a confirmed POST requests the deletion."""
    if request.method == "POST":
        exceeded = check_rate(request.user, "deletion")
        if exceeded is not None:
            messages.error(request, exceeded.message)
            return HttpResponseRedirect(reverse("datarights:deletion"))
        form = ConfirmDeletionForm(request.POST)
        if form.is_valid():
            deletion = flows.request_deletion(request.user)
            # The account is closed now; this browser's session ends with the others.
            logout(request)
            grace = app_settings.DELETION_GRACE_PERIOD
            return render(
                request,
                "django_datarights/deletion/requested.html",
                {"deletion": deletion, "has_grace_period": grace.total_seconds() > 0},
            )
    else:
        form = ConfirmDeletionForm()
    summary = erasure_summary()
    now = timezone.now()
    context = {
        "form": form,
        "deleted": [item for item in summary if not item.kept],
        "kept": [item for item in summary if item.kept],
        "now": now,
        "erasure_at": now + app_settings.DELETION_GRACE_PERIOD,
        "has_grace_period": app_settings.DELETION_GRACE_PERIOD.total_seconds() > 0,
        "export_url": reverse("datarights:settings") + "#datarights-exports",
    }
    return render(request, "django_datarights/deletion/confirm.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def cancel_with_link(request: HttpRequest, token: str) -> HttpResponse:
    """Cancel through the signed link from the email: GET shows a button, POST cancels.

    A GET changes nothing, so a mail scanner that opens the link cannot cancel by accident.
    """
    try:
        deletion = flows.deletion_for_cancel_token(token)
    except flows.DeletionError as exc:
        return _cancel_result(request, str(exc), status=400)
    if deletion.status != DeletionStatus.SCHEDULED:
        return _cancel_result(request, _("This deletion can no longer be cancelled."), status=409)
    if request.method == "POST":
        try:
            flows.cancel_deletion(deletion)
        except flows.DeletionError as exc:
            return _cancel_result(request, str(exc), status=409)
        logout(request)
        return _cancel_result(
            request, _("Your account deletion is cancelled. You can sign in again.")
        )
    return render(
        request,
        "django_datarights/deletion/cancel_link.html",
        {"deletion": deletion, "token": token},
    )


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def cancel_with_password(request: HttpRequest) -> HttpResponse:
    """Let the owner of a closed account cancel its pending deletion with their password."""
    if request.method == "POST":
        form = CancelWithPasswordForm(request, data=request.POST)
        if form.is_valid():
            deletion = flows.open_request_for(form.user)
            if deletion is None or deletion.status != DeletionStatus.SCHEDULED:
                form.add_error(None, _("This account has no deletion that can be cancelled."))
            else:
                flows.cancel_deletion(deletion)
                if MODEL_BACKEND in settings.AUTHENTICATION_BACKENDS:
                    form.user.refresh_from_db()
                    login(request, form.user, backend=MODEL_BACKEND)
                messages.success(request, _("Your account deletion is cancelled. Welcome back."))
                return HttpResponseRedirect(reverse("datarights:settings"))
    else:
        form = CancelWithPasswordForm(request)
    return render(request, "django_datarights/deletion/cancel_login.html", {"form": form})


def _cancel_result(request: HttpRequest, message: str, status: int = 200) -> HttpResponse:
    return render(
        request,
        "django_datarights/deletion/cancel_result.html",
        {"message": message, "login_url": settings.LOGIN_URL},
        status=status,
    )
