"""Celery tasks of the export area; thin wrappers over ``flows``."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from . import flows


@shared_task(
    name="datarights.export.build", acks_late=True, reject_on_worker_lost=True, ignore_result=True
)
def build(export_id: str) -> None:
    """Build one export archive; running it twice builds it once."""
    flows.build_export(export_id)


@shared_task(
    name="datarights.export.sweep", acks_late=True, reject_on_worker_lost=True, ignore_result=True
)
def sweep() -> dict[str, Any]:
    """Expire archives past their lifetime and requeue stalled builds."""
    return {"expired": flows.expire_exports(), "requeued": flows.requeue_stalled()}
