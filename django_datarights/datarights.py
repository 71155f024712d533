"""The app's own personal data, registered like any host app's.

The user model (the account itself) is registered separately by ``register_account()``, which
``AppConfig.ready()`` calls after autodiscovery so a host that registered its user model keeps
its own declaration.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .models import (
    AuditEvent,
    Consent,
    ConsentRecord,
    DeletionRequest,
    ExportRequest,
    PrivacyPolicyAcceptance,
    UserPreference,
)
from .pseudonyms import pseudonym_for
from .registry import ANONYMISE, PersonalData, anonymisers, register, registry

# Account fields exported when the host has not registered its user model. Fields a custom
# user model lacks are skipped; the password is never among them.
ACCOUNT_FIELDS = ("username", "first_name", "last_name", "email", "date_joined", "last_login")


@register(ConsentRecord)
class ConsentRecordData(PersonalData):
    user_path = "user"
    fields = ["id", "purpose", "version", "given", "channel", "ip_address", "created_at"]
    erasure = ANONYMISE
    anonymise = {"user": anonymisers.null(), "ip_address": anonymisers.fixed("")}
    category = _("Consent history")
    description = _("Every change you made to your consent choices, with when and where.")


@register(Consent)
class ConsentData(PersonalData):
    user_path = "user"
    fields = ["purpose", "given", "version", "updated_at"]
    category = _("Current consent choices")
    description = _("Your current answer for each purpose we asked you about.")


@register(PrivacyPolicyAcceptance)
class PrivacyPolicyAcceptanceData(PersonalData):
    user_path = "user"
    fields = ["policy", "channel", "accepted_at"]
    category = _("Privacy policy acceptances")
    description = _("The versions of the privacy policy you accepted, and when.")


@register(UserPreference)
class UserPreferenceData(PersonalData):
    user_path = "user"
    fields = ["key", "value", "updated_at"]
    category = _("Privacy preferences")
    description = _("The values of your privacy settings.")


@register(ExportRequest)
class ExportRequestData(PersonalData):
    user_path = "user"
    fields = [
        "id",
        "status",
        "created_at",
        "finished_at",
        "expires_at",
        "expired_at",
        "row_count",
        "download_count",
        "last_downloaded_at",
    ]
    category = _("Data export requests")
    description = _("The copies of your data you asked for.")


@register(DeletionRequest)
class DeletionRequestData(PersonalData):
    user_path = "user"
    # ``identifiers`` contains the values searched for after an erasure and stays out of exports.
    fields = ["id", "status", "created_at", "due_at", "cancelled_at", "finished_at"]
    erasure = ANONYMISE
    anonymise = {"user": anonymisers.null()}
    legal_basis_for_keeping = _("Proof that the erasure was requested and carried out.")
    category = _("Account deletion requests")
    description = _("Requests to delete your account, and whether they were cancelled.")


@register(AuditEvent)
class AuditEventData(PersonalData):
    """Audit events about the user, found through the keyed hash; the table has no user FK.

    NOTE: events form a hash chain, so the erasure engine must not delete them one by one; it
    decides how they are treated. ``erasure`` here only states the default.
    """

    user_path = ""
    fields = ["sequence", "created_at", "action", "actor_kind", "object_ref", "outcome", "details"]
    category = _("Record of privacy actions")
    description = _("A log of the privacy actions taken on your account, by you or by us.")

    @classmethod
    def user_filter(cls, user: Any) -> Q:
        return Q(subject=pseudonym_for(user))

    @classmethod
    def rows_for(cls, user: Any) -> QuerySet[Any]:
        return AuditEvent.objects.filter(cls.user_filter(user)).order_by("pk")


def account_declaration() -> type[PersonalData]:
    """Build the default declaration of the user model from the account fields it has."""
    user_model = get_user_model()
    present = {f.name for f in user_model._meta.concrete_fields}
    return type(
        "AccountData",
        (PersonalData,),
        {
            "user_path": "",
            "fields": [name for name in ACCOUNT_FIELDS if name in present],
            "category": _("Your account"),
            "description": _(
                "The details of your account: names, email address, sign-up and last login."
            ),
        },
    )


def register_account() -> bool:
    """Register the user model with the default declaration unless the host registered it.

    Returns whether the default declaration was registered.
    """
    return registry.register_if_absent(get_user_model(), account_declaration())
