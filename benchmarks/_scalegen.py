"""A simulated organisation's events written straight into a workspace, for the scale benchmark.

Generating 50 million events through a reader (one dict per event, identity resolution, dedupe)
would take far longer than the aggregation being measured, so the partitions are written
directly with pyarrow in the layout and schema the workspace uses
(``interactions/channel=<c>/month=<YYYY-MM>/part-*.parquet``, one file per chunk of rows; the
columns and types are those :class:`ona.workspace.Workspace` writes). Everything is vectorised
numpy and Arrow compute, one (month, channel) chunk at a time, and seeded.

The ties come from :func:`_orggen.generate_org` (about 30 directed ties per person); each tie's
events per month and channel are Poisson with a mean proportional to its weight, scaled so the
expected total is ``events``. E-mail carries 70% of the events, chat 30%; about 0.5% are
automated and 0.5% mass mailings (the aggregation leaves both out by default).

Examples
--------
>>> import tempfile
>>> info = write_workspace(tempfile.mkdtemp() + "/ws", people=200, events=5_000, seed=1)
>>> info["people"], 4_000 < info["events"] < 6_000
(200, True)
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from _orggen import generate_org

import ona

__all__ = ["CHANNEL_SHARES", "SCHEMA", "write_workspace"]

CHANNEL_SHARES = {"email": ("to", 0.7), "chat": ("dm", 0.3)}

# The schema a workspace partition file has (the channel lives in the folder name).
SCHEMA = pa.schema(
    [
        ("event_id", pa.large_string()),
        ("timestamp", pa.timestamp("us", tz="UTC")),
        ("source", pa.large_string()),
        ("target", pa.large_string()),
        ("kind", pa.large_string()),
        ("weight", pa.float64()),
        ("thread_id", pa.large_string()),
        ("container", pa.large_string()),
        ("origin", pa.large_string()),
        ("record_id", pa.large_string()),
        ("n_recipients", pa.int32()),
        ("time_quality", pa.large_string()),
        ("automated", pa.bool_()),
        ("mass", pa.bool_()),
    ]
)


def _constant(value: str, n: int) -> pa.Array:
    return pc.take(pa.array([value], pa.large_string()), pa.array(np.zeros(n, dtype=np.int32)))


def write_workspace(
    path: str | os.PathLike,
    *,
    people: int = 100_000,
    events: int = 50_000_000,
    months: int = 12,
    start: str = "2026-01-01",
    rows_per_file: int = 2_000_000,
    seed: int = 0,
) -> dict:
    """Write a workspace of a generated organisation; return its sizes.

    Returns
    -------
    dict
        ``people``, ``ties`` (directed ties of the organisation), ``events`` (written),
        ``files``, ``bytes`` (on disk).
    """
    rng = np.random.default_rng(seed)
    org = generate_org(people, seed=seed)
    ws = ona.open_workspace(path, create=True)
    org.people.to_parquet(ws.path / "people.parquet", index=False)
    ids = pa.array(org.people["person_id"].to_numpy(dtype=object), pa.large_string())
    nodes = pd.Index(org.people["person_id"])
    src = nodes.get_indexer(org.edges["source"]).astype(np.int32)
    tgt = nodes.get_indexer(org.edges["target"]).astype(np.int32)
    w = org.edges["weight"].to_numpy()
    per_unit = events / w.sum() / months
    t0 = pd.Timestamp(start, tz="UTC")
    written = files = size = 0
    for m in range(months):
        lo = t0 + pd.DateOffset(months=m)
        hi = t0 + pd.DateOffset(months=m + 1)
        lo_us = lo.value // 1000
        span_us = (hi.value - lo.value) // 1000
        month = lo.strftime("%Y-%m")
        for channel, (kind, share) in CHANNEL_SHARES.items():
            counts = rng.poisson(w * per_unit * share)
            tie = np.repeat(np.arange(len(w), dtype=np.int64), counts)
            n = len(tie)
            ts = lo_us + np.sort(rng.integers(0, span_us, n))
            order = rng.permutation(n)  # events of one tie spread over the month
            tie = tie[order]
            folder = ws.interactions_path / f"channel={channel}" / f"month={month}"
            folder.mkdir(parents=True, exist_ok=True)
            for part, lo_row in enumerate(range(0, n, rows_per_file)):
                rows = slice(lo_row, min(n, lo_row + rows_per_file))
                k = rows.stop - rows.start
                number = pa.array(np.arange(written, written + k, dtype=np.int64))
                event_id = pc.binary_join_element_wise(
                    pa.scalar("e", pa.large_string()), pc.cast(number, pa.large_string()),
                    pa.scalar("", pa.large_string()),
                )
                t = tie[rows]
                if channel == "email":
                    recipients = rng.geometric(0.6, k).astype(np.int32)
                else:
                    recipients = np.ones(k, dtype=np.int32)
                table = pa.table(
                    [
                        event_id,
                        pa.array(ts[rows], pa.timestamp("us", tz="UTC")),
                        pc.take(ids, pa.array(src[t])),
                        pc.take(ids, pa.array(tgt[t])),
                        _constant(kind, k),
                        pa.array(np.ones(k)),
                        pa.nulls(k, pa.large_string()),
                        pa.nulls(k, pa.large_string()),
                        _constant("synthetic", k),
                        event_id,
                        pa.array(recipients),
                        _constant("exact", k),
                        pa.array(rng.random(k) < 0.005),
                        pa.array(rng.random(k) < 0.005),
                    ],
                    schema=SCHEMA,
                )
                target = folder / f"part-synthetic-{part:05d}.parquet"
                pq.write_table(table, target)
                written += k
                files += 1
                size += target.stat().st_size
    return {"people": people, "ties": len(w), "events": written, "files": files, "bytes": size}
