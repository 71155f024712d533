import datetime
import io
import json
import uuid
from decimal import Decimal

import pytest

from django_datarights.export.formats import (
    CsvDatasetWriter,
    JsonDatasetWriter,
    UnserialisableValue,
    csv_cell,
    json_value,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("19.90"), "19.90"),
        (datetime.date(2026, 2, 3), "2026-02-03"),
        (
            datetime.datetime(2026, 2, 3, 4, 5, 6, tzinfo=datetime.timezone.utc),
            "2026-02-03T04:05:06+00:00",
        ),
        (uuid.UUID("12345678-1234-5678-1234-567812345678"), "12345678-1234-5678-1234-567812345678"),
        (b"\x00\xff", "AP8="),
        (datetime.timedelta(days=1, seconds=1, microseconds=500000), "86401.5"),
        ({"b": Decimal("1.5")}, {"b": "1.5"}),
        (None, None),
        (True, True),
    ],
)
def test_json_value(value, expected):
    assert json_value(value) == expected


def test_json_value_rejects_unknown_type():
    with pytest.raises(UnserialisableValue, match="object"):
        json_value(object())


@pytest.mark.parametrize("text", ["=SUM(A1)", "+1", "-2+3", "@cmd", "\tx", "\rx"])
def test_csv_cell_escapes_formulas(text):
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize(
    ("value", "expected"), [(-5, "-5"), (1.5, "1.5"), ("plain", "plain"), (None, "")]
)
def test_csv_cell_keeps_other_values(value, expected):
    assert csv_cell(value) == expected


def test_csv_starts_with_bom_and_keeps_non_ascii():
    target = io.BytesIO()
    writer = CsvDatasetWriter(target, ["Name", "Città"])
    writer.write_row(["Zoë Ørsted", "Kraków"])
    writer.close()
    raw = target.getvalue()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8-sig") == "Name,Città\r\nZoë Ørsted,Kraków\r\n"


def test_json_document_shape():
    target = io.BytesIO()
    writer = JsonDatasetWriter(
        target, dataset="shop.Order", category="Orders", columns=[{"name": "id", "label": "ID"}]
    )
    writer.write_row({"id": 1})
    writer.write_row({"id": 2})
    writer.close()
    document = json.loads(target.getvalue())
    assert document["schema_version"] == 1
    assert document["dataset"] == "shop.Order"
    assert document["rows"] == [{"id": 1}, {"id": 2}]
    assert document["row_count"] == 2


def test_json_document_without_rows():
    target = io.BytesIO()
    writer = JsonDatasetWriter(target, dataset="shop.Order", category="Orders", columns=[])
    writer.close()
    assert json.loads(target.getvalue())["rows"] == []
