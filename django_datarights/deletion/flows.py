"""Deletion flows: request, cancel, expedite, legal hold and retry.

Views, admin actions, tasks and the management command call these functions, so each change
sends the same signals and audit events whichever way it is started. The erasure itself lives
in ``engine``.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import signals
from ..adapter import get_adapter
from ..audit import ActorKind, record_event
from ..conf import app_settings
from ..emails import send_templated_email
from ..models import DeletionRequest
from ..models.deletion import OPEN, DeletionStatus
from ..pseudonyms import pseudonym_for
from .sessions import end_sessions_for

logger = logging.getLogger(__name__)

CANCEL_TOKEN_SALT = "django_datarights.deletion.cancel"  # noqa: S105  # nosec B105 - a salt, not a secret


class DeletionError(Exception):
    """A deletion flow cannot do what was requested; the message is shown to the person."""


def open_request_for(user: Any) -> DeletionRequest | None:
    """Return the user's scheduled, running or failed deletion request, if there is one."""
    return (
        DeletionRequest.objects.filter(user=user, status__in=OPEN).order_by("-created_at").first()
    )


def request_deletion(
    user: Any, *, operator: Any = None, by_operator: bool = False, publish: bool = True
) -> DeletionRequest:
    """Create a deletion request for ``user`` and start the grace period.

    The account is deactivated and every session ends at once. During a grace period the user
    gets an email with the erasure date and a signed cancel link. Without one, the erasure task
    is published when the transaction commits. A user with an open request gets it back
    unchanged. ``by_operator`` marks a request made outside the site (a management command)
    when there is no operator account to name. ``publish=False`` makes the request due at once
    and publishes nothing, for a caller that runs the engine itself.
    """
    grace = app_settings.DELETION_GRACE_PERIOD if publish else timedelta(0)
    by_operator = by_operator or operator is not None
    with transaction.atomic():
        user = get_user_model()._default_manager.select_for_update().get(pk=user.pk)
        existing = open_request_for(user)
        if existing is not None:
            return existing
        now = timezone.now()
        deletion = DeletionRequest.objects.create(
            user=user,
            subject=pseudonym_for(user),
            requested_by=operator,
            requested_by_operator=by_operator,
            due_at=now + grace,
        )
        if user.is_active:
            user.is_active = False
            user.save(update_fields=["is_active"])
        end_sessions_for(user)
        record_event(
            "deletion.requested",
            subject=user,
            actor=operator if by_operator else user,
            actor_kind=ActorKind.OPERATOR if by_operator else ActorKind.USER,
            object_ref=deletion.pk,
            details={"due_at": deletion.due_at.isoformat(), "grace_seconds": grace.total_seconds()},
        )
        signals.deletion_requested.send(
            sender=DeletionRequest, deletion=deletion, operator=operator
        )
        if grace.total_seconds() > 0:
            address = get_adapter().get_email(user)
            transaction.on_commit(lambda: _send_requested_email(deletion, address))
        elif publish:
            publish_erasure(deletion)
    logger.info("deletion %s requested, due %s", deletion.pk, deletion.due_at.isoformat())
    return deletion


def cancel_deletion(deletion: DeletionRequest, *, operator: Any = None) -> DeletionRequest:
    """Cancel a scheduled deletion and reactivate the account.

    Every session ends, so a session that was open somewhere else does not come back with the
    account. Raises ``DeletionError`` once the erasure has started.
    """
    with transaction.atomic():
        locked = DeletionRequest.objects.select_for_update().get(pk=deletion.pk)
        if locked.status != DeletionStatus.SCHEDULED or locked.user_id is None:
            raise DeletionError(_("This deletion can no longer be cancelled."))
        locked.status = DeletionStatus.CANCELLED
        locked.cancelled_at = timezone.now()
        locked.save(update_fields=["status", "cancelled_at"])
        user = get_user_model()._default_manager.select_for_update().get(pk=locked.user_id)
        user.is_active = True
        user.save(update_fields=["is_active"])
        end_sessions_for(user)
        record_event(
            "deletion.cancelled",
            subject=user,
            actor=operator or user,
            actor_kind=ActorKind.OPERATOR if operator is not None else ActorKind.USER,
            object_ref=locked.pk,
        )
        signals.deletion_cancelled.send(
            sender=DeletionRequest, deletion=locked, by_operator=operator is not None
        )
    logger.info("deletion %s cancelled", locked.pk)
    return locked


def expedite(deletion: DeletionRequest, *, operator: Any) -> DeletionRequest:
    """Make a scheduled deletion due now and publish the erasure (operators only)."""
    with transaction.atomic():
        locked = DeletionRequest.objects.select_for_update().get(pk=deletion.pk)
        if locked.status != DeletionStatus.SCHEDULED:
            raise DeletionError(_("Only a scheduled deletion can be expedited."))
        locked.due_at = timezone.now()
        locked.save(update_fields=["due_at"])
        _record_operator_event("deletion.expedited", locked, operator)
        if not locked.legal_hold:
            publish_erasure(locked)
    return locked


def place_legal_hold(
    deletion: DeletionRequest, *, operator: Any, reason: str = ""
) -> DeletionRequest:
    """Stop the erasure until the hold is released; a running erasure stops at its next batch."""
    with transaction.atomic():
        locked = DeletionRequest.objects.select_for_update().get(pk=deletion.pk)
        if locked.status not in OPEN:
            raise DeletionError(_("A finished or cancelled deletion cannot be held."))
        locked.legal_hold = True
        locked.legal_hold_reason = reason
        locked.save(update_fields=["legal_hold", "legal_hold_reason"])
        _record_operator_event("deletion.hold_placed", locked, operator)
    return locked


def release_legal_hold(deletion: DeletionRequest, *, operator: Any) -> DeletionRequest:
    """Release the hold; a due erasure is published again."""
    with transaction.atomic():
        locked = DeletionRequest.objects.select_for_update().get(pk=deletion.pk)
        if not locked.legal_hold:
            raise DeletionError(_("This deletion is not on legal hold."))
        locked.legal_hold = False
        locked.legal_hold_reason = ""
        locked.save(update_fields=["legal_hold", "legal_hold_reason"])
        _record_operator_event("deletion.hold_released", locked, operator)
        if locked.status in (DeletionStatus.SCHEDULED, DeletionStatus.RUNNING) and (
            locked.due_at <= timezone.now()
        ):
            publish_erasure(locked)
    return locked


def retry(deletion: DeletionRequest, *, operator: Any) -> DeletionRequest:
    """Start a failed erasure again; it resumes from the progress already recorded."""
    with transaction.atomic():
        locked = DeletionRequest.objects.select_for_update().get(pk=deletion.pk)
        if locked.status != DeletionStatus.FAILED:
            raise DeletionError(_("Only a failed deletion can be retried."))
        locked.status = DeletionStatus.RUNNING
        locked.error = ""
        locked.save(update_fields=["status", "error"])
        _record_operator_event("deletion.retried", locked, operator)
        if not locked.legal_hold:
            publish_erasure(locked)
    return locked


def publish_erasure(deletion: DeletionRequest) -> None:
    """Publish the erasure task once the current transaction commits."""
    from .tasks import erase

    deletion_id = str(deletion.pk)
    options: dict[str, Any] = {}
    if app_settings.CELERY_QUEUE:
        options["queue"] = app_settings.CELERY_QUEUE
    transaction.on_commit(lambda: erase.apply_async(args=(deletion_id,), **options))


# --- Cancel links -----------------------------------------------------------------------------


def make_cancel_token(deletion: DeletionRequest) -> str:
    """Return a signed token that carries the request id and nothing else."""
    return signing.dumps(str(deletion.pk), salt=CANCEL_TOKEN_SALT, compress=False)


def deletion_for_cancel_token(token: str) -> DeletionRequest:
    """Return the request a cancel token names.

    Raises ``DeletionError`` when the token is invalid or older than ``CANCEL_LINK_MAX_AGE``.
    """
    try:
        raw = signing.loads(token, salt=CANCEL_TOKEN_SALT, max_age=app_settings.CANCEL_LINK_MAX_AGE)
        deletion_id = UUID(str(raw))
    except signing.SignatureExpired:
        raise DeletionError(_("This cancel link has expired.")) from None
    except (signing.BadSignature, ValueError):
        raise DeletionError(_("This cancel link is not valid.")) from None
    try:
        return DeletionRequest.objects.get(pk=deletion_id)
    except DeletionRequest.DoesNotExist:
        raise DeletionError(_("This cancel link is not valid.")) from None


def cancel_url(deletion: DeletionRequest) -> str:
    path = reverse("datarights:deletion-cancel-link", args=[make_cancel_token(deletion)])
    return get_adapter().build_absolute_url(path)


def _send_requested_email(deletion: DeletionRequest, address: str) -> None:
    send_templated_email(
        "deletion_requested",
        address,
        {
            "due_at": deletion.due_at,
            "cancel_url": cancel_url(deletion),
            "cancel_login_url": get_adapter().build_absolute_url(
                reverse("datarights:deletion-cancel-login")
            ),
        },
        event="deletion_requested",
    )


def _record_operator_event(action: str, deletion: DeletionRequest, operator: Any) -> None:
    record_event(
        action,
        subject=deletion.user_id,
        actor=operator,
        actor_kind=ActorKind.OPERATOR,
        object_ref=deletion.pk,
    )
    logger.info("deletion %s: %s", deletion.pk, action)
