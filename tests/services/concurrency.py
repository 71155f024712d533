"""Run functions at the same moment in threads, each with its own database connection.

Meant for PostgreSQL tests of row locks and unique constraints under contention. The test
must use ``transactional_db``, because each thread opens its own connection and reads only
committed rows. SQLite serialises all writers, so such a test says nothing there.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections

#: Seconds to wait for all threads to reach the start line, and then for them to finish.
DEFAULT_TIMEOUT = 30.0


def run_concurrently(*functions: Callable[[], Any], timeout: float = DEFAULT_TIMEOUT) -> list[Any]:
    """Start every function at once in its own thread and return their results in order.

    Re-raises the first exception a function raised, and raises ``TimeoutError`` when a
    thread has not finished after ``timeout`` seconds (a deadlock, usually).
    """
    start_line = threading.Barrier(len(functions))
    results: list[Any] = [None] * len(functions)
    errors: list[BaseException | None] = [None] * len(functions)

    def target(index: int, function: Callable[[], Any]) -> None:
        try:
            start_line.wait(timeout)
            results[index] = function()
        except BaseException as error:  # noqa: BLE001 - handed to the calling thread
            errors[index] = error
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=target, args=(index, function), daemon=True)
        for index, function in enumerate(functions)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    stuck = sum(thread.is_alive() for thread in threads)
    if stuck:
        raise TimeoutError(f"{stuck} of {len(threads)} threads still running after {timeout:.0f} s")
    for error in errors:
        if error is not None:
            raise error
    return results
