"""The activity section: the user's own part of the audit trail on the settings page."""

from __future__ import annotations

from typing import Any

from django.test import Client

from django_datarights.audit import ActorKind, record_event
from django_datarights.audit.page import section_context


def entries_for(client: Client) -> list[dict[str, Any]]:
    return client.get("/privacy/").context["activity"]["entries"]


def test_section_on_settings_page(client: Client, user: Any) -> None:
    record_event("export.requested", subject=user, actor=user)
    client.force_login(user)

    response = client.get("/privacy/")

    assert response.status_code == 200
    assert 'id="datarights-activity"' in response.content.decode()
    assert "Data export requested" in response.content.decode()


def test_newest_first(client: Client, user: Any) -> None:
    record_event(
        "consent.changed", subject=user, actor=user, details={"purpose": "news", "given": True}
    )
    record_event(
        "consent.changed", subject=user, actor=user, details={"purpose": "news", "given": False}
    )
    client.force_login(user)

    labels = [str(entry["label"]) for entry in entries_for(client)]

    assert labels == ["Consent withdrawn: news", "Consent given: news"]


def test_only_own_events(client: Client, user: Any, other_user: Any) -> None:
    record_event("export.requested", subject=other_user, actor=other_user)
    client.force_login(user)

    assert entries_for(client) == []


def test_operator_named(client: Client, user: Any, other_user: Any) -> None:
    record_event("admin.viewed", subject=user, actor=other_user, actor_kind=ActorKind.OPERATOR)
    record_event("export.requested", subject=user, actor=other_user, actor_kind=ActorKind.OPERATOR)
    record_event("export.downloaded", subject=user, actor=user)
    record_event("export.expired", subject=user)
    client.force_login(user)

    by = [str(entry["by"]) for entry in entries_for(client)]

    assert by == ["the site, automatically", "you", "an operator", "an operator"]


def test_unknown_action_shown(client: Client, user: Any) -> None:
    record_event("shop.loyalty_reset", subject=user)
    client.force_login(user)

    assert entries_for(client)[0]["label"] == "shop.loyalty_reset"


def test_list_bounded(rf: Any, user: Any, settings: Any) -> None:
    settings.DATARIGHTS_ACTIVITY_MAX_EVENTS = 3
    for _event in range(5):
        record_event("export.requested", subject=user, actor=user)
    request = rf.get("/privacy/")
    request.user = user

    context = section_context(request)

    assert len(context["entries"]) == 3
    assert context["truncated"] is True


def test_no_pseudonyms_shown(client: Client, user: Any) -> None:
    event = record_event("export.requested", subject=user, actor=user)
    client.force_login(user)

    html = client.get("/privacy/").content.decode()

    assert event.subject not in html
    assert event.hash not in html
