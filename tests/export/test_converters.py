import datetime
import io
import json
import uuid
from decimal import Decimal

import pytest
from django.db import models
from hypothesis import given, settings
from hypothesis import strategies as st

from django_datarights.export.formats import (
    GENERIC_CONVERTERS,
    WRITE_BUFFER,
    CsvDatasetWriter,
    column_converters,
    encode_rows,
    field_converters,
    json_value,
)
from example_project.shop.models import Order, OrderLine

WHEN = datetime.datetime(2026, 3, 1, 9, 30, tzinfo=datetime.UTC)


def csv_text(write):
    target = io.BytesIO()
    writer = CsvDatasetWriter(target, ["Value"])
    write(writer)
    writer.close()
    return target.getvalue()


def convert(model_field, value):
    """Return the JSON value and CSV file that the column converters give for ``value``."""
    to_json, to_csv = field_converters(model_field)
    json_result = value if to_json is None else to_json(value)
    cell = json_result if to_csv is None else to_csv(json_result)
    return json_result, csv_text(lambda writer: writer.write_cells([cell]))


def generic(value):
    expected = json_value(value)
    return expected, csv_text(lambda writer: writer.write_row([expected]))


@pytest.mark.parametrize(
    ("model_field", "value"),
    [
        (models.CharField(), "Zoë Ørsted"),
        (models.CharField(), "=HYPERLINK(1)"),
        (models.CharField(), None),
        (models.TextField(), "-5 parcels"),
        (models.GenericIPAddressField(), "192.0.2.7"),
        (models.FileField(), "files/shop.message/1/attachment/note.txt"),
        (models.IntegerField(), -12),
        (models.PositiveIntegerField(), None),
        (models.FloatField(), 2.5),
        (models.BooleanField(), True),
        (models.BooleanField(), False),
        (models.BooleanField(null=True), None),
        (models.DateTimeField(), WHEN),
        (models.DateField(), WHEN.date()),
        (models.TimeField(), WHEN.time()),
        (models.DecimalField(), Decimal("19.90")),
        (models.DecimalField(), Decimal("-3.50")),
        (models.UUIDField(), uuid.UUID(int=7)),
        (Order._meta.get_field("customer"), 3),
        (OrderLine._meta.get_field("order"), None),
    ],
)
def test_column_converters_match_generic(model_field, value):
    assert convert(model_field, value) == generic(value)


@pytest.mark.parametrize(
    ("model_field", "value"),
    [
        (models.CharField(), 5),
        (models.IntegerField(), "=1+1"),
        (models.BooleanField(), 1),
        (models.DateTimeField(), "2026-03-01"),
        (models.DecimalField(), 1.5),
    ],
)
def test_unexpected_value_falls_back_to_generic(model_field, value):
    assert convert(model_field, value) == generic(value)


COLUMN_FIELDS = [
    models.CharField(),
    models.IntegerField(),
    models.FloatField(),
    models.BooleanField(null=True),
    models.DateTimeField(),
    models.DateField(),
    models.TimeField(),
    models.DecimalField(),
    models.UUIDField(),
    models.JSONField(),
    Order._meta.get_field("customer"),
]
column_values = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text()
    | st.sampled_from(["=SUM(A1)", "+1", "-2", "@x", "\tx", "\rx", "plain", ""])
    | st.datetimes(timezones=st.just(datetime.UTC))
    | st.dates()
    | st.times()
    | st.decimals(allow_nan=False, allow_infinity=False)
    | st.uuids()
)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(COLUMN_FIELDS),
    st.one_of(
        st.lists(column_values, max_size=8),
        # Columns of one type, which take the fast paths.
        st.lists(st.text(), max_size=8),
        st.lists(st.integers() | st.none(), max_size=8),
        st.lists(st.booleans() | st.none(), max_size=8),
        st.lists(st.datetimes(timezones=st.just(datetime.UTC)), max_size=8),
        st.lists(st.decimals(allow_nan=False, allow_infinity=False), max_size=8),
    ),
)
def test_column_converters_match_value_converters(model_field, values):
    column = tuple(values)
    for convert_value, convert_column in zip(
        field_converters(model_field), column_converters(model_field), strict=True
    ):
        expected = column if convert_value is None else tuple(map(convert_value, column))
        got = column if convert_column is None else convert_column(column)
        assert got == expected
        assert [type(value) for value in got] == [type(value) for value in expected]
        column = got


def test_field_converting_its_own_values_is_generic():
    assert field_converters(models.JSONField()) == GENERIC_CONVERTERS


def test_missing_field_is_generic():
    assert field_converters(None) == GENERIC_CONVERTERS


def test_csv_writes_rows_past_one_block():
    target = io.BytesIO()
    writer = CsvDatasetWriter(target, ["Subject"])
    rows = WRITE_BUFFER // 10 * 3
    for number in range(rows):
        writer.write_cells([f"Question {number}"])
    writer.close()
    lines = target.getvalue().decode("utf-8-sig").split("\r\n")
    assert lines[0] == "Subject"
    assert lines[1:-1] == [f"Question {number}" for number in range(rows)]


json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(), children, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.dictionaries(st.text(), json_values, max_size=6), max_size=4))
def test_row_encoding_matches_json_dumps(rows):
    expected = [json.dumps(row, ensure_ascii=False) for row in rows]
    assert encode_rows(rows) == expected
    assert encode_rows(iter(rows)) == expected


def test_failed_row_leaves_encoder_usable():
    class Unknown:
        pass

    shared = {"id": 1}
    with pytest.raises(TypeError):
        encode_rows([{"nested": shared, "bad": Unknown()}])
    # A shared circular-reference marker would now reject this row as circular.
    assert encode_rows([{"nested": shared}]) == ['{"nested": {"id": 1}}']
