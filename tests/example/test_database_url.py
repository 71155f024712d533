import pytest

from example_project.database import database_from_url


def test_no_url_uses_sqlite_default(tmp_path):
    config = database_from_url(None, tmp_path / "db.sqlite3")

    assert config["NAME"] == str(tmp_path / "db.sqlite3")


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("sqlite:////tmp/demo.sqlite3", "/tmp/demo.sqlite3"),
        ("sqlite:///demo.sqlite3", "demo.sqlite3"),
        ("sqlite://", ":memory:"),
    ],
)
def test_sqlite_paths(tmp_path, url, name):
    assert database_from_url(url, tmp_path / "unused")["NAME"] == name


def test_postgres_parts(tmp_path):
    config = database_from_url("postgres://postgres@127.0.0.1:5432/datarights", tmp_path / "x")

    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["NAME"] == "datarights"
    assert config["USER"] == "postgres"
    assert config["PORT"] == "5432"


def test_unknown_scheme_rejected(tmp_path):
    with pytest.raises(ValueError, match="mysql"):
        database_from_url("mysql://127.0.0.1/shop", tmp_path / "x")
