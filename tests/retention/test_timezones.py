"""A 30-day policy on a site in Pacific/Auckland, whatever the process's own time zone.

The dates cover the daylight-saving changes of both Auckland (April and September) and Los
Angeles (March and November), so a 30-day window that spans a change is checked each time.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from django_datarights.retention.engine import enforce_policy
from django_datarights.retention.scope import cutoff_for, due_lookup
from example_project.shop.models import ActivityLog, Profile

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)
PERIOD = timedelta(days=30)

RUN_TIMES = [
    "2026-04-05T14:30:00+00:00",  # hours after Auckland leaves daylight saving time
    "2026-04-20T09:00:00+00:00",  # 30 days back lies before that change
    "2026-09-27T15:00:00+00:00",  # hours after Auckland enters daylight saving time
    "2026-10-20T11:00:00+00:00",
    "2026-03-08T11:00:00+00:00",  # the day Los Angeles enters daylight saving time
    "2026-11-01T10:00:00+00:00",  # the day Los Angeles leaves it
    "2026-12-01T00:30:00+00:00",
]


@pytest.fixture(params=["UTC", "Pacific/Auckland", "America/Los_Angeles"])
def process_tz(request: pytest.FixtureRequest) -> Iterator[str]:
    previous = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    yield request.param
    if previous is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = previous
    time.tzset()


@pytest.fixture
def auckland(settings: Any) -> None:
    settings.TIME_ZONE = "Pacific/Auckland"


@pytest.mark.parametrize("run_at", RUN_TIMES)
def test_only_older_row_touched(
    process_tz: str, auckland: None, make_policy: Any, user: Any, run_at: str
) -> None:
    now = datetime.fromisoformat(run_at)
    policy = make_policy(period=PERIOD)
    younger = ActivityLog.objects.create(user=user, action="login", created_at=now - PERIOD + HOUR)
    older = ActivityLog.objects.create(user=user, action="login", created_at=now - PERIOD - HOUR)

    run = enforce_policy(policy.pk, now=now)

    assert run.error == ""
    assert run.rows_deleted == 1
    assert ActivityLog.objects.filter(pk=younger.pk).exists()
    assert not ActivityLog.objects.filter(pk=older.pk).exists()


@pytest.mark.parametrize("run_at", RUN_TIMES)
def test_cutoff_is_aware_utc(process_tz: str, auckland: None, run_at: str) -> None:
    now = datetime.fromisoformat(run_at)

    cutoff = cutoff_for(PERIOD, now)

    assert timezone.is_aware(cutoff)
    assert cutoff.utcoffset() == timedelta(0)
    assert now - cutoff == PERIOD


def test_naive_now_rejected() -> None:
    with pytest.raises(ValueError, match="aware"):
        cutoff_for(PERIOD, datetime(2026, 4, 5, 12, 0))


def test_date_field_due_after_whole_day(auckland: None, make_user: Any) -> None:
    # 30 days before 2026-04-30 10:30 UTC is 2026-03-31 10:30 UTC, which is 23:30 on the 31st
    # in Auckland (still UTC+13 then). The 30th has ended by then and the 31st has not.
    now = datetime.fromisoformat("2026-04-30T10:30:00+00:00")
    complete = Profile.objects.create(user=make_user(), date_of_birth=date(2026, 3, 30))
    incomplete = Profile.objects.create(user=make_user(), date_of_birth=date(2026, 3, 31))
    lookup = due_lookup(Profile._meta.get_field("date_of_birth"), cutoff_for(PERIOD, now))

    due = set(Profile.objects.filter(lookup).values_list("pk", flat=True))

    assert complete.pk in due
    assert incomplete.pk not in due


def test_date_field_uses_site_date(auckland: None, make_user: Any) -> None:
    # 30 days before 2026-04-30 11:30 UTC is 2026-03-31 11:30 UTC, which is already 00:30 on
    # 1 April in Auckland: the 31st has ended there, though not yet by the UTC date.
    now = datetime.fromisoformat("2026-04-30T11:30:00+00:00")
    row = Profile.objects.create(user=make_user(), date_of_birth=date(2026, 3, 31))
    lookup = due_lookup(Profile._meta.get_field("date_of_birth"), cutoff_for(PERIOD, now))

    assert Profile.objects.filter(lookup).filter(pk=row.pk).exists()
