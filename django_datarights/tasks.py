"""Celery tasks, found by ``app.autodiscover_tasks()``.

Each task is a thin wrapper over a flow function; the modules below define them.
"""

from .deletion.tasks import erase as deletion_erase  # noqa: E402,F401
from .deletion.tasks import sweep as deletion_sweep  # noqa: E402,F401
from .export.tasks import build as export_build  # noqa: E402,F401
from .export.tasks import sweep as export_sweep  # noqa: E402,F401
from .retention.tasks import enforce_all as retention_enforce_all  # noqa: E402,F401
from .retention.tasks import enforce_policy as retention_enforce_policy  # noqa: E402,F401
