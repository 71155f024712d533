"""Erase one account now, or show what an erasure would do (``--dry-run``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from django_datarights.deletion import engine, flows
from django_datarights.models.deletion import DeletionStatus


class Command(BaseCommand):
    help = (
        "Erase the account USERNAME at once through the erasure engine, as an operator request. "
        "With --dry-run, print per dataset how many rows would be deleted and anonymised."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="Username (USERNAME_FIELD value) of the account.")
        parser.add_argument("--dry-run", action="store_true", help="Change nothing; print counts.")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args: Any, **options: Any) -> None:
        user_model = get_user_model()
        username = options["username"]
        try:
            user = user_model._default_manager.get_by_natural_key(username)
        except user_model.DoesNotExist:
            raise CommandError(
                f"No account has the {user_model.USERNAME_FIELD} {username!r}. "
                "Check the spelling; erased accounts no longer exist."
            ) from None

        if options["dry_run"]:
            self._print_counts(engine.plan(user), would=True)
            for blocker in engine.find_blockers(user):
                self.stdout.write(
                    self.style.ERROR(f"Blocked: rows of {blocker} protect this account.")
                )
            return

        if not options["yes"] and options.get("interactive", True):
            answer = input(f"Erase account {user.pk} now? This cannot be undone. [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                raise CommandError("Erasure not confirmed; nothing was changed.")

        deletion = flows.request_deletion(user, by_operator=True, publish=False)
        outcome = engine.erase(deletion.pk)
        deletion.refresh_from_db()
        if deletion.status != DeletionStatus.DONE:
            reason = deletion.error or deletion.status
            raise CommandError(f"Erasure {deletion.pk} did not finish ({outcome}): {reason}")
        self._print_counts(deletion.progress, would=False)
        self.stdout.write(self.style.SUCCESS(f"Erasure {deletion.pk} done."))
        for hit in deletion.residual_hits:
            self.stdout.write(
                self.style.WARNING(
                    f"Residual check: {hit['count']} rows of {hit['table']}.{hit['column']} "
                    "still contain an identifier."
                )
            )

    def _print_counts(self, counts: dict[str, Any], *, would: bool) -> None:
        verb = "would be" if would else "were"
        for name, entry in counts.items():
            if not isinstance(entry, dict):
                continue
            self.stdout.write(
                f"{name}: {entry.get('deleted', 0)} {verb} deleted, "
                f"{entry.get('anonymised', 0)} {verb} anonymised, "
                f"{entry.get('cascaded', 0)} {verb} deleted by cascade"
            )
