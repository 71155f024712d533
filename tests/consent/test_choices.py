"""set_consent: the current row, the append-only history, the signal and the audit event."""

import pytest
from django.test import override_settings

from django_datarights import signals
from django_datarights.consent.flows import PurposeNotRefusable, set_consent, stored_client_address
from django_datarights.models import AuditEvent, Consent, ConsentRecord
from django_datarights.models.consent import Channel, ConsentRecordImmutable
from django_datarights.pseudonyms import pseudonym_for


def test_set_consent_writes_current_row(user, analytics):
    set_consent(user, analytics, True, channel=Channel.SETTINGS_PAGE)

    row = Consent.objects.get(user=user, purpose=analytics)
    assert row.given is True
    assert row.version == 1


def test_set_consent_appends_record(user, analytics, request_for):
    record = set_consent(user, "analytics", True, channel=Channel.SIGNUP, request=request_for(user))

    assert record.subject == pseudonym_for(user)
    assert record.version == 1
    assert record.channel == Channel.SIGNUP
    assert record.ip_address == "203.0.113.0/24"
    assert record.actor is None


def test_set_consent_records_actor(user, other_user, analytics):
    record = set_consent(user, analytics, False, channel=Channel.ADMIN, actor=other_user)

    assert record.actor == other_user


def test_set_consent_sends_signal(user, analytics):
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    signals.consent_changed.connect(receiver)
    try:
        record = set_consent(user, analytics, True, channel=Channel.API)
    finally:
        signals.consent_changed.disconnect(receiver)

    assert len(received) == 1
    assert received[0]["record"] == record
    assert received[0]["given"] is True
    assert received[0]["version"] == 1
    assert received[0]["channel"] == Channel.API


def test_set_consent_records_audit_event(user, analytics):
    record = set_consent(user, analytics, True, channel=Channel.API)

    event = AuditEvent.objects.get(action="consent.changed")
    assert event.object_ref == f"consent_record:{record.pk}"
    assert event.subject == pseudonym_for(user)
    assert event.details == {"purpose": "analytics", "version": 1, "given": True, "channel": "api"}


def test_non_refusable_cannot_be_withdrawn(user, billing):
    with pytest.raises(PurposeNotRefusable):
        set_consent(user, billing, False, channel=Channel.SETTINGS_PAGE)

    assert not ConsentRecord.objects.exists()


def test_record_update_raises(user, analytics):
    record = set_consent(user, analytics, True, channel=Channel.API)
    record.given = False

    with pytest.raises(ConsentRecordImmutable):
        record.save()

    record.refresh_from_db()
    assert record.given is True


@pytest.mark.parametrize(
    ("mode", "address", "expected"),
    [
        ("truncate", "198.51.100.23", "198.51.100.0/24"),
        ("truncate", "2001:db8:abcd:12:1:2:3:4", "2001:db8:abcd::/48"),
        ("none", "198.51.100.23", ""),
        ("truncate", "not-an-address", ""),
    ],
)
def test_client_address_modes(rf, mode, address, expected):
    with override_settings(DATARIGHTS_IP_ADDRESS_MODE=mode):
        assert stored_client_address(rf.get("/", REMOTE_ADDR=address)) == expected


def test_client_address_hash_hides_address(rf):
    with override_settings(DATARIGHTS_IP_ADDRESS_MODE="hash"):
        stored = stored_client_address(rf.get("/", REMOTE_ADDR="198.51.100.23"))

    assert stored.startswith("hmac:")
    assert "198.51.100" not in stored


def test_client_address_hash_is_stable(rf):
    with override_settings(DATARIGHTS_IP_ADDRESS_MODE="hash"):
        first = stored_client_address(rf.get("/", REMOTE_ADDR="198.51.100.23"))
        second = stored_client_address(rf.get("/", REMOTE_ADDR="198.51.100.23"))

    assert first == second
