"""Export requests and the encrypted archives they produce."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being prepared")
    READY = "ready", _("Ready to download")
    DOWNLOADED = "downloaded", _("Downloaded")
    EXPIRED = "expired", _("Expired")
    FAILED = "failed", _("Failed")


IN_FLIGHT = (ExportStatus.QUEUED, ExportStatus.RUNNING)
DOWNLOADABLE = (ExportStatus.READY, ExportStatus.DOWNLOADED)


class ExportRequest(models.Model):
    """A request for a copy of one user's personal data.

    The primary key is a random UUID so that ids in URLs cannot be enumerated. The archive's
    storage name is random too, and the archive can only be read with ``wrapped_key``, which
    is erased when the archive expires.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="datarights_exports"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The operator who started the export, when it was not the user."),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ExportStatus.choices,
        default=ExportStatus.QUEUED,
        db_index=True,
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    attempts = models.PositiveSmallIntegerField(_("build attempts"), default=0)
    created_at = models.DateTimeField(_("requested"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    expired_at = models.DateTimeField(_("expired"), null=True, blank=True)
    storage_name = models.CharField(_("storage name"), max_length=255, blank=True, editable=False)
    wrapped_key = models.BinaryField(_("wrapped data key"), null=True, blank=True, editable=False)
    key_id = models.CharField(_("site key id"), max_length=16, blank=True, editable=False)
    size = models.BigIntegerField(_("archive size (bytes)"), null=True, blank=True)
    sha256 = models.CharField(_("archive SHA-256"), max_length=64, blank=True)
    row_count = models.BigIntegerField(_("rows"), null=True, blank=True)
    manifest = models.JSONField(_("manifest"), default=dict, blank=True)
    failure_reason = models.TextField(
        _("failure reason (operators)"),
        blank=True,
        help_text=_("Technical reason, for operators. Never shown to the user."),
    )
    failure_message = models.CharField(_("message to the user"), max_length=255, blank=True)
    download_count = models.PositiveIntegerField(_("downloads"), default=0)
    last_downloaded_at = models.DateTimeField(_("last download"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "status"], name="datarights_export_user_status")]
        verbose_name = _("export request")
        verbose_name_plural = _("export requests")

    def __str__(self) -> str:
        return f"export {self.pk}"

    @property
    def is_downloadable(self) -> bool:
        return (
            self.status in DOWNLOADABLE
            and self.expires_at is not None
            and self.expires_at > timezone.now()
            and bool(self.wrapped_key)
        )

    @property
    def in_flight(self) -> bool:
        return self.status in IN_FLIGHT
