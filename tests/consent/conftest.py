"""Fixtures for the consent tests: purposes and policies built through the app's own flows."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from django_datarights.consent.purposes import save_purpose
from django_datarights.models import PrivacyPolicy, Purpose
from django_datarights.models.consent import LegalBasis


@pytest.fixture
def make_purpose(db: Any) -> Any:
    """Create and publish purposes; the slug doubles as the name unless one is given."""

    def factory(slug: str, **fields: Any) -> Purpose:
        fields.setdefault("name", slug.replace("-", " ").capitalize())
        fields.setdefault("description", f"We use your data for {slug}.")
        return save_purpose(Purpose(slug=slug, **fields))

    return factory


@pytest.fixture
def analytics(make_purpose: Any) -> Purpose:
    return make_purpose("analytics", name="Analytics", description="Count page visits.")


@pytest.fixture
def newsletter(make_purpose: Any) -> Purpose:
    return make_purpose(
        "newsletter", name="Newsletter", description="A monthly email about new products."
    )


@pytest.fixture
def fraud_checks(make_purpose: Any) -> Purpose:
    return make_purpose(
        "fraud-checks",
        name="Fraud checks",
        legal_basis=LegalBasis.LEGITIMATE_INTEREST,
        default_given=True,
    )


@pytest.fixture
def billing(make_purpose: Any) -> Purpose:
    return make_purpose("billing", name="Billing", legal_basis=LegalBasis.CONTRACT, refusable=False)


@pytest.fixture
def make_policy(db: Any) -> Any:
    def factory(version: str, *, days_ago: int = 1, changes: str = "") -> PrivacyPolicy:
        return PrivacyPolicy.objects.create(
            version=version,
            text=f"Privacy policy {version}.",
            changes=changes,
            effective_at=timezone.now() - timedelta(days=days_ago),
        )

    return factory


@pytest.fixture
def request_for(rf: Any) -> Any:
    """Build a GET request for ``user`` from a given client address."""

    def factory(user: Any, address: str = "203.0.113.77") -> Any:
        request = rf.get("/", REMOTE_ADDR=address)
        request.user = user
        return request

    return factory


@pytest.fixture
def preference_keys() -> Any:
    """Register preferences for one test and unregister them afterwards."""
    from django_datarights.consent.preferences import register_preference, unregister_preference

    keys: list[str] = []

    def register(key: str, label: str, **options: Any) -> Any:
        keys.append(key)
        return register_preference(key, label, **options)

    yield register
    for key in keys:
        unregister_preference(key)
