"""Preferences that host apps register, stored per user and shown on the page."""

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.urls import reverse

from django_datarights.consent.preferences import get_preference, set_preference

VISIBILITY = [("public", "Everyone"), ("members", "Members"), ("private", "Only you")]


def test_unset_preference_returns_default(user, preference_keys):
    preference_keys("visibility", "Who can see your profile", choices=VISIBILITY, default="members")

    assert get_preference(user, "visibility") == "members"


def test_set_preference_is_returned(user, preference_keys):
    preference_keys("visibility", "Who can see your profile", choices=VISIBILITY, default="members")

    set_preference(user, "visibility", "private")

    assert get_preference(user, "visibility") == "private"


def test_invalid_choice_raises(user, preference_keys):
    preference_keys("visibility", "Who can see your profile", choices=VISIBILITY, default="members")

    with pytest.raises(ValidationError):
        set_preference(user, "visibility", "everyone-and-their-dog")


def test_switch_default_must_be_bool(preference_keys):
    with pytest.raises(ImproperlyConfigured):
        preference_keys("read-receipts", "Send read receipts", default="yes")


def test_unknown_preference_raises(user):
    with pytest.raises(LookupError):
        get_preference(user, "not-registered")


def test_page_shows_radio_group(client, user, preference_keys):
    preference_keys("visibility", "Who can see your profile", choices=VISIBILITY, default="members")
    client.force_login(user)

    html = client.get("/privacy/").content.decode()

    assert "<legend>Who can see your profile</legend>" in html
    assert (
        'type="radio" id="datarights-pref-visibility-2" name="pref-visibility" '
        'value="members" checked'
        in html
    )


def test_page_form_saves_preferences(client, user, preference_keys):
    preference_keys("visibility", "Who can see your profile", choices=VISIBILITY, default="members")
    preference_keys("read-receipts", "Send read receipts", default=True)
    client.force_login(user)

    response = client.post(
        reverse("datarights:consent-preferences"), {"pref-visibility": "private"}
    )

    assert response.status_code == 302
    assert get_preference(user, "visibility") == "private"
    assert get_preference(user, "read-receipts") is False


def test_page_form_rejects_bad_choice(client, user, preference_keys):
    preference_keys("visibility", "Who can see your profile", choices=VISIBILITY, default="members")
    client.force_login(user)

    response = client.post(
        reverse("datarights:consent-preferences"),
        {"pref-visibility": "nobody"},
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 400
    assert get_preference(user, "visibility") == "members"
