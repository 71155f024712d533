"""Signed opt-out links and RFC 8058 one-click unsubscribe."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time

from django_datarights.consent.flows import set_consent
from django_datarights.consent.links import (
    ExpiredLink,
    InvalidLink,
    list_unsubscribe_headers,
    make_token,
    one_click_url,
    opt_out_url,
    read_token,
)
from django_datarights.consent.queries import has_consent
from django_datarights.models import ConsentRecord
from django_datarights.models.consent import Channel


@pytest.fixture
def subscribed(user, newsletter):
    set_consent(user, newsletter, True, channel=Channel.SIGNUP)
    return user


def _path(url):
    return urlsplit(url).path


def _without_tokens(content, *tokens):
    """Return the page text without the link token and the per-page CSRF token."""
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", content.decode())
    for token in tokens:
        text = text.replace(token, "")
    return text


def test_token_round_trip(user):
    content = read_token(make_token(user, "newsletter"))

    assert content.user_pk == user.pk
    assert content.purpose_slug == "newsletter"


def test_token_holds_no_email(user):
    assert "example.invalid" not in make_token(user, "newsletter")


def test_tampered_token_invalid(user):
    token = make_token(user, "newsletter")

    with pytest.raises(InvalidLink):
        read_token(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))


def test_old_token_expired(user, settings):
    settings.DATARIGHTS_OPT_OUT_LINK_MAX_AGE = timedelta(days=60)
    with freeze_time("2026-01-01 12:00:00"):
        token = make_token(user, "newsletter")

    with freeze_time("2026-03-15 12:00:00"), pytest.raises(ExpiredLink):
        read_token(token)


def test_opt_out_url_is_absolute(user, settings):
    settings.DATARIGHTS_BASE_URL = "https://shop.example.invalid"

    assert opt_out_url(user, "newsletter").startswith(
        "https://shop.example.invalid/privacy/consent/opt-out/"
    )


def test_opt_out_get_changes_nothing(subscribed):
    response = Client().get(_path(opt_out_url(subscribed, "newsletter")))

    assert response.status_code == 200
    assert has_consent(subscribed, "newsletter") is True


def test_opt_out_post_withdraws(subscribed):
    client = Client(enforce_csrf_checks=True)
    url = _path(opt_out_url(subscribed, "newsletter"))
    page = client.get(url)

    response = client.post(url, {"csrfmiddlewaretoken": page.context["csrf_token"]})

    assert response.status_code == 200
    assert has_consent(subscribed, "newsletter") is False
    assert ConsentRecord.objects.filter(user=subscribed).first().channel == Channel.EMAIL_LINK


def test_opt_out_repeat_writes_once(subscribed):
    url = _path(opt_out_url(subscribed, "newsletter"))
    Client().post(url)
    Client().post(url)

    assert ConsentRecord.objects.filter(user=subscribed, given=False).count() == 1


def test_opt_out_expired_is_410(subscribed, settings):
    with freeze_time("2026-01-01 12:00:00"):
        url = _path(opt_out_url(subscribed, "newsletter"))

    with freeze_time("2026-06-01 12:00:00"):
        response = Client().get(url)

    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_opt_out_tampered_is_400(subscribed):
    response = Client().get(
        reverse("datarights:consent-opt-out", args=["bm90IGEgdG9rZW4:1abc:xyz"])
    )

    assert response.status_code == 400


def test_opt_out_deleted_user_same_page(user, newsletter):
    url = _path(opt_out_url(user, "newsletter"))
    known = Client().post(url)
    user.delete()

    unknown = Client().post(url)

    assert unknown.status_code == known.status_code == 200
    assert unknown.content == known.content


def test_opt_out_unknown_user_same_page(subscribed):
    token = make_token(987654, "newsletter")
    known_url = _path(opt_out_url(subscribed, "newsletter"))
    known_token = known_url.rstrip("/").rsplit("/", 1)[1]

    unknown = Client().get(reverse("datarights:consent-opt-out", args=[token]))
    known = Client().get(known_url)

    assert unknown.status_code == known.status_code == 200
    assert _without_tokens(unknown.content, token) == _without_tokens(known.content, known_token)


def test_headers_follow_rfc_8058(user, settings):
    settings.DATARIGHTS_BASE_URL = "https://shop.example.invalid"

    headers = list_unsubscribe_headers(user, "newsletter")

    assert headers["List-Unsubscribe"].startswith(
        "<https://shop.example.invalid/privacy/consent/unsubscribe/"
    )
    assert headers["List-Unsubscribe"].endswith(">")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_one_click_needs_no_csrf(subscribed):
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        _path(one_click_url(subscribed, "newsletter")), {"List-Unsubscribe": "One-Click"}
    )

    assert response.status_code == 200
    assert has_consent(subscribed, "newsletter") is False
    assert ConsentRecord.objects.filter(user=subscribed).first().channel == Channel.ONE_CLICK


def test_one_click_unknown_user_same_answer(subscribed):
    client = Client(enforce_csrf_checks=True)
    known = client.post(
        _path(one_click_url(subscribed, "newsletter")), {"List-Unsubscribe": "One-Click"}
    )
    unknown = client.post(
        reverse("datarights:consent-one-click", args=[make_token(987654, "newsletter")]),
        {"List-Unsubscribe": "One-Click"},
    )

    assert unknown.status_code == known.status_code == 200
    assert unknown.content == known.content


def test_one_click_bad_signature_is_400(db):
    response = Client(enforce_csrf_checks=True).post(
        reverse("datarights:consent-one-click", args=["bm90IGEgdG9rZW4:1abc:xyz"]),
        {"List-Unsubscribe": "One-Click"},
    )

    assert response.status_code == 400


def test_one_click_get_confirms_first(subscribed):
    response = Client().get(_path(one_click_url(subscribed, "newsletter")))

    assert response.status_code == 302
    assert has_consent(subscribed, "newsletter") is True


def test_non_refusable_link_changes_nothing(user, billing):
    response = Client().post(_path(opt_out_url(user, "billing")))

    assert response.status_code == 200
    assert has_consent(user, "billing") is True
    assert not ConsentRecord.objects.exists()
