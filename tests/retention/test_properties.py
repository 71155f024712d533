"""Property-based checks over random record ages, periods, site time zones and legal holds."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from datetime import timezone as dt_timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django_datarights.models import LegalHold, RetentionPolicy, RetentionRun
from django_datarights.retention.engine import enforce_policy
from django_datarights.retention.scope import cutoff_for, due_lookup
from example_project.shop.models import ActivityLog, Profile

pytestmark = pytest.mark.django_db

TIME_ZONES = ["UTC", "Pacific/Auckland", "America/Los_Angeles", "Asia/Kolkata", "Europe/Berlin"]

# Ages in seconds up to about two years, including exact multiples of a day.
ages = st.one_of(
    st.integers(min_value=0, max_value=2 * 365 * 86400),
    st.integers(min_value=0, max_value=730).map(lambda days: days * 86400),
)
records = st.lists(st.tuples(ages, st.booleans(), st.booleans()), min_size=1, max_size=12)
periods = st.integers(min_value=1, max_value=400 * 86400)
instants = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31)).map(
    lambda moment: moment.replace(microsecond=0, tzinfo=dt_timezone.utc)
)

SETTINGS = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(
    rows=records,
    period_seconds=periods,
    now=instants,
    site_tz=st.sampled_from(TIME_ZONES),
)
def test_exactly_due_rows_deleted(
    rows: list[tuple[int, bool, bool]],
    period_seconds: int,
    now: datetime,
    site_tz: str,
    user: Any,
    other_user: Any,
) -> None:
    ActivityLog.objects.all().delete()
    LegalHold.objects.all().delete()
    RetentionRun.objects.all().delete()
    period = timedelta(seconds=period_seconds)
    policy, _created = RetentionPolicy.objects.update_or_create(
        key="property.logs",
        defaults={
            "name": "Property test",
            "model": "shop.ActivityLog",
            "date_field": "created_at",
            "period": period,
            "max_share": 1.0,
        },
    )
    LegalHold.objects.create(user=other_user, reason="Held owner in a property test")
    log_type = ContentType.objects.get_for_model(ActivityLog)
    expected_kept = set()
    created = []
    for age_seconds, held_owner, held_record in rows:
        row = ActivityLog.objects.create(
            user=other_user if held_owner else user,
            action="login",
            created_at=now - timedelta(seconds=age_seconds),
        )
        if held_record:
            LegalHold.objects.create(content_type=log_type, object_id=str(row.pk), reason="Held")
        if age_seconds < period_seconds or held_owner or held_record:
            expected_kept.add(row.pk)
        created.append(row.pk)

    with override_settings(TIME_ZONE=site_tz):
        enforce_policy(policy.pk, now=now)

    remaining = set(ActivityLog.objects.values_list("pk", flat=True))
    assert remaining == expected_kept
    assert remaining <= set(created)


@SETTINGS
@given(
    day=st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31)),
    period_seconds=periods,
    now=instants,
    site_tz=st.sampled_from(TIME_ZONES),
)
def test_date_due_after_whole_day(
    day: date, period_seconds: int, now: datetime, site_tz: str
) -> None:
    period = timedelta(seconds=period_seconds)
    # The day ends at the next midnight in the site's time zone; the period starts there.
    day_ends = datetime.combine(day + timedelta(days=1), time.min, tzinfo=ZoneInfo(site_tz))
    expected_due = day_ends + period <= now

    with override_settings(TIME_ZONE=site_tz):
        lookup = due_lookup(Profile._meta.get_field("date_of_birth"), cutoff_for(period, now))
    _name, bound = lookup.children[0]

    assert (day < bound) == expected_due
