"""The last email of an erasure: what was deleted, and what was kept and why."""

from __future__ import annotations

from typing import Any

from ..emails import send_templated_email
from ..models import AuditEvent, DeletionRequest, ExportRequest
from .summary import erasure_summary

# Datasets the engine does not count row by row: export requests go with the user row once
# their archives are destroyed, and audit events and the deletion request itself are kept
# as they are. The email names them without a number rather than with a wrong one.
UNCOUNTED = frozenset(model._meta.label for model in (AuditEvent, DeletionRequest, ExportRequest))


def send_final_email(address: str, counts: dict[str, dict[str, int]]) -> bool:
    """Send the erasure report to ``address``; return whether it was sent.

    ``address`` was read before the user row was erased, because no row contains it afterwards.
    Each dataset is listed with the number of its rows the erasure deleted or anonymised, when
    the engine counted them.
    """
    deleted: list[dict[str, Any]] = []
    kept: list[dict[str, Any]] = []
    for item in erasure_summary():
        entry = counts.get(item.label)
        counted = entry is not None and item.label not in UNCOUNTED
        if item.kept:
            count = entry.get("anonymised", 0) if counted and entry else None
            kept.append({"item": item, "count": count})
        else:
            count = entry.get("deleted", 0) if counted and entry else None
            deleted.append({"item": item, "count": count})
    return send_templated_email(
        "deletion_completed",
        address,
        {"deleted": deleted, "kept": kept},
        event="deletion_completed",
    )
