"""Every URL of the app, walked as a table: login, ownership, CSRF, malformed input, ``next``.

``ROUTES`` lists each URL name of ``django_datarights.urls`` with what it accepts. A new URL
without a row fails ``test_table_covers_every_url``, so each new view gets these checks.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse

import django_datarights.urls
from django_datarights.models import (
    AuditEvent,
    ConsentRecord,
    DeletionRequest,
    ExportRequest,
    PrivacyPolicyAcceptance,
    UserPreference,
)
from django_datarights.reauth.state import SESSION_KEY

FOREIGN_NEXT_VALUES = [
    "https://elsewhere.example.invalid/",
    "//elsewhere.example.invalid/",
    "/\\elsewhere.example.invalid/",
    "javascript:alert(1)",
]
MALFORMED_POST = {
    "shown": ["x" * 5000, "\x00", "../../etc"],
    "consent_newsletter": "maybe",
    "password": "p" * 10_000,
    "otp_token": "' OR 1=1 --",
    "next": "https://elsewhere.example.invalid/",
    "email": "not-an-address",
}


@dataclass(frozen=True)
class Route:
    methods: tuple[str, ...]
    login: bool = True
    # Token routes are public by design: the signed token is the credential.
    token: bool = False
    # The id in the URL names an object that belongs to one user.
    owned: bool = False
    csrf_exempt: bool = False
    # A POST that acts without reading the body (the export request button).
    ignores_body: bool = False
    kwargs: dict[str, Any] = field(default_factory=dict)


ROUTES: dict[str, Route] = {
    "settings": Route(("GET",)),
    "reauth": Route(("GET", "POST")),
    "consent-save": Route(("POST",)),
    "consent-preferences": Route(("POST",)),
    "consent-accept-policy": Route(("POST",), kwargs={"policy_id": 999_999}),
    "consent-opt-out": Route(("GET", "POST"), login=False, token=True),
    # RFC 8058 one-click unsubscribe: mail providers POST without a CSRF token.
    "consent-one-click": Route(("GET", "POST"), login=False, token=True, csrf_exempt=True),
    "export-request": Route(("POST",), ignores_body=True),
    "export-status": Route(("GET",), owned=True),
    "export-download": Route(("GET",), owned=True),
    "export-file": Route(("GET",), owned=True),
    "deletion": Route(("GET", "POST")),
    "deletion-cancel-login": Route(("GET", "POST"), login=False),
    "deletion-cancel-link": Route(("GET", "POST"), login=False, token=True),
}


def url_names(patterns: list[Any]) -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            names |= url_names(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(pattern.name)
    return names


def url_for(name: str, route: Route, export: ExportRequest | None = None) -> str:
    kwargs = dict(route.kwargs)
    if route.token:
        kwargs["token"] = "not-a-signed-token"
    if route.owned:
        kwargs["export_id"] = export.pk if export is not None else uuid.uuid4()
    return reverse(f"datarights:{name}", kwargs=kwargs)


def cases(predicate: Any) -> list[Any]:
    return [
        pytest.param(name, method, id=f"{name}-{method}")
        for name, route in ROUTES.items()
        for method in route.methods
        if predicate(route, method)
    ]


def row_counts() -> dict[str, int]:
    models = [
        AuditEvent,
        ConsentRecord,
        DeletionRequest,
        ExportRequest,
        PrivacyPolicyAcceptance,
        UserPreference,
    ]
    return {model.__name__: model.objects.count() for model in models}


def sudo(client: Client, user: Any) -> Client:
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = time.time()
    session.save()
    return client


def send(client: Client, method: str, url: str, data: dict[str, Any] | None = None) -> Any:
    if method == "GET":
        return client.get(url, data or {})
    return client.post(url, data or {})


def is_same_site(location: str) -> bool:
    parts = urlsplit(location)
    return (
        parts.scheme in ("", "http", "https")
        and parts.netloc in ("", "testserver")
        and location.startswith("/")
        and not location.startswith(("//", "/\\"))
    )


@pytest.fixture
def export(user: Any) -> ExportRequest:
    return ExportRequest.objects.create(user=user)


def test_table_covers_every_url() -> None:
    assert url_names(django_datarights.urls.urlpatterns) == set(ROUTES)


@pytest.mark.parametrize(("name", "method"), cases(lambda route, method: route.login))
def test_anonymous_sent_to_login(client: Client, db: Any, name: str, method: str) -> None:
    before = row_counts()

    response = send(client, method, url_for(name, ROUTES[name]))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert row_counts() == before


@pytest.mark.parametrize(("name", "method"), cases(lambda route, method: route.token))
def test_bad_token_rejected(client: Client, db: Any, name: str, method: str) -> None:
    before = row_counts()

    response = send(client, method, url_for(name, ROUTES[name]))

    assert response.status_code in (400, 404, 410)
    assert row_counts() == before


@pytest.mark.parametrize(("name", "method"), cases(lambda route, method: route.owned))
def test_other_users_id_is_404(
    client: Client, other_user: Any, export: ExportRequest, name: str, method: str
) -> None:
    sudo(client, other_user)

    response = send(client, method, url_for(name, ROUTES[name], export))

    assert response.status_code == 404


@pytest.mark.parametrize(("name", "method"), cases(lambda route, method: route.owned))
def test_unknown_id_is_404(client: Client, user: Any, name: str, method: str) -> None:
    sudo(client, user)

    response = send(client, method, url_for(name, ROUTES[name]))

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("name", "method"),
    cases(lambda route, method: method == "POST" and not route.csrf_exempt),
)
def test_post_without_csrf_rejected(user: Any, name: str, method: str) -> None:
    client = sudo(Client(enforce_csrf_checks=True), user)
    before = row_counts()

    response = client.post(url_for(name, ROUTES[name]), {})

    assert response.status_code == 403
    assert row_counts() == before


@pytest.mark.parametrize(
    ("name", "method"),
    cases(lambda route, method: method == "POST" and not route.ignores_body),
)
def test_malformed_post_changes_nothing(client: Client, user: Any, name: str, method: str) -> None:
    sudo(client, user)
    before = row_counts()

    response = client.post(url_for(name, ROUTES[name]), MALFORMED_POST)

    assert response.status_code < 500
    assert row_counts() == before


@pytest.mark.parametrize(
    ("name", "method"),
    cases(lambda route, method: method == "POST" and not route.ignores_body),
)
def test_oversized_post_changes_nothing(client: Client, user: Any, name: str, method: str) -> None:
    sudo(client, user)
    before = row_counts()

    # Larger than Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB by default): a view that reads
    # the body gets a 400 from Django, one that does not (an unknown policy id) its own 4xx.
    response = client.post(url_for(name, ROUTES[name]), {"shown": "x" * (3 * 1024 * 1024)})

    assert response.status_code < 500
    assert row_counts() == before


@pytest.mark.parametrize(("name", "method"), cases(lambda route, method: True))
@pytest.mark.parametrize("target", FOREIGN_NEXT_VALUES)
def test_foreign_next_not_followed(
    client: Client, user: Any, name: str, method: str, target: str
) -> None:
    sudo(client, user)
    url = url_for(name, ROUTES[name]) + "?" + "next=" + target

    response = send(client, method, url, {"next": target})

    if response.status_code in (301, 302, 303, 307, 308):
        assert is_same_site(response["Location"]), response["Location"]
    assert target not in response.content.decode()
