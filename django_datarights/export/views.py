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


@never_cache
@require_GET
@reauth_required  # type: ignore[arg-type]  # it is typed for HttpResponse, not streaming
def download_export(request: HttpRequest, export_id: str) -> HttpResponseBase:
    # Another user's id is a 404, exactly like an id that does not exist.
    export = get_object_or_404(ExportRequest, pk=export_id, user=request.user)
    if not export.is_downloadable:
        # Gone for good (expired, key destroyed) is 410; not built yet or failed is 404.
        archive_gone = export.status in DOWNLOADABLE or export.status == ExportStatus.EXPIRED
        return render(
            request,
            "django_datarights/export/unavailable.html",
            {"export": export, "gone": archive_gone},
            status=410 if archive_gone else 404,
        )
    try:
        chunks = flows.open_archive(export)
    except crypto.ArchiveDecryptionError:
        # The site key that wrapped this archive's key is no longer configured.
        logger.error("export %s cannot be decrypted with the configured archive keys", export.pk)
        return render(
            request,
            "django_datarights/export/unavailable.html",
            {"export": export, "gone": True},
            status=410,
        )
    flows.record_download(export, request)
    response = StreamingHttpResponse(chunks, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{DOWNLOAD_FILE_NAME}"'
    response["Cache-Control"] = "no-store"
    return response
