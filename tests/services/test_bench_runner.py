"""The benchmark runner: scenario output parsing, failures and the results table."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

RUNNER_PATH = Path(__file__).resolve().parents[2] / "bench" / "run.py"


@pytest.fixture(scope="module")
def runner():
    spec = importlib.util.spec_from_file_location("bench_runner", RUNNER_PATH)
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the class is created.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def write_scenario(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "demo" / "run.py"
    script.parent.mkdir()
    script.write_text(body)
    return script


def test_metrics_from_last_line(runner):
    assert runner.parse_metrics('warming up\n{"rows_per_second": 1200.5}\n') == {
        "rows_per_second": 1200.5
    }


def test_metrics_must_be_object(runner):
    with pytest.raises(ValueError, match="expected an object"):
        runner.parse_metrics("[1, 2]\n")


def test_scenario_receives_quick_flag(runner, tmp_path):
    script = write_scenario(
        tmp_path, 'import json, sys\nprint(json.dumps({"quick": "--quick" in sys.argv}))\n'
    )

    result = runner.run_scenario(script, quick=True, timeout=30)

    assert result.status == "ok"
    assert result.metrics == {"quick": True}


def test_failing_scenario_keeps_output(runner, tmp_path):
    script = write_scenario(tmp_path, 'print("setting up")\nraise SystemExit(3)\n')

    result = runner.run_scenario(script, quick=True, timeout=30)

    assert result.status == "failed"
    assert "exit status 3" in result.error
    assert "setting up" in result.error


def test_slow_scenario_times_out(runner, tmp_path):
    script = write_scenario(tmp_path, "import time\ntime.sleep(30)\n")

    result = runner.run_scenario(script, quick=True, timeout=0.5)

    assert result.status == "timed out"


def test_table_lists_each_metric(runner):
    results = [runner.ScenarioResult("export", "ok", 1.25, {"rows": 10, "mb": 2.5})]

    table = runner.format_table(results).splitlines()

    assert table[0].split() == ["scenario", "status", "seconds", "metric", "value"]
    assert table[2].split() == ["export", "ok", "1.2", "mb", "2.5"]
    assert table[3].split() == ["rows", "10"]
