"""Check the audit trail's hash chain and report the first record that breaks it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from ..models import AuditChainHead, AuditEvent
from .log import GENESIS_HASH, event_digest, record_event

logger = logging.getLogger(__name__)


class Problem:
    """Kinds of break :func:`verify_chain` reports."""

    #: A sequence number is missing: a record was removed (or never committed).
    SEQUENCE_GAP = "sequence_gap"
    #: A record's stored hash does not match its fields: the record was edited.
    HASH_MISMATCH = "hash_mismatch"
    #: A record does not point at the record before it: records were reordered or inserted.
    PREVIOUS_HASH_MISMATCH = "previous_hash_mismatch"
    #: The chain head does not match the last record: records were removed from the end, or
    #: the head was edited.
    HEAD_MISMATCH = "head_mismatch"


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of one verification run."""

    checked: int
    head_sequence: int
    head_hash: str
    problem: str | None = None
    sequence: int | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.problem is None

    def __str__(self) -> str:
        if self.ok:
            return (
                f"audit trail intact: {self.checked} events, "
                f"head #{self.head_sequence} {self.head_hash}"
            )
        return f"audit trail broken at #{self.sequence}: {self.problem}: {self.detail}"


def verify_chain(chunk_size: int = 2000) -> VerifyResult:
    """Walk every audit event in sequence order and return the first break, if any.

    Checks, for each event: its sequence follows the previous one without a gap, its
    ``previous_hash`` is the previous event's hash, and its ``hash`` matches its fields. Then
    the chain head must name the last event. Reads rows in chunks of ``chunk_size`` and keeps
    only the last hash in memory.

    NOTE: someone with write access to the database can rewrite every hash after an edit and
    the head too; only a head hash recorded outside the database (see the management command's
    output) detects that.
    """
    head = AuditChainHead.objects.filter(pk=1).first()
    head_sequence = head.sequence if head else 0
    head_hash = head.hash if head else GENESIS_HASH

    expected_sequence = 1
    previous_hash = GENESIS_HASH
    checked = 0

    def broken(problem: str, sequence: int, detail: str) -> VerifyResult:
        logger.warning("audit chain broken at #%d: %s", sequence, problem)
        return VerifyResult(checked, head_sequence, head_hash, problem, sequence, detail)

    for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=chunk_size):
        if event.sequence != expected_sequence:
            return broken(
                Problem.SEQUENCE_GAP,
                expected_sequence,
                f"expected event #{expected_sequence}, found #{event.sequence}",
            )
        if event.previous_hash != previous_hash:
            return broken(
                Problem.PREVIOUS_HASH_MISMATCH,
                event.sequence,
                "the event does not point at the event before it (reordered or inserted)",
            )
        if event_digest(previous_hash, event) != event.hash:
            return broken(
                Problem.HASH_MISMATCH,
                event.sequence,
                "the stored hash does not match the event's fields (edited)",
            )
        previous_hash = event.hash
        expected_sequence += 1
        checked += 1

    last_sequence = expected_sequence - 1
    if head_sequence != last_sequence or head_hash != previous_hash:
        return broken(
            Problem.HEAD_MISMATCH,
            _first_uncovered(head_sequence, last_sequence),
            f"the chain head names #{head_sequence} but the last event is #{last_sequence} "
            "(events removed from the end, or the head was changed)",
        )
    return VerifyResult(checked, head_sequence, head_hash)


def _first_uncovered(head_sequence: int, last_sequence: int) -> int:
    # The first event the head and the rows disagree about: the first removed event when the
    # head is ahead, the first event the head does not cover when it is behind.
    if head_sequence > last_sequence:
        return last_sequence + 1
    if head_sequence < last_sequence:
        return head_sequence + 1
    return head_sequence


#: Action of the audit event that records one verification of the chain.
VERIFIED_ACTION = "audit.verified"


def verify_and_record(
    *, actor: Any = None, actor_kind: str | None = None, chunk_size: int = 2000
) -> VerifyResult:
    """Verify the chain, then append the outcome to the trail as ``audit.verified``.

    The admin shows the latest such event instead of reading the whole trail on every page
    load. The details name the head that was checked, so a later reader can tell how much of
    the trail the verification covered.
    """
    result = verify_chain(chunk_size=chunk_size)
    details: dict[str, Any] = {
        "checked": result.checked,
        "head_sequence": result.head_sequence,
        "head_hash": result.head_hash,
    }
    if not result.ok:
        details.update(problem=result.problem, sequence=result.sequence)
    record_event(
        VERIFIED_ACTION,
        actor=actor,
        actor_kind=actor_kind,
        outcome="ok" if result.ok else "failed",
        details=details,
    )
    return result


def last_verification() -> AuditEvent | None:
    """Return the latest ``audit.verified`` event, or ``None`` before the first verification."""
    return AuditEvent.objects.filter(action=VERIFIED_ACTION).order_by("-sequence").first()
