"""has_consent, its per-request cache, and users_consenting_to."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from django_datarights.consent.flows import set_consent
from django_datarights.consent.purposes import save_purpose
from django_datarights.consent.queries import has_consent, users_consenting_to
from django_datarights.models.consent import Channel


def test_unanswered_consent_purpose_is_off(user, analytics):
    assert has_consent(user, "analytics") is False


def test_given_consent_is_on(user, analytics):
    set_consent(user, analytics, True, channel=Channel.SETTINGS_PAGE)

    assert has_consent(user, "analytics") is True


def test_withdrawn_consent_is_off(user, analytics):
    set_consent(user, analytics, True, channel=Channel.SETTINGS_PAGE)
    set_consent(user, analytics, False, channel=Channel.SETTINGS_PAGE)

    assert has_consent(user, "analytics") is False


def test_default_on_applies_until_objection(user, fraud_checks):
    assert has_consent(user, "fraud-checks") is True

    set_consent(user, fraud_checks, False, channel=Channel.SETTINGS_PAGE)

    assert has_consent(user, "fraud-checks") is False


def test_non_refusable_always_applies(user, billing):
    assert has_consent(user, "billing") is True


def test_unknown_purpose_is_off(user, db):
    assert has_consent(user, "no-such-purpose") is False


def test_inactive_purpose_is_off(user, analytics):
    set_consent(user, analytics, True, channel=Channel.SETTINGS_PAGE)
    analytics.active = False
    save_purpose(analytics)

    assert has_consent(user, "analytics") is False


def test_anonymous_user_is_off(analytics):
    assert has_consent(AnonymousUser(), "analytics") is False


def test_anonymous_default_on_is_off(fraud_checks):
    assert has_consent(AnonymousUser(), "fraud-checks") is False


def test_anonymous_non_refusable_applies(billing):
    assert has_consent(AnonymousUser(), "billing") is True
    assert has_consent(None, "billing") is True


def test_anonymous_checks_share_one_query(
    billing, analytics, request_for, django_assert_max_num_queries
):
    request = request_for(AnonymousUser())
    with django_assert_max_num_queries(1):
        assert has_consent(request.user, "billing", request) is True
        assert has_consent(request.user, "analytics", request) is False
        assert has_consent(request.user, "unknown", request) is False


def test_twenty_checks_one_query(user, make_purpose, request_for, django_assert_max_num_queries):
    slugs = [f"purpose-{n}" for n in range(20)]
    for slug in slugs:
        make_purpose(slug)
    request = request_for(user)

    with django_assert_max_num_queries(1):
        answers = [has_consent(user, slug, request) for slug in slugs]

    assert answers == [False] * 20


def test_set_consent_refreshes_request_cache(user, analytics, request_for):
    request = request_for(user)
    assert has_consent(user, "analytics", request) is False

    set_consent(user, analytics, True, channel=Channel.SETTINGS_PAGE, request=request)

    assert has_consent(user, "analytics", request) is True


def test_cache_is_per_user(user, other_user, analytics, request_for):
    set_consent(user, analytics, True, channel=Channel.SETTINGS_PAGE)
    request = request_for(user)

    assert has_consent(user, "analytics", request) is True
    assert has_consent(other_user, "analytics", request) is False


@pytest.fixture
def population(make_user, analytics, fraud_checks):
    """Five users with different histories for ``analytics`` and ``fraud-checks``."""
    people = {name: make_user(name) for name in ("amara", "bjorn", "chiara", "dmitri", "elif")}
    set_consent(people["amara"], analytics, True, channel=Channel.SIGNUP)
    set_consent(people["bjorn"], analytics, False, channel=Channel.SIGNUP)
    set_consent(people["chiara"], analytics, True, channel=Channel.SIGNUP)
    set_consent(people["chiara"], analytics, False, channel=Channel.SETTINGS_PAGE)
    set_consent(people["dmitri"], fraud_checks, False, channel=Channel.SETTINGS_PAGE)
    return people


def _usernames(queryset):
    return sorted(queryset.values_list("username", flat=True))


def test_consenting_users_for_consent(population):
    assert _usernames(users_consenting_to("analytics")) == ["amara"]


def test_consenting_users_default_on(population):
    assert _usernames(users_consenting_to("fraud-checks")) == ["amara", "bjorn", "chiara", "elif"]


def test_consenting_users_after_new_version(population, analytics):
    analytics.description = "Count page visits and clicks."
    save_purpose(analytics)

    assert _usernames(users_consenting_to("analytics")) == []


def test_consenting_users_non_refusable(population, billing):
    assert _usernames(users_consenting_to("billing")) == [
        "amara",
        "bjorn",
        "chiara",
        "dmitri",
        "elif",
    ]


def test_consenting_users_unknown_purpose(population):
    assert _usernames(users_consenting_to("no-such-purpose")) == []


def test_consenting_users_one_query(population):
    with CaptureQueriesContext(connection) as queries:
        list(users_consenting_to("analytics"))

    assert len(queries) == 1


def test_consenting_users_match_has_consent(population, analytics, fraud_checks):
    for slug in ("analytics", "fraud-checks"):
        expected = sorted(u.username for u in population.values() if has_consent(u, slug))
        assert _usernames(users_consenting_to(slug)) == expected
