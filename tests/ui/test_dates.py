"""Dates in running text: a date that ends in a period ("p.m.") must not get a second one.

The date-only templates use DATE_FORMAT, which ends in the year in English. They are checked too,
because another locale's format may end in a period.
"""

from __future__ import annotations

from datetime import datetime, timezone
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.utils import translation

# 22:10 UTC renders as "10:10 p.m." in English, the format that ends in a period.
EVENING = datetime(2026, 12, 4, 22, 10, tzinfo=timezone.utc)

TEMPLATES = [
    ("deletion/requested.html", {"has_grace_period": True, "deletion": {"due_at": EVENING}}),
    (
        "includes/deletion.html",
        {"deletion": {"open_request": {"status": "scheduled", "due_at": EVENING}}},
    ),
    ("deletion/cancel_link.html", {"deletion": {"due_at": EVENING}}),
    ("email/deletion_requested.txt", {"due_at": EVENING}),
    ("email/export_ready.txt", {"expires_at": EVENING}),
    ("email/export_ready.html", {"expires_at": EVENING}),
    ("email/retention_inactivity_warning.txt", {"erasure_at": EVENING}),
    ("email/retention_inactivity_warning.html", {"erasure_at": EVENING}),
    ("export/archive_index.html", {"generated_at": EVENING}),
    (
        "export/download.html",
        {"export": {"expires_at": EVENING}, "file_url": "/file/", "file_name": "data.zip"},
    ),
]


def as_objects(context: dict) -> dict:
    """Turn nested dicts into attribute objects, as the views pass model instances."""
    return {
        key: SimpleNamespace(**as_objects(value)) if isinstance(value, dict) else value
        for key, value in context.items()
    }


@pytest.mark.parametrize(("name", "context"), TEMPLATES, ids=[name for name, _ in TEMPLATES])
def test_date_not_followed_by_period(name, context, settings):
    settings.TIME_ZONE = "UTC"
    with translation.override("en"):
        text = render_to_string(f"django_datarights/{name}", as_objects(context))

    assert "Dec. 4, 2026" in text
    assert ".." not in text


@pytest.mark.parametrize(
    ("zone", "expected"),
    [("UTC", "Dec. 4, 2026, 10:10 p.m. UTC"), ("Europe/Oslo", "Dec. 4, 2026, 11:10 p.m. CET")],
)
def test_deadline_names_time_zone(settings, zone, expected):
    from django.utils import timezone as django_timezone

    from django_datarights.templatetags.datarights import deadline

    settings.TIME_ZONE = zone
    with translation.override("en"), django_timezone.override(zone):
        assert deadline(EVENING) == expected


def test_deletion_email_names_time_zone(settings):
    settings.TIME_ZONE = "UTC"
    with translation.override("en"):
        text = render_to_string(
            "django_datarights/email/deletion_requested.txt", {"due_at": EVENING}
        )
    assert "Dec. 4, 2026, 10:10 p.m. UTC" in text
