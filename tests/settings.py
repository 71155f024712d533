"""Test settings: the example project with fast hashing, in-memory email and eager Celery.

``DATABASE_URL`` selects PostgreSQL; without it the suite runs on SQLite.
"""

import json
import os
import tempfile
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("EXAMPLE_VAR_DIR", tempfile.mkdtemp(prefix="datarights-test-"))

from example_project.settings import *  # noqa: E402,F403
from example_project.settings import VAR_DIR  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "memory://")
CELERY_TASK_ALWAYS_EAGER = not os.environ.get("DATARIGHTS_TEST_REAL_WORKER")
CELERY_TASK_EAGER_PROPAGATES = True
DATARIGHTS_DELETION_GRACE_PERIOD = timedelta(0)
DATARIGHTS_SITE_NAME = "Test Site"
MEDIA_ROOT = Path(VAR_DIR) / "media"
LOGGING = {"version": 1, "disable_existing_loggers": False}

# A real worker started by tests/services/celery_worker.py: Redis hands an unacknowledged task
# out again after this many seconds, so a test that kills a worker sees the redelivery quickly.
if os.environ.get("DATARIGHTS_TEST_REAL_WORKER"):
    # kombu 5.7 scans for such tasks every interval x throttle seconds (10 x 10 by default).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": int(os.environ.get("DATARIGHTS_TEST_VISIBILITY_TIMEOUT", "5")),
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }

# A beat process under test fires every entry of the schedule this often, in seconds.
if os.environ.get("DATARIGHTS_TEST_BEAT_SECONDS"):
    CELERY_BEAT_SCHEDULE = {  # noqa: F405
        name: {**entry, "schedule": float(os.environ["DATARIGHTS_TEST_BEAT_SECONDS"])}
        for name, entry in CELERY_BEAT_SCHEDULE.items()  # noqa: F405
    }

# Settings a worker test hands to its worker process, as a JSON object of setting names and
# values (durations in seconds), and a directory that receives the worker's emails as files.
if os.environ.get("DATARIGHTS_TEST_SETTINGS"):
    globals().update(json.loads(os.environ["DATARIGHTS_TEST_SETTINGS"]))
if os.environ.get("DATARIGHTS_TEST_EMAIL_DIR"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["DATARIGHTS_TEST_EMAIL_DIR"]

# Two test runs on one PostgreSQL server would drop each other's test database; a run that
# shares the server can pick its own name.
if os.environ.get("DATARIGHTS_TEST_DB_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["DATARIGHTS_TEST_DB_NAME"]}  # noqa: F405
