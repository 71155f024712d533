"""Export requests in the admin: read-only records, with retry and start actions via the flows."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..export import flows
from ..models import ExportRequest
from ..models.exports import ExportStatus
from .audit import AuditedAdminMixin

logger = logging.getLogger(__name__)

# Fields of the read-only change page; the flows own the state, so none is editable.
DETAIL_FIELDS = (
    "id",
    "user",
    "requested_by",
    "status",
    "progress",
    "attempts",
    "created_at",
    "started_at",
    "heartbeat_at",
    "finished_at",
    "expires_at",
    "expired_at",
    "row_count",
    "size",
    "sha256",
    "key_id",
    "storage_name",
    "download_count",
    "last_downloaded_at",
    "failure_message",
    "failure_reason",
    "manifest",
)


@admin.register(ExportRequest)
class ExportRequestAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "user",
        "status",
        "progress",
        "attempts",
        "created_at",
        "expires_at",
        "download_count",
    )
    list_filter = ("status", "created_at")
    list_select_related = ("user",)
    search_fields = ("=id",)
    raw_id_fields = ("user", "requested_by")
    date_hierarchy = "created_at"
    actions = ["retry_selected", "start_export_for_users"]

    def get_fields(self, request: HttpRequest, obj: ExportRequest | None = None) -> Any:
        # The add form only picks the user; the "start an export" flow sets everything else.
        return ("user",) if obj is None else DETAIL_FIELDS

    def get_readonly_fields(self, request: HttpRequest, obj: ExportRequest | None = None) -> Any:
        return () if obj is None else DETAIL_FIELDS

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Viewing only: the change page is read-only and saving would bypass the flows.
        return False

    def save_model(self, request: HttpRequest, obj: ExportRequest, form: Any, change: bool) -> None:
        """Start an export for the chosen user through the flow, with the operator recorded."""
        created = flows.request_export(obj.user, operator=request.user)
        obj.pk = created.pk
        obj.refresh_from_db()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass

    @admin.action(description=_("Retry the selected failed exports"), permissions=["add"])
    def retry_selected(self, request: HttpRequest, queryset: QuerySet[ExportRequest]) -> None:
        retried = 0
        for export in queryset.filter(status=ExportStatus.FAILED):
            flows.retry_export(export, request.user)
            retried += 1
        skipped = queryset.count() - retried
        self.message_user(
            request,
            ngettext("%(count)d export queued again.", "%(count)d exports queued again.", retried)
            % {"count": retried},
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d export was skipped because it had not failed.",
                    "%(count)d exports were skipped because they had not failed.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    @admin.action(
        description=_("Start a new export for the users of the selected requests"),
        permissions=["add"],
    )
    def start_export_for_users(
        self, request: HttpRequest, queryset: QuerySet[ExportRequest]
    ) -> None:
        user_ids = set(queryset.values_list("user_id", flat=True))
        started = 0
        for export in queryset.select_related("user").order_by("user_id").distinct():
            if export.user_id not in user_ids:
                continue
            user_ids.discard(export.user_id)
            flows.request_export(export.user, operator=request.user)
            started += 1
        self.message_user(
            request,
            ngettext("%(count)d export started.", "%(count)d exports started.", started)
            % {"count": started},
            messages.SUCCESS,
        )
