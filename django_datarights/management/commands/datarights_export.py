"""Write one user's export archive, unencrypted, to a local file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...audit import ActorKind, record_event
from ...export.archive import DatasetFailed, build_archive


class Command(BaseCommand):
    help = (
        "Write the personal data of one user as a ZIP archive (not encrypted) to --output, "
        "with the same content as the archive the user downloads."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="Value of the user model's USERNAME_FIELD.")
        parser.add_argument("--output", required=True, help="Path of the ZIP file to write.")
        parser.add_argument(
            "--force", action="store_true", help="Replace the output file if it exists."
        )

    def handle(self, *args: Any, username: str, output: str, force: bool, **options: Any) -> None:
        user_model = get_user_model()
        try:
            user = user_model._default_manager.get_by_natural_key(username)
        except user_model.DoesNotExist:
            raise CommandError(
                f"No user with {user_model.USERNAME_FIELD} {username!r}; check the spelling."
            ) from None

        target = Path(output)
        if target.exists() and not force:
            raise CommandError(f"{target} already exists; pass --force to replace it.")
        if not target.parent.is_dir():
            raise CommandError(f"Directory {target.parent} does not exist.")

        # Write next to the target and rename, so a failed run never leaves a partial archive.
        handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".partial")
        try:
            with os.fdopen(handle, "wb") as archive_file:
                result = build_archive(user, archive_file)
            os.replace(temporary, target)
        except DatasetFailed as failure:
            raise CommandError(
                f"Dataset {failure.dataset} could not be exported ({failure.reason}); "
                "no archive was written."
            ) from failure
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)

        record_event(
            "export.written_by_command",
            subject=user,
            actor_kind=ActorKind.OPERATOR,
            details={"rows": result.row_count},
        )
        width = max((len(dataset.label) for dataset in result.datasets), default=0)
        for dataset in result.datasets:
            line = f"{dataset.label:<{width}}  {dataset.rows:>8} rows"
            if dataset.files:
                line += f"  {dataset.files} files"
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"Wrote {result.row_count} rows to {target}"))
