"""The inactive-accounts policy: one warning, then a deletion request made by the system."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from django_datarights.models import DeletionRequest, InactivityWarning, RetentionPolicy
from django_datarights.models.retention import PolicyKind, RunStatus
from django_datarights.retention.engine import enforce_policy

from .conftest import NOW

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
PERIOD = 365 * DAY
WARNING = 30 * DAY


@pytest.fixture
def inactive_policy(db: Any) -> RetentionPolicy:
    return RetentionPolicy.objects.create(
        key="accounts.inactive",
        name="Delete accounts unused for a year",
        kind=PolicyKind.INACTIVE_ACCOUNTS,
        model=get_user_model()._meta.label,
        date_field="last_login",
        period=PERIOD,
        warning_period=WARNING,
    )


@pytest.fixture
def idle_user(make_user: Any) -> Any:
    def factory(idle_for: timedelta, name: str = "wilhelmina") -> Any:
        return make_user(name, last_login=NOW - idle_for, date_joined=NOW - 2 * PERIOD)

    return factory


def test_warns_before_period_ends(inactive_policy: Any, idle_user: Any) -> None:
    idle = idle_user(PERIOD - WARNING + DAY)

    run = enforce_policy(inactive_policy.pk, now=NOW)

    assert run.status == RunStatus.DONE
    assert InactivityWarning.objects.filter(user=idle, policy=inactive_policy).exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [idle.email]
    assert not DeletionRequest.objects.filter(user=idle).exists()


def test_warns_only_once(inactive_policy: Any, idle_user: Any) -> None:
    idle_user(PERIOD - WARNING + DAY)

    enforce_policy(inactive_policy.pk, now=NOW)
    enforce_policy(inactive_policy.pk, now=NOW + DAY)

    assert len(mail.outbox) == 1


def test_active_user_not_warned(inactive_policy: Any, idle_user: Any) -> None:
    idle_user(PERIOD - WARNING - DAY)

    enforce_policy(inactive_policy.pk, now=NOW)

    assert InactivityWarning.objects.count() == 0
    assert mail.outbox == []


def test_never_logged_in_uses_date_joined(inactive_policy: Any, make_user: Any) -> None:
    never = make_user("ottilie", last_login=None, date_joined=NOW - PERIOD + WARNING - DAY)

    enforce_policy(inactive_policy.pk, now=NOW)

    assert InactivityWarning.objects.filter(user=never).exists()


def test_erasure_requested_after_period(inactive_policy: Any, idle_user: Any) -> None:
    idle = idle_user(PERIOD - WARNING + DAY)
    enforce_policy(inactive_policy.pk, now=NOW)

    run = enforce_policy(inactive_policy.pk, now=NOW + WARNING)

    request = DeletionRequest.objects.get(user=idle)
    assert request.requested_by is None
    assert run.rows_deleted == 1


def test_unwarned_user_warned_before_erasure(inactive_policy: Any, idle_user: Any) -> None:
    idle = idle_user(2 * PERIOD)

    enforce_policy(inactive_policy.pk, now=NOW)

    assert InactivityWarning.objects.filter(user=idle).exists()
    assert not DeletionRequest.objects.filter(user=idle).exists()


def test_login_after_warning_resets(inactive_policy: Any, idle_user: Any) -> None:
    idle = idle_user(PERIOD - WARNING + DAY)
    enforce_policy(inactive_policy.pk, now=NOW)
    idle.last_login = NOW + DAY
    idle.save(update_fields=["last_login"])

    enforce_policy(inactive_policy.pk, now=NOW + WARNING)

    assert not InactivityWarning.objects.filter(user=idle).exists()
    assert not DeletionRequest.objects.filter(user=idle).exists()


def test_held_user_left_alone(inactive_policy: Any, idle_user: Any, hold_user: Any) -> None:
    idle = idle_user(2 * PERIOD)
    hold_user(idle)

    enforce_policy(inactive_policy.pk, now=NOW)
    enforce_policy(inactive_policy.pk, now=NOW + WARNING)

    assert mail.outbox == []
    assert not DeletionRequest.objects.filter(user=idle).exists()


def test_no_warning_period_erases_directly(inactive_policy: Any, idle_user: Any) -> None:
    inactive_policy.warning_period = None
    inactive_policy.save()
    idle = idle_user(PERIOD + DAY)

    enforce_policy(inactive_policy.pk, now=NOW)

    assert DeletionRequest.objects.filter(user=idle).exists()


def test_dry_run_warns_nobody(inactive_policy: Any, idle_user: Any) -> None:
    idle_user(2 * PERIOD)

    run = enforce_policy(inactive_policy.pk, dry_run=True, now=NOW)

    assert run.status == RunStatus.DONE
    assert mail.outbox == []
    assert InactivityWarning.objects.count() == 0


def test_brake_stops_mass_erasure(inactive_policy: Any, idle_user: Any, settings: Any) -> None:
    settings.DATARIGHTS_RETENTION_MAX_SHARE = 0.5
    inactive_policy.warning_period = None
    inactive_policy.save()
    for name in ("ada", "bram", "cyra"):
        idle_user(PERIOD + DAY, name=name)

    run = enforce_policy(inactive_policy.pk, now=NOW)

    assert run.status == RunStatus.BRAKED
    assert DeletionRequest.objects.count() == 0


def test_failed_send_retried_next_run(
    inactive_policy: Any, idle_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django_datarights.retention import inactive

    idle = idle_user(PERIOD - WARNING + DAY)
    monkeypatch.setattr(inactive, "send_templated_email", lambda *args, **kwargs: False)
    enforce_policy(inactive_policy.pk, now=NOW)
    monkeypatch.undo()

    enforce_policy(inactive_policy.pk, now=NOW + DAY)

    assert InactivityWarning.objects.filter(user=idle).count() == 1
    assert len(mail.outbox) == 1
