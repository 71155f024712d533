"""The app's models, one module per concept."""

from .audit import AuditChainHead, AuditEvent
from .consent import (
    Consent,
    ConsentRecord,
    PrivacyPolicy,
    PrivacyPolicyAcceptance,
    Purpose,
    PurposeVersion,
    UserPreference,
)
from .deletion import DeletionRequest
from .exports import ExportRequest
from .retention import InactivityWarning, LegalHold, RetentionPolicy, RetentionRun

__all__ = [
    "AuditChainHead",
    "AuditEvent",
    "Consent",
    "ConsentRecord",
    "DeletionRequest",
    "ExportRequest",
    "InactivityWarning",
    "LegalHold",
    "PrivacyPolicy",
    "PrivacyPolicyAcceptance",
    "Purpose",
    "PurposeVersion",
    "RetentionPolicy",
    "RetentionRun",
    "UserPreference",
]
