"""View decorator that sends the user through re-authentication first."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from .state import is_reauthenticated


def reauth_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Require a logged-in user who re-authenticated within the window.

    A GET is redirected to the re-authentication page, which comes back to the same path. A POST
    is redirected too, and the form must be sent again, so nothing is done on a stale proof.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_reauthenticated(request):
            target = (
                reverse("datarights:reauth") + "?" + urlencode({"next": request.get_full_path()})
            )
            return HttpResponseRedirect(target)
        return view(request, *args, **kwargs)

    return wrapper
