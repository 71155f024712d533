"""The default layout's header links back to the host site."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string


def render_page() -> str:
    return render_to_string("django_datarights/export/unavailable.html", {"gone": True})


def test_header_links_home_by_default(settings):
    settings.DATARIGHTS_SITE_NAME = "Example Shop"
    html = render_page()
    assert '<header class="datarights-header"><a href="/">Back to Example Shop</a></header>' in html


@pytest.mark.parametrize(
    ("home", "expected"),
    [
        ("/shop/", "/shop/"),
        ("https://shop.example.com/", "https://shop.example.com/"),
        ("datarights:settings", "/privacy/"),
    ],
)
def test_header_follows_home_url(settings, home, expected):
    settings.DATARIGHTS_HOME_URL = home
    assert f'<header class="datarights-header"><a href="{expected}">' in render_page()
