"""Purposes publish a new version whenever the text people agree to changes."""

from django_datarights.consent.purposes import save_purpose
from django_datarights.models import PurposeVersion
from django_datarights.models.consent import LegalBasis


def test_new_purpose_is_version_one(analytics):
    assert analytics.version == 1
    assert list(analytics.versions.values_list("version", flat=True)) == [1]


def test_description_change_publishes_version_two(analytics):
    analytics.description = "Count page visits and clicks."
    save_purpose(analytics)

    analytics.refresh_from_db()
    assert analytics.version == 2
    assert list(analytics.versions.order_by("version").values_list("version", flat=True)) == [1, 2]


def test_old_version_keeps_its_text(analytics):
    analytics.description = "Count page visits and clicks."
    save_purpose(analytics)

    first = PurposeVersion.objects.get(purpose=analytics, version=1)
    assert first.description == "Count page visits."


def test_ordering_change_publishes_nothing(analytics):
    analytics.ordering = 5
    save_purpose(analytics)

    analytics.refresh_from_db()
    assert analytics.version == 1
    assert analytics.versions.count() == 1


def test_legal_basis_change_publishes(fraud_checks):
    fraud_checks.legal_basis = LegalBasis.CONSENT
    save_purpose(fraud_checks)

    fraud_checks.refresh_from_db()
    assert fraud_checks.version == 2


def test_consent_based_default_forced_off(make_purpose):
    purpose = make_purpose("tracking", default_given=True)

    purpose.refresh_from_db()
    assert purpose.default_given is False


def test_legitimate_interest_default_kept(fraud_checks):
    fraud_checks.refresh_from_db()
    assert fraud_checks.default_given is True
