"""The read-only audit trail in the admin, and the mixin that audits operators' views of users.

Hosts put :class:`AuditedAdminMixin` first in the bases of any ``ModelAdmin`` that shows a
user's records, so each opening of a change page is written to the audit trail as
``admin.viewed`` and appears in that user's activity::

    @admin.register(Order)
    class OrderAdmin(AuditedAdminMixin, admin.ModelAdmin):
        audit_subject_field = "customer"
"""

from __future__ import annotations

import csv
import json
import logging
from datetime import datetime
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..audit.log import ActorKind, record_event
from ..audit.verify import last_verification, verify_and_record
from ..models import AuditEvent

logger = logging.getLogger(__name__)

CSV_COLUMNS = [
    "sequence",
    "created_at",
    "action",
    "actor_kind",
    "actor",
    "subject",
    "object_ref",
    "outcome",
    "details",
    "previous_hash",
    "hash",
]


class AuditedAdminMixin:
    """Record ``admin.viewed`` each time an operator opens a change page that shows a user.

    The subject is the object itself when it is a user, else the attribute named by
    ``audit_subject_field``; override :meth:`get_audit_subject` for anything else. Only
    successful GET requests are recorded: saving goes through the flows, which record their own
    events.
    """

    audit_subject_field = "user"

    def get_audit_subject(self, obj: Model) -> Any:
        """Return the user whose records ``obj`` shows, or ``None``."""
        if isinstance(obj, get_user_model()):
            return obj
        return getattr(obj, self.audit_subject_field, None)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
        if request.method == "GET" and response.status_code == 200:
            obj = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
            subject = self.get_audit_subject(obj) if obj is not None else None
            if subject is not None:
                record_event(
                    "admin.viewed",
                    subject=subject,
                    actor=request.user,
                    actor_kind=ActorKind.OPERATOR,
                    object_ref=f"{obj._meta.label_lower}:{obj.pk}",
                )
        return response


def _csv_cell(value: Any) -> str:
    if isinstance(value, (dict, list)):
        text = json.dumps(value, sort_keys=True)
    elif isinstance(value, datetime):
        text = value.isoformat()
    else:
        text = str(value)
    # Spreadsheets run a cell that starts with one of these characters as a formula.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail, read-only, with the chain's state above the list and a CSV export."""

    list_display = ["sequence", "created_at", "action", "actor_kind", "object_ref", "outcome"]
    list_filter = ["action", "actor_kind", "outcome"]
    search_fields = ["object_ref", "=subject", "=actor"]
    date_hierarchy = "created_at"
    ordering = ["-sequence"]
    actions = ["export_csv"]
    change_list_template = "admin/django_datarights/auditevent/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[Any]:
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("verify/", self.admin_site.admin_view(self.verify_view), name=f"{prefix}_verify"),
            *super().get_urls(),
        ]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # Reading the whole trail on every page load would not scale, so the page shows the
        # latest recorded verification. The button and datarights_audit_verify run a new one.
        extra_context = {**(extra_context or {}), "verification": last_verification()}
        return super().changelist_view(request, extra_context)

    def verify_view(self, request: HttpRequest) -> HttpResponse:
        """Verify the whole chain on a POST from the changelist's button, then go back to it."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_view_permission(request):
            raise PermissionDenied
        result = verify_and_record(actor=request.user, actor_kind=ActorKind.OPERATOR)
        if result.ok:
            self.message_user(
                request,
                _("Hash chain intact: %(checked)d events checked, head #%(sequence)d.")
                % {"checked": result.checked, "sequence": result.head_sequence},
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request,
                _("Hash chain broken at event #%(sequence)s (%(problem)s): %(detail)s.")
                % {"sequence": result.sequence, "problem": result.problem, "detail": result.detail},
                messages.ERROR,
            )
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return HttpResponseRedirect(reverse(f"admin:{prefix}_changelist"))

    @admin.action(description=_("Export selected events as CSV"), permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[AuditEvent]) -> HttpResponse:
        stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="audit-trail-{stamp}.csv"'
        writer = csv.writer(response)
        writer.writerow(CSV_COLUMNS)
        count = 0
        for event in queryset.order_by("sequence").iterator(chunk_size=2000):
            writer.writerow([_csv_cell(getattr(event, column)) for column in CSV_COLUMNS])
            count += 1
        record_event(
            "audit.exported",
            actor=request.user,
            actor_kind=ActorKind.OPERATOR,
            details={"events": count},
        )
        logger.info("audit trail exported as CSV events=%d operator_id=%s", count, request.user.pk)
        return response
