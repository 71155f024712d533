"""The Celery beat entries the app needs, for hosts that configure beat in settings.

In the host's settings::

    from django_datarights.schedule import beat_schedule
    CELERY_BEAT_SCHEDULE = {**beat_schedule(), **your_own_entries}

Sites on django-celery-beat create the same entries as periodic tasks instead (see the docs).
"""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab

from .conf import app_settings

SWEEP_SECONDS = 300.0


def beat_schedule() -> dict[str, dict[str, Any]]:
    """Return beat entries: sweeps every five minutes and retention on its crontab."""
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
            "schedule": crontab(**app_settings.RETENTION_SCHEDULE),
        },
    }
