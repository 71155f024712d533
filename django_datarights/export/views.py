"""Export views: request, status, download. Thin wrappers over ``flows``."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from ..models import ExportRequest
from ..models.exports import DOWNLOADABLE, ExportStatus
from ..ratelimit import check_rate
from ..reauth.decorators import reauth_required
from . import crypto, flows

logger = logging.getLogger(__name__)

DOWNLOAD_FILE_NAME = "personal-data.zip"


@require_POST
@login_required
def request_export_view(request: HttpRequest) -> HttpResponse:
    settings_url = reverse("datarights:settings") + "#datarights-exports"
    exceeded = check_rate(request.user, "export")
    if exceeded is not None:
        messages.error(request, exceeded.message)
        return HttpResponseRedirect(settings_url)
    try:
        flows.request_export(request.user)
    except flows.ExportLimitReached as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Your export has been requested. We will email you when it is ready to download."),
        )
    return HttpResponseRedirect(settings_url)


@never_cache
@require_GET
@login_required
def export_status(request: HttpRequest, export_id: str) -> JsonResponse:
    export = get_object_or_404(ExportRequest, pk=export_id, user=request.user)
    return JsonResponse(
        {
            "id": str(export.pk),
            "status": export.status,
            "status_display": str(export.get_status_display()),
            "progress": export.progress,
            "expires_at": export.expires_at.isoformat() if export.expires_at else None,
            "downloadable": export.is_downloadable,
            "download_url": (
                reverse("datarights:export-download", args=[export.pk])
                if export.is_downloadable
                else None
            ),
            "message": export.failure_message or None,
        }
    )


def _unavailable(request: HttpRequest, export: ExportRequest) -> HttpResponse | None:
    """Return the page for an archive that cannot be downloaded, or ``None`` when it can."""
    if export.is_downloadable:
        if flows.archive_key_available(export):
            return None
        # The site key that wrapped this archive's key is no longer configured.
        logger.error("export %s cannot be decrypted with the configured archive keys", export.pk)
        return _gone(request, export)
    if export.status in DOWNLOADABLE or export.status == ExportStatus.EXPIRED:
        # Gone for good: expired, or its key destroyed.
        return _gone(request, export)
    # Not built yet, or failed.
    return render(
        request,
        "django_datarights/export/unavailable.html",
        {"export": export, "gone": False},
        status=404,
    )


def _gone(request: HttpRequest, export: ExportRequest) -> HttpResponse:
    return render(
        request,
        "django_datarights/export/unavailable.html",
        {"export": export, "gone": True},
        status=410,
    )


@never_cache
@require_GET
@reauth_required
def download_export(request: HttpRequest, export_id: str) -> HttpResponse:
    """Show the download page, which starts the file download itself.

    The Download link and the re-authentication form lead here rather than to the file. A
    browser keeps showing the current page when a response is an attachment, so leading to the
    file would leave the user on the form with their password still typed in.
    """
    # Another user's id is a 404, exactly like an id that does not exist.
    export = get_object_or_404(ExportRequest, pk=export_id, user=request.user)
    unavailable = _unavailable(request, export)
    if unavailable is not None:
        return unavailable
    return render(
        request,
        "django_datarights/export/download.html",
        {
            "export": export,
            "file_url": reverse("datarights:export-file", args=[export.pk]),
            "file_name": DOWNLOAD_FILE_NAME,
        },
    )


@never_cache
@require_GET
@reauth_required  # type: ignore[arg-type]  # it is typed for HttpResponse, not streaming
def download_file(request: HttpRequest, export_id: str) -> HttpResponseBase:
    """Stream the decrypted archive as a ZIP attachment and record the download."""
    export = get_object_or_404(ExportRequest, pk=export_id, user=request.user)
    unavailable = _unavailable(request, export)
    if unavailable is not None:
        return unavailable
    try:
        chunks = flows.open_archive(export)
    except crypto.ArchiveDecryptionError:
        logger.error("export %s cannot be decrypted with the configured archive keys", export.pk)
        return _gone(request, export)
    except FileNotFoundError:
        logger.error("export %s is ready but its file is missing from storage", export.pk)
        return _gone(request, export)
    flows.record_download(export, request)
    response = StreamingHttpResponse(chunks, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{DOWNLOAD_FILE_NAME}"'
    response["Cache-Control"] = "no-store"
    return response
