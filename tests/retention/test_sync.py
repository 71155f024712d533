from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db.models import Q

from django_datarights.models import RetentionPolicy
from django_datarights.models.retention import RunStatus
from django_datarights.registry import PersonalData, Retention, registry
from django_datarights.retention.engine import enforce_policy
from django_datarights.retention.sync import sync_declared_policies
from example_project.shop.models import ActivityLog

from .conftest import NOW

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


@pytest.fixture
def login_rule() -> Iterator[None]:
    """Declare activity logs with a rule that keeps everything but logins."""
    saved = registry.snapshot()
    registry.unregister(ActivityLog)

    class LoginsOnly(PersonalData):
        user_path = "user"
        retention = [
            Retention(
                date_field="created_at",
                period=30 * DAY,
                filter=Q(action="login"),
                key="test.logins",
                name="Delete logins after 30 days",
            )
        ]

    registry.register(ActivityLog, LoginsOnly)
    sync_declared_policies()
    yield
    registry.restore(saved)


def test_migrate_creates_declared_policies() -> None:
    policy = RetentionPolicy.objects.get(key="shop.activitylog.created_at")

    assert policy.declared_in_code is True
    assert policy.model == "shop.ActivityLog"
    assert policy.date_field == "created_at"
    assert policy.period == timedelta(days=90)
    assert policy.paused is False


def test_operator_change_survives_sync() -> None:
    policy = RetentionPolicy.objects.get(key="shop.activitylog.created_at")
    policy.period = timedelta(days=14)
    policy.overridden = ["period"]
    policy.save()

    sync_declared_policies()

    policy.refresh_from_db()
    assert policy.period == timedelta(days=14)


def test_unchanged_fields_follow_code() -> None:
    policy = RetentionPolicy.objects.get(key="shop.activitylog.created_at")
    policy.name = "Edited without going through the admin"
    policy.period = timedelta(days=14)
    policy.overridden = ["period"]
    policy.save()

    counts = sync_declared_policies()

    policy.refresh_from_db()
    assert counts["updated"] == 1
    assert policy.name == "Delete activity records after 90 days"
    assert policy.period == timedelta(days=14)


def test_sync_twice_changes_nothing() -> None:
    sync_declared_policies()

    counts = sync_declared_policies()

    assert counts == {"created": 0, "updated": 0, "paused": 0}


def test_removed_rule_pauses_policy() -> None:
    orphan = RetentionPolicy.objects.create(
        key="shop.removed.rule",
        name="Rule removed from code",
        model="shop.ActivityLog",
        date_field="created_at",
        period=DAY,
        declared_in_code=True,
    )

    sync_declared_policies()

    orphan.refresh_from_db()
    assert orphan.paused is True


def test_missing_rule_never_enforced(make_log: Any) -> None:
    orphan = RetentionPolicy.objects.create(
        key="shop.removed.rule",
        name="Rule removed from code",
        model="shop.ActivityLog",
        date_field="created_at",
        period=DAY,
        declared_in_code=True,
    )
    make_log(2 * DAY)

    run = enforce_policy(orphan.pk, now=NOW)

    assert run.status == RunStatus.FAILED
    assert "no rule with that key" in run.error
    assert ActivityLog.objects.count() == 1


def test_code_filter_applied(login_rule: None, make_log: Any) -> None:
    policy = RetentionPolicy.objects.get(key="test.logins")
    login = make_log(31 * DAY, action="login")
    purchase = make_log(31 * DAY, action="purchase")

    enforce_policy(policy.pk, now=NOW)

    assert not ActivityLog.objects.filter(pk=login.pk).exists()
    assert ActivityLog.objects.filter(pk=purchase.pk).exists()


def test_code_filter_not_stored(login_rule: None) -> None:
    policy = RetentionPolicy.objects.get(key="test.logins")

    assert policy.name == "Delete logins after 30 days"
    assert policy.period == 30 * DAY
