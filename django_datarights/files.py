"""Removal of stored files once the rows that pointed at them are gone.

Django never deletes a file from storage when its row is deleted. The erasure and retention
engines collect the files of the rows they remove and call ``delete_files_on_commit``: the
files go only after the transaction commits, so a rollback never loses a file whose row stays.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.core.files.storage import Storage
from django.db import transaction

logger = logging.getLogger(__name__)


def collect_files(instance: Any, field_names: Iterable[str]) -> list[tuple[Storage, str]]:
    """Return ``(storage, name)`` for every non-empty file field of ``instance`` named."""
    found = []
    for field_name in field_names:
        field_file = getattr(instance, field_name, None)
        if field_file and getattr(field_file, "name", ""):
            found.append((field_file.storage, field_file.name))
    return found


def delete_files_now(files: Iterable[tuple[Storage, str]]) -> int:
    """Delete files from their storage; a missing file counts as deleted. Returns the count."""
    deleted = 0
    for storage, name in files:
        try:
            storage.delete(name)
            deleted += 1
        except FileNotFoundError:
            deleted += 1
        except OSError:
            # The row is already gone; log the storage error (not the name, which may contain
            # personal data) so an operator can clean up by hand.
            logger.exception("stored file could not be deleted from %s", type(storage).__name__)
    return deleted


def delete_files_on_commit(files: Iterable[tuple[Storage, str]], using: str | None = None) -> None:
    """Delete the files after the current transaction commits (at once outside a transaction)."""
    pending = list(files)
    if pending:
        transaction.on_commit(lambda: delete_files_now(pending), using=using)
