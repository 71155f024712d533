"""The datasets an erasure deletes or keeps, from the registry, for the page and the emails."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from ..conf import app_settings
from ..models import AuditEvent, ConsentRecord, DeletionRequest
from ..registry import PersonalData, registry

AUDIT_REASON = _(
    "Kept as the record of the privacy actions taken, including this deletion. It refers to "
    "you only by a code that cannot be traced back to you once your account is gone."
)
CONSENT_REASON = _(
    "Kept as proof of the consent choices made, without your name or network address."
)
REQUEST_REASON = _("Proof that the erasure was requested and carried out, without your name.")


@dataclass(frozen=True)
class DatasetSummary:
    """One registered dataset as shown to the person: its category and what erasure does to it."""

    label: str
    category: str
    description: str
    kept: bool
    reason: str


def erasure_summary() -> list[DatasetSummary]:
    """Return every registered dataset in erasure order with the action erasure takes.

    The account itself comes first, listed even when the user model is not registered. The
    models the engine treats in its own way (audit events, consent history, deletion requests)
    are described by what the engine does, not by their declaration.
    """
    user_model = get_user_model()
    items = []
    if not registry.is_registered(user_model):
        items.append(
            DatasetSummary(
                label=user_model._meta.label,
                category=str(_("Your account")),
                description=str(_("Username, email address, name and password.")),
                kept=False,
                reason="",
            )
        )
    declarations = registry.in_erasure_order()
    declarations.sort(key=lambda declaration: declaration.model is not user_model)
    for declaration in declarations:
        kept, reason = _treatment(declaration)
        items.append(
            DatasetSummary(
                label=declaration.label(),
                category=declaration.display_category(),
                description=str(declaration.description or ""),
                kept=kept,
                reason=reason,
            )
        )
    return items


def _treatment(declaration: type[PersonalData]) -> tuple[bool, str]:
    model = declaration.model
    if model is AuditEvent:
        return True, str(AUDIT_REASON)
    if model is ConsentRecord:
        keep = app_settings.KEEP_CONSENT_PROOF
        return keep, str(CONSENT_REASON) if keep else ""
    if model is DeletionRequest:
        return True, str(declaration.legal_basis_for_keeping or REQUEST_REASON)
    return declaration.keeps_rows(), str(declaration.legal_basis_for_keeping or "")
