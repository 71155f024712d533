"""Previews of retention policies: rows due now and in the coming days, with nothing changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Min
from django.utils import timezone

from ..models import RetentionPolicy
from .scope import cutoff_for, due_queryset, is_inactive_accounts, oldest_as_datetime, resolve

LOOKAHEAD = timedelta(days=7)


@dataclass(frozen=True)
class Preview:
    """Rows due now, rows that become due within the next seven days, and the oldest due date."""

    due_now: int
    due_next_7_days: int
    oldest: datetime | None


def preview(policy: RetentionPolicy, now: datetime | None = None) -> Preview:
    """Count the rows ``policy`` would touch, after legal holds and code filters.

    For an inactive-accounts policy the counts are accounts whose inactivity reaches the full
    period, whether or not they have been warned yet.
    """
    now = now or timezone.now()
    if is_inactive_accounts(policy):
        from .inactive import ACTIVITY, candidates

        users = candidates(policy)
        cutoff = cutoff_for(policy.period, now)
        due_now = users.filter(**{f"{ACTIVITY}__lte": cutoff}).count()
        soon = users.filter(**{f"{ACTIVITY}__lte": cutoff + LOOKAHEAD}).count()
        oldest = users.filter(**{f"{ACTIVITY}__lte": cutoff}).aggregate(oldest=Min(ACTIVITY))[
            "oldest"
        ]
        return Preview(due_now, soon - due_now, oldest_as_datetime(oldest))
    target = resolve(policy)
    current = due_queryset(target, cutoff_for(policy.period, now))
    due_now = current.count()
    soon = due_queryset(target, cutoff_for(policy.period, now + LOOKAHEAD)).count()
    oldest = current.aggregate(oldest=Min(target.date_field.name))["oldest"]
    return Preview(due_now, soon - due_now, oldest_as_datetime(oldest))
