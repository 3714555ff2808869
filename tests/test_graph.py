"""Graph building: tie-strength rules, filters, windows, people attributes on the right node."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from ona.exceptions import InvalidParameterError
from ona.graph import CompactGraph, as_compact, build_graph, windows
from ona.tables import validate_interactions, validate_people


def _events(rows):
    """rows: (day, source, target, channel, kind, n_recipients, automated, mass)."""
    df = pd.DataFrame(
        rows,
        columns=["day", "source", "target", "channel", "kind", "n_recipients", "automated", "mass"],
    )
    df["timestamp"] = pd.to_datetime(df.pop("day"), utc=True)
    df["event_id"] = [f"e{i}" for i in range(len(df))]
    df["origin"] = "test"
    return validate_interactions(df)


@pytest.fixture
def events():
    return _events(
        [
            ("2026-01-05", "ann", "bob", "email", "to", 2, False, False),
            ("2026-01-05", "ann", "cat", "email", "to", 2, False, False),
            ("2026-01-06", "bob", "ann", "email", "reply", 1, False, False),
            ("2026-01-07", "ann", "bob", "chat", "dm", 1, False, False),
            ("2026-01-08", "bot", "ann", "email", "to", 1, True, False),
            ("2026-01-09", "dan", "ann", "email", "to", 40, False, True),
            ("2026-02-03", "cat", "dan", "chat", "mention", 1, False, False),
            ("2026-02-20", "dan", "cat", "chat", "mention", 4, False, False),
        ]
    )


def _w(G):
    return {(u, v): w for u, v, w in G.edges(data="weight")}


def test_count_weights_and_default_filters(events):
    G = build_graph(events)
    assert isinstance(G, nx.DiGraph)
    # bot (automated) and the 40-recipient broadcast (mass) are dropped by default
    assert _w(G) == {
        ("ann", "bob"): 2.0,
        ("ann", "cat"): 1.0,
        ("bob", "ann"): 1.0,
        ("cat", "dan"): 1.0,
        ("dan", "cat"): 1.0,
    }
    G_all = build_graph(events, drop_automated=False, drop_mass=False)
    assert _w(G_all)[("bot", "ann")] == 1.0 and _w(G_all)[("dan", "ann")] == 1.0


def test_recipient_share(events):
    G = build_graph(events, weight="recipient_share", drop_mass=False)
    w = _w(G)
    assert w[("ann", "bob")] == pytest.approx(0.5 + 1.0)  # one e-mail to 2 + one dm
    assert w[("ann", "cat")] == pytest.approx(0.5)
    assert w[("dan", "ann")] == pytest.approx(1 / 40)
    assert w[("dan", "cat")] == pytest.approx(1 / 4)


def test_weight_column_and_missing_column(events):
    ev = events.assign(weight=np.arange(len(events), dtype=float) + 1)
    G = build_graph(ev, weight="weight")
    assert _w(G)[("ann", "bob")] == 1.0 + 4.0
    with pytest.raises(InvalidParameterError, match="not a column"):
        build_graph(events, weight="hours")


def test_window_channels_kinds(events):
    G = build_graph(events, start="2026-01-06", end="2026-02-01")
    assert _w(G) == {("bob", "ann"): 1.0, ("ann", "bob"): 1.0}
    assert _w(build_graph(events, channels="chat")) == {
        ("ann", "bob"): 1.0,
        ("cat", "dan"): 1.0,
        ("dan", "cat"): 1.0,
    }
    assert set(_w(build_graph(events, kinds=["reply", "dm"]))) == {("bob", "ann"), ("ann", "bob")}


def test_undirected_sums_both_directions_and_reciprocal(events):
    G = build_graph(events, directed=False)
    assert isinstance(G, nx.Graph) and not G.is_directed()
    assert G["ann"]["bob"]["weight"] == 3.0  # 2 ann->bob + 1 bob->ann
    R = build_graph(events, reciprocal_only=True)
    assert set(_w(R)) == {("ann", "bob"), ("bob", "ann"), ("cat", "dan"), ("dan", "cat")}
    assert "ann" in R and not R.has_edge("ann", "cat")


def test_min_weight(events):
    G = build_graph(events, min_weight=2)
    assert _w(G) == {("ann", "bob"): 2.0}
    U = build_graph(events, min_weight=2, directed=False)
    assert set(U.edges()) == {("ann", "bob"), ("cat", "dan")} or {
        frozenset(e) for e in U.edges()
    } == {frozenset(("ann", "bob")), frozenset(("cat", "dan"))}


def test_zero_weight_ties_are_dropped(events):
    ev = events.assign(weight=0.0)
    assert build_graph(ev, weight="weight").number_of_edges() == 0


def test_people_attributes_on_the_right_node_effective_dated(events):
    # rows deliberately NOT in node order, and ann changes team on 2026-02-01
    people = validate_people(
        pd.DataFrame(
            {
                "person_id": ["dan", "cat", "ann", "bob", "ann", "eve"],
                "team": ["D", "C", "A-old", "B", "A-new", "E"],
                "valid_from": [None, None, None, None, "2026-02-01", None],
                "valid_to": [None, None, "2026-02-01", None, None, None],
            }
        )
    )
    jan = build_graph(events, people, start="2026-01-01", end="2026-02-01")
    assert {n: d.get("team") for n, d in jan.nodes(data=True)} == {
        "ann": "A-old",
        "bob": "B",
        "cat": "C",
        "dan": "D",
        "eve": "E",  # in the roster, no ties: an isolate
    }
    assert "valid_from" not in jan.nodes["ann"] and "valid_to" not in jan.nodes["ann"]
    feb = build_graph(events, people, start="2026-02-01", end="2026-03-01")
    assert feb.nodes["ann"]["team"] == "A-new"
    # without `end` the attributes in force at the last interaction (2026-02-20) are used
    assert build_graph(events, people).nodes["ann"]["team"] == "A-new"
    # external addresses get no attributes; internal_only drops them
    ev = pd.concat([events, _events([("2026-01-10", "ann", "x@out", "email", "to", 1, 0, 0)])])
    G = build_graph(ev, people)
    assert "x@out" in G and "team" not in G.nodes["x@out"]
    assert "x@out" not in build_graph(ev, people, internal_only=True)
    assert "eve" not in build_graph(events, people, isolates=False)


def test_compact_matches_networkx(events):
    C = build_graph(events, compact=True, weight="recipient_share")
    G = build_graph(events, weight="recipient_share")
    assert isinstance(C, CompactGraph)
    assert list(C.nodes) == sorted(G.nodes)
    dense = nx.to_numpy_array(G, nodelist=list(C.nodes))
    np.testing.assert_allclose(C.adj.toarray(), dense)
    assert C.graph["weight"] == "recipient_share"
    back = C.to_networkx()
    assert _w(back) == pytest.approx(_w(G))


def test_as_compact_networkx_roundtrip():
    G = nx.les_miserables_graph()
    C = as_compact(G)
    assert not C.directed and C.number_of_edges() == G.number_of_edges()
    assert list(C.nodes) == sorted(G)
    i, j = C.nodes.get_loc("Valjean"), C.nodes.get_loc("Javert")
    assert C.adj[i, j] == C.adj[j, i] == G["Valjean"]["Javert"]["weight"]
    unweighted = as_compact(G, weight=None)
    assert set(unweighted.adj.data) == {1.0}
    H = nx.MultiDiGraph([(1, 2), (1, 2), (2, 2)])
    M = as_compact(H)
    assert M.adj.toarray().tolist() == [[0.0, 2.0], [0.0, 0.0]]  # summed; self-loop dropped
    with pytest.raises(InvalidParameterError):
        as_compact({"a": "b"})


def test_compact_graph_checks():
    with pytest.raises(InvalidParameterError, match="symmetric"):
        CompactGraph(["a", "b"], sp.csr_array([[0, 1.0], [0, 0]]), directed=False)
    with pytest.raises(InvalidParameterError, match="non-negative"):
        CompactGraph(["a", "b"], sp.csr_array([[0, -1.0], [0, 0]]))
    with pytest.raises(InvalidParameterError, match="unique"):
        CompactGraph(["a", "a"], sp.csr_array((2, 2)))


def test_windows(events):
    people = pd.DataFrame({"person_id": ["ann", "bob", "cat", "dan"], "team": list("AABB")})
    gs = windows(events, people, freq="MS")
    assert list(gs) == [pd.Timestamp("2026-01-01", tz="UTC"), pd.Timestamp("2026-02-01", tz="UTC")]
    assert _w(gs[pd.Timestamp("2026-01-01", tz="UTC")]) == _w(
        build_graph(events, start="2026-01-01", end="2026-02-01")
    )
    feb = gs[pd.Timestamp("2026-02-01", tz="UTC")]
    assert _w(feb) == {("cat", "dan"): 1.0, ("dan", "cat"): 1.0}
    assert set(feb) == {"ann", "bob", "cat", "dan"}  # roster people kept as isolates
    assert feb.graph["start"].startswith("2026-02-01") and feb.graph["end"].startswith("2026-03-01")
    weekly = windows(events, freq="W-MON", compact=True)
    total = sum(g.adj.sum() for g in weekly.values())
    assert total == build_graph(events, compact=True).adj.sum()
    assert all(isinstance(g, CompactGraph) for g in weekly.values())
    assert windows(events, start="2026-03-01", end="2026-02-01") == {}
    # end is exclusive and clips the last window
    assert list(windows(events, freq="MS", end="2026-02-01")) == [
        pd.Timestamp("2026-01-01", tz="UTC")
    ]


def test_parameter_validation(events):
    with pytest.raises(InvalidParameterError, match="'min_weight' parameter of build_graph"):
        build_graph(events, min_weight=-1)
    with pytest.raises(InvalidParameterError, match="'directed' parameter"):
        build_graph(events, directed="yes")
    with pytest.raises(InvalidParameterError, match="'start' parameter"):
        build_graph(events, start="not a date")
    with pytest.raises(InvalidParameterError, match="'freq' parameter"):
        windows(events, freq="fortnightly-ish")


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 5), st.floats(0.1, 10)),
        min_size=1,
        max_size=40,
    )
)
def test_weights_are_conserved(rows):
    """Property: total tie weight equals the summed event weights (self-events excluded)."""
    df = pd.DataFrame(rows, columns=["source", "target", "weight"])
    df["source"] = "p" + df["source"].astype(str)
    df["target"] = "p" + df["target"].astype(str)
    expected = df.loc[df.source != df.target, "weight"].sum()
    C = build_graph(df, weight="weight", compact=True)
    assert C.adj.sum() == pytest.approx(expected)
    U = build_graph(df, weight="weight", compact=True, directed=False)
    assert U.adj.sum() == pytest.approx(2 * expected)
    assert (abs(U.adj - U.adj.T)).sum() == pytest.approx(0)
