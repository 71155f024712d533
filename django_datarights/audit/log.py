"""Append events to the hash-chained audit trail."""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from ..models import AuditChainHead, AuditEvent
from ..pseudonyms import pseudonym_for

logger = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64


class ActorKind:
    USER = "user"
    OPERATOR = "operator"
    SYSTEM = "system"


def event_digest(previous_hash: str, event: AuditEvent) -> str:
    """Return the SHA-256 that chains ``event`` to the event before it."""
    payload = json.dumps(
        {
            "previous": previous_hash,
            "sequence": event.sequence,
            "created_at": event.created_at.isoformat(),
            "action": event.action,
            "actor_kind": event.actor_kind,
            "actor": event.actor,
            "subject": event.subject,
            "object_ref": event.object_ref,
            "outcome": event.outcome,
            "details": event.details,
        },
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def record_event(
    action: str,
    *,
    subject: Any = None,
    actor: Any = None,
    actor_kind: str | None = None,
    object_ref: Any = "",
    outcome: str = "ok",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the audit trail and return it.

    ``subject`` and ``actor`` are users (or user primary keys) and are stored only as keyed
    hashes. ``details`` must hold no personal data: ids, counts, statuses and reasons only.
    Runs in the caller's transaction when there is one, so the event commits or rolls back with
    the change it describes.
    """
    if actor_kind is None:
        actor_kind = ActorKind.SYSTEM if actor is None else ActorKind.USER
    with transaction.atomic():
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(
            id=1, defaults={"sequence": 0, "hash": GENESIS_HASH}
        )
        event = AuditEvent(
            sequence=head.sequence + 1,
            created_at=timezone.now(),
            action=action,
            actor_kind=actor_kind,
            actor=pseudonym_for(actor),
            subject=pseudonym_for(subject),
            object_ref=str(object_ref or ""),
            outcome=outcome,
            details=_jsonable(details or {}),
            previous_hash=head.hash,
        )
        event.hash = event_digest(head.hash, event)
        event.save(force_insert=True)
        head.sequence = event.sequence
        head.hash = event.hash
        head.save(update_fields=["sequence", "hash"])
    logger.info(
        "audit event %s #%d object=%s outcome=%s", action, event.sequence, event.object_ref, outcome
    )
    return event


def _jsonable(details: dict[str, Any]) -> dict[str, Any]:
    # Round-trip through JSON so the hash computed now matches the one computed from the row
    # read back later (dates and UUIDs become strings either way).
    return json.loads(json.dumps(details, default=str))
