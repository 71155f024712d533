"""The Celery beat entries the app needs, for hosts that configure beat in settings.

In the host's settings::

    from django_datarights.schedule import beat_schedule
    CELERY_BEAT_SCHEDULE = {**beat_schedule(), **your_own_entries}

A settings module that sets ``DATARIGHTS_RETENTION_SCHEDULE`` passes it on as well, because
Django's settings cannot be read while the settings module itself is still being imported::

    DATARIGHTS_RETENTION_SCHEDULE = {"minute": "0", "hour": "4"}
    CELERY_BEAT_SCHEDULE = beat_schedule(retention_schedule=DATARIGHTS_RETENTION_SCHEDULE)

Sites on django-celery-beat create the same entries as periodic tasks instead (see the docs).
"""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab
from django.conf import settings

from .conf import DEFAULT_RETENTION_SCHEDULE, app_settings

SWEEP_SECONDS = 300.0


def beat_schedule(retention_schedule: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """Return beat entries: sweeps every five minutes and retention on its crontab.

    ``retention_schedule`` contains ``crontab`` keyword arguments. Without it, the entry uses
    ``DATARIGHTS_RETENTION_SCHEDULE`` once Django's settings are configured, and the default
    (daily at 03:17 in ``CELERY_TIMEZONE``) when called from inside a settings module.
    Reading the settings there would configure Django from the half-imported module.
    """
    if retention_schedule is None:
        if settings.configured:
            retention_schedule = app_settings.RETENTION_SCHEDULE
        else:
            retention_schedule = DEFAULT_RETENTION_SCHEDULE
    return {
        "datarights-export-sweep": {
            "task": "datarights.export.sweep",
            "schedule": SWEEP_SECONDS,
        },
        "datarights-deletion-sweep": {
            "task": "datarights.deletion.sweep",
            "schedule": SWEEP_SECONDS,
        },
        "datarights-retention": {
            "task": "datarights.retention.enforce_all",
            "schedule": crontab(**retention_schedule),
        },
    }
