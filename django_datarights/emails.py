"""Emails to users, rendered from overridable subject, text and HTML templates."""

from __future__ import annotations

import logging
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string

from .conf import app_settings

logger = logging.getLogger(__name__)


def send_templated_email(
    template_prefix: str,
    recipient: str,
    context: dict[str, Any],
    *,
    headers: dict[str, str] | None = None,
    event: str = "",
) -> bool:
    """Send ``<prefix>_subject.txt``, ``<prefix>.txt`` and optional ``<prefix>.html``.

    ``template_prefix`` is relative to ``django_datarights/email/``. Returns False, and logs the
    event name (never the address), when there is no address to send to or sending fails.
    """
    if not recipient:
        logger.warning("email %s not sent: the user has no email address", event or template_prefix)
        return False
    context = {"site_name": app_settings.SITE_NAME, "base_url": app_settings.BASE_URL, **context}
    base = f"django_datarights/email/{template_prefix}"
    subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
    body = render_to_string(f"{base}.txt", context)
    message = EmailMultiAlternatives(
        subject=subject, body=body, to=[recipient], headers=headers or {}
    )
    try:
        message.attach_alternative(render_to_string(f"{base}.html", context), "text/html")
    except TemplateDoesNotExist:
        pass
    try:
        message.send()
    except Exception:
        logger.exception("email %s failed to send", event or template_prefix)
        return False
    logger.info("email %s sent", event or template_prefix)
    return True
