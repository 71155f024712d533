"""The example project's Celery application.

Without ``CELERY_BROKER_URL`` in the environment, tasks run in-process (eager), so the project
needs no server. With it, start a worker and beat::

    celery -A example_project worker --beat --loglevel=info
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_project.settings")

app = Celery("example_project")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
