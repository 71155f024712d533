"""The management command, the Celery tasks, the beat entry and the system check."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from celery.schedules import crontab
from django.core.management import CommandError, call_command

from django_datarights.checks.retention import E030, W030, check_retention_policies
from django_datarights.models import RetentionPolicy, RetentionRun
from django_datarights.models.retention import RunStatus
from django_datarights.retention.tasks import enforce_all, enforce_policy
from django_datarights.schedule import beat_schedule
from example_project.shop.models import ActivityLog

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def test_command_dry_run_prints_counts(make_log: Any) -> None:
    make_log(
        100 * DAY, now=RetentionPolicy.objects.get(key="shop.activitylog.created_at").created_at
    )
    output = StringIO()

    call_command(
        "datarights_retention",
        "--dry-run",
        "--policy",
        "shop.activitylog.created_at",
        stdout=output,
    )

    assert "shop.activitylog.created_at: Done, would delete 1" in output.getvalue()
    assert ActivityLog.objects.count() == 1


def test_command_enforces_every_policy() -> None:
    output = StringIO()

    call_command("datarights_retention", stdout=output)

    for key in RetentionPolicy.objects.values_list("key", flat=True):
        assert f"{key}: Done" in output.getvalue()


def test_command_unknown_key_fails() -> None:
    with pytest.raises(CommandError, match="No retention policy has the key 'nope'"):
        call_command("datarights_retention", "--policy", "nope")


def test_command_reports_brake(make_log: Any, settings: Any) -> None:
    settings.DATARIGHTS_RETENTION_MAX_SHARE = 0.5
    make_log(
        100 * DAY, now=RetentionPolicy.objects.get(key="shop.activitylog.created_at").created_at
    )
    errors = StringIO()

    with pytest.raises(CommandError, match="1 of 1 policies did not finish"):
        call_command(
            "datarights_retention", "--policy", "shop.activitylog.created_at", stderr=errors
        )

    assert "safety brake" in errors.getvalue()


def test_enforce_all_skips_paused(
    make_policy: Any, django_capture_on_commit_callbacks: Any
) -> None:
    paused = make_policy(paused=True)

    with django_capture_on_commit_callbacks(execute=True):
        published = enforce_all.delay().get()

    assert published == RetentionPolicy.objects.filter(paused=False).count()
    assert not RetentionRun.objects.filter(policy=paused).exists()
    assert RetentionRun.objects.filter(status=RunStatus.DONE).count() == published


def test_enforce_task_returns_status(log_policy: Any) -> None:
    assert enforce_policy.delay(log_policy.pk).get() == RunStatus.DONE


def test_enforce_task_ignores_missing_policy() -> None:
    assert enforce_policy.delay(987654).get() is None


def test_tasks_ack_late() -> None:
    assert enforce_all.acks_late is True
    assert enforce_policy.acks_late is True


def test_beat_entry_uses_setting(settings: Any) -> None:
    settings.DATARIGHTS_RETENTION_SCHEDULE = {"minute": "5", "hour": "2"}

    entry = beat_schedule()["datarights-retention"]

    assert entry["task"] == "datarights.retention.enforce_all"
    assert entry["schedule"] == crontab(minute="5", hour="2")


def test_check_reports_missing_field(make_policy: Any) -> None:
    make_policy(key="broken", date_field="removed_column")

    messages = check_retention_policies(databases=["default"])

    assert [m.id for m in messages] == [E030]
    assert "removed_column" in messages[0].msg


def test_check_skipped_without_database(make_policy: Any) -> None:
    make_policy(key="broken", date_field="removed_column")

    assert check_retention_policies() == []


def test_check_warns_on_orphan_rule(make_policy: Any) -> None:
    make_policy(key="shop.removed.rule", declared_in_code=True)

    messages = check_retention_policies(databases=["default"])

    assert [m.id for m in messages] == [W030]


def test_beat_entry_takes_explicit_schedule() -> None:
    entry = beat_schedule(retention_schedule={"minute": "0", "hour": "4"})["datarights-retention"]

    assert entry["schedule"] == crontab(minute="0", hour="4")


def test_settings_import_leaves_django_unconfigured() -> None:
    # Reading app settings while the settings module is imported would configure Django from
    # the half-imported module, without any setting defined below the beat schedule.
    code = (
        "import example_project.settings as module\n"
        "from django.conf import settings\n"
        "print(settings.configured, module.CELERY_BEAT_SCHEDULE['datarights-retention']['task'])\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "example_project.settings"}
    completed = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )

    assert completed.stdout.split() == ["False", "datarights.retention.enforce_all"]
