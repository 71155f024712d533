"""The append-only, hash-chained audit trail."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One data-rights event. Never updated or deleted.

    ``subject`` and ``actor`` are keyed hashes of user ids, never names or addresses. ``hash`` is
    SHA-256 over the previous event's hash and this event's fields, so an edited, removed or
    reordered event breaks the chain from that point on.
    """

    sequence = models.BigIntegerField(_("sequence"), unique=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    actor_kind = models.CharField(_("actor kind"), max_length=16)
    actor = models.CharField(_("pseudonymous actor"), max_length=64, blank=True)
    subject = models.CharField(_("pseudonymous subject"), max_length=64, blank=True, db_index=True)
    object_ref = models.CharField(_("object"), max_length=100, blank=True)
    outcome = models.CharField(_("outcome"), max_length=32, default="ok")
    details = models.JSONField(_("details"), default=dict, blank=True)
    previous_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        ordering = ["sequence"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action}"


class AuditChainHead(models.Model):
    """The single row that holds the chain's last sequence number and hash.

    Writers lock this row (``select_for_update``) before appending, which serialises concurrent
    writers on every database backend without a table lock.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    sequence = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain head")

    def __str__(self) -> str:
        return f"audit chain head at #{self.sequence}"
