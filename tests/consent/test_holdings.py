""" "What we hold about you": counts, reasons and retention per registered model."""

from datetime import timedelta

import pytest
from django.utils import timezone

from django_datarights.consent.flows import set_consent
from django_datarights.consent.holdings import holdings_for
from django_datarights.models import RetentionPolicy
from django_datarights.models.consent import Channel
from django_datarights.registry import PersonalData, Retention, registry
from example_project.shop.models import Message


@pytest.fixture
def messages_registered(analytics):
    """Register the shop's messages with a purpose and a 90-day rule for this test only."""
    snapshot = registry.snapshot()
    registry.unregister(Message)
    # Policies synced from the shop's own declaration on migrate would add a second rule.
    RetentionPolicy.objects.filter(model="shop.Message").delete()

    class MessageData(PersonalData):
        user_path = "author"
        category = "Support messages"
        description = "Messages you sent to our support team."
        purpose = "analytics"
        retention = [
            Retention(date_field="sent_at", period=timedelta(days=90), name="Support messages")
        ]

    registry.register(Message, MessageData)
    yield
    registry.restore(snapshot)


def _holding(user, category):
    return next(item for item in holdings_for(user) if item.category == category)


def test_counts_user_rows(user, other_user, messages_registered):
    Message.objects.create(author=user, subject="Parcel", body="Where is it?")
    Message.objects.create(author=user, subject="Parcel", body="Found it.")
    Message.objects.create(author=other_user, subject="Hello", body="Hi.")

    assert _holding(user, "Support messages").count == 2


def test_states_purpose_and_basis(user, messages_registered):
    item = _holding(user, "Support messages")

    assert item.purpose_name == "Analytics"
    assert item.legal_basis == "Consent"
    assert item.description == "Messages you sent to our support team."


def test_oldest_record_removal_date(user, messages_registered):
    sent = timezone.now() - timedelta(days=30)
    Message.objects.create(author=user, subject="Old", body="Old.", sent_at=sent)
    Message.objects.create(author=user, subject="New", body="New.")

    rule = _holding(user, "Support messages").retention[0]

    assert rule.period == timedelta(days=90)
    assert rule.oldest_goes_on == timezone.localtime(sent + timedelta(days=90))



def test_recent_record_not_overdue(user, messages_registered):
    Message.objects.create(author=user, subject="New", body="New.")

    assert not _holding(user, "Support messages").retention[0].overdue


def test_record_past_period_is_overdue(user, client, messages_registered):
    sent = timezone.now() - timedelta(days=120)
    Message.objects.create(author=user, subject="Old", body="Old.", sent_at=sent)
    client.force_login(user)

    page = client.get("/privacy/").content.decode()

    assert _holding(user, "Support messages").retention[0].overdue
    assert "past this period and goes at the next clean-up" in page


def test_policy_row_overrides_code_rule(user, messages_registered):
    RetentionPolicy.objects.create(
        key="shop.message.sent_at",
        name="Support messages (operator)",
        model="shop.Message",
        date_field="sent_at",
        period=timedelta(days=30),
    )

    rules = _holding(user, "Support messages").retention

    assert [rule.period for rule in rules] == [timedelta(days=30)]


def test_no_rows_no_removal_date(user, messages_registered):
    rule = _holding(user, "Support messages").retention[0]

    assert rule.oldest_goes_on is None


def test_consent_history_is_listed(user, analytics):
    set_consent(user, analytics, True, channel=Channel.SIGNUP)

    assert _holding(user, "Consent history").count == 1


def test_page_lists_holdings(client, user, messages_registered):
    Message.objects.create(author=user, subject="Parcel", body="Where is it?")
    client.force_login(user)

    html = client.get("/privacy/").content.decode()

    assert "What we hold about you" in html
    assert "Support messages" in html
    assert "90 days" in html


def test_holdings_run_three_queries(user, messages_registered, django_assert_num_queries):
    Message.objects.create(author=user, subject="Parcel", body="Where is it?")

    with django_assert_num_queries(3):
        holdings_for(user)
