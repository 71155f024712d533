"""Storage of encrypted archives: the storage alias, random names and removal."""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.core.files.storage import Storage, storages

from ..conf import app_settings

logger = logging.getLogger(__name__)

STORAGE_PREFIX = "datarights"


def export_storage() -> Storage:
    """Return the ``STORAGES`` entry named by ``DATARIGHTS_EXPORT_STORAGE``, else ``default``."""
    alias = app_settings.EXPORT_STORAGE
    if alias in getattr(settings, "STORAGES", {}):
        return storages[alias]
    return storages["default"]


def new_storage_name() -> str:
    """Return a random storage name that tells nothing about the user or the request."""
    return f"{STORAGE_PREFIX}/{secrets.token_hex(16)}.bin"


def delete_archive_file(name: str) -> None:
    """Delete a stored archive; a missing file is not an error."""
    if not name:
        return
    storage = export_storage()
    try:
        storage.delete(name)
    except FileNotFoundError:
        pass
    except OSError:
        logger.exception("export archive file could not be deleted from %s", type(storage).__name__)
