"""Deletion requests in the admin: read-only records, and operator actions through the flows."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..deletion import flows
from ..models import DeletionRequest
from .audit import AuditedAdminMixin

logger = logging.getLogger(__name__)

DETAIL_FIELDS = (
    "id",
    "subject",
    "user",
    "requested_by",
    "requested_by_operator",
    "status",
    "created_at",
    "due_at",
    "started_at",
    "heartbeat_at",
    "finished_at",
    "cancelled_at",
    "legal_hold",
    "legal_hold_reason",
    "attempts",
    "error",
    "progress_table",
    "residual_table",
    "residual_checked_at",
    "final_email_sent_at",
)


@admin.register(DeletionRequest)
class DeletionRequestAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "status",
        "due_at",
        "legal_hold",
        "attempts",
        "created_at",
        "finished_at",
        "residual_hit_count",
    )
    list_filter = ("status", "legal_hold", "requested_by_operator", "due_at")
    search_fields = ("=id", "=subject")
    raw_id_fields = ("user", "requested_by")
    date_hierarchy = "created_at"
    fields = DETAIL_FIELDS
    readonly_fields = DETAIL_FIELDS
    actions = [
        "expedite_selected",
        "hold_selected",
        "release_selected",
        "cancel_selected",
        "retry_selected",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Requests come from the user's page, the flows or ``datarights_erase``.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The request is the proof that an erasure happened; it is never deleted by hand.
        return False

    @admin.display(description=_("residual hits"))
    def residual_hit_count(self, obj: DeletionRequest) -> int:
        return len(obj.residual_hits or [])

    @admin.display(description=_("progress per dataset"))
    def progress_table(self, obj: DeletionRequest) -> str:
        rows = [
            (
                name,
                entry.get("deleted", 0),
                entry.get("anonymised", 0),
                entry.get("cascaded", 0),
                _("yes") if entry.get("done") else _("no"),
            )
            for name, entry in sorted((obj.progress or {}).items())
            if isinstance(entry, dict)
        ]
        if not rows:
            return "-"
        header = format_html(
            "<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            _("dataset"),
            _("deleted"),
            _("anonymised"),
            _("by cascade"),
            _("done"),
        )
        body = format_html_join(
            "", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows
        )
        return format_html("<table>{}{}</table>", header, body)

    @admin.display(description=_("residual check hits"))
    def residual_table(self, obj: DeletionRequest) -> str:
        hits = obj.residual_hits or []
        if not hits:
            return "-"
        header = format_html(
            "<tr><th>{}</th><th>{}</th><th>{}</th></tr>", _("table"), _("column"), _("rows")
        )
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((hit.get("table"), hit.get("column"), hit.get("count")) for hit in hits),
        )
        return format_html("<table>{}{}</table>", header, body)

    # --- Actions ----------------------------------------------------------------------------

    @admin.action(description=_("Erase the selected accounts now"), permissions=["change"])
    def expedite_selected(self, request: HttpRequest, queryset: QuerySet[DeletionRequest]) -> None:
        self._apply(request, queryset, lambda d: flows.expedite(d, operator=request.user))

    @admin.action(
        description=_("Place a legal hold on the selected requests"), permissions=["change"]
    )
    def hold_selected(
        self, request: HttpRequest, queryset: QuerySet[DeletionRequest]
    ) -> HttpResponse | None:
        reason = request.POST.get("legal_hold_reason", "").strip()
        if "apply" not in request.POST or not reason:
            context = {
                **self.admin_site.each_context(request),
                "title": _("Place a legal hold"),
                "queryset": queryset,
                "opts": self.model._meta,
                "action": "hold_selected",
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "missing_reason": "apply" in request.POST,
            }
            return TemplateResponse(request, "django_datarights/deletion/admin_hold.html", context)
        self._apply(
            request,
            queryset,
            lambda d: flows.place_legal_hold(d, operator=request.user, reason=reason[:255]),
        )
        return None

    @admin.action(
        description=_("Release the legal hold of the selected requests"), permissions=["change"]
    )
    def release_selected(self, request: HttpRequest, queryset: QuerySet[DeletionRequest]) -> None:
        self._apply(request, queryset, lambda d: flows.release_legal_hold(d, operator=request.user))

    @admin.action(description=_("Cancel the selected scheduled deletions"), permissions=["change"])
    def cancel_selected(self, request: HttpRequest, queryset: QuerySet[DeletionRequest]) -> None:
        self._apply(request, queryset, lambda d: flows.cancel_deletion(d, operator=request.user))

    @admin.action(description=_("Retry the selected failed erasures"), permissions=["change"])
    def retry_selected(self, request: HttpRequest, queryset: QuerySet[DeletionRequest]) -> None:
        self._apply(request, queryset, lambda d: flows.retry(d, operator=request.user))

    def _apply(
        self,
        request: HttpRequest,
        queryset: QuerySet[DeletionRequest],
        change: Callable[[DeletionRequest], Any],
    ) -> None:
        done = 0
        refused: list[str] = []
        for deletion in queryset:
            try:
                change(deletion)
                done += 1
            except flows.DeletionError as exc:
                refused.append(f"{deletion.pk}: {exc}")
        if done:
            self.message_user(
                request,
                ngettext("%(count)d request changed.", "%(count)d requests changed.", done)
                % {"count": done},
                messages.SUCCESS,
            )
        for message in refused:
            self.message_user(request, message, messages.WARNING)
