"""Admin for retention: policies with their last run and preview, read-only runs, legal holds."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..audit.log import ActorKind, record_event
from ..models import InactivityWarning, LegalHold, RetentionPolicy, RetentionRun
from ..models.retention import PolicyKind, RetentionAction
from ..registry import registry
from ..retention.preview import preview
from ..retention.sync import SYNCED_FIELDS
from ..retention.tasks import publish_enforcement
from ..templatetags.datarights import period as format_period
from .audit import AuditedAdminMixin

logger = logging.getLogger(__name__)


class RetentionPolicyForm(forms.ModelForm):
    class Meta:
        model = RetentionPolicy
        fields = [
            "key",
            "name",
            "kind",
            "model",
            "date_field",
            "period",
            "action",
            "warning_period",
            "paused",
            "max_share",
        ]
        help_texts = {
            "period": _("Days, then hours, minutes and seconds: “90 00:00:00” is 90 days."),
        }

    def clean_max_share(self) -> float | None:
        value = self.cleaned_data.get("max_share")
        if value is not None and not 0 < value <= 1:
            raise forms.ValidationError(
                _("Enter a share between 0 and 1, for example 0.2 for 20%.")
            )
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        self._clean_period(data.get("period"), data.get("warning_period"))
        label = data.get("model")
        if not label:
            return data
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            self.add_error(
                "model",
                _("No installed model is called “%(label)s”. Use app_label.ModelName.")
                % {"label": label},
            )
            return data

        data["model"] = model._meta.label
        self._clean_date_field(model, data.get("date_field"))
        self._clean_kind(model, data.get("kind"), data.get("action"))
        return data

    def _clean_period(self, period: timedelta | None, warning: timedelta | None) -> None:
        if period is not None and period.total_seconds() <= 0:
            self.add_error("period", _("The period must be longer than zero."))
        if period is not None and warning is not None and warning >= period:
            self.add_error(
                "warning_period", _("The warning must come before the end of the period.")
            )

    def _clean_kind(self, model: type[models.Model], kind: str | None, action: str | None) -> None:
        is_user_model = model is get_user_model()
        if kind == PolicyKind.INACTIVE_ACCOUNTS and not is_user_model:
            self.add_error(
                "model",
                _("An inactive-accounts policy applies to the user model, %(label)s.")
                % {"label": get_user_model()._meta.label},
            )
        if kind == PolicyKind.RECORDS and is_user_model:
            self.add_error(
                "kind",
                _(
                    "Accounts are removed through the erasure path: "
                    "use an inactive-accounts policy."
                ),
            )
        if action == RetentionAction.ANONYMISE and kind == PolicyKind.RECORDS:
            declaration = registry.get(model) if registry.is_registered(model) else None
            if declaration is None or not declaration.anonymise:
                self.add_error(
                    "action",
                    _(
                        "%(label)s is not registered with fields to anonymise, "
                        "so it can only be deleted."
                    )
                    % {"label": model._meta.label},
                )

    def _clean_date_field(self, model: type[models.Model], name: str | None) -> None:
        if not name:
            return
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            self.add_error(
                "date_field",
                _("%(label)s has no field “%(name)s”.")
                % {"label": model._meta.label, "name": name},
            )
            return
        if not isinstance(field, models.DateField):
            self.add_error(
                "date_field", _("“%(name)s” is not a date or date-time field.") % {"name": name}
            )


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(admin.ModelAdmin):
    form = RetentionPolicyForm
    list_display = [
        "key",
        "name",
        "kind",
        "model",
        "period_display",
        "action",
        "paused",
        "declared_in_code",
        "last_run",
    ]
    list_filter = ["kind", "action", "paused", "declared_in_code"]
    search_fields = ["key", "name", "model"]
    readonly_fields = ["declared_in_code", "overridden", "preview_counts", "last_run"]
    actions = ["preview_action", "run_now", "pause", "resume"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.declared_in_code:
            # The key links the row to its rule in code; changing it would orphan the policy.
            readonly += ["key", "kind"]
        return readonly

    @admin.display(description=_("period"), ordering="period")
    def period_display(self, policy: RetentionPolicy) -> str:
        """Whole years, days or hours as words ("90 days"); other periods exactly."""
        value = policy.period
        whole_days = value.days > 0 and not value.seconds and not value.microseconds
        whole_hours = value.days == 0 and value.seconds % 3600 == 0 and not value.microseconds
        if whole_days or (whole_hours and value.seconds):
            return format_period(value)
        return str(value)

    @admin.display(description=_("last run"))
    def last_run(self, policy: RetentionPolicy) -> str:
        run = policy.runs.order_by("-started_at", "-pk").first()
        if run is None:
            return "—"
        return format_html(
            "{} · {} {} · {} {} · {}",
            run.get_status_display(),
            run.rows_deleted,
            _("deleted"),
            run.rows_anonymised,
            _("anonymised"),
            timezone.localtime(run.started_at).strftime("%Y-%m-%d %H:%M"),
        )

    @admin.display(description=_("preview"))
    def preview_counts(self, policy: RetentionPolicy) -> str:
        if policy.pk is None:
            return "—"
        try:
            result = preview(policy)
        except ImproperlyConfigured as exc:
            return str(exc)
        oldest = timezone.localtime(result.oldest).strftime("%Y-%m-%d") if result.oldest else "—"
        return format_html(
            "{}: {} · {}: {} · {}: {}",
            _("due now"),
            result.due_now,
            _("due in the next 7 days"),
            result.due_next_7_days,
            _("oldest"),
            oldest,
        )

    def save_model(
        self, request: HttpRequest, obj: RetentionPolicy, form: forms.ModelForm, change: bool
    ) -> None:
        if change and obj.declared_in_code:
            changed = [name for name in form.changed_data if name in SYNCED_FIELDS]
            obj.overridden = sorted(set(obj.overridden) | set(changed))
        super().save_model(request, obj, form, change)
        record_event(
            "retention.policy_changed" if change else "retention.policy_created",
            actor=request.user,
            actor_kind=ActorKind.OPERATOR,
            object_ref=f"retention_policy:{obj.pk}",
            details={"key": obj.key, "fields": sorted(form.changed_data)},
        )

    @admin.action(description=_("Preview selected policies"))
    def preview_action(self, request: HttpRequest, queryset: QuerySet[RetentionPolicy]) -> None:
        for policy in queryset:
            try:
                result = preview(policy)
            except ImproperlyConfigured as exc:
                self.message_user(request, str(exc), messages.ERROR)
                continue
            self.message_user(
                request,
                _("%(policy)s: %(now)d due now, %(soon)d more in the next 7 days.")
                % {"policy": policy, "now": result.due_now, "soon": result.due_next_7_days},
            )

    @admin.action(description=_("Run selected policies now"))
    def run_now(self, request: HttpRequest, queryset: QuerySet[RetentionPolicy]) -> None:
        started = 0
        for policy in queryset:
            if policy.paused:
                self.message_user(
                    request,
                    _("%(policy)s is paused; resume it first.") % {"policy": policy},
                    messages.WARNING,
                )
                continue
            publish_enforcement(policy.pk)
            started += 1
        if started:
            self.message_user(
                request,
                ngettext("%(count)d policy queued.", "%(count)d policies queued.", started)
                % {"count": started},
            )

    @admin.action(description=_("Pause selected policies"))
    def pause(self, request: HttpRequest, queryset: QuerySet[RetentionPolicy]) -> None:
        self._set_paused(request, queryset, True)

    @admin.action(description=_("Resume selected policies"))
    def resume(self, request: HttpRequest, queryset: QuerySet[RetentionPolicy]) -> None:
        self._set_paused(request, queryset, False)

    def _set_paused(
        self, request: HttpRequest, queryset: QuerySet[RetentionPolicy], paused: bool
    ) -> None:
        for policy in queryset:
            policy.paused = paused
            if policy.declared_in_code and "paused" not in policy.overridden:
                policy.overridden = [*policy.overridden, "paused"]
            policy.save(update_fields=["paused", "overridden", "updated_at"])
            record_event(
                "retention.policy_paused" if paused else "retention.policy_resumed",
                actor=request.user,
                actor_kind=ActorKind.OPERATOR,
                object_ref=f"retention_policy:{policy.pk}",
                details={"key": policy.key},
            )
        self.message_user(request, _("%(count)d policies updated.") % {"count": queryset.count()})


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "policy",
        "status",
        "dry_run",
        "rows_deleted",
        "rows_anonymised",
        "started_at",
        "duration",
    ]
    list_filter = ["status", "dry_run", "policy"]
    list_select_related = ["policy"]
    date_hierarchy = "started_at"


@admin.register(InactivityWarning)
class InactivityWarningAdmin(AuditedAdminMixin, ReadOnlyAdmin):
    list_display = ["pk", "user_id", "policy", "warned_at"]
    list_filter = ["policy"]


@admin.register(LegalHold)
class LegalHoldAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = [
        "pk",
        "user_id",
        "content_type",
        "object_id",
        "reason",
        "created_at",
        "released_at",
    ]
    list_filter = ["released_at", "content_type"]
    raw_id_fields = ["user", "created_by"]
    readonly_fields = ["created_by", "created_at", "released_at"]
    fields = [
        "user",
        "content_type",
        "object_id",
        "reason",
        "created_by",
        "created_at",
        "released_at",
    ]
    actions = ["release"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A hold is released, never deleted, so the record of it stays.
        return False

    def save_model(
        self, request: HttpRequest, obj: LegalHold, form: forms.ModelForm, change: bool
    ) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
        record_event(
            "retention.hold_changed" if change else "retention.hold_placed",
            subject=obj.user_id,
            actor=request.user,
            actor_kind=ActorKind.OPERATOR,
            object_ref=f"legal_hold:{obj.pk}",
        )

    @admin.action(description=_("Release selected holds"))
    def release(self, request: HttpRequest, queryset: QuerySet[LegalHold]) -> None:
        released = 0
        for hold in queryset.filter(released_at__isnull=True):
            hold.released_at = timezone.now()
            hold.save(update_fields=["released_at"])
            record_event(
                "retention.hold_released",
                subject=hold.user_id,
                actor=request.user,
                actor_kind=ActorKind.OPERATOR,
                object_ref=f"legal_hold:{hold.pk}",
            )
            released += 1
        self.message_user(
            request,
            ngettext("%(count)d hold released.", "%(count)d holds released.", released)
            % {"count": released},
        )
