"""Run the speed benchmarks: every ``benchmarks/bench_*.py`` module's ``run(quick)``.

Each benchmark measures ona against a baseline *in the same run* (same machine, same load), so
targets are ratios, never absolute seconds. Usage::

    python benchmarks/run.py                 # full size (minutes)
    python benchmarks/run.py --quick         # small sizes, seconds (what the test suite runs)
    python benchmarks/run.py --only email --json results.json

Exit status 0 when every target is met, 1 otherwise.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def discover(only: list[str] | None = None) -> list[Path]:
    files = sorted(HERE.glob("bench_*.py"))
    if only:
        files = [f for f in files if any(o in f.stem for o in only)]
    return files


def load(path: Path):
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))  # benchmarks share helpers such as _orggen.py
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def machine() -> dict[str, object]:
    import os

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.machine(),
        "cpus": os.cpu_count(),
    }


def run(quick: bool, only: list[str] | None = None) -> list[dict]:
    rows: list[dict] = []
    for path in discover(only):
        started = time.perf_counter()
        results = load(path).run(quick=quick)
        for r in results:
            r.setdefault("benchmark", path.stem)
        rows.extend(results)
        print(f"# {path.stem}: {len(results)} measurement(s) in {time.perf_counter() - started:.1f}s",
              file=sys.stderr)
    return rows


def table(rows: list[dict]) -> str:
    lines = [f"{'benchmark':<16} {'measure':<44} {'s':>9} {'baseline':<30} {'base s':>9} "
             f"{'ratio':>8}  target / ok"]
    for r in rows:
        lines.append(
            f"{r['benchmark'][:16]:<16} {r['name'][:44]:<44} {r['seconds']:>9.3f} "
            f"{str(r.get('baseline_name', ''))[:30]:<30} {r.get('baseline_seconds') or 0:>9.3f} "
            f"{r.get('ratio') or 0:>8.2f}  {r.get('target', '')} {'OK' if r.get('passed') else 'MISSED'}"
        )
        if r.get("notes"):
            lines.append(f"{'':<16} note: {r['notes']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes, for smoke tests")
    parser.add_argument("--only", nargs="*", help="substrings of benchmark names to run")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = parser.parse_args(argv)
    rows = run(args.quick, args.only)
    print(table(rows))
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": machine(), "quick": args.quick,
                                               "results": rows}, indent=2, default=str))
    return 0 if all(r.get("passed") for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
