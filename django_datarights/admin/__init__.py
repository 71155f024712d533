"""Admin for operators, one module per concept."""

# Importing each module registers its admin classes. The audit module goes first because
# the others import its mixin; the order is kept by hand, so import sorting is off here.
# isort: off
from .audit import AuditedAdminMixin
from . import retention  # noqa: E402,F401  (registers the retention admin)
from . import consent  # noqa: E402,F401  (registers purposes, consent history, policies)
from . import exports  # noqa: E402,F401  (registers export requests)
from . import deletion  # noqa: E402,F401  (registers deletion requests)

# isort: on

__all__ = ["AuditedAdminMixin"]
