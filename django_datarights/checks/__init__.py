"""System checks, one module per concern. Ids are stable: ``datarights.E0xx`` and ``W0xx``."""

from django.core import checks


def register_all() -> None:
    from . import configuration, coverage, retention, security

    checks.register(configuration.check_keys, checks.Tags.security, deploy=True)
    checks.register(configuration.check_settings)
    checks.register(coverage.check_registry_coverage)
    checks.register(retention.check_retention_policies, checks.Tags.database)
    checks.register(security.check_second_factor, checks.Tags.security)
    checks.register(security.check_rate_limit_cache, checks.Tags.security, deploy=True)
    checks.register(security.check_lockout_key, checks.Tags.security)
