"""aggregate(): the same weighted edge table from every engine, checked against a direct groupby."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import ona
from ona.exceptions import InvalidParameterError


def _events(n=3000, people=40, seed=7):
    rng = np.random.default_rng(seed)
    src = rng.integers(0, people, n)
    dst = (src + rng.integers(1, people, n)) % people
    ts = pd.Timestamp("2026-01-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 200 * 86400, n), unit="s")
    return pd.DataFrame({
        "id": [f"e{i}" for i in range(n)],
        "timestamp": ts,
        "source": [f"p{i:02d}" for i in src],
        "target": [f"p{i:02d}" for i in dst],
        "channel": rng.choice(["email", "chat"], n),
        "kind": rng.choice(["to", "cc", "mention"], n),
        "weight": rng.uniform(0.1, 3, n).round(3),
        "n_recipients": rng.integers(1, 6, n),
        "automated": rng.random(n) < 0.05,
        "mass": rng.random(n) < 0.05,
    })


def _expected(events, freq, weight, channels=None):
    e = events[~events["automated"] & ~events["mass"]]
    if channels:
        e = e[e["channel"].isin(channels)]
    value = {"count": 1.0, "weight": e["weight"], "recipient_share": 1.0 / e["n_recipients"]}[weight]
    naive = e["timestamp"].dt.tz_localize(None)
    period = {
        "MS": naive.dt.to_period("M").dt.start_time,
        "W": naive.dt.normalize() - pd.to_timedelta(naive.dt.day_of_week, unit="D"),
    }[freq].dt.tz_localize("UTC")
    out = (e.assign(period=period, value=value)
           .groupby(["period", "source", "target"], as_index=False)
           .agg(weight=("value", "sum"), events=("value", "size")))
    return out.sort_values(["period", "source", "target"], ignore_index=True)


@pytest.fixture(scope="module")
def events():
    return _events()


@pytest.mark.parametrize("engine", ["duckdb", "pandas"])
@pytest.mark.parametrize(("freq", "weight"), [("MS", "count"), ("W", "recipient_share"), ("MS", "weight")])
def test_engines_match_a_direct_groupby(workspace_from_events, events, engine, freq, weight):
    ws = workspace_from_events(events)
    got = ona.aggregate(ws, freq=freq, weight=weight, engine=engine)
    want = _expected(events, freq, weight)
    assert len(got) == len(want)
    assert (got[["source", "target"]].astype(str).to_numpy() == want[["source", "target"]].to_numpy()).all()
    assert (got["period"].to_numpy() == want["period"].astype("datetime64[us, UTC]").to_numpy()).all()
    np.testing.assert_allclose(got["weight"], want["weight"], rtol=1e-12)
    assert got["events"].tolist() == want["events"].tolist()


@pytest.mark.parametrize("engine", ["duckdb", "pandas"])
def test_streaming_to_parquet_gives_the_same_table(workspace_from_events, events, tmp_path, engine):
    ws = workspace_from_events(events)
    out = tmp_path / f"edges-{engine}.parquet"
    assert ona.aggregate(ws, freq="W", weight="recipient_share", engine=engine, out=out) == out
    want = ona.aggregate(ws, freq="W", weight="recipient_share")
    got = pd.read_parquet(out)
    assert str(got["period"].dtype) == "datetime64[us, UTC]"
    pd.testing.assert_frame_equal(got.drop(columns="weight"), want.drop(columns="weight"),
                                  check_dtype=False)
    np.testing.assert_allclose(got["weight"], want["weight"], rtol=1e-12)


def test_channel_filter_and_whole_range(workspace_from_events, events):
    ws = workspace_from_events(events)
    got = ona.aggregate(ws, freq=None, channels=["chat"])
    e = events[~events["automated"] & ~events["mass"] & (events["channel"] == "chat")]
    assert got["events"].sum() == len(e)
    assert got["period"].isna().all()
    assert len(got) == len(e.groupby(["source", "target"]))


@pytest.mark.slow
def test_dask_engine_on_a_local_cluster_equals_the_default(workspace_from_events, events):
    pytest.importorskip("distributed")
    ws = workspace_from_events(events)
    default = ona.aggregate(ws, freq="MS", weight="recipient_share")
    on_dask = ona.aggregate(ws, freq="MS", weight="recipient_share", engine="dask")
    pd.testing.assert_frame_equal(default[["period", "source", "target", "events"]],
                                  on_dask[["period", "source", "target", "events"]])
    np.testing.assert_allclose(default["weight"], on_dask["weight"], rtol=1e-12)


def test_bad_engine_is_refused():
    with pytest.raises(InvalidParameterError, match="'engine' parameter of aggregate"):
        ona.aggregate("nowhere", engine="spark")


def test_cli_aggregate_writes_the_same_table(workspace_from_events, events, tmp_path):
    from ona.cli import ExitCode, main

    ws = workspace_from_events(events)
    out = tmp_path / "edges.parquet"
    assert main(["aggregate", "-w", str(ws.path), "--freq", "MS", "--out", str(out), "-q"]) == ExitCode.OK
    got, want = pd.read_parquet(out), ona.aggregate(ws, freq="MS")
    assert str(got["period"].dtype) == "datetime64[us, UTC]"
    # DuckDB writes plain Parquet strings; pandas reads them back as its default str dtype.
    pd.testing.assert_frame_equal(got, want, check_dtype=False)


@pytest.mark.slow
def test_import_on_a_local_dask_cluster_equals_the_default(tmp_path):
    pytest.importorskip("distributed")
    from ona.datasets import load_sample
    from ona.workspace import open_workspace

    paths = load_sample().paths
    exports = [paths["roster"], paths["mbox"], paths["git"]]
    local = open_workspace(tmp_path / "local", create=True)
    dask = open_workspace(tmp_path / "dask", create=True)
    r1 = local.import_paths(exports)
    r2 = dask.import_paths(exports, engine="dask", jobs=2)
    assert r1.to_dict()["total"] == r2.to_dict()["total"]
    pd.testing.assert_frame_equal(local.interactions(), dask.interactions())
    pd.testing.assert_frame_equal(ona.aggregate(local), ona.aggregate(dask, engine="dask"))
