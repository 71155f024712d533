"""Logging in and the operator admin, driven through headless Chromium."""

from __future__ import annotations

import re

import pytest
from django.contrib import admin

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def datarights_admin_paths() -> list[str]:
    return [
        f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        for model in admin.site._registry
        if model._meta.app_label == "django_datarights"
    ]


def test_login_reaches_privacy_page(page, screenshot, log_in, user):
    log_in(user)

    screenshot("privacy-settings")
    assert page.get_by_role("heading", level=1).count() == 1
    assert "/accounts/login/" not in page.url


def test_anonymous_visitor_is_sent_to_login(page, screenshot, live_server):
    page.goto("/privacy/")

    screenshot("login-form")
    assert "/accounts/login/" in page.url
    assert page.get_by_role("button", name="Log in").is_visible()


def test_wrong_password_is_rejected(page, screenshot, user):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.get_username())
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()

    screenshot("login-rejected")
    assert "/accounts/login/" in page.url


def test_admin_index_lists_app(page, screenshot, log_in, admin_user):
    log_in(admin_user, next_url="/admin/")

    screenshot("admin-index")
    assert page.get_by_role("heading", name=re.compile("administration", re.I)).count() >= 1


def test_admin_changelists_open(page, screenshot, log_in, admin_user):
    paths = datarights_admin_paths()
    if not paths:
        pytest.fail("no django_datarights model is registered in the admin")
    log_in(admin_user, next_url="/admin/")

    for path in paths:
        response = page.goto(path)
        screenshot(path.strip("/").replace("/", "-"))
        assert response is not None
        assert response.status == 200, path
