"""The verifier finds the first event that was edited, removed or put out of order."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F

from django_datarights.audit.log import event_digest
from django_datarights.audit.verify import Problem, verify_chain
from django_datarights.models import AuditChainHead, AuditEvent


def test_empty_trail_intact(db: Any) -> None:
    result = verify_chain()

    assert result.ok
    assert result.checked == 0


def test_intact_chain_ok(chain: list[AuditEvent]) -> None:
    result = verify_chain()

    assert result.ok
    assert result.checked == 4
    assert result.head_sequence == 4
    assert result.head_hash == chain[-1].hash


def test_small_chunks_ok(chain: list[AuditEvent]) -> None:
    assert verify_chain(chunk_size=1).ok


def test_edited_event_found(chain: list[AuditEvent]) -> None:
    AuditEvent.objects.filter(sequence=3).update(details={"rows": 0})

    result = verify_chain()

    assert not result.ok
    assert result.problem == Problem.HASH_MISMATCH
    assert result.sequence == 3
    assert result.checked == 2


def test_edited_action_found(chain: list[AuditEvent]) -> None:
    AuditEvent.objects.filter(sequence=2).update(action="export.cancelled")

    result = verify_chain()

    assert result.problem == Problem.HASH_MISMATCH
    assert result.sequence == 2


def test_deleted_event_found(chain: list[AuditEvent]) -> None:
    AuditEvent.objects.filter(sequence=2).delete()

    result = verify_chain()

    assert result.problem == Problem.SEQUENCE_GAP
    assert result.sequence == 2


def test_deleted_first_event_found(chain: list[AuditEvent]) -> None:
    AuditEvent.objects.filter(sequence=1).delete()

    result = verify_chain()

    assert result.problem == Problem.SEQUENCE_GAP
    assert result.sequence == 1


def test_deleted_last_event_found(chain: list[AuditEvent]) -> None:
    AuditEvent.objects.filter(sequence=4).delete()

    result = verify_chain()

    assert result.problem == Problem.HEAD_MISMATCH
    assert result.sequence == 4


def test_reordered_events_found(chain: list[AuditEvent]) -> None:
    # Swap events 2 and 3 through a free sequence number, since sequence is unique.
    AuditEvent.objects.filter(sequence=2).update(sequence=-2)
    AuditEvent.objects.filter(sequence=3).update(sequence=2)
    AuditEvent.objects.filter(sequence=-2).update(sequence=3)

    result = verify_chain()

    assert result.problem == Problem.PREVIOUS_HASH_MISMATCH
    assert result.sequence == 2


def test_inserted_event_found(chain: list[AuditEvent]) -> None:
    forged = AuditEvent.objects.get(sequence=2)
    AuditEvent.objects.filter(sequence__gte=2).update(sequence=F("sequence") + 100)
    forged.pk = None
    forged.sequence = 2
    forged.action = "consent.withdrawn"
    forged.save()

    result = verify_chain()

    assert not result.ok
    assert result.sequence == 2


def test_head_changed_found(chain: list[AuditEvent]) -> None:
    AuditChainHead.objects.filter(pk=1).update(hash="f" * 64)

    result = verify_chain()

    assert result.problem == Problem.HEAD_MISMATCH
    assert result.sequence == 4


def test_appended_without_head_found(chain: list[AuditEvent]) -> None:
    extra = AuditEvent.objects.get(sequence=4)
    extra.pk = None
    extra.sequence = 5
    extra.previous_hash = chain[-1].hash
    extra.hash = event_digest(extra.previous_hash, extra)
    extra.save()

    result = verify_chain()

    assert result.problem == Problem.HEAD_MISMATCH
    assert result.sequence == 5


def test_command_prints_head(chain: list[AuditEvent], capsys: Any) -> None:
    call_command("datarights_audit_verify")

    output = capsys.readouterr().out
    assert "audit trail intact: 4 events" in output
    assert chain[-1].hash in output


def test_command_records_run(chain: list[AuditEvent]) -> None:
    call_command("datarights_audit_verify")

    event = AuditEvent.objects.get(action="audit.verified")
    assert event.sequence == 5
    assert event.outcome == "ok"
    assert event.details == {"checked": 4, "head_sequence": 4, "head_hash": chain[-1].hash}
    # The recorded run extends the chain, which stays intact.
    call_command("datarights_audit_verify")
    assert AuditEvent.objects.filter(action="audit.verified").count() == 2


def test_command_fails_on_break(chain: list[AuditEvent]) -> None:
    AuditEvent.objects.filter(sequence=3).update(outcome="failed")

    with pytest.raises(CommandError, match="broken at #3: hash_mismatch") as error:
        call_command("datarights_audit_verify")

    assert error.value.returncode == 1


def test_command_rejects_bad_chunk_size(db: Any) -> None:
    with pytest.raises(CommandError, match="--chunk-size must be a positive"):
        call_command("datarights_audit_verify", "--chunk-size", "0")
