"""Retention policies, their runs, legal holds and inactivity warnings."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RetentionAction(models.TextChoices):
    DELETE = "delete", _("Delete")
    ANONYMISE = "anonymise", _("Anonymise")


class PolicyKind(models.TextChoices):
    RECORDS = "records", _("Records past their period")
    INACTIVE_ACCOUNTS = "inactive_accounts", _("Inactive accounts")


class RetentionPolicy(models.Model):
    """How long one kind of record is kept.

    Policies declared in code are created or updated on ``migrate``; ``overridden`` lists the
    fields an operator changed in the admin, which later code declarations leave alone.
    """

    key = models.CharField(_("key"), max_length=150, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=32, choices=PolicyKind.choices, default=PolicyKind.RECORDS
    )
    model = models.CharField(_("model"), max_length=150, help_text=_("app_label.ModelName"))
    date_field = models.CharField(_("date field"), max_length=100)
    period = models.DurationField(_("period"))
    action = models.CharField(
        _("action"), max_length=16, choices=RetentionAction.choices, default=RetentionAction.DELETE
    )
    warning_period = models.DurationField(
        _("warning before erasure"),
        null=True,
        blank=True,
        help_text=_("Inactive-account policies only: how long before erasure the user is warned."),
    )
    paused = models.BooleanField(_("paused"), default=False)
    max_share = models.FloatField(
        _("safety brake (share of table)"),
        null=True,
        blank=True,
        help_text=_(
            "A run that would touch more than this share of the table stops. "
            "Empty uses the site default."
        ),
    )
    declared_in_code = models.BooleanField(_("declared in code"), default=False, editable=False)
    overridden = models.JSONField(
        _("fields changed by an operator"), default=list, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")

    def __str__(self) -> str:
        return self.name or self.key


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    BRAKED = "braked", _("Stopped by the safety brake")
    SKIPPED = "skipped", _("Skipped")


class RetentionRun(models.Model):
    """One enforcement of one policy. The cut-off is fixed when the run starts, so a run that
    is interrupted and resumed touches exactly the rows that were due when it began."""

    policy = models.ForeignKey(RetentionPolicy, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(
        _("status"), max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    dry_run = models.BooleanField(_("dry run"), default=False)
    cutoff = models.DateTimeField(_("cut-off"))
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    rows_deleted = models.BigIntegerField(_("rows deleted"), default=0)
    rows_anonymised = models.BigIntegerField(_("rows anonymised"), default=0)
    oldest_touched = models.DateTimeField(_("oldest record touched"), null=True, blank=True)
    last_pk = models.CharField(_("resume after primary key"), max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")

    def __str__(self) -> str:
        return f"run {self.pk} of {self.policy_id}"

    @property
    def duration(self) -> timedelta | None:
        if self.finished_at is None:
            return None
        return self.finished_at - self.started_at


class LegalHold(models.Model):
    """Blocks retention and erasure for a user, or for single records, while it is active."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE)
    object_id = models.CharField(_("record id"), max_length=64, blank=True)
    reason = models.CharField(_("reason"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("placed"), default=timezone.now)
    released_at = models.DateTimeField(_("released"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")

    def __str__(self) -> str:
        return f"legal hold {self.pk}"

    def clean(self) -> None:
        if self.user_id is None and self.content_type_id is None:
            raise ValidationError(_("A legal hold needs a user or a record."))
        if self.content_type_id is not None and not self.object_id:
            raise ValidationError(_("A legal hold on a record needs the record id."))

    @property
    def active(self) -> bool:
        return self.released_at is None


class InactivityWarning(models.Model):
    """Records that a user was warned of erasure for inactivity, so the warning goes once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    policy = models.ForeignKey(RetentionPolicy, on_delete=models.CASCADE, related_name="+")
    last_login_seen = models.DateTimeField(_("last login when warned"), null=True, blank=True)
    warned_at = models.DateTimeField(_("warned"), default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "policy"], name="datarights_inactivity_warning_unique"
            )
        ]
        verbose_name = _("inactivity warning")
        verbose_name_plural = _("inactivity warnings")

    def __str__(self) -> str:
        return f"inactivity warning {self.pk}"
