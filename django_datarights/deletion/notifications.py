"""The last email of an erasure: what was deleted, and what was kept and why."""

from __future__ import annotations

from typing import Any

from ..emails import send_templated_email
from .summary import erasure_summary


def send_final_email(address: str, counts: dict[str, dict[str, int]]) -> bool:
    """Send the erasure report to ``address``; return whether it was sent.

    ``address`` was read before the user row was erased, because no row contains it afterwards.
    Each dataset is listed with the number of its rows the erasure deleted or anonymised.
    """
    deleted: list[dict[str, Any]] = []
    kept: list[dict[str, Any]] = []
    for item in erasure_summary():
        entry = counts.get(item.label, {})
        if item.kept:
            kept.append({"item": item, "count": entry.get("anonymised", 0)})
        else:
            deleted.append({"item": item, "count": entry.get("deleted", 0)})
    return send_templated_email(
        "deletion_completed",
        address,
        {"deleted": deleted, "kept": kept},
        event="deletion_completed",
    )
