"""Worker-side test hooks, loaded by the test worker with ``--include``.

With ``DATARIGHTS_TEST_BLOCK_DIR`` set, this registers one extra dataset (``auth.Group``,
through the user's groups) whose ``rows_for()`` appends a line to ``<dir>/started`` and then
waits until ``<dir>/release`` exists. Exports and erasures read every dataset through
``rows_for()``, so a test can see that a job started, kill the worker in the middle, and count
how many times the job reached that point.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from django.contrib.auth.models import Group

from django_datarights.registry import PersonalData, register

#: Maximum wait for the release file, so a forgotten release cannot hang a worker for good.
MAX_BLOCK_SECONDS = 60.0

BLOCK_DIR = os.environ.get("DATARIGHTS_TEST_BLOCK_DIR")


def block_until_released(block_dir: Path) -> None:
    with open(block_dir / "started", "a") as marker:
        marker.write("started\n")
    deadline = time.monotonic() + MAX_BLOCK_SECONDS
    while not (block_dir / "release").exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"release file not created within {MAX_BLOCK_SECONDS:.0f} s")
        time.sleep(0.05)


if BLOCK_DIR:

    @register(Group)
    class BlockingGroupData(PersonalData):
        user_path = "user"
        fields = ["name"]
        category = "Test groups"

        @classmethod
        def rows_for(cls, user: Any) -> Any:
            block_until_released(Path(BLOCK_DIR))
            return super().rows_for(user)
