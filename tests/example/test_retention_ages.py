"""The demo data has rows on both sides of every retention period, so a run visibly removes some."""

import pytest
from django.utils import timezone

from django_datarights.registry import registry
from example_project.shop.models import ActivityLog, Invoice, Message, Order

RETAINED_MODELS = [ActivityLog, Invoice, Message, Order]


def rule_for(model):
    (rule,) = registry.get(model).retention
    return rule


@pytest.mark.parametrize("model", RETAINED_MODELS)
def test_some_rows_past_retention(seeded, seed_time, model):
    rule = rule_for(model)
    cutoff = seed_time - rule.period
    assert model.objects.filter(**{f"{rule.date_field}__lt": cutoff}).exists()


@pytest.mark.parametrize("model", RETAINED_MODELS)
def test_some_rows_within_retention(seeded, seed_time, model):
    rule = rule_for(model)
    cutoff = seed_time - rule.period
    assert model.objects.filter(**{f"{rule.date_field}__gte": cutoff}).exists()


def test_ages_count_from_seed_time(db):
    from example_project.shop.demo import seed_demo

    now = timezone.now()
    seed_demo(now=now)

    newest = Message.objects.order_by("-sent_at").first()
    assert newest.sent_at <= now


@pytest.mark.parametrize("model", RETAINED_MODELS)
def test_due_share_below_safety_brake(seeded, seed_time, model):
    # A larger share of due rows would stop the retention run at its safety brake.
    from django_datarights.conf import app_settings

    rule = rule_for(model)
    cutoff = seed_time - rule.period
    due = model.objects.filter(**{f"{rule.date_field}__lt": cutoff}).count()
    assert due / model.objects.count() <= app_settings.RETENTION_MAX_SHARE
