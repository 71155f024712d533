from django.urls import reverse


def test_settings_page_requires_login(client):
    response = client.get(reverse("datarights:settings"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_settings_page_renders(client, user, password):
    client.force_login(user)
    response = client.get(reverse("datarights:settings"))
    assert response.status_code == 200
