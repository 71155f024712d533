"""Record consent choices and privacy policy acceptances.

Every way of changing a choice (the settings page, an email link, one-click unsubscribe, the
admin, an API) goes through ``set_consent``, so each writes the same history record, sends the
same signal and leaves the same audit event.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import signals
from ..audit.log import ActorKind, record_event
from ..conf import app_settings
from ..models import Consent, ConsentRecord, PrivacyPolicy, PrivacyPolicyAcceptance, Purpose
from ..pseudonyms import pseudonym_for
from .queries import consent_states, forget_cached_states

logger = logging.getLogger(__name__)


class PurposeNotRefusable(ValidationError):
    """Raised when a withdrawal is attempted for a purpose that cannot be refused."""


def set_consent(
    user: Any,
    purpose: Purpose | str,
    given: bool,
    *,
    channel: str,
    request: Any = None,
    actor: Any = None,
) -> ConsentRecord:
    """Store ``user``'s answer to the current version of ``purpose`` and return its record.

    Updates the current ``Consent`` row, appends a ``ConsentRecord``, sends
    ``signals.consent_changed`` and records an audit event, all in one transaction. ``actor`` is
    the operator who made the change on the user's behalf, if any. Raises
    ``PurposeNotRefusable`` when ``given`` is False for a purpose that cannot be refused, and
    ``Purpose.DoesNotExist`` for an unknown slug.
    """
    given = bool(given)
    with transaction.atomic():
        if isinstance(purpose, str):
            purpose = Purpose.objects.get(slug=purpose)
        else:
            # A caller may hold a purpose loaded before a new version was published; the answer
            # must name the version in force now.
            purpose.version = Purpose.objects.values_list("version", flat=True).get(pk=purpose.pk)
        if not given and not purpose.refusable:
            raise PurposeNotRefusable(
                _(
                    "“%(purpose)s” cannot be switched off: "
                    "the site needs it to provide its service."
                ),
                code="not_refusable",
                params={"purpose": purpose.name},
            )

        now = timezone.now()
        Consent.objects.update_or_create(
            user=user,
            purpose=purpose,
            defaults={"given": given, "version": purpose.version, "updated_at": now},
        )
        record = ConsentRecord.objects.create(
            user=user,
            subject=pseudonym_for(user),
            purpose=purpose,
            version=purpose.version,
            given=given,
            channel=channel,
            ip_address=stored_client_address(request),
            actor=actor,
            created_at=now,
        )
        record_event(
            "consent.changed",
            subject=user,
            actor=actor if actor is not None else user,
            actor_kind=ActorKind.OPERATOR if actor is not None else ActorKind.USER,
            object_ref=f"consent_record:{record.pk}",
            details={
                "purpose": purpose.slug,
                "version": purpose.version,
                "given": given,
                "channel": channel,
            },
        )
        signals.consent_changed.send(
            sender=Purpose,
            user=user,
            purpose=purpose,
            given=given,
            version=purpose.version,
            channel=channel,
            record=record,
        )

    forget_cached_states(request)
    logger.info(
        "consent record %s: purpose %s version %d given=%s channel=%s",
        record.pk,
        purpose.pk,
        purpose.version,
        given,
        channel,
    )
    return record


def save_choices(
    user: Any,
    choices: Mapping[str, bool],
    *,
    channel: str,
    request: Any = None,
) -> list[ConsentRecord]:
    """Apply a set of answers from a form, writing records only for answers that change something.

    A purpose gets a record when the answer differs from what applies now, or when the user
    answers again after a newer version was published. A first answer that matches the default
    changes nothing and writes nothing, and neither does a save repeated with the same answers,
    so a form saved on each toggle and then by its button records one change once. Purposes
    that cannot be refused and unknown slugs are ignored, so a stale or edited form cannot fail
    the whole save.
    """
    with transaction.atomic():
        # Two saves of one form can arrive together (a toggle's autosave and the button). The
        # user row lock makes the second read the first one's answers, so it records nothing.
        # NOTE: SQLite ignores select_for_update. There only a transaction that takes the write
        # lock when it begins (the example project's IMMEDIATE mode) orders the two saves.
        get_user_model()._default_manager.select_for_update().filter(pk=user.pk).exists()
        forget_cached_states(request)
        states = consent_states(user, request)
        records = []
        for slug, given in choices.items():
            state = states.get(slug)
            if state is None or not state.refusable:
                continue
            given = bool(given)
            answered_older_version = (
                state.answered_given is not None and state.answered_version != state.version
            )
            if given != state.given or answered_older_version:
                purpose = Purpose.objects.get(pk=state.purpose_id)
                records.append(set_consent(user, purpose, given, channel=channel, request=request))
    return records


def withdraw(
    user: Any, purpose_slug: str, *, channel: str, request: Any = None
) -> ConsentRecord | None:
    """Withdraw ``user``'s consent to ``purpose_slug`` unless it is already withdrawn.

    Used by email links, which mail clients and scanners may follow more than once: a repeated
    withdrawal of the current version writes nothing and returns None. Unknown purposes and
    purposes that cannot be refused also return None.
    """
    with transaction.atomic():
        purpose = Purpose.objects.filter(slug=purpose_slug).first()
        if purpose is None or not purpose.refusable:
            return None
        current = Consent.objects.select_for_update().filter(user=user, purpose=purpose).first()
        if current is not None and not current.given and current.version == purpose.version:
            return None
        return set_consent(user, purpose, False, channel=channel, request=request)


def current_policy() -> PrivacyPolicy | None:
    """Return the privacy policy in effect now, or None when none has been published."""
    return (
        PrivacyPolicy.objects.filter(effective_at__lte=timezone.now())
        .order_by("-effective_at")
        .first()
    )


def accept_policy(user: Any, policy: PrivacyPolicy, *, channel: str) -> PrivacyPolicyAcceptance:
    """Record that ``user`` accepted ``policy``; accepting twice keeps the first acceptance."""
    with transaction.atomic():
        acceptance, created = PrivacyPolicyAcceptance.objects.get_or_create(
            user=user, policy=policy, defaults={"channel": channel}
        )
        if created:
            record_event(
                "consent.policy_accepted",
                subject=user,
                actor=user,
                object_ref=f"privacy_policy:{policy.pk}",
                details={"version": policy.version, "channel": channel},
            )
            logger.info("privacy policy %s accepted, acceptance %s", policy.pk, acceptance.pk)
    return acceptance


def stored_client_address(request: Any) -> str:
    """Return the client address as consent records keep it, per ``IP_ADDRESS_MODE``.

    ``truncate`` keeps the network (IPv4 /24, IPv6 /48), ``hash`` keeps a keyed hash and
    ``none`` keeps nothing. The raw address is never returned. The address is read from
    ``REMOTE_ADDR``: behind a proxy, set it from the forwarded header in a trusted middleware.
    """
    mode = app_settings.IP_ADDRESS_MODE
    raw = (
        (getattr(request, "META", None) or {}).get("REMOTE_ADDR", "") if request is not None else ""
    )
    if not raw or mode == "none":
        return ""
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return ""
    if mode == "hash":
        digest = hmac.new(app_settings.PSEUDONYM_KEY, f"ip:{address}".encode(), hashlib.sha256)
        return f"hmac:{digest.hexdigest()[:40]}"
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))
