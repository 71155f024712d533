"""``consent_required``: run a view only for users who consented to a purpose."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .queries import consent_states, has_consent


def consent_required(
    purpose_slug: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate a view so it runs only when ``purpose_slug`` applies to the user.

    Anonymous users are sent to the login page. A logged-in user without consent is
    redirected to the consent section of the privacy settings page, with a message that names
    the purpose, rather than shown a bare 403, so they can switch it on and come back.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if has_consent(request.user, purpose_slug, request):
                return view(request, *args, **kwargs)
            state = consent_states(request.user, request).get(purpose_slug)
            name = state.name if state else purpose_slug
            messages.info(
                request,
                _("This page needs your consent to “%(purpose)s”. You can give it below.")
                % {"purpose": name},
            )
            return redirect("datarights:settings")

        return wrapped

    return decorator
