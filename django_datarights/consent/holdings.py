""" "What we hold about you": per registered model, what it is, how much, why and for how long."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Min, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

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
    #: The oldest record is already past its period and goes at the next retention run.
    overdue: bool = False


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

    Runs three queries whatever the number of registered models and rows: the purposes, the
    retention policies, and one query whose scalar subqueries count each model's rows and find
    their oldest dates.
    """
    declarations = list(registry.in_export_order())
    if not declarations:
        return []
    slugs = {d.purpose for d in declarations if d.purpose}
    purposes = {p.slug: p for p in Purpose.objects.filter(slug__in=slugs)} if slugs else {}
    policies: dict[str, list[RetentionPolicy]] = {}
    for policy in RetentionPolicy.objects.filter(
        model__in=[d.label() for d in declarations], kind=PolicyKind.RECORDS, paused=False
    ).order_by("key"):
        policies.setdefault(policy.model, []).append(policy)

    rules = [_rules(d, policies.get(d.label(), [])) for d in declarations]
    totals = _totals(user, declarations, rules)
    return [
        _holding(d, index, totals, purposes, rules[index]) for index, d in enumerate(declarations)
    ]


# (display name, date field, period, action) of one retention rule.
Rule = tuple[str, str, datetime.timedelta, str]


def _rules(declaration: type[PersonalData], policies: list[RetentionPolicy]) -> list[Rule]:
    # Operator policies in the database override the code rule with the same key.
    rules: dict[str, Rule] = {}
    for rule in declaration.retention_rules():
        key = rule.key or f"{declaration.dataset_name()}.{rule.date_field}"
        rules[key] = (str(rule.name or key), rule.date_field, rule.period, rule.action)
    for policy in policies:
        rules[policy.key] = (str(policy), policy.date_field, policy.period, policy.action)
    return list(rules.values())


def _totals(
    user: Any, declarations: list[type[PersonalData]], rules: list[list[Rule]]
) -> dict[str, Any]:
    """Return ``count_<i>`` and ``oldest_<i>_<field>`` for every declaration, in one query."""
    annotations: dict[str, Any] = {}
    for index, declaration in enumerate(declarations):
        rows = declaration.model._default_manager.filter(declaration.user_filter(user)).order_by()
        # Grouping by a constant turns each aggregate into a one-row subquery.
        grouped = rows.annotate(datarights_group=Value(1)).values("datarights_group")
        annotations[f"count_{index}"] = Coalesce(
            Subquery(grouped.annotate(total=Count("pk", distinct=True)).values("total")[:1]), 0
        )
        for date_field in sorted({rule[1] for rule in rules[index]}):
            annotations[f"oldest_{index}_{date_field}"] = Subquery(
                grouped.annotate(oldest=Min(date_field)).values("oldest")[:1]
            )
    row = (
        get_user_model()
        ._default_manager.filter(pk=getattr(user, "pk", user))
        .values(**annotations)
        .first()
    )
    return dict(row) if row else {}


def _holding(
    declaration: type[PersonalData],
    index: int,
    totals: dict[str, Any],
    purposes: dict[str, Purpose],
    rules: list[Rule],
) -> Holding:
    lines = []
    for name, date_field, period, action in rules:
        goes_on = _add(_as_date(totals.get(f"oldest_{index}_{date_field}")), period)
        lines.append(
            RetentionLine(
                name=name,
                period=period,
                action=action,
                oldest_goes_on=goes_on,
                overdue=_is_past(goes_on),
            )
        )
    purpose = purposes.get(declaration.purpose or "")
    return Holding(
        category=declaration.display_category(),
        description=str(declaration.description or ""),
        count=int(totals.get(f"count_{index}") or 0),
        purpose_name=purpose.name if purpose else "",
        purpose_description=purpose.description if purpose else "",
        legal_basis=purpose.get_legal_basis_display() if purpose else "",
        retention=lines,
    )


def _as_date(value: Any) -> datetime.datetime | datetime.date | None:
    # A subquery's value comes back untyped on SQLite, so dates may arrive as text.
    if isinstance(value, str):
        parsed = parse_datetime(value) or parse_date(value)
        if isinstance(parsed, datetime.datetime) and timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed, datetime.timezone.utc)
        return parsed
    return value


def _add(
    start: datetime.datetime | datetime.date | None, period: datetime.timedelta
) -> datetime.datetime | datetime.date | None:
    if start is None:
        return None
    if isinstance(start, datetime.datetime):
        return timezone.localtime(start + period) if timezone.is_aware(start) else start + period
    return start + period


def _is_past(moment: datetime.datetime | datetime.date | None) -> bool:
    if moment is None:
        return False
    if isinstance(moment, datetime.datetime):
        return moment <= timezone.now()
    return moment <= timezone.localdate()
