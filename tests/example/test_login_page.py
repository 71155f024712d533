"""The example project's login page points people with a pending deletion to the cancel page."""

from django.urls import reverse


def test_login_page_links_cancel_page(client, db):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert reverse("datarights:deletion-cancel-login") in response.content.decode()
