"""Deletion pages: confirmation, sessions on other clients, cancelling, on-commit publishing."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from django_datarights import signals
from django_datarights.deletion import flows
from django_datarights.deletion import tasks as deletion_tasks
from django_datarights.models import DeletionRequest
from django_datarights.models.deletion import DeletionStatus
from django_datarights.reauth.state import SESSION_KEY as REAUTH_KEY
from example_project.shop.models import Address

pytestmark = pytest.mark.django_db(transaction=True)


def logged_in(user: Any, *, reauthenticated: bool = False) -> Client:
    client = Client()
    client.force_login(user)
    if reauthenticated:
        session = client.session
        session[REAUTH_KEY] = time.time()
        session.save()
    return client


def confirm(client: Client) -> Any:
    return client.post(reverse("datarights:deletion"), {"confirm": "on"})


def test_page_needs_reauthentication(user):
    client = logged_in(user)

    response = client.get(reverse("datarights:deletion"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("datarights:reauth"))


def test_page_lists_deleted_and_kept(user, fill_shop, settings):
    settings.DATARIGHTS_DELETION_GRACE_PERIOD = timedelta(days=7)
    client = logged_in(user, reauthenticated=True)

    response = client.get(reverse("datarights:deletion"))

    text = response.content.decode()
    assert response.status_code == 200
    assert "Addresses" in text
    assert "legal bookkeeping period" in text
    assert "#datarights-exports" in text
    assert "1\xa0week" in text


def test_confirm_needs_checkbox(user, settings):
    client = logged_in(user, reauthenticated=True)

    response = client.post(reverse("datarights:deletion"), {})

    assert response.status_code == 200
    assert not DeletionRequest.objects.exists()


def test_confirm_over_rate_limit_rejected(user, settings):
    settings.DATARIGHTS_DELETION_REQUESTS_PER_HOUR = 1
    client = logged_in(user, reauthenticated=True)
    client.post(reverse("datarights:deletion"), {})

    response = confirm(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("datarights:deletion")
    assert "Too many attempts" in client.get(response["Location"]).content.decode()
    assert not DeletionRequest.objects.exists()
    user.refresh_from_db()
    assert user.is_active


def test_other_session_ends_at_once(user, fill_shop, settings):
    settings.DATARIGHTS_DELETION_GRACE_PERIOD = 0
    fill_shop(user)
    client_a = logged_in(user, reauthenticated=True)
    client_b = logged_in(user)
    user_pk = user.pk

    response = confirm(client_a)
    assert response.status_code == 200

    response = client_b.get(reverse("datarights:settings"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    response = client_b.post(reverse("datarights:deletion"), {"confirm": "on"})
    assert response.status_code == 302
    assert not DeletionRequest.objects.filter(user_id=user_pk).exists()
    assert not Address.objects.filter(user_id=user_pk).exists()


def test_grace_period_ends_sessions(user, settings):
    settings.DATARIGHTS_DELETION_GRACE_PERIOD = timedelta(days=7)
    client_a = logged_in(user, reauthenticated=True)
    client_b = logged_in(user)

    confirm(client_a)

    assert client_b.get(reverse("datarights:settings")).status_code == 302
    assert client_a.get(reverse("datarights:settings")).status_code == 302
    logged_in_ids = [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()]
    assert str(user.pk) not in logged_in_ids


def test_login_refused_during_grace(user, password, settings):
    settings.DATARIGHTS_DELETION_GRACE_PERIOD = timedelta(days=7)
    flows.request_deletion(user)

    client = Client()
    response = client.post("/accounts/login/", {"username": "ingrid", "password": password})

    assert response.status_code == 200
    assert client.get(reverse("datarights:settings")).status_code == 302


def test_cancel_with_password_on_day_two(user, password, settings):
    settings.DATARIGHTS_DELETION_GRACE_PERIOD = timedelta(days=7)
    other_client = logged_in(user)
    start = timezone.now()
    with freeze_time(start):
        deletion = flows.request_deletion(user)

    with freeze_time(start + timedelta(days=2)):
        client = Client()
        response = client.post(
            reverse("datarights:deletion-cancel-login"),
            {"username": "ingrid", "password": password},
        )
        assert response.status_code == 302
        assert client.get(reverse("datarights:settings")).status_code == 200

    deletion.refresh_from_db()
    user.refresh_from_db()
    assert deletion.status == DeletionStatus.CANCELLED
    assert user.is_active
    assert other_client.get(reverse("datarights:settings")).status_code == 302


def test_cancel_with_wrong_password(user, settings):
    settings.DATARIGHTS_DELETION_GRACE_PERIOD = timedelta(days=7)
    deletion = flows.request_deletion(user)

    response = Client().post(
        reverse("datarights:deletion-cancel-login"), {"username": "ingrid", "password": "wrong"}
    )

    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    deletion.refresh_from_db()
    assert deletion.status == DeletionStatus.SCHEDULED


def test_cancel_with_password_counts_for_axes(user, password, settings):
    from axes.models import AccessAttempt

    settings.DATARIGHTS_DELETION_GRACE_PERIOD = timedelta(days=7)
    deletion = flows.request_deletion(user)
    client = Client()
    url = reverse("datarights:deletion-cancel-login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "ingrid", "password": "wrong"})

    response = client.post(url, {"username": "ingrid", "password": password})

    assert AccessAttempt.objects.filter(username="ingrid").exists()
    assert "Too many failed attempts" in response.content.decode()
    deletion.refresh_from_db()
    assert deletion.status == DeletionStatus.SCHEDULED


def test_cancel_link_get_changes_nothing(user, settings):
    settings.DATARIGHTS_DELETION_GRACE_PERIOD = timedelta(days=7)
    deletion = flows.request_deletion(user)
    url = reverse("datarights:deletion-cancel-link", args=[flows.make_cancel_token(deletion)])

    response = Client().get(url)

    assert response.status_code == 200
    deletion.refresh_from_db()
    assert deletion.status == DeletionStatus.SCHEDULED


def test_cancel_link_post_cancels(user, settings):
    settings.DATARIGHTS_DELETION_GRACE_PERIOD = timedelta(days=7)
    deletion = flows.request_deletion(user)
    url = reverse("datarights:deletion-cancel-link", args=[flows.make_cancel_token(deletion)])

    response = Client().post(url)

    assert response.status_code == 200
    deletion.refresh_from_db()
    user.refresh_from_db()
    assert deletion.status == DeletionStatus.CANCELLED
    assert user.is_active


def test_invalid_cancel_link(db):
    response = Client().get(reverse("datarights:deletion-cancel-link", args=["not-a-token"]))

    assert response.status_code == 400
    assert "not valid" in response.content.decode()


def test_settings_page_shows_failed_status(user, admin_user, settings, fill_shop):
    from django_datarights.registry import registry
    from example_project.shop.models import Invoice

    settings.DATARIGHTS_DELETION_GRACE_PERIOD = timedelta(days=1)
    fill_shop(user)
    registry.unregister(Invoice)
    deletion = flows.request_deletion(user)
    flows.expedite(deletion, operator=admin_user)
    deletion.refresh_from_db()
    assert deletion.status == DeletionStatus.FAILED
    get_user_model().objects.filter(pk=user.pk).update(is_active=True)
    client = logged_in(user)

    response = client.get(reverse("datarights:settings"))

    assert "has stopped and is not complete" in response.content.decode()


def test_task_published_after_commit(user, settings, monkeypatch):
    settings.DATARIGHTS_DELETION_GRACE_PERIOD = 0
    monkeypatch.setitem(connection.settings_dict, "ATOMIC_REQUESTS", True)
    published = []

    def record(args, **options):
        published.append(
            (
                args[0],
                connection.in_atomic_block,
                DeletionRequest.objects.filter(pk=args[0]).exists(),
            )
        )

    monkeypatch.setattr(deletion_tasks.erase, "apply_async", record)
    client = logged_in(user, reauthenticated=True)

    confirm(client)

    assert len(published) == 1
    deletion_id, in_transaction, row_exists = published[0]
    assert not in_transaction
    assert row_exists


def test_rolled_back_request_publishes_nothing(user, settings, monkeypatch):
    settings.DATARIGHTS_DELETION_GRACE_PERIOD = 0
    monkeypatch.setitem(connection.settings_dict, "ATOMIC_REQUESTS", True)
    published = []
    monkeypatch.setattr(
        deletion_tasks.erase, "apply_async", lambda args, **options: published.append(args)
    )

    def fail(**kwargs):
        raise RuntimeError("forced after the request row was created")

    signals.deletion_requested.connect(fail, weak=False)
    client = logged_in(user, reauthenticated=True)
    try:
        with pytest.raises(RuntimeError):
            confirm(client)
    finally:
        signals.deletion_requested.disconnect(fail)

    assert published == []
    assert not DeletionRequest.objects.exists()
    user.refresh_from_db()
    assert user.is_active


def test_rolled_back_cancel_keeps_schedule(user, settings, monkeypatch):
    settings.DATARIGHTS_DELETION_GRACE_PERIOD = timedelta(days=7)
    monkeypatch.setitem(connection.settings_dict, "ATOMIC_REQUESTS", True)
    deletion = flows.request_deletion(user)
    url = reverse("datarights:deletion-cancel-link", args=[flows.make_cancel_token(deletion)])

    def fail(**kwargs):
        raise RuntimeError("forced after the cancellation was written")

    signals.deletion_cancelled.connect(fail, weak=False)
    try:
        with pytest.raises(RuntimeError):
            Client().post(url)
    finally:
        signals.deletion_cancelled.disconnect(fail)

    deletion.refresh_from_db()
    user.refresh_from_db()
    assert deletion.status == DeletionStatus.SCHEDULED
    assert not user.is_active


def test_pages_lead_back_to_settings(user):
    settings_url = reverse("datarights:settings")
    reauth_page = logged_in(user).get(reverse("datarights:reauth")).content.decode()
    confirm_page = (
        logged_in(user, reauthenticated=True).get(reverse("datarights:deletion")).content.decode()
    )

    assert f'<a href="{settings_url}">Cancel and go back to privacy settings</a>' in reauth_page
    assert f'<a href="{settings_url}">Keep my account and go back to privacy settings</a>' in (
        confirm_page
    )
