"""Admin for purposes, consent choices and history, privacy policies and preferences.

Every change an operator makes goes through the consent flows, so it is versioned, recorded in
the history with channel ``admin`` and the operator as actor, and audited like any other.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..consent.flows import set_consent
from ..consent.purposes import save_purpose
from ..models import (
    Consent,
    ConsentRecord,
    PrivacyPolicy,
    PrivacyPolicyAcceptance,
    Purpose,
    PurposeVersion,
    UserPreference,
)
from ..models.consent import Channel, LegalBasis
from .audit import AuditedAdminMixin


class ReadOnlyAdminMixin:
    """No adding, changing or deleting: the rows are evidence."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class PurposeVersionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PurposeVersion
    extra = 0
    can_delete = False
    fields = ("version", "name", "description", "legal_basis", "published_at")
    readonly_fields = fields
    ordering = ("-version",)


class PurposeForm(forms.ModelForm):
    class Meta:
        model = Purpose
        fields = (
            "slug",
            "name",
            "description",
            "legal_basis",
            "refusable",
            "default_given",
            "ordering",
            "active",
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        if cleaned.get("legal_basis") == LegalBasis.CONSENT and not cleaned.get("refusable"):
            self.add_error(
                "refusable",
                _("A purpose based on consent must be refusable: consent can always be withdrawn."),
            )
        return cleaned


@admin.register(Purpose)
class PurposeAdmin(admin.ModelAdmin):
    form = PurposeForm
    list_display = (
        "name",
        "slug",
        "legal_basis",
        "refusable",
        "default_given",
        "version",
        "active",
    )
    list_filter = ("legal_basis", "active", "refusable")
    search_fields = ("slug", "name")
    readonly_fields = ("version", "created_at")
    inlines = [PurposeVersionInline]

    def get_readonly_fields(
        self, request: HttpRequest, obj: Model | None = None
    ) -> tuple[str, ...]:
        # The slug is how code and email links name a purpose; it is fixed once created.
        if obj is not None:
            return (*self.readonly_fields, "slug")
        return self.readonly_fields

    def save_model(self, request: HttpRequest, obj: Purpose, form: Any, change: bool) -> None:
        save_purpose(obj, actor=request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # History rows protect their purpose; deactivate a purpose instead of deleting it.
        return False


@admin.register(ConsentRecord)
class ConsentRecordAdmin(AuditedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "user", "purpose", "version", "given", "channel", "actor")
    list_filter = ("purpose", "given", "channel")
    list_select_related = ("user", "purpose", "actor")
    search_fields = ("subject",)
    date_hierarchy = "created_at"
    raw_id_fields = ("user", "actor")
    fields = (
        "created_at",
        "user",
        "subject",
        "purpose",
        "version",
        "given",
        "channel",
        "ip_address",
        "actor",
    )
    readonly_fields = fields


class ConsentAdminForm(forms.ModelForm):
    class Meta:
        model = Consent
        fields = ("user", "purpose", "given")


@admin.register(Consent)
class ConsentAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Current choices. Saving records the change through ``set_consent`` with channel admin."""

    form = ConsentAdminForm
    list_display = ("user", "purpose", "given", "version", "updated_at")
    list_filter = ("purpose", "given")
    list_select_related = ("user", "purpose")
    raw_id_fields = ("user",)
    readonly_fields = ("version", "updated_at")

    def get_readonly_fields(
        self, request: HttpRequest, obj: Model | None = None
    ) -> tuple[str, ...]:
        if obj is not None:
            return (*self.readonly_fields, "user", "purpose")
        return self.readonly_fields

    def save_model(self, request: HttpRequest, obj: Consent, form: Any, change: bool) -> None:
        set_consent(
            obj.user,
            obj.purpose,
            obj.given,
            channel=Channel.ADMIN,
            request=request,
            actor=request.user,
        )
        # The flow wrote the row; load it so the admin's success message and redirect use it.
        stored = Consent.objects.get(user=obj.user, purpose=obj.purpose)
        obj.pk = stored.pk
        obj.version = stored.version
        obj.updated_at = stored.updated_at
        obj._state.adding = False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # A withdrawal is a choice with its own history record, not a deleted row.
        return False


class PrivacyPolicyForm(forms.ModelForm):
    class Meta:
        model = PrivacyPolicy
        fields = ("version", "effective_at", "changes", "text")


@admin.register(PrivacyPolicy)
class PrivacyPolicyAdmin(admin.ModelAdmin):
    form = PrivacyPolicyForm
    list_display = ("version", "effective_at", "created_at")
    date_hierarchy = "effective_at"

    def get_readonly_fields(
        self, request: HttpRequest, obj: Model | None = None
    ) -> tuple[str, ...]:
        # A policy in effect is what people accepted; publish a new version to change it.
        if isinstance(obj, PrivacyPolicy) and obj.effective_at <= timezone.now():
            return ("version", "effective_at", "changes", "text")
        return ()

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if isinstance(obj, PrivacyPolicy) and obj.effective_at <= timezone.now():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(PrivacyPolicyAcceptance)
class PrivacyPolicyAcceptanceAdmin(AuditedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("user", "policy", "channel", "accepted_at")
    list_filter = ("policy", "channel")
    list_select_related = ("user", "policy")
    raw_id_fields = ("user",)
    fields = ("user", "policy", "channel", "accepted_at")
    readonly_fields = fields


@admin.register(UserPreference)
class UserPreferenceAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("user", "key", "value", "updated_at")
    list_filter = ("key",)
    list_select_related = ("user",)
    raw_id_fields = ("user",)
