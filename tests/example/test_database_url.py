import django
import pytest

from example_project.database import SQLITE_LOCK_TIMEOUT, database_from_url


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


def test_sqlite_waits_for_write_lock(tmp_path):
    options = database_from_url(None, tmp_path / "db.sqlite3")["OPTIONS"]

    assert options["timeout"] == SQLITE_LOCK_TIMEOUT


@pytest.mark.skipif(django.VERSION < (5, 1), reason="transaction_mode needs Django 5.1 or later")
def test_sqlite_transactions_immediate(tmp_path):
    options = database_from_url("sqlite:///demo.sqlite3", tmp_path / "x")["OPTIONS"]

    assert options["transaction_mode"] == "IMMEDIATE"


def test_sqlite_options_accepted_by_django(tmp_path):
    from django.db.backends.sqlite3.base import DatabaseWrapper

    settings_dict = {
        **database_from_url(f"sqlite:///{tmp_path}/check.sqlite3", tmp_path / "x"),
        "ATOMIC_REQUESTS": False, "AUTOCOMMIT": True, "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False, "TIME_ZONE": None, "TEST": {},
    }
    wrapper = DatabaseWrapper(settings_dict)
    raw_connection = wrapper.get_new_connection(wrapper.get_connection_params())
    try:
        assert raw_connection.execute("SELECT 1").fetchone() == (1,)
    finally:
        raw_connection.close()
