"""Benchmarks: run each scenario with `python bench/run.py`; results in docs/benchmarks.md."""
