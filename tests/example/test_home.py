from django.contrib.auth import get_user_model
from django.urls import reverse


def test_home_anonymous_shows_login(client, db):
    response = client.get(reverse("shop:home"))

    assert response.status_code == 200
    assert reverse("login").encode() in response.content
    assert reverse("datarights:settings").encode() not in response.content


def test_home_shows_own_orders(client, seeded):
    alice = get_user_model().objects.get(username="alice")
    client.force_login(alice)

    response = client.get(reverse("shop:home"))

    assert response.status_code == 200
    for order in alice.orders.all():
        assert order.number.encode() in response.content


def test_home_hides_other_orders(client, seeded):
    alice = get_user_model().objects.get(username="alice")
    bob = get_user_model().objects.get(username="bob")
    client.force_login(alice)

    response = client.get(reverse("shop:home"))

    for order in bob.orders.all():
        assert order.number.encode() not in response.content


def test_home_shows_own_messages(client, seeded):
    client.force_login(get_user_model().objects.get(username="bob"))

    response = client.get(reverse("shop:home"))

    assert b"Missing item" in response.content
    assert b"Parcel arrived damaged" not in response.content


def test_home_links_privacy_and_logout(client, seeded):
    client.force_login(get_user_model().objects.get(username="alice"))

    response = client.get(reverse("shop:home"))

    assert reverse("datarights:settings").encode() in response.content
    assert f'action="{reverse("logout")}"'.encode() in response.content


def test_home_without_data(client, user):
    client.force_login(user)

    response = client.get(reverse("shop:home"))

    assert b"You have no orders." in response.content


def test_home_has_no_inline_script(client, seeded):
    client.force_login(get_user_model().objects.get(username="alice"))

    content = client.get(reverse("shop:home")).content.decode()

    assert "<script>" not in content
    assert "style=" not in content
    assert "<style" not in content
