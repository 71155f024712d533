"""Serialisation of exported values: JSON values, CSV cells, and the two file formats.

Every value is serialised deterministically: the same row always gives the same bytes.
"""

from __future__ import annotations

import base64
import csv
import datetime
import decimal
import io
import json
import uuid
from collections.abc import Callable, Iterable
from itertools import repeat
from typing import IO, Any, Protocol, cast

from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils.functional import Promise

SCHEMA_VERSION = 1
CSV_BOM = "\ufeff"
# Characters of JSON text collected before one write to the archive member.
WRITE_BUFFER = 64 * 1024

# A spreadsheet treats a cell starting with one of these as a formula, so CSV text cells that
# start with one are prefixed with an apostrophe.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


PLAIN_JSON_TYPES = frozenset({str, int, bool, float})
_ROW_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False)


def _c_row_encoder() -> Callable[[Any, int], Any] | None:
    """Return the C encoder behind ``_ROW_ENCODER``, built once, or ``None`` without it.

    ``JSONEncoder.encode`` builds a new C encoder for every call, which costs more than
    encoding a small row. Called as ``encoder(row, 0)``, it returns the parts of the text.
    No circular-reference markers are shared between calls: rows contain converted values only,
    and a structure that nests too deep fails with ``RecursionError``, like any other bad row.
    """
    # Not in typeshed, and None when the C accelerator is missing.
    make_encoder = getattr(json.encoder, "c_make_encoder", None)
    if make_encoder is None:
        return None
    return cast(
        Callable[[Any, int], Any],
        make_encoder(
            None,  # markers: no check for circular references, as check_circular=False
            _ROW_ENCODER.default,
            json.encoder.encode_basestring,  # ensure_ascii=False
            None,  # indent
            _ROW_ENCODER.key_separator,
            _ROW_ENCODER.item_separator,
            False,  # sort_keys
            False,  # skipkeys
            True,  # allow_nan
        ),
    )


_C_ROW_ENCODER = _c_row_encoder()


def encode_rows(rows: Iterable[dict[str, Any]]) -> list[str]:
    """Encode each row as ``_ROW_ENCODER.encode`` does, without a Python call per row."""
    if _C_ROW_ENCODER is None:
        return list(map(_ROW_ENCODER.encode, rows))
    return list(map("".join, map(_C_ROW_ENCODER, rows, repeat(0))))


class UnserialisableValue(TypeError):
    """A row contains a value the export has no defined format for."""


def json_value(value: Any) -> Any:
    """Convert one field value to a JSON-compatible value.

    Decimals become strings (no float rounding), dates and times ISO 8601 text, UUIDs their
    hyphenated form, bytes base64 text, durations a number of seconds as text, and files their
    stored name. The archive builder replaces a file's name with its path inside the archive.
    """
    if value is None or type(value) in PLAIN_JSON_TYPES:
        return value
    if isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return str(
            decimal.Decimal(value.days * 86400 + value.seconds)
            + decimal.Decimal(value.microseconds) / 1_000_000
        )
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, dict):
        return {str(key): json_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_value(item) for item in value]
    raise UnserialisableValue(f"no export format for values of type {type(value).__name__}")


def csv_cell(value: Any) -> str:
    """Convert one JSON-compatible value to a CSV cell, escaped against formula injection.

    Numbers stay as they are, so a negative amount is not prefixed; text that a spreadsheet
    would run as a formula gets a leading apostrophe.
    """
    if type(value) is str:
        return "'" + value if value.startswith(FORMULA_PREFIXES) else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (dict, list)):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    else:
        text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


#: Function from a value to its JSON value or CSV cell. ``None`` keeps the value as it is.
Converter = Callable[[Any], Any] | None

# Fields whose database values reach Python as str, int, float or bool (or None) without
# conversion, grouped by ``get_internal_type()``. A foreign key counts as the field it targets.
_TEXT_FIELDS = frozenset(
    {
        "CharField",
        "TextField",
        "EmailField",
        "SlugField",
        "URLField",
        "GenericIPAddressField",
        "IPAddressField",
        "FilePathField",
        "FileField",
        "ImageField",
    }
)
_NUMBER_FIELDS = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
        "FloatField",
    }
)
_DATE_TYPES = (datetime.datetime, datetime.date, datetime.time)


def _date_value(value: Any) -> Any:
    return value.isoformat() if type(value) in _DATE_TYPES else json_value(value)


def _datetime_value(value: Any) -> Any:
    return value.isoformat() if type(value) is datetime.datetime else json_value(value)


def _decimal_value(value: Any) -> Any:
    return str(value) if type(value) is decimal.Decimal else json_value(value)


def _uuid_value(value: Any) -> Any:
    return str(value) if type(value) is uuid.UUID else json_value(value)


def _text_cell(value: Any) -> Any:
    if type(value) is str:
        return "'" + value if value.startswith(FORMULA_PREFIXES) else value
    return csv_cell(value)


def _bool_cell(value: Any) -> Any:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return csv_cell(value)


def _number_cell(value: Any) -> Any:
    # The csv module writes None as an empty cell and numbers with str(), as csv_cell does.
    return value if value is None or type(value) in (int, float) else csv_cell(value)


GENERIC_CONVERTERS: tuple[Converter, Converter] = (json_value, csv_cell)


def field_converters(model_field: Any) -> tuple[Converter, Converter]:
    """Return ``(to JSON, to CSV)`` for the values a model field gives in ``values_list``.

    Chosen once per column, so a large export does not test each value's type against every
    known type. Each converter still checks the type it expects and hands anything else to
    ``json_value`` or ``csv_cell``, so an unexpected value is never written wrongly. Fields that
    convert database values themselves (``from_db_value``) get the generic converters.
    """
    while getattr(model_field, "many_to_one", False) or getattr(model_field, "one_to_one", False):
        model_field = model_field.target_field
    if not isinstance(model_field, models.Field) or hasattr(model_field, "from_db_value"):
        return GENERIC_CONVERTERS
    kind = model_field.get_internal_type()
    if kind in _TEXT_FIELDS:
        return None, _text_cell
    if kind in _NUMBER_FIELDS:
        return None, _number_cell
    if kind == "BooleanField":
        return None, _bool_cell
    if kind == "DateTimeField":
        return _datetime_value, _text_cell
    if kind in ("DateField", "TimeField"):
        return _date_value, _text_cell
    if kind == "DecimalField":
        return _decimal_value, _text_cell
    if kind == "UUIDField":
        return _uuid_value, _text_cell
    return GENERIC_CONVERTERS


#: Function from a column of values (a tuple) to the column converted, of the same length.
ColumnConverter = Callable[[tuple[Any, ...]], tuple[Any, ...]] | None

_NONE_TYPE = type(None)
_PLAIN_NUMBER_TYPES = frozenset({int, float, _NONE_TYPE})
_BOOL_TYPES = frozenset({bool, _NONE_TYPE})
_BOOL_CELLS = {True: "true", False: "false", None: ""}


def _each(convert: Callable[[Any], Any]) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    def convert_column(column: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(map(convert, column))

    return convert_column


def _text_cell_column(column: tuple[Any, ...]) -> tuple[Any, ...]:
    try:
        # Raises TypeError unless every value is text; then each cell is converted.
        if not any(map(str.startswith, column, repeat(FORMULA_PREFIXES))):
            return column
    except TypeError:
        pass
    return tuple(map(_text_cell, column))


def _number_cell_column(column: tuple[Any, ...]) -> tuple[Any, ...]:
    if set(map(type, column)) <= _PLAIN_NUMBER_TYPES:
        return column
    return tuple(map(_number_cell, column))


def _bool_cell_column(column: tuple[Any, ...]) -> tuple[Any, ...]:
    # Checked by type first: 1 == True, so the lookup alone would turn an int into "true".
    if set(map(type, column)) <= _BOOL_TYPES:
        return tuple(map(_BOOL_CELLS.__getitem__, column))
    return tuple(map(_bool_cell, column))


def _datetime_value_column(column: tuple[Any, ...]) -> tuple[Any, ...]:
    if set(map(type, column)) == {datetime.datetime}:
        return tuple(map(datetime.datetime.isoformat, column))
    return tuple(map(_datetime_value, column))


def _decimal_value_column(column: tuple[Any, ...]) -> tuple[Any, ...]:
    if set(map(type, column)) == {decimal.Decimal}:
        return tuple(map(str, column))
    return tuple(map(_decimal_value, column))


# Column forms of the value converters that have a faster path for a whole column.
_COLUMN_FORMS: dict[Any, Callable[[tuple[Any, ...]], tuple[Any, ...]]] = {
    _text_cell: _text_cell_column,
    _number_cell: _number_cell_column,
    _bool_cell: _bool_cell_column,
    _datetime_value: _datetime_value_column,
    _decimal_value: _decimal_value_column,
}


def column_converters(model_field: Any) -> tuple[ColumnConverter, ColumnConverter]:
    """Return ``field_converters(model_field)`` in a form that converts a whole column.

    Each column converter gives the same values as mapping the value converter over the
    column. Where every value has the expected type, the work runs in C: a text column is
    scanned once for cells that look like formulas, and plain numbers pass unchanged.
    """
    return cast(
        tuple[ColumnConverter, ColumnConverter],
        tuple(
            None if convert is None else _COLUMN_FORMS.get(convert) or _each(convert)
            for convert in field_converters(model_field)
        ),
    )


GENERIC_COLUMN_CONVERTERS = column_converters(None)


class BinaryWriter(Protocol):
    def write(self, data: bytes, /) -> int: ...


class JsonDatasetWriter:
    """Write one dataset as a JSON document, row by row, to a binary file object.

    The document is ``{"schema_version", "dataset", "category", "columns", "rows", "row_count"}``;
    rows are objects keyed by column name, in column order.
    """

    def __init__(
        self, target: BinaryWriter, *, dataset: str, category: str, columns: list[dict[str, str]]
    ) -> None:
        self.target = target
        self.count = 0
        self._pending: list[str] = []
        self._pending_size = 0
        head = {
            "schema_version": SCHEMA_VERSION,
            "dataset": dataset,
            "category": category,
            "columns": columns,
        }
        text = json.dumps(head, ensure_ascii=False, indent=1)
        # Open the rows array inside the object: drop the closing brace and continue.
        self.target.write((text[:-2] + ',\n "rows": [').encode())

    def write_row(self, row: dict[str, Any]) -> None:
        self.write_rows([row])

    def write_rows(self, rows: Iterable[dict[str, Any]]) -> None:
        """Write rows, each on a line of its own."""
        encoded = encode_rows(rows)
        if not encoded:
            return
        text = ("\n  " if self.count == 0 else ",\n  ") + ",\n  ".join(encoded)
        self._pending.append(text)
        self._pending_size += len(text)
        self.count += len(encoded)
        if self._pending_size >= WRITE_BUFFER:
            self._flush()

    def _flush(self) -> None:
        # Rows are written in blocks: the ZIP compressor is slow when fed one small row at a time.
        if self._pending:
            self.target.write("".join(self._pending).encode())
            self._pending = []
            self._pending_size = 0

    def close(self) -> None:
        self._flush()
        self.target.write(f'\n ],\n "row_count": {self.count}\n}}\n'.encode())


class CsvDatasetWriter:
    """Write one dataset as UTF-8 CSV with a byte order mark, so spreadsheets pick the encoding.

    Rows are collected as text and written to ``target`` in blocks of about ``WRITE_BUFFER``
    characters.
    """

    def __init__(self, target: IO[bytes], headings: list[str]) -> None:
        self.target = target
        self.text = io.StringIO()
        self.text.write(CSV_BOM)
        self.writer = csv.writer(self.text)
        self.writer.writerow([csv_cell(heading) for heading in headings])

    def write_row(self, values: list[Any]) -> None:
        """Write JSON-compatible values, each converted with ``csv_cell``."""
        self.write_cells([csv_cell(value) for value in values])

    def write_cells(self, cells: list[Any]) -> None:
        """Write cells already escaped; the csv module writes ``None`` as an empty cell."""
        self.write_cell_rows([cells])

    def write_cell_rows(self, rows: Iterable[Iterable[Any]]) -> None:
        """Write rows of cells already escaped."""
        self.writer.writerows(rows)
        if self.text.tell() >= WRITE_BUFFER:
            self._flush()

    def _flush(self) -> None:
        self.target.write(self.text.getvalue().encode())
        self.text.seek(0)
        self.text.truncate()

    def close(self) -> None:
        self._flush()
