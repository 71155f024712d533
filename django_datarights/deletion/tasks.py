"""Celery tasks of the deletion area: thin wrappers over the engine and the sweep."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from . import engine
from . import sweep as sweep_flow


@shared_task(name="datarights.deletion.erase", acks_late=True, ignore_result=True)
def erase(deletion_id: Any) -> str:
    """Erase one account, or continue an erasure that stopped; safe to deliver twice."""
    return engine.erase(deletion_id)


@shared_task(name="datarights.deletion.sweep", ignore_result=True)
def sweep() -> int:
    """Publish the erasure of every due request and of every stalled running one."""
    return sweep_flow.sweep()
