"""Export behaviour that depends on PostgreSQL's row locks."""

import threading
from unittest import mock

import pytest
from django.db import connections

from django_datarights.export import flows
from django_datarights.models import ExportRequest

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_simultaneous_requests_respect_limit(user, settings):
    settings.DATARIGHTS_EXPORT_MAX_IN_FLIGHT = 1
    barrier = threading.Barrier(2, timeout=10)
    outcomes = []

    def request() -> None:
        try:
            barrier.wait()
            flows.request_export(user)
            outcomes.append("created")
        except flows.ExportLimitReached:
            outcomes.append("rejected")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=request) for _ in range(2)]
    with mock.patch("django_datarights.export.tasks.build.apply_async"):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert sorted(outcomes) == ["created", "rejected"]
    assert ExportRequest.objects.filter(user=user).count() == 1


def test_build_claims_row_once(user):
    # Outside a transaction the build task would run at once; the threads must do the build.
    with mock.patch("django_datarights.export.tasks.build.apply_async"):
        export = flows.request_export(user)
    barrier = threading.Barrier(2, timeout=10)
    results = []

    def build() -> None:
        try:
            barrier.wait()
            results.append(flows.build_export(export.pk) is not None)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=build) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    export.refresh_from_db()
    assert sorted(results) == [False, True]
    assert export.attempts == 1
    assert export.status == "ready"
