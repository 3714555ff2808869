"""The benchmark runner works and every benchmark reports comparable figures (quick sizes).

Speed targets are checked by `make bench` at full size, not here: this only proves that each
benchmark runs, measures a baseline in the same run, and reports a ratio.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
spec = importlib.util.spec_from_file_location("bench_runner", BENCH / "run.py")
runner = importlib.util.module_from_spec(spec)
spec.loader.exec_module(runner)

MODULES = [p.stem for p in runner.discover()]


@pytest.mark.slow
@pytest.mark.parametrize("name", MODULES)
def test_benchmark_runs_quick_and_reports_ratios(name):
    rows = runner.run(quick=True, only=[name])
    assert rows, f"{name} reported no measurement"
    for r in rows:
        assert {"name", "seconds", "baseline_name", "baseline_seconds", "ratio", "target", "passed"} <= set(r)
        assert r["seconds"] > 0 and math.isfinite(r["seconds"])
        assert r["baseline_seconds"] is None or r["baseline_seconds"] > 0
    assert "ratio" in runner.table(rows)


def test_runner_discovers_benchmarks():
    assert all(p.name.startswith("bench_") for p in runner.discover())
