"""Several writers appending to the audit trail at once, each on its own PostgreSQL connection."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from django_datarights.audit import record_event
from django_datarights.audit.verify import verify_chain
from django_datarights.models import AuditChainHead, AuditEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WRITERS = 4
EVENTS_PER_WRITER = 25
WAIT_SECONDS = 30


def append_concurrently() -> list[BaseException]:
    start = threading.Barrier(WRITERS, timeout=WAIT_SECONDS)
    errors: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            start.wait()
            for index in range(EVENTS_PER_WRITER):
                record_event(
                    "consent.given", subject=number, details={"writer": number, "index": index}
                )
        except BaseException as exc:  # noqa: BLE001 - reported by the caller's assertions
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_SECONDS)
    return errors


def test_concurrent_writers_keep_chain() -> None:
    record_event("audit.started")

    errors = append_concurrently()

    assert errors == []
    assert AuditEvent.objects.count() == 1 + WRITERS * EVENTS_PER_WRITER
    result = verify_chain()
    assert result.ok, str(result)
    assert result.checked == 1 + WRITERS * EVENTS_PER_WRITER


def test_concurrent_first_writers() -> None:
    # No head row yet: the writers race to create it.
    assert not AuditChainHead.objects.exists()

    errors = append_concurrently()

    assert errors == []
    result = verify_chain()
    assert result.ok, str(result)
    assert result.checked == WRITERS * EVENTS_PER_WRITER
