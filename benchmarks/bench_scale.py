"""Scale: a 100,000-person organisation with 50 million events on one machine (issue 9).

Two measurements, each against a plain baseline in the same run:

(a) **Parquet workspace in, monthly weighted edges out.** A simulated organisation's events are
    written as a partitioned workspace (``_scalegen.py`` writes the partitions directly with
    pyarrow in the workspace layout: generating 50 million events through a reader would take
    far longer than what is measured). Then, each in its own process so that peak memories do
    not mix (peak = ``ru_maxrss`` of that process, from ``os.wait4``):

    * ``ona.aggregate(ws, freq="MS")`` (DuckDB, the default), result written to Parquet;
    * ``ona.aggregate(..., engine="pandas")``: one partition file at a time (the plain baseline);
    * a naive whole-table pandas ``groupby``: everything in one frame;
    * DuckDB alone, Parquet to Parquet (``COPY``), without the pandas result ona returns;
    * polars (lazy, ``sink_parquet``) when it is installed: measured, never a dependency.

    Target: under 10 minutes and under 8 GB peak on 2 cores.

(b) **The person table at 100,000 people and about 3 million ties**, from the edge table
    (``ona.aggregate(ws, freq=None)``) with :func:`ona.scale.person_table_at_scale` (CSR
    matrix, sampled path measures at the default k = 1,024, Burt's measures, Louvain), against
    networkx: the graph is built in full, and each networkx measure is timed on a sample of
    sources or people and **extrapolated** to the same budget (1,024 sources for betweenness,
    closeness and harmonic; everyone for constraint and effective size). Target: under 10
    minutes.

Usage::

    python benchmarks/bench_scale.py            # full size (about half an hour with generation)
    python benchmarks/bench_scale.py --quick    # 2,000 people, 200,000 events (seconds)
    python benchmarks/bench_scale.py --aggregate --json out.json   # only part (a); --person: (b)

``ONA_SCALE_WORKSPACE=DIR`` keeps the generated workspace in DIR and reuses it on the next run;
``ONA_SCALE_K=256`` runs the person table (and the networkx extrapolation) at a smaller budget.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

__all__ = ["SIZES", "run"]

SIZES = {
    True: {"people": 2_000, "events": 200_000},
    False: {"people": 100_000, "events": 50_000_000},
}
TEN_MINUTES = 600.0
EIGHT_GB = 8 * 1024**3
# networkx baseline: sampled sources (path measures) and people (Burt's measures) actually run
NX_SOURCES = {True: 4, False: 4}
NX_PEOPLE = {True: 10, False: 6}  # networkx takes seconds per person (O(degree^3))
# quick mode samples too (2,000 people would be exact), with a small budget, to stay in seconds
QUICK_K = 128
BUDGET = 1024  # the default k of ona's sampled path measures


# -- the measured tasks (run in child processes) ------------------------------------------------
def _filters_sql() -> str:
    return "NOT automated AND NOT mass"


def task_duckdb(ws: str, out: str) -> dict:
    import ona

    started = time.perf_counter()
    edges = ona.aggregate(ws, freq="MS")
    edges.to_parquet(out, index=False)
    return {"seconds": time.perf_counter() - started, "rows": len(edges)}


def task_pandas(ws: str, out: str) -> dict:
    import ona

    started = time.perf_counter()
    edges = ona.aggregate(ws, freq="MS", engine="pandas")
    edges.to_parquet(out, index=False)
    return {"seconds": time.perf_counter() - started, "rows": len(edges)}


def task_naive(ws: str, out: str) -> dict:
    import pandas as pd

    started = time.perf_counter()
    frame = pd.read_parquet(
        Path(ws) / "interactions", columns=["timestamp", "source", "target", "automated", "mass"]
    )
    frame = frame[~frame["automated"] & ~frame["mass"]]
    period = frame["timestamp"].dt.tz_localize(None).dt.to_period("M").dt.start_time
    edges = (
        frame.assign(period=period)
        .groupby(["period", "source", "target"], observed=True)
        .size()
        .rename("events")
        .reset_index()
    )
    edges["weight"] = edges["events"].astype(float)
    edges.to_parquet(out, index=False)
    return {"seconds": time.perf_counter() - started, "rows": len(edges)}


def task_duckdb_copy(ws: str, out: str) -> dict:
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect(config={"threads": os.cpu_count() or 1})
    con.execute("SET enable_progress_bar = false")
    files = str(Path(ws) / "interactions" / "**" / "*.parquet")
    con.execute(
        "COPY (SELECT date_trunc('month', CAST(timestamp AS TIMESTAMP)) AS period, source, target,"
        " count(*)::DOUBLE AS weight, count(*) AS events"
        f" FROM read_parquet('{files}', hive_partitioning = true) WHERE {_filters_sql()}"
        f" GROUP BY ALL) TO '{out}' (FORMAT parquet)"
    )
    rows = con.execute(f"SELECT count(*) FROM read_parquet('{out}')").fetchone()[0]
    con.close()
    return {"seconds": time.perf_counter() - started, "rows": int(rows)}


def task_polars(ws: str, out: str) -> dict:
    import polars as pl

    started = time.perf_counter()
    lazy = pl.scan_parquet(str(Path(ws) / "interactions" / "**" / "*.parquet"),
                           hive_partitioning=True)
    (
        lazy.filter(~pl.col("automated") & ~pl.col("mass"))
        .group_by(pl.col("timestamp").dt.truncate("1mo").alias("period"), "source", "target")
        .agg(pl.len().cast(pl.Float64).alias("weight"), pl.len().alias("events"))
        .sink_parquet(out)
    )
    rows = pl.scan_parquet(out).select(pl.len()).collect().item()
    return {"seconds": time.perf_counter() - started, "rows": int(rows)}


def task_person(ws: str, out: str, quick: str) -> dict:
    import ona
    from ona.scale import person_table_at_scale

    started = time.perf_counter()
    edges = ona.aggregate(ws, freq=None)
    aggregate_s = time.perf_counter() - started
    options = {"betweenness": "sampled", "k": QUICK_K} if quick == "1" else {}
    if os.environ.get("ONA_SCALE_K"):  # a smaller budget when the machine is short of time
        options["k"] = int(os.environ["ONA_SCALE_K"])
    started, cpu = time.perf_counter(), time.process_time()
    table = person_table_at_scale(edges, seed=0, **options)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    table.to_parquet(out)
    return {"seconds": seconds, "cpu": cpu, "aggregate_seconds": aggregate_s, "people": len(table),
            "ties": len(edges), "steps": table.attrs["seconds"],
            "n_communities": table.attrs["n_communities"], "k": table.attrs["k"]}


def _timed(fn, scale: float = 1.0) -> tuple[float, float]:
    """Wall and CPU seconds of ``fn()``, times ``scale`` (the extrapolation factor)."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return (time.perf_counter() - wall) * scale, (time.process_time() - cpu) * scale


def task_networkx(ws: str, out: str, quick: str) -> dict:
    import networkx as nx
    import numpy as np

    import ona

    quick_mode = quick == "1"
    edges = ona.aggregate(ws, freq=None)
    G = nx.DiGraph()

    def build() -> None:
        G.add_weighted_edges_from(
            zip(edges["source"].tolist(), edges["target"].tolist(), edges["weight"].tolist(),
                strict=True)
        )
        for _, _, d in G.edges(data=True):  # path measures walk lengths 1/w, as ona does
            d["distance"] = 1.0 / d["weight"]

    steps = {"build": _timed(build)}
    n = G.number_of_nodes()
    rng = np.random.default_rng(0)
    nodes = list(G.nodes)
    s = NX_SOURCES[quick_mode]
    budget = min(QUICK_K if quick_mode else int(os.environ.get("ONA_SCALE_K") or BUDGET), n)
    sample = [nodes[i] for i in rng.choice(n, size=s, replace=False)]
    people = [nodes[i] for i in rng.choice(n, size=min(NX_PEOPLE[quick_mode], n), replace=False)]
    reverse = G.reverse(copy=False)  # nx.closeness_centrality(u=v) would copy G on every call

    def closeness() -> None:  # from distances to v: one Dijkstra on the reversed graph each
        for v in sample:
            lengths = nx.single_source_dijkstra_path_length(reverse, v, weight="distance")
            (len(lengths) - 1) / max(sum(lengths.values()), 1e-300)

    steps["betweenness"] = _timed(
        lambda: nx.betweenness_centrality(G, k=s, weight="distance", seed=0), budget / s
    )
    steps["closeness"] = _timed(closeness, budget / s)
    steps["harmonic"] = _timed(
        lambda: nx.harmonic_centrality(G, sources=sample, distance="distance"), budget / s
    )
    steps["constraint"] = _timed(lambda: nx.constraint(G, nodes=people, weight="weight"),
                                 n / len(people))
    steps["effective_size"] = _timed(lambda: nx.effective_size(G, nodes=people, weight="weight"),
                                     n / len(people))
    steps["pagerank"] = _timed(lambda: nx.pagerank(G, weight="weight"))
    path_cpu = sum(steps[m][1] for m in ("betweenness", "closeness", "harmonic"))
    return {"seconds": sum(w for w, _ in steps.values()),
            "cpu_extrapolated": sum(c for _, c in steps.values()),
            "steps": {k: w for k, (w, _) in steps.items()},
            "steps_cpu": {k: c for k, (_, c) in steps.items()},
            "exact_path_cpu_seconds": path_cpu * n / budget, "budget": budget,
            "sources": s, "people_sampled": len(people)}


TASKS = {
    "duckdb": task_duckdb,
    "pandas": task_pandas,
    "naive": task_naive,
    "duckdb_copy": task_duckdb_copy,
    "polars": task_polars,
    "person": task_person,
    "networkx": task_networkx,
}


# -- the parent: one child process per task -------------------------------------------------------
def measure(task: str, *args: str) -> dict:
    """Run ``task`` in a fresh interpreter; add its peak memory (bytes) from ``os.wait4``."""
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--child", task, *args],
        stdout=subprocess.PIPE,
        text=True,
    )
    output = proc.stdout.read()
    proc.stdout.close()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        return {"failed": f"exit status {proc.returncode}", "peak_bytes": usage.ru_maxrss * 1024}
    result = json.loads(output.rsplit("\nRESULT ", 1)[1])
    result["peak_bytes"] = usage.ru_maxrss * 1024  # Linux reports kilobytes
    # CPU time of the whole process (imports included): unlike wall time, hardly inflated when
    # other work shares the machine
    result["cpu_seconds"] = usage.ru_utime + usage.ru_stime
    return result


def _has_polars() -> bool:
    import importlib.util

    return importlib.util.find_spec("polars") is not None


def _gb(n: float) -> str:
    return f"{n / 1024**3:.2f} GiB"


def _row(name, seconds, base_name, base_seconds, target, passed, notes) -> dict:
    ratio = base_seconds / seconds if base_seconds and seconds else None
    return {"name": name, "seconds": seconds, "baseline_name": base_name,
            "baseline_seconds": base_seconds, "ratio": ratio, "target": target,
            "passed": bool(passed), "notes": notes}


def _log(text: str) -> None:
    print(f"# bench_scale: {text}", file=sys.stderr, flush=True)


def _workspace(quick: bool, scratch: Path) -> tuple[Path, dict]:
    from _scalegen import write_workspace

    keep = os.environ.get("ONA_SCALE_WORKSPACE")
    root = Path(keep) / ("quick" if quick else "full") if keep else scratch / "ws"
    info_file = root / "scalegen.json"
    if info_file.exists():
        return root, json.loads(info_file.read_text())
    if root.exists():
        shutil.rmtree(root)
    started = time.perf_counter()
    info = write_workspace(root, seed=0, **SIZES[quick])
    info["seconds"] = time.perf_counter() - started
    info_file.write_text(json.dumps(info))
    return root, info


def run(quick: bool, parts: tuple[str, ...] = ("aggregate", "person")) -> list[dict]:
    scratch = Path(tempfile.mkdtemp(prefix="ona-bench-scale-"))
    try:
        ws, info = _workspace(quick, scratch)
        _log(f"workspace: {info['people']:,} people, {info['ties']:,} ties, "
             f"{info['events']:,} events, {info['files']} files, {_gb(info['bytes'])} "
             f"({info.get('seconds', 0):.0f} s to write)")
        rows = []
        if "aggregate" in parts:
            rows += _aggregate_rows(quick, ws, info, scratch)
        if "person" in parts:
            rows += _person_rows(quick, ws, scratch)
        return rows
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _aggregate_rows(quick: bool, ws: Path, info: dict, scratch: Path) -> list[dict]:
    size = f"{info['events'] / 1e6:g}M events"
    agg = {}
    names = ["duckdb", "pandas", "naive"]
    if not quick:  # recorded for comparison at full size only (the quick run stays short)
        names += ["duckdb_copy"] + (["polars"] if _has_polars() else [])
    for name in names:
        agg[name] = measure(name, str(ws), str(scratch / f"{name}.parquet"))
        _log(f"aggregate {name}: {agg[name]}")
    rows = []
    ona_ = agg["duckdb"]

    def fig(r: dict) -> str:
        if "failed" in r:
            return f"failed ({r['failed']}, peak {_gb(r['peak_bytes'])})"
        return (f"{r['seconds']:.1f} s (CPU {r['cpu_seconds']:.0f} s), peak "
                f"{_gb(r['peak_bytes'])}, {r['rows']:,} rows")

    ok = "failed" not in ona_ and ona_["seconds"] < TEN_MINUTES and ona_["peak_bytes"] < EIGHT_GB
    same = all(agg[n].get("rows") == ona_.get("rows") for n in agg if "failed" not in agg[n])
    summary = "; ".join(f"{n}: {fig(r)}" for n, r in agg.items())
    target = "< 600 s and < 8 GB peak on 2 cores"
    for base, label in (("pandas", "ona.aggregate(engine='pandas'), file by file"),
                        ("naive", "pandas, whole table in one frame")):
        b = agg[base]
        rows.append(_row(
            f"monthly edges, ona.aggregate duckdb ({size})", ona_.get("seconds"), label,
            b.get("seconds"), target, ok and same,
            f"peak ona {_gb(ona_['peak_bytes'])} vs {_gb(b['peak_bytes'])}; memory ratio "
            f"{b['peak_bytes'] / ona_['peak_bytes']:.1f}x; same row counts: {same}. {summary}",
        ))
    for other in [n for n in ("duckdb_copy", "polars") if n in agg and "failed" not in agg[n]]:
        r = agg[other]
        rows.append(_row(
            f"monthly edges, {other} Parquet to Parquet ({size})", r["seconds"],
            "ona.aggregate duckdb (pandas result)", ona_.get("seconds"), "recorded for comparison",
            True, f"peak {_gb(r['peak_bytes'])}; {r['rows']:,} rows",
        ))
    return rows


def _person_rows(quick: bool, ws: Path, scratch: Path) -> list[dict]:
    person = measure("person", str(ws), str(scratch / "person.parquet"), "1" if quick else "0")
    _log(f"person table: {person}")
    base = measure("networkx", str(ws), str(scratch / "nx"), "1" if quick else "0")
    _log(f"networkx: {base}")
    steps = ", ".join(f"{k} {v:.1f} s" for k, v in person.get("steps", {}).items())
    nx_steps = ", ".join(f"{k} {v:.0f} s" for k, v in base.get("steps_cpu", {}).items())
    p_ok = "failed" not in person and person["seconds"] < TEN_MINUTES
    return [_row(
        f"person table, {person.get('people', 0):,} people / {person.get('ties', 0):,} ties",
        person.get("seconds"), f"networkx, extrapolated from {base.get('sources')} sources",
        base.get("seconds"), "< 600 s on 2 cores", p_ok,
        f"ona k={person.get('k')}: {steps}; CPU {person.get('cpu', 0):.0f} s (peak "
        f"{_gb(person['peak_bytes'])}, {person.get('n_communities')} communities; the edge "
        f"table from ona.aggregate, {person.get('aggregate_seconds', 0):.1f} s, not included). "
        f"networkx at the same budget, CPU s (betweenness, closeness, harmonic timed on "
        f"{base.get('sources')} sources x {base.get('budget')}/{base.get('sources')}; Burt's "
        f"on {base.get('people_sampled')} people x n/{base.get('people_sampled')}; no "
        f"Louvain): {nx_steps}, total CPU {base.get('cpu_extrapolated', 0):.0f} s (CPU ratio "
        f"{base.get('cpu_extrapolated', 0) / max(person.get('cpu', 1e-9), 1e-9):.0f}x; peak "
        f"{_gb(base['peak_bytes'])}); networkx exact path measures: about "
        f"{base.get('exact_path_cpu_seconds', 0) / 3600:.1f} h CPU",
    )]


def _main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        task, *args = argv[1:]
        # a marked line of its own: libraries may draw progress bars on stdout
        print("\nRESULT " + json.dumps(TASKS[task](*args), default=float))
        return 0
    quick = "--quick" in argv
    parts = tuple(p for p in ("aggregate", "person") if f"--{p}" in argv) or ("aggregate", "person")
    started = time.perf_counter()
    rows = run(quick, parts)
    for r in rows:
        ratio = f"{r['ratio']:.1f}x" if r["ratio"] else "-"
        print(f"{r['name']}: {r['seconds'] or 0:.1f} s vs {r['baseline_name']} "
              f"{r['baseline_seconds'] or 0:.1f} s (ratio {ratio}); target {r['target']}: "
              f"{'OK' if r['passed'] else 'MISSED'}\n  {r['notes']}")
    print(f"total {time.perf_counter() - started:.0f} s")
    if "--json" in argv:
        Path(argv[argv.index("--json") + 1]).write_text(json.dumps(rows, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
