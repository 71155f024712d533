"""Shared fixtures for the whole suite, and the hooks that gate tests on real services.

Tests marked ``postgres``, ``worker`` or ``browser`` are skipped, with the reason, when the
service is missing. With ``CI=true`` or ``DATARIGHTS_REQUIRE_SERVICES=1`` such a skip fails
the test instead, so a CI run cannot pass while silently leaving the service layer out.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from tests.services.availability import MISSING_CHECKS, SERVICE_MARKERS, services_required


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reasons: dict[str, str | None] = {}
    for item in items:
        for marker in SERVICE_MARKERS:
            if item.get_closest_marker(marker) is None:
                continue
            if marker not in reasons:
                reasons[marker] = MISSING_CHECKS[marker]()
            reason = reasons[marker]
            if reason:
                item.add_marker(pytest.mark.skip(reason=f"{marker}: {reason}"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    needs_service = any(item.get_closest_marker(marker) for marker in SERVICE_MARKERS)
    if report.skipped and needs_service and not hasattr(report, "wasxfail") and services_required():
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = (
            f"{reason}\nService tests must run when CI=true or DATARIGHTS_REQUIRE_SERVICES=1 "
            "is set; a skip counts as a failure."
        )
    return report


@pytest.fixture
def password() -> str:
    return "correct horse battery staple 42"


@pytest.fixture
def make_user(db: Any, password: str) -> Any:
    """Create users with invented names; every user gets the same test password."""
    counter = {"n": 0}

    def factory(username: str | None = None, **fields: Any) -> Any:
        counter["n"] += 1
        username = username or f"user{counter['n']}"
        fields.setdefault("email", f"{username}@example.invalid")
        return get_user_model().objects.create_user(username=username, password=password, **fields)

    return factory


@pytest.fixture
def user(make_user: Any) -> Any:
    return make_user("ingrid", first_name="Ingrid", last_name="Halvorsen")


@pytest.fixture
def other_user(make_user: Any) -> Any:
    return make_user("tobias", first_name="Tobias", last_name="Okonkwo")
