""""What we hold about you": per registered model, what it is, how much, why and for how long."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Min
from django.utils import timezone

from ..models import Purpose, RetentionPolicy
from ..models.retention import PolicyKind
from ..registry import registry
from ..registry.declarations import PersonalData


@dataclass(frozen=True)
class RetentionLine:
    """One retention rule as it applies to the user's records of one model."""

    name: str
    period: datetime.timedelta
    action: str
    oldest_goes_on: datetime.datetime | datetime.date | None


@dataclass(frozen=True)
class Holding:
    category: str
    description: str
    count: int
    purpose_name: str = ""
    purpose_description: str = ""
    legal_basis: str = ""
    retention: list[RetentionLine] = field(default_factory=list)


def holdings_for(user: Any) -> list[Holding]:
    """Return one ``Holding`` per registered model.

    Runs one query for the purposes, one for the retention policies and one aggregate (count
    and oldest dates) per registered model, whatever the number of rows.
    """
    declarations = list(registry.in_export_order())
    slugs = {d.purpose for d in declarations if d.purpose}
    purposes = {p.slug: p for p in Purpose.objects.filter(slug__in=slugs)} if slugs else {}
    labels = [d.label() for d in declarations]
    policies: dict[str, list[RetentionPolicy]] = {}
    if labels:
        for policy in RetentionPolicy.objects.filter(
            model__in=labels, kind=PolicyKind.RECORDS, paused=False
        ).order_by("key"):
            policies.setdefault(policy.model, []).append(policy)

    return [_holding(d, user, purposes, policies.get(d.label(), [])) for d in declarations]


def _holding(
    declaration: type[PersonalData],
    user: Any,
    purposes: dict[str, Purpose],
    policies: list[RetentionPolicy],
) -> Holding:
    # Operator policies in the database override the code rule with the same key.
    rules: dict[str, tuple[str, str, datetime.timedelta, str]] = {}
    for rule in declaration.retention_rules():
        key = rule.key or f"{declaration.dataset_name()}.{rule.date_field}"
        rules[key] = (str(rule.name or key), rule.date_field, rule.period, rule.action)
    for policy in policies:
        rules[policy.key] = (str(policy), policy.date_field, policy.period, policy.action)

    date_fields = sorted({date_field for _name, date_field, _period, _action in rules.values()})
    aggregates = {"datarights_count": Count("pk")}
    for index, date_field in enumerate(date_fields):
        aggregates[f"datarights_oldest_{index}"] = Min(date_field)
    totals = declaration.rows_for(user).order_by().aggregate(**aggregates)
    oldest = {date_field: totals[f"datarights_oldest_{i}"] for i, date_field in enumerate(date_fields)}

    lines = [
        RetentionLine(
            name=name,
            period=period,
            action=action,
            oldest_goes_on=_add(oldest.get(date_field), period),
        )
        for name, date_field, period, action in rules.values()
    ]
    purpose = purposes.get(declaration.purpose or "")
    return Holding(
        category=declaration.display_category(),
        description=str(declaration.description or ""),
        count=int(totals["datarights_count"] or 0),
        purpose_name=purpose.name if purpose else "",
        purpose_description=purpose.description if purpose else "",
        legal_basis=purpose.get_legal_basis_display() if purpose else "",
        retention=lines,
    )


def _add(
    start: datetime.datetime | datetime.date | None, period: datetime.timedelta
) -> datetime.datetime | datetime.date | None:
    if start is None:
        return None
    if isinstance(start, datetime.datetime):
        return timezone.localtime(start + period) if timezone.is_aware(start) else start + period
    return start + period
