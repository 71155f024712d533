"""Answers to an older version of a consent-based purpose stop counting until answered again."""

from django.test import override_settings

from django_datarights.consent.flows import set_consent
from django_datarights.consent.purposes import save_purpose
from django_datarights.consent.queries import consent_states, has_consent
from django_datarights.models import Purpose
from django_datarights.models.consent import Channel


def _publish_new_text(purpose, text="Count page visits, clicks and scrolling."):
    purpose.description = text
    save_purpose(purpose)
    purpose.refresh_from_db()
    return purpose


def test_new_version_suspends_consent(user, analytics):
    set_consent(user, analytics, True, channel=Channel.SETTINGS_PAGE)
    _publish_new_text(analytics)

    assert has_consent(user, "analytics") is False
    assert consent_states(user)["analytics"].needs_review is True


def test_answering_again_restores_consent(user, analytics):
    set_consent(user, analytics, True, channel=Channel.SETTINGS_PAGE)
    analytics = _publish_new_text(analytics)
    set_consent(user, analytics, True, channel=Channel.SETTINGS_PAGE)

    assert has_consent(user, "analytics") is True
    assert consent_states(user)["analytics"].needs_review is False


def test_reconsent_off_keeps_consent(user, analytics):
    set_consent(user, analytics, True, channel=Channel.SETTINGS_PAGE)
    _publish_new_text(analytics)

    with override_settings(DATARIGHTS_RECONSENT_ON_NEW_VERSION=False):
        assert has_consent(user, "analytics") is True
        assert consent_states(user)["analytics"].needs_review is False


def test_legitimate_interest_keeps_answer(user, fraud_checks):
    set_consent(user, fraud_checks, True, channel=Channel.SETTINGS_PAGE)
    _publish_new_text(fraud_checks, "Check orders for fraud and chargebacks.")

    assert has_consent(user, "fraud-checks") is True


def test_page_shows_review_notice(client, user, analytics):
    set_consent(user, analytics, True, channel=Channel.SETTINGS_PAGE)
    _publish_new_text(analytics)
    client.force_login(user)

    response = client.get("/privacy/")

    assert "Updated, please review" in response.content.decode()


def test_stale_purpose_records_current_version(user, analytics):
    stale = Purpose.objects.get(pk=analytics.pk)
    _publish_new_text(analytics)

    record = set_consent(user, stale, True, channel=Channel.SETTINGS_PAGE)

    assert record.version == 2
    assert has_consent(user, "analytics") is True
