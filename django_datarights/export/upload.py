"""Encrypt an archive while it is written, and store it from a background thread.

The archive builder writes plaintext into an ``EncryptedUpload`` as if it were a file. Full
blocks go through a small bounded queue to a thread that encrypts them and hands the
ciphertext to ``storage.save``. So no plaintext archive ever lands on the worker's disk, memory
stays bounded by the queue, and the encryption, hashing and storage writes (which release the
GIL) run while the builder converts the next rows.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterator
from types import TracebackType
from typing import IO, Any, cast

from django.core.files import File
from django.core.files.storage import Storage

from . import crypto

logger = logging.getLogger(__name__)

#: Plaintext bytes collected before one block is queued.
BLOCK_SIZE = 4 * crypto.CHUNK_SIZE
#: Maximum blocks in the queue: about 2 MiB of plaintext in flight, or 8 MiB while files are
#: copied, because a large write (a 1 MiB read of a file) is queued as one block.
QUEUE_DEPTH = 8
#: How often a blocked writer looks whether the storage thread has stopped, in seconds.
POLL_INTERVAL = 0.5


class ArchiveUploadError(Exception):
    """Storing the encrypted archive failed; the original exception is the cause."""


class _Abort:
    """Queue marker: the writer gave up, so the storage thread must fail its ``save``."""


class _End:
    """Queue marker: the archive is complete."""


class UploadAborted(Exception):
    """Raised inside the storage thread when the writer gives up."""


class _QueueSource:
    """The read side of the queue as a file object that yields the writer's plaintext."""

    def __init__(self, blocks: queue.Queue[bytes | _Abort | _End]) -> None:
        self._blocks = blocks
        self._current = memoryview(b"")
        self._ended = False

    def read(self, size: int) -> bytes | memoryview:
        # Returns a view into the queued block when one block covers the request, so the
        # plaintext is not copied again before it is encrypted.
        parts = []
        remaining = size
        while remaining and not self._ended:
            if not self._current:
                block = self._blocks.get()
                if isinstance(block, _Abort):
                    raise UploadAborted("the archive builder stopped")
                if isinstance(block, _End):
                    self._ended = True
                    break
                self._current = memoryview(block)
            part = self._current[:remaining]
            self._current = self._current[len(part) :]
            parts.append(part)
            remaining -= len(part)
        if len(parts) == 1:
            return parts[0]
        return b"".join(parts)


class _EncryptedContent(File):
    """The encrypted archive as a Django ``File`` whose chunks are the encryption's own."""

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        return cast(crypto.EncryptingReader, self.file).chunks()

    def multiple_chunks(self, chunk_size: int | None = None) -> bool:
        return True


class EncryptedUpload:
    """A write-only file object that encrypts what it receives and saves it to ``storage``.

    Use it as a context manager. On a clean exit it waits for the storage thread and sets
    ``stored_name``, ``size`` (ciphertext bytes) and ``sha256`` (of the ciphertext). When the
    block raises, the storage thread is stopped, and the caller should delete ``name`` from
    the storage, because part of the file may have been written. A storage failure raises
    ``ArchiveUploadError`` from the next ``write``, or from the exit.
    """

    def __init__(self, storage: Storage, name: str, data_key: bytes) -> None:
        self.name = name
        self.stored_name = ""
        self.size = 0
        self.sha256 = ""
        self._storage = storage
        self._blocks: queue.Queue[bytes | _Abort | _End] = queue.Queue(maxsize=QUEUE_DEPTH)
        self._pending = bytearray()
        self._reader = crypto.EncryptingReader(
            cast(IO[bytes], _QueueSource(self._blocks)), data_key
        )
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._store, name="datarights-export-upload", daemon=True
        )

    def __enter__(self) -> EncryptedUpload:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self._finish()
        else:
            self._abort()

    # --- Writer side (the archive builder's thread) ---------------------------------------------

    def write(self, data: Any) -> int:
        size = len(data)
        if size >= BLOCK_SIZE:
            # Large writes (file contents) are queued as they are, without another copy.
            if self._pending:
                self._put(bytes(self._pending))
                self._pending.clear()
            self._put(bytes(data))
            return size
        self._pending += data
        if len(self._pending) >= BLOCK_SIZE:
            self._put(bytes(self._pending))
            self._pending.clear()
        return size

    def flush(self) -> None:
        # Blocks are queued when full; the rest follows on exit.
        pass

    def _put(self, block: bytes | _Abort | _End) -> None:
        while True:
            self._raise_if_failed()
            try:
                self._blocks.put(block, timeout=POLL_INTERVAL)
                return
            except queue.Full:
                continue

    def _raise_if_failed(self) -> None:
        if self._error is not None:
            raise ArchiveUploadError(
                f"storing the archive failed: {type(self._error).__name__}: {self._error}"
            ) from self._error
        if not self._thread.is_alive():
            raise ArchiveUploadError("the storage thread stopped before the archive was complete")

    def _finish(self) -> None:
        if self._pending:
            self._put(bytes(self._pending))
            self._pending.clear()
        self._put(_End())
        self._thread.join()
        if self._error is not None:
            self._raise_if_failed()
        self.size = self._reader.written
        self.sha256 = self._reader.hexdigest()

    def _abort(self) -> None:
        # Make room for the marker even when the storage thread is not reading.
        while self._thread.is_alive():
            try:
                self._blocks.put_nowait(_Abort())
                break
            except queue.Full:
                try:
                    self._blocks.get_nowait()
                except queue.Empty:
                    pass
        self._thread.join()

    # --- Storage side (the background thread) ---------------------------------------------------

    def _store(self) -> None:
        try:
            content = _EncryptedContent(cast(IO[bytes], self._reader), name=self.name)
            self.stored_name = self._storage.save(self.name, content)
        except UploadAborted:
            logger.debug("archive upload stopped by its writer")
        except BaseException as exc:  # reported to the writer, which decides what to do
            self._error = exc
