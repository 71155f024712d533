"""Concurrent writes on PostgreSQL, where row locks and unique constraints really block."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections

from django_datarights.consent.flows import set_consent
from django_datarights.consent.purposes import save_purpose
from django_datarights.models import Consent, ConsentRecord, Purpose, PurposeVersion
from django_datarights.models.consent import Channel

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run_together(*calls: Callable[[], Any]) -> list[BaseException]:
    """Start every call at the same moment in its own thread; return the exceptions raised."""
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def run(call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            call()
        except BaseException as error:  # noqa: BLE001 - reported to the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


def test_two_first_answers_keep_one_row(user, analytics):
    errors = _run_together(
        lambda: set_consent(user, analytics, True, channel=Channel.SETTINGS_PAGE),
        lambda: set_consent(user, analytics, False, channel=Channel.EMAIL_LINK),
    )

    assert errors == []
    assert Consent.objects.filter(user=user, purpose=analytics).count() == 1
    assert ConsentRecord.objects.filter(user=user, purpose=analytics).count() == 2
    latest = ConsentRecord.objects.filter(user=user, purpose=analytics).order_by("-pk").first()
    assert Consent.objects.get(user=user, purpose=analytics).given == latest.given


def test_two_edits_publish_two_versions(analytics):
    def edit(text: str) -> Callable[[], Any]:
        def call() -> None:
            purpose = Purpose.objects.get(pk=analytics.pk)
            purpose.description = text
            save_purpose(purpose)

        return call

    errors = _run_together(edit("Count visits."), edit("Count visits and clicks."))

    assert errors == []
    analytics.refresh_from_db()
    assert analytics.version == 3
    versions = PurposeVersion.objects.filter(purpose=analytics).order_by("version")
    assert list(versions.values_list("version", flat=True)) == [1, 2, 3]
