"""Admin for the demo shop: every page that shows a customer's records is audited.

``AuditedAdminMixin`` records each operator's view of a change page, which then appears in the
activity section of the customer's privacy settings page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from django_datarights.admin import AuditedAdminMixin

from .models import ActivityLog, Address, Invoice, Message, Order, OrderLine, Profile, SupportNote


@admin.register(Profile)
class ProfileAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["pk", "user", "display_name"]
    search_fields = ["display_name", "user__username"]
    raw_id_fields = ["user"]


@admin.register(Address)
class AddressAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["pk", "user", "label", "city", "country", "created_at"]
    list_filter = ["country"]
    raw_id_fields = ["user"]


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0


@admin.register(Order)
class OrderAdmin(AuditedAdminMixin, admin.ModelAdmin):
    audit_subject_field = "customer"
    list_display = ["number", "customer", "status", "total", "placed_at"]
    list_filter = ["status"]
    search_fields = ["number"]
    raw_id_fields = ["customer"]
    inlines = [OrderLineInline]


@admin.register(Invoice)
class InvoiceAdmin(AuditedAdminMixin, admin.ModelAdmin):
    audit_subject_field = "customer"
    list_display = ["number", "customer", "amount", "issued_at"]
    search_fields = ["number"]
    raw_id_fields = ["customer", "order"]


@admin.register(Message)
class MessageAdmin(AuditedAdminMixin, admin.ModelAdmin):
    audit_subject_field = "author"
    list_display = ["pk", "author", "subject", "sent_at"]
    raw_id_fields = ["author"]


@admin.register(ActivityLog)
class ActivityLogAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["pk", "user", "action", "created_at"]
    list_filter = ["action"]
    date_hierarchy = "created_at"
    raw_id_fields = ["user"]


@admin.register(SupportNote)
class SupportNoteAdmin(admin.ModelAdmin):
    """Notes are not linked to a user, so there is no one to record a view for.

    The residual check after an erasure reports notes that still name the erased customer;
    operators open them here to remove the name.
    """

    list_display = ["ticket", "created_at", "short_text"]
    search_fields = ["ticket", "text"]

    @admin.display(description="text")
    def short_text(self, note: Any) -> str:
        return note.text[:60]
