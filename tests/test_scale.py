"""Scale (issue 9): Dask on a generated medium organisation, and the person table from edges.

The sampling-quality check (exact top 1% by betweenness mostly in the sampled top 1% on 5,000
people) lives with the estimator, in tests/analysis/test_centrality.py::test_sampled_quality.
"""

from __future__ import annotations

import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pyarrow.compute as pc
import pyarrow.dataset as pads
import pytest

import ona
from ona.exceptions import InvalidParameterError
from ona.scale import graph_from_edges, person_table_at_scale

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(scope="module")
def medium(tmp_path_factory):
    """A generated organisation of 20,000 people written as a workspace (~400,000 events)."""
    sys.path.insert(0, str(BENCH))
    try:
        from _scalegen import write_workspace
    finally:
        sys.path.remove(str(BENCH))
    root = tmp_path_factory.mktemp("scale") / "ws"
    info = write_workspace(root, people=20_000, events=400_000, months=3, seed=3)
    return root, info


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as c:
        yield c


@pytest.mark.slow
def test_dask_on_a_medium_organisation_equals_the_default(medium, cluster):
    root, info = medium
    default = ona.aggregate(root, freq="MS", weight="recipient_share")
    on_dask = ona.aggregate(root, freq="MS", weight="recipient_share", engine="dask",
                            scheduler=cluster.scheduler_address)
    pd.testing.assert_frame_equal(default[["period", "source", "target", "events"]],
                                  on_dask[["period", "source", "target", "events"]])
    np.testing.assert_allclose(default["weight"], on_dask["weight"], rtol=1e-12)
    # and both count every stored event that is neither automated nor mass, read independently
    table = pads.dataset(root / "interactions", format="parquet", partitioning="hive").to_table(
        columns=["automated", "mass"]
    )
    assert table.num_rows == info["events"]
    kept = pc.sum(pc.invert(pc.or_(table["automated"], table["mass"]))).as_py()
    assert default["events"].sum() == kept
    assert default["period"].nunique() == 3


@pytest.mark.slow
def test_dask_channel_filter_on_a_medium_organisation(medium, cluster):
    root, _ = medium
    default = ona.aggregate(root, freq=None, channels=["chat"], weight="weight")
    on_dask = ona.aggregate(root, freq=None, channels=["chat"], weight="weight", engine="dask",
                            scheduler=cluster.scheduler_address)
    pd.testing.assert_frame_equal(default, on_dask)
    # chat events are one recipient each, weight 1: weight equals the event count
    assert (default["weight"] == default["events"]).all()


# -- the person table straight from an edge table ------------------------------------------------
def _edges(n=60, m=400, seed=5):
    rng = np.random.default_rng(seed)
    src = rng.integers(0, n, m)
    dst = (src + rng.integers(1, n, m)) % n
    return pd.DataFrame({"source": [f"p{i:03d}" for i in src], "target": [f"p{i:03d}" for i in dst],
                         "weight": rng.integers(1, 6, m).astype(float)})


def test_graph_from_edges_sums_repeated_pairs_like_networkx():
    edges = _edges()
    g = graph_from_edges(edges)
    G = nx.DiGraph()
    for s, t, w in edges.itertuples(index=False):
        G.add_edge(s, t, weight=G.get_edge_data(s, t, {"weight": 0})["weight"] + w)
    assert list(g.nodes) == sorted(G.nodes)
    expected = nx.to_scipy_sparse_array(G, nodelist=sorted(G.nodes), weight="weight")
    assert abs(g.adj - expected).max() == 0
    und = graph_from_edges(edges, directed=False)
    assert abs(und.adj - (expected + expected.T)).max() == 0


def test_graph_from_edges_isolates_and_bad_tables():
    edges = pd.DataFrame({"source": ["b"], "target": ["a"], "weight": [2.0]})
    g = graph_from_edges(edges, nodes=["z", "a"])
    assert list(g.nodes) == ["a", "b", "z"] and g.adj.sum() == 2.0
    assert graph_from_edges(edges, weight=None).adj.sum() == 1.0
    with pytest.raises(InvalidParameterError, match="no column 'weight'"):
        graph_from_edges(edges.drop(columns="weight"))
    with pytest.raises(InvalidParameterError, match="missing person ids"):
        graph_from_edges(pd.DataFrame({"source": ["a", None], "target": ["b", "a"], "weight": 1.0}))


def test_person_table_matches_networkx_on_a_small_graph():
    edges = _edges()
    table = person_table_at_scale(edges, seed=1)
    G = nx.DiGraph()
    for (s, t), w in edges.groupby(["source", "target"])["weight"].sum().items():
        G.add_edge(s, t, weight=w, distance=1.0 / w)
    btw = pd.Series(nx.betweenness_centrality(G))  # ona's default path measures count hops
    np.testing.assert_allclose(table["betweenness"], btw.reindex(table.index), atol=1e-12)
    people = list(table.index[:10])
    con = pd.Series(nx.constraint(G, nodes=people, weight="weight"))
    np.testing.assert_allclose(table.loc[people, "constraint"], con.reindex(people), rtol=1e-9)
    assert table.attrs["betweenness"] == "exact"
    assert table["community"].nunique() == table.attrs["n_communities"] >= 1
    assert set(table.attrs["seconds"]) == {"graph", "centrality", "structural_holes", "communities"}


def test_person_table_sampling_is_seeded():
    edges = _edges(n=200, m=2000, seed=2)
    a = person_table_at_scale(edges, betweenness="sampled", k=20, seed=4, with_communities=False)
    b = person_table_at_scale(edges, betweenness="sampled", k=20, seed=4, with_communities=False)
    pd.testing.assert_frame_equal(a, b)
    assert a.attrs["k"] == 20 and "community" not in a
    with pytest.raises(InvalidParameterError):
        person_table_at_scale(edges, k=1)
