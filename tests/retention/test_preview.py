from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from django_datarights.retention.preview import preview
from example_project.shop.models import ActivityLog

from .conftest import NOW

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def test_counts_now_and_next_week(log_policy: Any, make_log: Any) -> None:
    make_log(40 * DAY)
    make_log(31 * DAY)
    make_log(25 * DAY)
    make_log(20 * DAY)

    result = preview(log_policy, now=NOW)

    assert result.due_now == 2
    assert result.due_next_7_days == 1
    assert result.oldest == NOW - 40 * DAY


def test_preview_changes_nothing(log_policy: Any, make_log: Any) -> None:
    make_log(40 * DAY)

    preview(log_policy, now=NOW)

    assert ActivityLog.objects.count() == 1


def test_preview_leaves_held_rows_out(log_policy: Any, make_log: Any, hold_record: Any) -> None:
    hold_record(make_log(40 * DAY))

    result = preview(log_policy, now=NOW)

    assert result.due_now == 0
    assert result.oldest is None
