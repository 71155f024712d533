"""Fixtures for the example project's tests."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from example_project.shop.demo import SeedResult, seed_demo

SEED_TIME = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def seed_time() -> datetime:
    return SEED_TIME


@pytest.fixture
def seeded(db: Any, seed_time: datetime) -> SeedResult:
    """The demo data, seeded once at a fixed time."""
    return seed_demo(now=seed_time)
