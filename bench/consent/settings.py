"""Settings for the consent benchmark: the example project, without debug, in a scratch database.

``DEBUG`` is off so Django does not keep every query in memory. ``DATABASE_URL`` selects
PostgreSQL as in the example project; without it a SQLite file in ``EXAMPLE_VAR_DIR`` is used.
"""

import os
from pathlib import Path

from example_project.database import database_from_url
from example_project.settings import *  # noqa: F403
from example_project.settings import INSTALLED_APPS, TEMPLATES, VAR_DIR

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.consent.urls"
DATABASES = {
    "default": database_from_url(os.environ.get("DATABASE_URL"), Path(VAR_DIR) / "bench.sqlite3")
}
INSTALLED_APPS = [*INSTALLED_APPS]
TEMPLATES = [
    {**TEMPLATES[0], "DIRS": [*TEMPLATES[0]["DIRS"], Path(__file__).resolve().parent / "templates"]}
]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
