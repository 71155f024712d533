"""Enforce retention policies now, or preview them with ``--dry-run``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...models import RetentionPolicy
from ...models.retention import RunStatus
from ...retention.engine import enforce_policy


class Command(BaseCommand):
    help = (
        "Enforce every retention policy that is not paused, or one policy, "
        "printing counts per policy."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would change; change nothing."
        )
        parser.add_argument(
            "--policy", metavar="KEY", help="Enforce only the policy with this key, even if paused."
        )

    def handle(
        self, *args: Any, dry_run: bool = False, policy: str | None = None, **options: Any
    ) -> None:
        if policy:
            policies = list(RetentionPolicy.objects.filter(key=policy))
            if not policies:
                raise CommandError(
                    f"No retention policy has the key {policy!r}; see the admin for the keys."
                )
            if policies[0].paused and not dry_run:
                raise CommandError(
                    f"Retention policy {policy!r} is paused; resume it in the admin first."
                )
        else:
            policies = list(RetentionPolicy.objects.filter(paused=False))
        failed = 0
        for item in policies:
            run = enforce_policy(item.pk, dry_run=dry_run)
            verb = "would delete" if dry_run else "deleted"
            line = (
                f"{item.key}: {run.get_status_display()}, {verb} {run.rows_deleted}, "
                f"{'would anonymise' if dry_run else 'anonymised'} {run.rows_anonymised}"
            )
            if run.error:
                line += f" ({run.error})"
            if run.status in (RunStatus.FAILED, RunStatus.BRAKED) and not dry_run:
                failed += 1
                self.stderr.write(line)
            else:
                self.stdout.write(line)
        if failed:
            raise CommandError(
                f"{failed} of {len(policies)} policies did not finish; see the runs in the admin."
            )
