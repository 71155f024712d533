"""Security headers of the example project."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class ContentSecurityPolicyMiddleware:
    """Add ``EXAMPLE_CONTENT_SECURITY_POLICY`` as the ``Content-Security-Policy`` header.

    A view that sets its own header keeps it. The app's templates use no inline script or
    style, so the policy needs neither ``'unsafe-inline'`` nor nonces.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = getattr(settings, "EXAMPLE_CONTENT_SECURITY_POLICY", "")
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response
