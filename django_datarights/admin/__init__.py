"""Admin for operators, one module per concept."""

# Importing the module registers the audit trail admin.
from .audit import AuditedAdminMixin
from . import retention  # noqa: E402,F401  (registers the retention admin)
from . import consent  # noqa: E402,F401  (registers purposes, consent history, policies)
from . import exports  # noqa: E402,F401  (registers export requests)
from . import deletion  # noqa: E402,F401  (registers deletion requests)

__all__ = ["AuditedAdminMixin"]
