"""Encryption at rest of export archives.

Each archive gets a random 256-bit data key. The data key is wrapped with AES-GCM under the
current site key (the first of ``DATARIGHTS_ARCHIVE_KEYS``). The wrapped key and the site key's
id are stored on the ``ExportRequest``, so destroying the wrapped key makes the stored archive
unreadable.

The archive is encrypted in chunks of ``CHUNK_SIZE`` plaintext bytes with AES-GCM. Layout::

    MAGIC (4 bytes) | nonce prefix (7 bytes) | chunk 0 | chunk 1 | ... | final chunk

Every chunk is its ciphertext followed by the 16-byte tag. Chunk ``i`` uses the nonce
``prefix + i (4 bytes, big-endian) + final flag (1 byte)``, and its associated data is the
header plus the same counter and flag. The final chunk always holds fewer than ``CHUNK_SIZE``
plaintext bytes (possibly none), so a reader knows which chunk is last from its length, and
truncation, reordering, dropped chunks and edited bytes all fail authentication.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Iterator
from typing import IO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..conf import app_settings

MAGIC = b"DRA1"
PREFIX_SIZE = 7
HEADER_SIZE = len(MAGIC) + PREFIX_SIZE
CHUNK_SIZE = 64 * 1024
TAG_SIZE = 16
DATA_KEY_SIZE = 32
WRAP_NONCE_SIZE = 12
WRAP_CONTEXT = b"django-datarights archive data key v1:"


class ArchiveDecryptionError(Exception):
    """The archive or its wrapped key failed authentication, or no site key matches."""


def key_id_for(site_key: bytes) -> str:
    """Return the short id of a site key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(site_key).hexdigest()[:16]


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def wrap_data_key(data_key: bytes) -> tuple[bytes, str]:
    """Wrap ``data_key`` with the current site key; return ``(wrapped key, site key id)``."""
    site_key = app_settings.ARCHIVE_KEYS[0]
    key_id = key_id_for(site_key)
    nonce = os.urandom(WRAP_NONCE_SIZE)
    wrapped = AESGCM(site_key).encrypt(nonce, data_key, WRAP_CONTEXT + key_id.encode())
    return nonce + wrapped, key_id


def unwrap_data_key(wrapped: bytes, key_id: str) -> bytes:
    """Unwrap a data key with the configured site key whose id is ``key_id``.

    Raises ``ArchiveDecryptionError`` when no configured key has that id (the key was retired)
    or the wrapped key fails authentication.
    """
    for site_key in app_settings.ARCHIVE_KEYS:
        if key_id_for(site_key) != key_id:
            continue
        nonce, ciphertext = wrapped[:WRAP_NONCE_SIZE], wrapped[WRAP_NONCE_SIZE:]
        try:
            return AESGCM(site_key).decrypt(nonce, ciphertext, WRAP_CONTEXT + key_id.encode())
        except InvalidTag as exc:
            raise ArchiveDecryptionError("the wrapped data key failed authentication") from exc
    raise ArchiveDecryptionError(f"no configured archive key has id {key_id}")


def _nonce_and_aad(header: bytes, index: int, final: bool) -> tuple[bytes, bytes]:
    if index >= 2**32:
        raise ValueError("archive has too many chunks for the nonce counter")
    suffix = struct.pack(">IB", index, 1 if final else 0)
    return header[len(MAGIC) :] + suffix, header + suffix


def encrypted_size(plaintext_size: int) -> int:
    """Return the size of the ciphertext for ``plaintext_size`` bytes of plaintext."""
    chunks = plaintext_size // CHUNK_SIZE + 1
    return HEADER_SIZE + plaintext_size + chunks * TAG_SIZE


def encrypt_stream(source: IO[bytes], data_key: bytes) -> Iterator[bytes]:
    """Yield the encrypted form of ``source``, read ``CHUNK_SIZE`` bytes at a time."""
    cipher = AESGCM(data_key)
    header = MAGIC + os.urandom(PREFIX_SIZE)
    yield header
    index = 0
    chunk = _read_exactly(source, CHUNK_SIZE)
    while True:
        final = len(chunk) < CHUNK_SIZE
        nonce, aad = _nonce_and_aad(header, index, final)
        yield cipher.encrypt(nonce, chunk, aad)
        if final:
            return
        index += 1
        chunk = _read_exactly(source, CHUNK_SIZE)


def decrypt_stream(source: IO[bytes], data_key: bytes) -> Iterator[bytes]:
    """Yield the plaintext of an archive encrypted by ``encrypt_stream``, chunk by chunk.

    Raises ``ArchiveDecryptionError`` at the first chunk that fails authentication, and when
    the stream ends before its final chunk. Plaintext already yielded was authentic.
    """
    cipher = AESGCM(data_key)
    header = _read_exactly(source, HEADER_SIZE)
    if len(header) != HEADER_SIZE or not header.startswith(MAGIC):
        raise ArchiveDecryptionError("not an encrypted archive")
    index = 0
    while True:
        block = _read_exactly(source, CHUNK_SIZE + TAG_SIZE)
        if len(block) < TAG_SIZE:
            raise ArchiveDecryptionError("archive is truncated")
        final = len(block) < CHUNK_SIZE + TAG_SIZE
        nonce, aad = _nonce_and_aad(header, index, final)
        try:
            plaintext = cipher.decrypt(nonce, block, aad)
        except InvalidTag as exc:
            raise ArchiveDecryptionError(f"chunk {index} failed authentication") from exc
        if plaintext:
            yield plaintext
        if final:
            if source.read(1):
                raise ArchiveDecryptionError("data after the final chunk")
            return
        index += 1


def _read_exactly(source: IO[bytes], size: int) -> bytes:
    # A file object may return fewer bytes than asked before its end (sockets, some storages).
    first = source.read(size)
    if len(first) == size or not first:
        return first
    parts = [first]
    remaining = size - len(first)
    while remaining:
        part = source.read(remaining)
        if not part:
            break
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)


class EncryptingReader:
    """A read-only file object whose content is the encryption of ``source``.

    Django storages read uploads through ``read(size)``, so ``storage.save(name, File(reader))``
    encrypts while it writes and never keeps the whole archive in memory. ``size`` is the
    ciphertext's size when the plaintext's size is given, else ``None``.
    """

    def __init__(
        self, source: IO[bytes], data_key: bytes, plaintext_size: int | None = None
    ) -> None:
        self._chunks = encrypt_stream(source, data_key)
        self._buffer = bytearray()
        self._digest = hashlib.sha256()
        self.size = None if plaintext_size is None else encrypted_size(plaintext_size)
        self.written = 0

    # Storages ask these before reading: django-storages' S3 backend seeks to the start of
    # content that reports itself seekable.
    closed = False

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        if size < 0 or size >= len(self._buffer):
            data = bytes(self._buffer)
            self._buffer.clear()
        else:
            data = bytes(self._buffer[:size])
            del self._buffer[:size]
        self._digest.update(data)
        self.written += len(data)
        return data

    def chunks(self) -> Iterator[bytes]:
        """Yield the rest of the ciphertext in the encryption's own chunks, without copying."""
        if self._buffer:
            yield self.read(len(self._buffer))
        for chunk in self._chunks:
            self._digest.update(chunk)
            self.written += len(chunk)
            yield chunk

    def hexdigest(self) -> str:
        """Return the SHA-256 of the ciphertext read so far."""
        return self._digest.hexdigest()
