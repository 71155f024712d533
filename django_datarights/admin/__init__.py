"""Admin for operators, one module per concept."""
