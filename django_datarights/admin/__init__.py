"""Admin for operators, one module per concept."""

from . import retention  # noqa: E402,F401  (registers the retention admin)

from . import consent  # noqa: F401  (registers purposes, consent history, policies)
