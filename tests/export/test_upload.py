"""The encrypting upload: the storage contains exactly what the builder wrote, encrypted."""

import io
import os
import threading

import pytest
from django.core.files.storage import FileSystemStorage

from django_datarights.export import crypto, upload
from django_datarights.export.upload import ArchiveUploadError, EncryptedUpload


@pytest.fixture
def storage(tmp_path):
    return FileSystemStorage(location=str(tmp_path))


def stored_plaintext(storage, name, key):
    with storage.open(name, "rb") as stored:
        return b"".join(crypto.decrypt_stream(stored, key))


@pytest.mark.parametrize(
    "sizes",
    [
        [],
        [1],
        [crypto.CHUNK_SIZE],
        [upload.BLOCK_SIZE],
        [10, upload.BLOCK_SIZE * 3 + 7, 5, 5, upload.BLOCK_SIZE - 1, 2],
        [1000] * 2000,
    ],
)
def test_round_trip(storage, sizes):
    key = crypto.new_data_key()
    pieces = [os.urandom(size) for size in sizes]
    with EncryptedUpload(storage, "a/archive.bin", key) as target:
        for piece in pieces:
            assert target.write(piece) == len(piece)
    assert target.stored_name == "a/archive.bin"
    assert stored_plaintext(storage, target.stored_name, key) == b"".join(pieces)
    assert target.size == storage.size(target.stored_name)
    assert target.size == crypto.encrypted_size(sum(sizes))


def test_accepts_memoryview_and_bytearray(storage):
    key = crypto.new_data_key()
    data = os.urandom(upload.BLOCK_SIZE * 2)
    with EncryptedUpload(storage, "archive.bin", key) as target:
        target.write(memoryview(data)[:100])
        target.write(bytearray(data[100:]))
    assert stored_plaintext(storage, "archive.bin", key) == data


def test_sha256_is_of_the_stored_ciphertext(storage):
    import hashlib

    with EncryptedUpload(storage, "archive.bin", crypto.new_data_key()) as target:
        target.write(os.urandom(300_000))
    with storage.open("archive.bin", "rb") as stored:
        assert target.sha256 == hashlib.sha256(stored.read()).hexdigest()


class FailingStorage(FileSystemStorage):
    """Accepts the first block, then the disk goes away."""

    def _save(self, name, content):
        chunks = content.chunks()
        next(chunks)
        raise OSError("disk went away")


def test_storage_failure_reaches_the_writer(tmp_path):
    storage = FailingStorage(location=str(tmp_path))
    with pytest.raises(ArchiveUploadError, match="disk went away"):
        with EncryptedUpload(storage, "archive.bin", crypto.new_data_key()) as target:
            for _ in range(upload.QUEUE_DEPTH * 4):
                target.write(os.urandom(upload.BLOCK_SIZE))
    assert not target._thread.is_alive()


def test_storage_failure_after_last_write_raises_on_exit(tmp_path):
    storage = FailingStorage(location=str(tmp_path))
    with pytest.raises(ArchiveUploadError, match="disk went away"):
        with EncryptedUpload(storage, "archive.bin", crypto.new_data_key()) as target:
            target.write(b"small")


def test_builder_failure_stops_the_storage_thread(storage):
    with pytest.raises(RuntimeError, match="dataset broke"):
        with EncryptedUpload(storage, "archive.bin", crypto.new_data_key()) as target:
            for _ in range(upload.QUEUE_DEPTH * 2):
                target.write(os.urandom(upload.BLOCK_SIZE))
            raise RuntimeError("dataset broke")
    assert not target._thread.is_alive()
    assert target.stored_name == ""


def test_builder_failure_with_full_queue_and_stuck_reader(storage, monkeypatch):
    """The writer gives up while the storage thread is not reading: nothing hangs."""
    release = threading.Event()
    real_read = upload._QueueSource.read

    def slow_read(self, size):
        release.wait(5)
        return real_read(self, size)

    monkeypatch.setattr(upload._QueueSource, "read", slow_read)
    with pytest.raises(RuntimeError):
        with EncryptedUpload(storage, "archive.bin", crypto.new_data_key()) as target:
            for _ in range(upload.QUEUE_DEPTH):
                target.write(os.urandom(upload.BLOCK_SIZE))
            release.set()
            raise RuntimeError("stop")
    assert not target._thread.is_alive()


def test_reader_chunks_after_partial_read():
    key = crypto.new_data_key()
    data = os.urandom(3 * crypto.CHUNK_SIZE + 5)
    reader = crypto.EncryptingReader(io.BytesIO(data), key)
    head = reader.read(100)
    rest = b"".join(reader.chunks())
    plaintext = b"".join(crypto.decrypt_stream(io.BytesIO(head + rest), key))
    assert plaintext == data
    assert reader.written == len(head + rest)


def test_content_tells_storages_it_cannot_seek(storage):
    """Storages that rewind seekable content (django-storages' S3) must not try here."""
    seen = {}

    class RecordingStorage(FileSystemStorage):
        def _save(self, name, content):
            seen["seekable"] = content.seekable()
            seen["readable"] = content.readable()
            seen["closed"] = content.closed
            return super()._save(name, content)

    recording = RecordingStorage(location=storage.location)
    with EncryptedUpload(recording, "archive.bin", crypto.new_data_key()) as target:
        target.write(b"data")
    assert seen == {"seekable": False, "readable": True, "closed": False}
