"""Account deletion requests and the erasure's progress."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DeletionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    RUNNING = "running", _("Erasing")
    DONE = "done", _("Erased")
    CANCELLED = "cancelled", _("Cancelled")
    FAILED = "failed", _("Stopped with an error")


OPEN = (DeletionStatus.SCHEDULED, DeletionStatus.RUNNING, DeletionStatus.FAILED)


class DeletionRequest(models.Model):
    """A confirmed request to delete an account.

    ``user`` is cleared when the account is gone; ``subject`` (a keyed hash of the user id)
    remains so the record can still be matched to audit events without personal data.
    ``progress`` holds, per dataset, how many rows were deleted and anonymised, and which
    datasets are finished, so an interrupted erasure resumes where it stopped.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="datarights_deletions",
    )
    subject = models.CharField(_("pseudonymous subject"), max_length=64, db_index=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The operator who made the request, when it was not the user."),
    )
    requested_by_operator = models.BooleanField(_("requested by an operator"), default=False)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=DeletionStatus.choices,
        default=DeletionStatus.SCHEDULED,
        db_index=True,
    )
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    due_at = models.DateTimeField(_("erasure due"), db_index=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    legal_hold = models.BooleanField(_("legal hold"), default=False)
    legal_hold_reason = models.CharField(_("legal hold reason"), max_length=255, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    progress = models.JSONField(_("progress per dataset"), default=dict, blank=True)
    identifiers = models.JSONField(
        _("identifiers for the residual check"),
        default=list,
        blank=True,
        editable=False,
        help_text=_("Held only while the erasure runs, then cleared."),
    )
    error = models.TextField(_("error"), blank=True)
    residual_hits = models.JSONField(
        _("residual check hits (table and column)"), default=list, blank=True
    )
    residual_checked_at = models.DateTimeField(_("residual check run"), null=True, blank=True)
    final_email_sent_at = models.DateTimeField(_("final email sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("deletion request")
        verbose_name_plural = _("deletion requests")

    def __str__(self) -> str:
        return f"deletion {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def can_be_cancelled(self) -> bool:
        return self.status == DeletionStatus.SCHEDULED
