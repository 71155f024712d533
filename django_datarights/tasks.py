"""Celery tasks, found by ``app.autodiscover_tasks()``.

Each task is a thin wrapper over a flow function; the modules below define them.
"""
