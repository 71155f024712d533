"""Two workers erasing the same request at once, on PostgreSQL where row locks block."""

from __future__ import annotations

import threading

import pytest
from django.core import mail
from django.db import connection

from django_datarights.deletion import engine, flows
from django_datarights.models import AuditEvent
from example_project.shop.models import Address

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_simultaneous_deliveries_erase_once(user, fill_shop, settings):
    settings.DATARIGHTS_ERASURE_BATCH_SIZE = 1
    fill_shop(user, addresses=3)
    deletion = flows.request_deletion(user, by_operator=True, publish=False)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def deliver() -> None:
        try:
            outcomes.append(engine.erase(deletion.pk))
        except BaseException as exc:  # noqa: BLE001 - reported by the asserts below
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=deliver) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    assert errors == []
    assert len(outcomes) == 2
    assert outcomes.count(engine.DONE) == 1
    deletion.refresh_from_db()
    assert deletion.progress["shop.Address"]["deleted"] == 3
    assert not Address.objects.filter(user_id=user.pk).exists()
    assert AuditEvent.objects.filter(action="deletion.executed").count() == 1
    assert len([m for m in mail.outbox if "has been deleted" in m.subject]) == 1
