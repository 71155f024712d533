"""Admin for operators, one module per concept."""

from . import consent  # noqa: F401  (registers purposes, consent history, policies)
