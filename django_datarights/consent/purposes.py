"""Publish purposes: every change to the text people agree to becomes a new version."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from ..audit.log import ActorKind, record_event
from ..models import Purpose, PurposeVersion

logger = logging.getLogger(__name__)

# Fields whose change alters what a user agreed to, so a change publishes a new version.
VERSIONED_FIELDS = ("name", "description", "legal_basis")


def save_purpose(purpose: Purpose, *, actor: object | None = None) -> Purpose:
    """Save ``purpose`` and publish a new ``PurposeVersion`` when its text changed.

    A new purpose is published as version 1. An existing purpose whose name, description or
    legal basis differs from its latest published version gets ``version + 1`` and a new
    ``PurposeVersion`` row; older versions are left as they were. Consent-based purposes are
    always off by default, because consent must be an explicit act.
    """
    if purpose.is_consent_based:
        purpose.default_given = False

    with transaction.atomic():
        if purpose.pk is None:
            purpose.version = 1
            purpose.save()
            _publish(purpose)
            _audit(purpose, actor)
            return purpose

        # Lock the row so two operators saving at once cannot publish the same version twice.
        stored = Purpose.objects.select_for_update().get(pk=purpose.pk)
        latest = stored.versions.order_by("-version").first()
        text_changed = latest is None or any(
            getattr(latest, name) != getattr(purpose, name) for name in VERSIONED_FIELDS
        )
        if latest is None:
            # A purpose created outside this flow has never been published: publish it as is.
            purpose.version = stored.version
        elif text_changed:
            purpose.version = latest.version + 1
        else:
            purpose.version = stored.version
        purpose.save()
        if text_changed:
            _publish(purpose)
            _audit(purpose, actor)
    return purpose


def _publish(purpose: Purpose) -> PurposeVersion:
    version = PurposeVersion.objects.create(
        purpose=purpose,
        version=purpose.version,
        name=purpose.name,
        description=purpose.description,
        legal_basis=purpose.legal_basis,
        published_at=timezone.now(),
    )
    logger.info("purpose %s published version %d", purpose.pk, purpose.version)
    return version


def _audit(purpose: Purpose, actor: object | None) -> None:
    record_event(
        "consent.purpose_published",
        actor=actor,
        actor_kind=ActorKind.OPERATOR if actor is not None else ActorKind.SYSTEM,
        object_ref=f"purpose:{purpose.pk}",
        details={"slug": purpose.slug, "version": purpose.version},
    )
