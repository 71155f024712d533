import io
import os

import pytest

from django_datarights.export import crypto

from .conftest import make_key


def encrypt(data: bytes, key: bytes) -> bytes:
    return crypto.EncryptingReader(io.BytesIO(data), key, len(data)).read()


def decrypt(ciphertext: bytes, key: bytes) -> bytes:
    return b"".join(crypto.decrypt_stream(io.BytesIO(ciphertext), key))


@pytest.mark.parametrize(
    "size", [0, 1, crypto.CHUNK_SIZE - 1, crypto.CHUNK_SIZE, 3 * crypto.CHUNK_SIZE + 5]
)
def test_round_trip(size):
    key = crypto.new_data_key()
    data = os.urandom(size)
    ciphertext = encrypt(data, key)
    assert len(ciphertext) == crypto.encrypted_size(size)
    assert decrypt(ciphertext, key) == data


def test_flipped_byte_rejected():
    key = crypto.new_data_key()
    ciphertext = bytearray(encrypt(os.urandom(3 * crypto.CHUNK_SIZE), key))
    ciphertext[crypto.HEADER_SIZE + crypto.CHUNK_SIZE + 100] ^= 1
    with pytest.raises(crypto.ArchiveDecryptionError, match="chunk 1"):
        decrypt(bytes(ciphertext), key)


def test_flipped_header_byte_rejected():
    key = crypto.new_data_key()
    ciphertext = bytearray(encrypt(b"hello", key))
    ciphertext[len(crypto.MAGIC)] ^= 1
    with pytest.raises(crypto.ArchiveDecryptionError):
        decrypt(bytes(ciphertext), key)


def test_truncation_at_chunk_boundary_rejected():
    key = crypto.new_data_key()
    ciphertext = encrypt(os.urandom(2 * crypto.CHUNK_SIZE + 10), key)
    cut = crypto.HEADER_SIZE + 2 * (crypto.CHUNK_SIZE + crypto.TAG_SIZE)
    with pytest.raises(crypto.ArchiveDecryptionError, match="truncated"):
        decrypt(ciphertext[:cut], key)


def test_truncation_inside_chunk_rejected():
    key = crypto.new_data_key()
    ciphertext = encrypt(os.urandom(2 * crypto.CHUNK_SIZE + 10), key)
    with pytest.raises(crypto.ArchiveDecryptionError):
        decrypt(ciphertext[: crypto.HEADER_SIZE + crypto.CHUNK_SIZE], key)


def test_dropped_final_chunk_rejected():
    key = crypto.new_data_key()
    ciphertext = encrypt(os.urandom(2 * crypto.CHUNK_SIZE + 10), key)
    with pytest.raises(crypto.ArchiveDecryptionError):
        decrypt(ciphertext[: -(10 + crypto.TAG_SIZE)], key)


def test_reordered_chunks_rejected():
    key = crypto.new_data_key()
    ciphertext = encrypt(os.urandom(2 * crypto.CHUNK_SIZE + 10), key)
    block = crypto.CHUNK_SIZE + crypto.TAG_SIZE
    header = ciphertext[: crypto.HEADER_SIZE]
    first = ciphertext[crypto.HEADER_SIZE : crypto.HEADER_SIZE + block]
    second = ciphertext[crypto.HEADER_SIZE + block : crypto.HEADER_SIZE + 2 * block]
    rest = ciphertext[crypto.HEADER_SIZE + 2 * block :]
    with pytest.raises(crypto.ArchiveDecryptionError, match="chunk 0"):
        decrypt(header + second + first + rest, key)


def test_appended_data_rejected():
    key = crypto.new_data_key()
    ciphertext = encrypt(b"hello", key)
    with pytest.raises(crypto.ArchiveDecryptionError):
        decrypt(ciphertext + b"x", key)


def test_wrong_key_rejected():
    ciphertext = encrypt(b"hello", crypto.new_data_key())
    with pytest.raises(crypto.ArchiveDecryptionError):
        decrypt(ciphertext, crypto.new_data_key())


def test_old_key_unwraps_after_rotation(settings):
    key_a, key_b = make_key(), make_key()
    settings.DATARIGHTS_ARCHIVE_KEYS = [key_a]
    data_key = crypto.new_data_key()
    wrapped, key_id = crypto.wrap_data_key(data_key)
    settings.DATARIGHTS_ARCHIVE_KEYS = [key_b, key_a]
    assert crypto.unwrap_data_key(wrapped, key_id) == data_key


def test_retired_key_cannot_unwrap(settings):
    key_a, key_b = make_key(), make_key()
    settings.DATARIGHTS_ARCHIVE_KEYS = [key_a]
    wrapped, key_id = crypto.wrap_data_key(crypto.new_data_key())
    settings.DATARIGHTS_ARCHIVE_KEYS = [key_b]
    with pytest.raises(crypto.ArchiveDecryptionError, match="no configured archive key"):
        crypto.unwrap_data_key(wrapped, key_id)


def test_new_archives_use_current_key(settings):
    key_a, key_b = make_key(), make_key()
    settings.DATARIGHTS_ARCHIVE_KEYS = [key_b, key_a]
    _wrapped, key_id = crypto.wrap_data_key(crypto.new_data_key())
    assert key_id == crypto.key_id_for(settings_key(key_b))


def settings_key(text: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(text)
