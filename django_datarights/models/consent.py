"""Consent purposes, their published versions, users' choices and the append-only history."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ConsentRecordImmutable(Exception):
    """Raised when code tries to change a ``ConsentRecord`` that is already stored."""


class LegalBasis(models.TextChoices):
    CONSENT = "consent", _("Consent")
    LEGITIMATE_INTEREST = "legitimate_interest", _("Legitimate interest")
    CONTRACT = "contract", _("Contract")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation")


class Channel(models.TextChoices):
    """The place a consent change was made from."""

    SETTINGS_PAGE = "settings_page", _("Privacy settings page")
    SIGNUP = "signup", _("Sign-up")
    EMAIL_LINK = "email_link", _("Email link")
    ONE_CLICK = "one_click", _("One-click unsubscribe")
    ADMIN = "admin", _("Admin")
    API = "api", _("API")
    SYSTEM = "system", _("System")


class Purpose(models.Model):
    """A reason the site processes personal data, which users may be asked to consent to."""

    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"))
    legal_basis = models.CharField(
        _("legal basis"), max_length=32, choices=LegalBasis.choices, default=LegalBasis.CONSENT
    )
    refusable = models.BooleanField(
        _("can be refused"),
        default=True,
        help_text=_("Users can switch this purpose off on their privacy settings page."),
    )
    default_given = models.BooleanField(
        _("on by default"),
        default=False,
        help_text=_(
            "The choice assumed before a user answers. Always off for consent-based purposes."
        ),
    )
    version = models.PositiveIntegerField(_("current version"), default=1, editable=False)
    ordering = models.PositiveIntegerField(_("ordering"), default=0)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["ordering", "name"]
        verbose_name = _("purpose")
        verbose_name_plural = _("purposes")

    def __str__(self) -> str:
        return self.name

    @property
    def is_consent_based(self) -> bool:
        return self.legal_basis == LegalBasis.CONSENT


class PurposeVersion(models.Model):
    """The text of a purpose as published; a choice answers exactly one version."""

    purpose = models.ForeignKey(Purpose, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"))
    legal_basis = models.CharField(_("legal basis"), max_length=32, choices=LegalBasis.choices)
    published_at = models.DateTimeField(_("published"), default=timezone.now)

    class Meta:
        ordering = ["purpose", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "version"], name="datarights_purpose_version_unique"
            )
        ]
        verbose_name = _("purpose version")
        verbose_name_plural = _("purpose versions")

    def __str__(self) -> str:
        return f"{self.purpose_id} v{self.version}"


class Consent(models.Model):
    """A user's current choice for one purpose; the history lives in ``ConsentRecord``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="datarights_consents"
    )
    purpose = models.ForeignKey(Purpose, on_delete=models.CASCADE, related_name="consents")
    given = models.BooleanField(_("given"))
    version = models.PositiveIntegerField(_("version answered"))
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "purpose"], name="datarights_consent_user_purpose_unique"
            )
        ]
        indexes = [
            models.Index(fields=["purpose", "given", "version"], name="datarights_consent_lookup")
        ]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"consent {self.pk}"


class ConsentRecord(models.Model):
    """One change of a consent choice. Rows are only ever inserted.

    After erasure ``user`` is cleared and ``subject`` (a keyed hash) remains as proof that a
    choice was made, unless the site chose not to keep that proof.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="datarights_consent_records",
    )
    subject = models.CharField(_("pseudonymous subject"), max_length=64, db_index=True)
    purpose = models.ForeignKey(Purpose, on_delete=models.PROTECT, related_name="records")
    version = models.PositiveIntegerField(_("version answered"))
    given = models.BooleanField(_("given"))
    channel = models.CharField(_("channel"), max_length=32, choices=Channel.choices)
    ip_address = models.CharField(
        _("client address (truncated or hashed)"), max_length=80, blank=True, default=""
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The operator who made the change, when it was not the user."),
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("consent record")
        verbose_name_plural = _("consent history")

    def __str__(self) -> str:
        return f"consent record {self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # History is evidence: a record is written once and never changed. Erasure clears
        # ``user`` with a queryset ``update()``, which does not pass through here.
        if self.pk is not None and not self._state.adding:
            raise ConsentRecordImmutable(
                f"consent record {self.pk} is append-only and cannot be changed"
            )
        super().save(*args, **kwargs)


class PrivacyPolicy(models.Model):
    """A published version of the site's privacy policy."""

    version = models.CharField(_("version"), max_length=32, unique=True)
    text = models.TextField(_("text"))
    changes = models.TextField(_("what changed"), blank=True)
    effective_at = models.DateTimeField(_("effective from"))
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-effective_at"]
        verbose_name = _("privacy policy")
        verbose_name_plural = _("privacy policies")

    def __str__(self) -> str:
        return self.version


class PrivacyPolicyAcceptance(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    policy = models.ForeignKey(PrivacyPolicy, on_delete=models.PROTECT, related_name="acceptances")
    channel = models.CharField(_("channel"), max_length=32, choices=Channel.choices)
    accepted_at = models.DateTimeField(_("accepted"), default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "policy"], name="datarights_policy_acceptance_unique"
            )
        ]
        verbose_name = _("privacy policy acceptance")
        verbose_name_plural = _("privacy policy acceptances")

    def __str__(self) -> str:
        return f"policy acceptance {self.pk}"



class UserPreference(models.Model):
    """A value of a privacy setting that a host app registered (profile visibility and the like)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("setting"), max_length=100)
    value = models.JSONField(_("value"))
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="datarights_preference_unique")
        ]
        verbose_name = _("privacy preference")
        verbose_name_plural = _("privacy preferences")

    def __str__(self) -> str:
        return f"preference {self.key} of user {self.user_id}"
