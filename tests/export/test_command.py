import json
import zipfile
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from django_datarights.registry import registry


def test_command_writes_archive(user, shop_data, tmp_path):
    shop_data(user)
    target = tmp_path / "out.zip"
    out = StringIO()
    call_command("datarights_export", user.username, output=str(target), stdout=out)
    manifest = json.loads(zipfile.ZipFile(target).read("manifest.json"))
    assert [d["label"] for d in manifest["datasets"]] == [
        d.label() for d in registry.in_export_order()
    ]


def test_command_prints_counts(user, shop_data, tmp_path):
    shop_data(user, orders=3)
    out = StringIO()
    call_command("datarights_export", user.username, output=str(tmp_path / "out.zip"), stdout=out)
    order_line = next(
        line for line in out.getvalue().splitlines() if line.startswith("shop.Order ")
    )
    assert order_line.split()[1] == "3"


def test_command_unknown_user(db, tmp_path):
    with pytest.raises(CommandError, match="No user with username 'nobody'"):
        call_command("datarights_export", "nobody", output=str(tmp_path / "out.zip"))


def test_command_keeps_existing_file(user, tmp_path):
    target = tmp_path / "out.zip"
    target.write_bytes(b"keep")
    with pytest.raises(CommandError, match="already exists"):
        call_command("datarights_export", user.username, output=str(target))
    assert target.read_bytes() == b"keep"
