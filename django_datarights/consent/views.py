"""Views for consent: thin wrappers over the flows in ``flows`` and ``preferences``."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from ..models import PrivacyPolicy, Purpose
from ..models.consent import Channel
from . import flows, links
from .page import HISTORY_LIMIT, recent_history
from .preferences import registered_preferences, set_preference
from .queries import consent_states

logger = logging.getLogger(__name__)

CONSENT_FIELD_PREFIX = "consent-"
PREFERENCE_FIELD_PREFIX = "pref-"


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _back_to(section: str) -> HttpResponse:
    return redirect(reverse("datarights:settings") + f"#datarights-{section}")


@require_POST
@login_required
def save_consent(request: HttpRequest) -> HttpResponse:
    """Save the consent form: one checkbox per purpose listed in the ``shown`` fields.

    Only purposes that were on the submitted form change, so a purpose published after the page
    was rendered is not answered on the user's behalf. Answers with JSON when asked for it.
    """
    shown = request.POST.getlist("shown")
    choices = {slug: request.POST.get(f"{CONSENT_FIELD_PREFIX}{slug}") == "on" for slug in shown}
    records = flows.save_choices(
        request.user, choices, channel=Channel.SETTINGS_PAGE, request=request
    )
    message = _("Your choices were saved.")
    if _wants_json(request):
        states = consent_states(request.user, request)
        # The page's script puts these rows in the history table, so it shows the new records
        # without a reload.
        history_html = render_to_string(
            "django_datarights/includes/consent_history_rows.html",
            {"history": recent_history(request.user)[:HISTORY_LIMIT]},
            request=request,
        )
        return JsonResponse(
            {
                "saved": len(records),
                "message": message,
                "given": {slug: state.given for slug, state in states.items()},
                "history_html": history_html,
            }
        )
    messages.success(request, message)
    return _back_to("consent")


@require_POST
@login_required
def save_preferences(request: HttpRequest) -> HttpResponse:
    errors = []
    for preference in registered_preferences():
        field_name = f"{PREFERENCE_FIELD_PREFIX}{preference.key}"
        if preference.is_switch:
            raw: Any = request.POST.get(field_name) == "on"
        elif field_name in request.POST:
            raw = request.POST[field_name]
        else:
            continue
        try:
            set_preference(request.user, preference.key, preference.clean(raw))
        except ValidationError as exc:
            errors.extend(exc.messages)

    message = _("Your preferences were saved.")
    if _wants_json(request):
        status = 400 if errors else 200
        return JsonResponse(
            {"message": " ".join(errors) or message, "errors": errors}, status=status
        )
    for error in errors:
        messages.error(request, error)
    if not errors:
        messages.success(request, message)
    return _back_to("preferences")


@require_POST
@login_required
def accept_policy(request: HttpRequest, policy_id: int) -> HttpResponse:
    policy = get_object_or_404(PrivacyPolicy, pk=policy_id)
    current = flows.current_policy()
    if current is None or current.pk != policy.pk:
        messages.error(
            request,
            _(
                "This version of the privacy policy is no longer current. "
                "Please review the current one."
            ),
        )
        return _back_to("policy")
    flows.accept_policy(request.user, policy, channel=Channel.SETTINGS_PAGE)
    messages.success(request, _("Thank you. You accepted the privacy policy."))
    return _back_to("policy")


def _link_error(request: HttpRequest, error: Exception) -> HttpResponse:
    expired = isinstance(error, links.ExpiredLink)
    logger.info("opt-out link rejected: %s", "expired" if expired else "invalid")
    return render(
        request,
        "django_datarights/consent/link_invalid.html",
        {"expired": expired},
        status=410 if expired else 400,
    )


def _purpose_name(slug: str) -> str:
    purpose = Purpose.objects.filter(slug=slug).only("name").first()
    return purpose.name if purpose else ""


def _withdraw_for_token(request: HttpRequest, token: links.OptOutToken, channel: str) -> None:
    # The same outcome is shown whether or not the account still exists, so a link reveals
    # nothing about the account it was sent to.
    user = get_user_model()._default_manager.filter(pk=token.user_pk).first()
    if user is None or not user.is_active:
        logger.info("opt-out link for a missing or inactive account ignored")
        return
    flows.withdraw(user, token.purpose_slug, channel=channel, request=request)


@never_cache
@require_http_methods(["GET", "POST"])
def opt_out(request: HttpRequest, token: str) -> HttpResponse:
    """Confirm (GET) and record (POST) a withdrawal from an email link, without logging in."""
    try:
        content = links.read_token(token)
    except (links.ExpiredLink, links.InvalidLink) as error:
        return _link_error(request, error)

    context = {"purpose_name": _purpose_name(content.purpose_slug), "token": token}
    if request.method == "POST":
        _withdraw_for_token(request, content, Channel.EMAIL_LINK)
        return render(request, "django_datarights/consent/opt_out_done.html", context)
    return render(request, "django_datarights/consent/opt_out_confirm.html", context)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def one_click(request: HttpRequest, token: str) -> HttpResponse:
    """RFC 8058 one-click unsubscribe: a POST from the mail client withdraws at once.

    The endpoint takes no session and no CSRF token, because the mail client has neither. A GET
    (a person or a link scanner opening the URL) goes to the confirmation page instead.
    """
    try:
        content = links.read_token(token)
    except (links.ExpiredLink, links.InvalidLink) as error:
        return _link_error(request, error)
    if request.method == "GET":
        return redirect("datarights:consent-opt-out", token=token)

    _withdraw_for_token(request, content, Channel.ONE_CLICK)
    return HttpResponse(_("You are unsubscribed."), content_type="text/plain; charset=utf-8")
