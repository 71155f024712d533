"""Fixtures for retention tests: activity-log rows of any age and policies to enforce."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType

from django_datarights.models import LegalHold, RetentionPolicy
from example_project.shop.models import ActivityLog

NOW = datetime.fromisoformat("2026-03-10T12:00:00+00:00")


@pytest.fixture(autouse=True)
def no_brake(settings: Any) -> None:
    # Most tests make old rows the majority of a small table; the brake has its own tests.
    settings.DATARIGHTS_RETENTION_MAX_SHARE = 1.0


@pytest.fixture
def make_log(user: Any) -> Any:
    def factory(
        age: timedelta, *, now: datetime = NOW, owner: Any = None, action: str = "login"
    ) -> ActivityLog:
        return ActivityLog.objects.create(
            user=owner if owner is not None else user, action=action, created_at=now - age
        )

    return factory


@pytest.fixture
def make_policy(db: Any) -> Any:
    counter = {"n": 0}

    def factory(**fields: Any) -> RetentionPolicy:
        counter["n"] += 1
        fields.setdefault("key", f"test.policy{counter['n']}")
        fields.setdefault("name", f"Test policy {counter['n']}")
        fields.setdefault("model", "shop.ActivityLog")
        fields.setdefault("date_field", "created_at")
        fields.setdefault("period", timedelta(days=30))
        return RetentionPolicy.objects.create(**fields)

    return factory


@pytest.fixture
def log_policy(make_policy: Any) -> RetentionPolicy:
    return make_policy()


@pytest.fixture
def hold_record(db: Any) -> Any:
    def factory(instance: Any) -> LegalHold:
        return LegalHold.objects.create(
            content_type=ContentType.objects.get_for_model(instance),
            object_id=str(instance.pk),
            reason="Court order in a test case",
        )

    return factory


@pytest.fixture
def hold_user(db: Any) -> Any:
    def factory(held: Any) -> LegalHold:
        return LegalHold.objects.create(user=held, reason="Court order in a test case")

    return factory
