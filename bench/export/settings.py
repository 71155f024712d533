"""Settings for the export benchmark: the example project on a separate database and directory.

``BENCH_DATABASE_URL`` selects the database (default: SQLite in ``BENCH_DIR``), and
``BENCH_DIR`` holds uploads and archives.
"""

import os
from pathlib import Path

os.environ.setdefault("EXAMPLE_VAR_DIR", os.environ["BENCH_DIR"])

from example_project.database import database_from_url  # noqa: E402
from example_project.settings import *  # noqa: E402,F403

BENCH_DIR = Path(os.environ["BENCH_DIR"])
DATABASES = {
    "default": database_from_url(os.environ.get("BENCH_DATABASE_URL"), BENCH_DIR / "bench.sqlite3")
}
MEDIA_ROOT = BENCH_DIR / "media"
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(BENCH_DIR / "media")},
    },
    "datarights": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(BENCH_DIR / "archives"), "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_BROKER_URL = "memory://"
CELERY_TASK_ALWAYS_EAGER = True
LOGGING = {"version": 1, "disable_existing_loggers": False}
DEBUG = False
