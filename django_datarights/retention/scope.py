"""Row selection for retention policies: the cut-off, the code filter and legal holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone

from ..models import LegalHold, RetentionPolicy
from ..models.retention import PolicyKind
from ..registry import PersonalData, Retention, registry
from ..registry.registry import NotRegistered


@dataclass(frozen=True)
class PolicyTarget:
    """A policy resolved against the code: its model, declaration and code rule, if any."""

    policy: RetentionPolicy
    model: type[models.Model]
    date_field: models.Field[Any, Any]
    declaration: type[PersonalData] | None
    rule: Retention | None


def policy_key(declaration: type[PersonalData], rule: Retention) -> str:
    """Return the key a code rule is stored under: its own key or ``app_label.model.date_field``."""
    return rule.key or f"{declaration.model._meta.label_lower}.{rule.date_field}"


def declared_rules() -> dict[str, tuple[type[PersonalData], Retention]]:
    """Return every retention rule declared in code, by policy key."""
    rules: dict[str, tuple[type[PersonalData], Retention]] = {}
    for declaration in registry.in_export_order():
        for rule in declaration.retention_rules():
            rules[policy_key(declaration, rule)] = (declaration, rule)
    return rules


def resolve(policy: RetentionPolicy) -> PolicyTarget:
    """Resolve ``policy`` to its model and date field.

    Raises ``ImproperlyConfigured`` when the model or field is missing. It also raises when a
    policy declared in code no longer has its rule in code, because the rule's filter exists
    only there and enforcing the row without it could touch rows the rule excluded.
    """
    try:
        model = apps.get_model(policy.model)
    except (LookupError, ValueError) as exc:
        raise ImproperlyConfigured(
            f"retention policy {policy.key!r}: unknown model {policy.model!r}"
        ) from exc
    date_field = date_field_of(model, policy)
    try:
        declaration: type[PersonalData] | None = registry.get(model)
    except NotRegistered:
        declaration = None
    rule = None
    if policy.declared_in_code:
        found = declared_rules().get(policy.key)
        if found is None:
            raise ImproperlyConfigured(
                f"retention policy {policy.key!r} is declared in code but no rule with that key "
                "is registered; restore the rule or delete the policy"
            )
        rule = found[1]
    return PolicyTarget(policy, model, date_field, declaration, rule)


def date_field_of(model: type[models.Model], policy: RetentionPolicy) -> models.Field[Any, Any]:
    try:
        field = model._meta.get_field(policy.date_field)
    except FieldDoesNotExist as exc:
        raise ImproperlyConfigured(
            f"retention policy {policy.key!r}: "
            f"{model._meta.label} has no field {policy.date_field!r}"
        ) from exc
    if not isinstance(field, models.DateField):
        raise ImproperlyConfigured(
            f"retention policy {policy.key!r}: {model._meta.label}.{policy.date_field} is not a "
            "date or date-time field"
        )
    return field


def cutoff_for(period: timedelta, now: datetime | None = None) -> datetime:
    """Return the aware UTC instant before which a record's period has fully passed.

    The period is an exact duration, so a daylight-saving change in the site's time zone never
    lengthens or shortens it.
    """
    now = now or timezone.now()
    if timezone.is_naive(now):
        raise ValueError("retention needs an aware datetime for 'now'")
    return (now - period).astimezone(dt_timezone.utc)


def due_lookup(date_field: models.Field[Any, Any], cutoff: datetime) -> Q:
    """Return the ``Q`` matching rows whose period has fully passed at ``cutoff``.

    A ``DateTimeField`` is due at or before the instant. A ``DateField`` stores a day in the
    site's time zone, and the period starts when that day ends. So a row dated ``d`` is due
    once the midnight that starts ``d + 1`` is at or before the cut-off, which is the case
    exactly when ``d`` is earlier than the cut-off's date in the site's time zone. Rows with no
    date are never due.
    """
    if isinstance(date_field, models.DateTimeField):
        return Q(**{f"{date_field.name}__lte": cutoff})
    return Q(**{f"{date_field.name}__lt": timezone.localdate(cutoff)})


def oldest_as_datetime(value: Any) -> datetime | None:
    """Return a date or datetime aggregate as an aware datetime (midnight, site time zone)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value
    return timezone.make_aware(datetime.combine(value, datetime.min.time()))


def held_user_ids() -> list[Any]:
    """Return the primary keys of users under an active legal hold, on them or their account row."""
    user_model = get_user_model()
    direct = LegalHold.objects.filter(released_at__isnull=True, user__isnull=False).values_list(
        "user_id", flat=True
    )
    ids = set(direct)
    ids.update(held_record_ids(user_model))
    return sorted(ids, key=str)


def held_record_ids(model: type[models.Model]) -> list[Any]:
    """Return the primary keys of ``model`` rows under an active legal hold."""
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    raw_ids = LegalHold.objects.filter(
        released_at__isnull=True, content_type=content_type
    ).values_list("object_id", flat=True)
    return [model._meta.pk.to_python(raw) for raw in raw_ids if raw]


def exclude_held(queryset: QuerySet[Any], declaration: type[PersonalData] | None) -> QuerySet[Any]:
    """Remove rows under a legal hold: held records, and rows of held users through ``user_path``.

    Models that are not registered have no known path to a user, so only their own records can
    be held.
    """
    model = queryset.model
    record_ids = held_record_ids(model)
    if record_ids:
        queryset = queryset.exclude(pk__in=record_ids)
    user_ids = held_user_ids()
    if not user_ids:
        return queryset
    if model is get_user_model():
        return queryset.exclude(pk__in=user_ids)
    if declaration is not None and declaration.user_path:
        return queryset.exclude(**{f"{declaration.user_path}__in": user_ids})
    return queryset


def due_queryset(target: PolicyTarget, cutoff: datetime) -> QuerySet[Any]:
    """Return the rows of ``target`` due at ``cutoff``, minus held rows, over every row of the
    table (the base manager, so a default manager that hides rows cannot hide them here)."""
    queryset = target.model._base_manager.filter(due_lookup(target.date_field, cutoff))
    if target.rule is not None and target.rule.filter is not None:
        queryset = queryset.filter(target.rule.filter)
    return exclude_held(queryset, target.declaration)


def is_inactive_accounts(policy: RetentionPolicy) -> bool:
    return policy.kind == PolicyKind.INACTIVE_ACCOUNTS
