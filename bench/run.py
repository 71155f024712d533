"""Run every benchmark scenario under ``bench/`` and print one table of their results.

Each scenario is a directory ``bench/<name>/`` with a ``run.py`` that accepts ``--quick`` and
prints its results as JSON on the last line of standard output: an object whose keys are
metric names and whose values are numbers or short strings. Anything printed before that line
is shown only when the scenario fails.

    python bench/run.py            # full runs
    python bench/run.py --quick    # short runs, for CI or a quick check
    python bench/run.py export     # only the scenarios whose names are given

The collected results are also written to ``bench/.data/results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
RESULTS_PATH = BENCH_DIR / ".data" / "results.json"


@dataclass
class ScenarioResult:
    name: str
    status: str  # "ok", "failed" or "timed out"
    seconds: float
    metrics: dict[str, Any] = field(default_factory=dict)
    error: str = ""


def discover(names: list[str]) -> list[Path]:
    """Return the ``run.py`` scripts of the scenarios, sorted, limited to ``names`` if given."""
    scripts = sorted(path for path in BENCH_DIR.glob("*/run.py") if path.parent.name != ".data")
    if not names:
        return scripts
    known = {script.parent.name: script for script in scripts}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise SystemExit(
            f"unknown scenario: {', '.join(unknown)}; available: {', '.join(known) or 'none'}"
        )
    return [known[name] for name in names]


def parse_metrics(stdout: str) -> dict[str, Any]:
    """Read the JSON object on the last non-empty line of a scenario's output."""
    lines = [line for line in stdout.splitlines() if line.strip()]
    if not lines:
        raise ValueError("scenario printed nothing; expected a JSON object on the last line")
    metrics = json.loads(lines[-1])
    if not isinstance(metrics, dict):
        raise ValueError(f"last line is JSON {type(metrics).__name__}, expected an object")
    return metrics


def run_scenario(script: Path, quick: bool, timeout: float) -> ScenarioResult:
    name = script.parent.name
    command = [sys.executable, str(script)] + (["--quick"] if quick else [])
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
    }
    started = time.monotonic()
    try:
        completed = subprocess.run(  # noqa: S603 - our own scripts, no shell
            command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        elapsed = time.monotonic() - started
        return ScenarioResult(name, "timed out", elapsed, error=f"no result within {timeout:.0f} s")
    elapsed = time.monotonic() - started

    if completed.returncode != 0:
        tail = "\n".join((completed.stdout + completed.stderr).splitlines()[-20:])
        return ScenarioResult(
            name, "failed", elapsed, error=f"exit status {completed.returncode}\n{tail}"
        )
    try:
        metrics = parse_metrics(completed.stdout)
    except ValueError as error:
        return ScenarioResult(name, "failed", elapsed, error=str(error))
    return ScenarioResult(name, "ok", elapsed, metrics=metrics)


def format_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def format_table(results: list[ScenarioResult]) -> str:
    rows = [("scenario", "status", "seconds", "metric", "value")]
    for result in results:
        base = (result.name, result.status, f"{result.seconds:.1f}")
        if not result.metrics:
            rows.append((*base, "", ""))
            continue
        for index, (metric, value) in enumerate(sorted(result.metrics.items())):
            rows.append((*(base if index == 0 else ("", "", "")), metric, format_value(value)))
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the bench/<name>/run.py scenarios.")
    parser.add_argument("names", nargs="*", help="scenario directory names (default: all)")
    parser.add_argument("--quick", action="store_true", help="pass --quick to every scenario")
    parser.add_argument(
        "--timeout",
        type=float,
        default=1800.0,
        help="seconds one scenario may run before it is stopped (default: 1800)",
    )
    args = parser.parse_args(argv)

    scripts = discover(args.names)
    if not scripts:
        print("no scenarios found: add bench/<name>/run.py")
        return 0

    results = []
    for script in scripts:
        print(f"running {script.parent.name}{' --quick' if args.quick else ''} ...", flush=True)
        results.append(run_scenario(script, args.quick, args.timeout))

    print()
    print(format_table(results))
    for result in results:
        if result.error:
            print(f"\n{result.name}: {result.status}\n{result.error}")

    RESULTS_PATH.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "quick": args.quick,
        "python": sys.version.split()[0],
        "results": [asdict(r) for r in results],
    }
    RESULTS_PATH.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nresults written to {RESULTS_PATH.relative_to(REPO_ROOT)}")
    return 0 if all(result.status == "ok" for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
