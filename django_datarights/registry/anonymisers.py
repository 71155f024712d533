"""Anonymisers: what erasure writes into a field it keeps.

An anonymiser is called as ``anonymiser(value, instance, field_name)`` and returns the new value.
Anonymisers whose result does not depend on the row set ``row_independent = True`` so the
erasure and retention engines may apply them with one ``UPDATE`` per batch instead of saving
each row.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from typing import Any

from ..conf import app_settings


class Anonymiser:
    """Base class: subclasses implement ``__call__``."""

    row_independent = False

    def __call__(self, value: Any, instance: Any, field_name: str) -> Any:  # pragma: no cover
        raise NotImplementedError

    def constant(self) -> Any:
        """Return the value written to every row, for row-independent anonymisers."""
        raise TypeError(f"{type(self).__name__} depends on each row's value")

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Null(Anonymiser):
    row_independent = True

    def __call__(self, value: Any, instance: Any, field_name: str) -> Any:
        return None

    def constant(self) -> Any:
        return None


class Fixed(Anonymiser):
    row_independent = True

    def __init__(self, replacement: Any) -> None:
        self.replacement = replacement

    def __call__(self, value: Any, instance: Any, field_name: str) -> Any:
        return self.replacement

    def constant(self) -> Any:
        return self.replacement

    def __repr__(self) -> str:
        return f"Fixed({self.replacement!r})"


class PepperedHash(Anonymiser):
    """Keyed hash (HMAC-SHA256 with the site's pseudonym key) of the value, hex, truncated.

    The same input always gives the same output, so rows can still be grouped, but without the
    key nobody can test a guess of the original value.
    """

    def __init__(self, length: int = 32) -> None:
        self.length = length

    def __call__(self, value: Any, instance: Any, field_name: str) -> Any:
        if value is None or value == "":
            return value
        digest = hmac.new(app_settings.PSEUDONYM_KEY, str(value).encode(), hashlib.sha256)
        return digest.hexdigest()[: self.length]


class MaskedEmail(Anonymiser):
    """Replace an address with a unique, undeliverable one on the reserved ``.invalid`` domain."""

    def __call__(self, value: Any, instance: Any, field_name: str) -> Any:
        if not value:
            return value
        return f"erased-{secrets.token_hex(8)}@erased.invalid"


class RandomToken(Anonymiser):
    def __init__(self, length: int = 16, prefix: str = "") -> None:
        self.length = length
        self.prefix = prefix

    def __call__(self, value: Any, instance: Any, field_name: str) -> Any:
        return self.prefix + secrets.token_hex(self.length)[: self.length]


class Custom(Anonymiser):
    """Wrap a host callable ``func(value, instance, field_name) -> new value``."""

    def __init__(self, func: Callable[[Any, Any, str], Any]) -> None:
        self.func = func

    def __call__(self, value: Any, instance: Any, field_name: str) -> Any:
        return self.func(value, instance, field_name)

    def __repr__(self) -> str:
        return f"Custom({getattr(self.func, '__qualname__', self.func)!r})"


def null() -> Anonymiser:
    return Null()


def fixed(replacement: Any) -> Anonymiser:
    return Fixed(replacement)


def hashed(length: int = 32) -> Anonymiser:
    return PepperedHash(length)


def masked_email() -> Anonymiser:
    return MaskedEmail()


def random_token(length: int = 16, prefix: str = "") -> Anonymiser:
    return RandomToken(length, prefix)


def as_anonymiser(spec: Any) -> Anonymiser:
    """Accept an ``Anonymiser``, a plain callable, or ``None`` (meaning ``null()``)."""
    if spec is None:
        return Null()
    if isinstance(spec, Anonymiser):
        return spec
    if callable(spec):
        return Custom(spec)
    raise TypeError(
        f"not an anonymiser: {spec!r}; use one from django_datarights.registry.anonymisers"
    )
