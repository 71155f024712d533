"""Fixtures for the audit tests: a short chain of real events."""

from __future__ import annotations

from typing import Any

import pytest

from django_datarights.audit import record_event
from django_datarights.models import AuditEvent


@pytest.fixture
def chain(user: Any) -> list[AuditEvent]:
    """Four events about ``user``, appended through ``record_event``."""
    return [
        record_event("consent.given", subject=user, actor=user, object_ref="newsletter"),
        record_event("export.requested", subject=user, actor=user, object_ref="export:1"),
        record_event("export.built", subject=user, object_ref="export:1", details={"rows": 12}),
        record_event("export.downloaded", subject=user, actor=user, object_ref="export:1"),
    ]
