"""The conftest hooks that skip service tests locally and fail them under CI."""

from __future__ import annotations

from typing import Any

import pytest

from tests import conftest


class FakeItem:
    """The two parts of ``pytest.Item`` the hooks use: markers in, markers out."""

    def __init__(self, *marker_names: str) -> None:
        self.marker_names = set(marker_names)
        self.added: list[Any] = []

    def get_closest_marker(self, name: str) -> Any:
        return name if name in self.marker_names else None

    def add_marker(self, marker: Any) -> None:
        self.added.append(marker)


def skipped_report(reason: str = "Skipped: needs PostgreSQL") -> pytest.TestReport:
    return pytest.TestReport(
        nodeid="tests/x.py::test_x",
        location=("tests/x.py", 1, "test_x"),
        keywords={},
        outcome="skipped",
        longrepr=("tests/x.py", 1, reason),
        when="setup",
    )


def run_makereport(item: FakeItem, report: pytest.TestReport) -> pytest.TestReport:
    hook = conftest.pytest_runtest_makereport(item, None)
    next(hook)
    with pytest.raises(StopIteration) as stop:
        hook.send(report)
    return stop.value.value


@pytest.fixture
def local(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("DATARIGHTS_REQUIRE_SERVICES", raising=False)


@pytest.fixture
def ci(monkeypatch):
    monkeypatch.setenv("CI", "true")


def test_missing_service_skips_test(local, monkeypatch):
    monkeypatch.setitem(conftest.MISSING_CHECKS, "postgres", lambda: "needs PostgreSQL")
    item = FakeItem("postgres")

    conftest.pytest_collection_modifyitems(None, [item])

    assert len(item.added) == 1
    assert item.added[0].kwargs["reason"] == "postgres: needs PostgreSQL"


def test_present_service_runs_test(local, monkeypatch):
    monkeypatch.setitem(conftest.MISSING_CHECKS, "browser", lambda: None)
    item = FakeItem("browser")

    conftest.pytest_collection_modifyitems(None, [item])

    assert item.added == []


def test_unmarked_test_left_alone(local):
    item = FakeItem()

    conftest.pytest_collection_modifyitems(None, [item])

    assert item.added == []


def test_skip_stays_skip_locally(local):
    report = run_makereport(FakeItem("postgres"), skipped_report())

    assert report.outcome == "skipped"


def test_skip_fails_under_ci(ci):
    report = run_makereport(FakeItem("worker"), skipped_report("Skipped: needs Redis"))

    assert report.outcome == "failed"
    assert "needs Redis" in str(report.longrepr)
    assert "CI=true" in str(report.longrepr)


def test_require_flag_fails_skip(local, monkeypatch):
    monkeypatch.setenv("DATARIGHTS_REQUIRE_SERVICES", "1")

    report = run_makereport(FakeItem("browser"), skipped_report())

    assert report.outcome == "failed"


def test_ordinary_skip_unaffected_under_ci(ci):
    report = run_makereport(FakeItem(), skipped_report("Skipped: not on Windows"))

    assert report.outcome == "skipped"
