"""The app's settings, each with its default, read from ``django.conf.settings`` at call time.

Every setting is a plain ``DATARIGHTS_*`` name in the host's settings module, so
``override_settings`` and the pytest ``settings`` fixture work without reloading anything.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta
from typing import Any

from django.conf import settings as django_settings


def _get(name: str, default: Any) -> Any:
    return getattr(django_settings, f"DATARIGHTS_{name}", default)


def _derived_key(label: str) -> bytes:
    # Development fallback only: a key derived from SECRET_KEY, so that a fresh project works.
    # The system checks warn when a production site relies on it.
    material = f"django-datarights:{label}:{django_settings.SECRET_KEY}".encode()
    return hashlib.sha256(material).digest()


class AppSettings:
    """Typed access to the ``DATARIGHTS_*`` settings."""

    # --- Keys -------------------------------------------------------------------------------

    @property
    def ARCHIVE_KEYS(self) -> list[bytes]:
        """Site keys that wrap each archive's data key: current key first, older keys after.

        Each entry is 32 bytes, given as URL-safe base64 text. Without the setting, one key is
        derived from ``SECRET_KEY`` (system check ``datarights.W001`` warns about it).
        """
        configured = _get("ARCHIVE_KEYS", None)
        if not configured:
            return [_derived_key("archive")]
        return [base64.urlsafe_b64decode(_pad(key)) for key in configured]

    @property
    def ARCHIVE_KEYS_CONFIGURED(self) -> bool:
        return bool(_get("ARCHIVE_KEYS", None))

    @property
    def PSEUDONYM_KEY(self) -> bytes:
        """Key for the keyed hashes that stand for a user in audit records and anonymised rows."""
        configured = _get("PSEUDONYM_KEY", None)
        if not configured:
            return _derived_key("pseudonym")
        return configured.encode() if isinstance(configured, str) else bytes(configured)

    @property
    def PSEUDONYM_KEY_CONFIGURED(self) -> bool:
        return bool(_get("PSEUDONYM_KEY", None))

    # --- Export -----------------------------------------------------------------------------

    @property
    def EXPORT_STORAGE(self) -> str:
        """Alias in ``STORAGES`` for archives; ``default`` is used when the alias is absent."""
        return str(_get("EXPORT_STORAGE", "datarights"))

    @property
    def EXPORT_LINK_LIFETIME(self) -> timedelta:
        """How long a ready archive can be downloaded before it expires and is destroyed."""
        return _as_timedelta(_get("EXPORT_LINK_LIFETIME", timedelta(days=7)))

    @property
    def EXPORT_MAX_IN_FLIGHT(self) -> int:
        """Export requests a user may have queued or running at once."""
        return int(_get("EXPORT_MAX_IN_FLIGHT", 1))

    @property
    def EXPORT_MAX_PER_DAY(self) -> int:
        """Export requests a user may make per calendar day, in the site's time zone."""
        return int(_get("EXPORT_MAX_PER_DAY", 3))

    @property
    def EXPORT_CHUNK_SIZE(self) -> int:
        """Rows fetched from the database per query while an archive is built."""
        return int(_get("EXPORT_CHUNK_SIZE", 2000))

    @property
    def EXPORT_STALL_TIMEOUT(self) -> timedelta:
        """A running export with no progress for this long is requeued by the sweep task."""
        return _as_timedelta(_get("EXPORT_STALL_TIMEOUT", timedelta(minutes=30)))

    @property
    def EXPORT_MAX_ATTEMPTS(self) -> int:
        """Builds tried for one export request before it is marked failed."""
        return int(_get("EXPORT_MAX_ATTEMPTS", 3))

    @property
    def UNREGISTERED_OK(self) -> list[str]:
        """Models (``"app_label.ModelName"``) with a user relation that hold no personal data.

        The coverage check ``datarights.W010`` does not warn about them.
        """
        return list(_get("UNREGISTERED_OK", []))

    # --- Deletion ---------------------------------------------------------------------------

    @property
    def DELETION_GRACE_PERIOD(self) -> timedelta:
        """Time between a confirmed deletion request and the erasure; zero erases at once."""
        return _as_timedelta(_get("DELETION_GRACE_PERIOD", timedelta(days=14)))

    @property
    def ERASURE_BATCH_SIZE(self) -> int:
        """Rows deleted or anonymised per batch during an erasure."""
        return int(_get("ERASURE_BATCH_SIZE", 2000))

    @property
    def ERASURE_TRANSACTION_SECONDS(self) -> float:
        """Time after which an erasure commits; batches that start before it share one commit."""
        return max(0.0, float(_get("ERASURE_TRANSACTION_SECONDS", 0.25)))

    @property
    def KEEP_CONSENT_PROOF(self) -> bool:
        """Keep anonymised consent history after erasure, as proof that consent existed."""
        return bool(_get("KEEP_CONSENT_PROOF", True))

    @property
    def CANCEL_LINK_MAX_AGE(self) -> timedelta:
        """Validity of the signed cancel link sent when a deletion is requested."""
        return _as_timedelta(_get("CANCEL_LINK_MAX_AGE", timedelta(days=30)))

    @property
    def ERASURE_STALL_TIMEOUT(self) -> timedelta:
        """A running erasure with no progress for this long is started again by the sweep task."""
        return _as_timedelta(_get("ERASURE_STALL_TIMEOUT", timedelta(minutes=30)))

    # --- Retention --------------------------------------------------------------------------

    @property
    def RETENTION_SCHEDULE(self) -> dict[str, Any]:
        """Crontab fields for the retention beat entry (default: daily at 03:17)."""
        return dict(_get("RETENTION_SCHEDULE", DEFAULT_RETENTION_SCHEDULE))

    @property
    def RETENTION_BATCH_SIZE(self) -> int:
        """Rows deleted or anonymised per transaction by a retention run."""
        return int(_get("RETENTION_BATCH_SIZE", 1000))

    @property
    def RETENTION_MAX_SHARE(self) -> float:
        """Share of a table a single run may touch before the safety brake stops it."""
        return float(_get("RETENTION_MAX_SHARE", 0.5))

    @property
    def RETENTION_STALE_AFTER(self) -> timedelta:
        """A running retention run with no progress for this long is taken over by the next run."""
        return _as_timedelta(_get("RETENTION_STALE_AFTER", timedelta(minutes=10)))

    # --- Consent ----------------------------------------------------------------------------

    @property
    def RECONSENT_ON_NEW_VERSION(self) -> bool:
        """Ask users again when a consent-based purpose publishes a new version."""
        return bool(_get("RECONSENT_ON_NEW_VERSION", True))

    @property
    def OPT_OUT_LINK_MAX_AGE(self) -> timedelta:
        """Validity of signed opt-out links placed in emails."""
        return _as_timedelta(_get("OPT_OUT_LINK_MAX_AGE", timedelta(days=60)))

    @property
    def IP_ADDRESS_MODE(self) -> str:
        """How consent records keep the client address: ``truncate``, ``hash`` or ``none``."""
        return str(_get("IP_ADDRESS_MODE", "truncate"))

    # --- Re-authentication ------------------------------------------------------------------

    @property
    def REAUTH_WINDOW(self) -> timedelta:
        """How long a re-authentication unlocks the sensitive actions."""
        return _as_timedelta(_get("REAUTH_WINDOW", timedelta(minutes=5)))

    @property
    def REQUIRE_SECOND_FACTOR(self) -> bool:
        """Require a confirmed django-otp device for the sensitive actions."""
        return bool(_get("REQUIRE_SECOND_FACTOR", False))

    @property
    def OTP_SETUP_URL(self) -> str | None:
        """Where a user without a device is sent when a second factor is required."""
        return _get("OTP_SETUP_URL", None)

    @property
    def REAUTH_MAX_PER_HOUR(self) -> int:
        """Re-authentication attempts a user may make per hour, on top of django-axes."""
        return int(_get("REAUTH_MAX_PER_HOUR", 20))

    @property
    def EXPORT_REQUESTS_PER_HOUR(self) -> int:
        """Export requests a user may send per hour before the throttle rejects them."""
        return int(_get("EXPORT_REQUESTS_PER_HOUR", 5))

    @property
    def DELETION_REQUESTS_PER_HOUR(self) -> int:
        """Deletion requests a user may send per hour before the throttle rejects them."""
        return int(_get("DELETION_REQUESTS_PER_HOUR", 5))

    @property
    def RATE_LIMIT_CACHE(self) -> str:
        """Alias in ``CACHES`` for the rate-limit counters; use a shared cache in production."""
        return str(_get("RATE_LIMIT_CACHE", "default"))

    @property
    def ACTIVITY_MAX_EVENTS(self) -> int:
        """Audit events shown in the activity section of the privacy settings page, newest first."""
        return int(_get("ACTIVITY_MAX_EVENTS", 50))

    # --- Site integration -------------------------------------------------------------------

    @property
    def ADAPTER(self) -> str:
        """Dotted path of the adapter class that holds site policy (emails, URLs)."""
        return str(_get("ADAPTER", "django_datarights.adapter.DefaultAdapter"))

    @property
    def SITE_NAME(self) -> str:
        return str(_get("SITE_NAME", "this site"))

    @property
    def HOME_URL(self) -> str:
        """Where the header of the app's pages links back to: a path, a URL or a URL name."""
        return str(_get("HOME_URL", "/"))

    @property
    def BASE_URL(self) -> str:
        """Absolute URL of the site, for links in emails sent from tasks (no request there)."""
        return str(_get("BASE_URL", "http://127.0.0.1:8000")).rstrip("/")

    @property
    def CELERY_QUEUE(self) -> str | None:
        """Queue for the app's tasks; ``None`` keeps Celery's default routing."""
        return _get("CELERY_QUEUE", None)


DEFAULT_RETENTION_SCHEDULE = {"minute": "17", "hour": "3"}


def _pad(text: str) -> str:
    return text + "=" * (-len(text) % 4)


def _as_timedelta(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return value
    return timedelta(seconds=float(value))


app_settings = AppSettings()
