"""Shared fixtures for the whole suite."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model


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
