"""Test settings: the example project with fast hashing, in-memory email and eager Celery.

``DATABASE_URL`` selects PostgreSQL; without it the suite runs on SQLite.
"""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("EXAMPLE_VAR_DIR", tempfile.mkdtemp(prefix="datarights-test-"))

from example_project.settings import *  # noqa: E402,F403
from example_project.settings import VAR_DIR  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "memory://")
CELERY_TASK_ALWAYS_EAGER = not os.environ.get("DATARIGHTS_TEST_REAL_WORKER")
CELERY_TASK_EAGER_PROPAGATES = True
DATARIGHTS_DELETION_GRACE_PERIOD = 0
DATARIGHTS_SITE_NAME = "Test Site"
MEDIA_ROOT = Path(VAR_DIR) / "media"
LOGGING = {"version": 1, "disable_existing_loggers": False}
