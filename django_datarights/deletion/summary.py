"""What an erasure deletes and keeps, built from the registry, for the page and the emails."""

from __future__ import annotations

from dataclasses import dataclass

from ..registry import registry


@dataclass(frozen=True)
class DatasetSummary:
    """One registered dataset as the person sees it: what it is and what erasure does to it."""

    label: str
    category: str
    description: str
    kept: bool
    reason: str


def erasure_summary() -> list[DatasetSummary]:
    """Return every registered dataset in erasure order with the action erasure takes."""
    items = []
    for declaration in registry.in_erasure_order():
        items.append(
            DatasetSummary(
                label=declaration.label(),
                category=declaration.display_category(),
                description=str(declaration.description or ""),
                kept=declaration.keeps_rows(),
                reason=str(declaration.legal_basis_for_keeping or ""),
            )
        )
    return items
