"""compare_layers against independent values: set arithmetic, sna::gcor, exact permutation tests;
energy roles and layer overload on ties written here."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from ona.analysis.layers import compare_layers
from ona.analysis.survey_roles import energy_roles, layer_overload


def random_digraph(rng, n, p, nodes=None):
    nodes = list(range(n)) if nodes is None else nodes
    G = nx.DiGraph()
    G.add_nodes_from(nodes)
    G.add_edges_from((a, b) for a in nodes for b in nodes if a != b and rng.random() < p)
    return G


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_jaccard_and_shares_equal_set_arithmetic(seed):
    rng = np.random.default_rng(seed)
    A = random_digraph(rng, 30, 0.1)
    B = random_digraph(rng, 30, 0.1)
    B.add_edges_from(list(A.edges)[:20])  # a moderate planted overlap
    a, b = set(A.edges), set(B.edges)
    c = compare_layers(A, B, n_permutations=50, seed=seed)
    assert c.directed
    assert c.n_common == len(a & b) and c.n_ties_a == len(a) and c.n_ties_b == len(b)
    assert c.jaccard == len(a & b) / len(a | b)
    assert c.share_a_in_b == len(a & b) / len(a) and c.share_b_in_a == len(a & b) / len(b)
    assert set(map(tuple, c.only_a.to_numpy().tolist())) == a - b
    assert set(map(tuple, c.common.to_numpy().tolist())) == a & b


def test_undirected_comparison_counts_pairs():
    A = nx.Graph([("a", "b"), ("b", "c")])
    B = nx.DiGraph([("b", "a"), ("c", "d")])  # a directed layer counts a pair either way
    c = compare_layers(A, B, n_permutations=10)
    pairs_a, pairs_b = {frozenset(e) for e in A.edges}, {frozenset(e) for e in B.edges}
    assert not c.directed
    assert c.jaccard == len(pairs_a & pairs_b) / len(pairs_a | pairs_b) == 1 / 3
    assert c.n_nodes == 4  # d is only in B: an isolate of A


def test_qap_correlation_equals_sna_gcor(shared, oracles):
    know = np.loadtxt(shared / "oracles" / "r4sna_qap" / "know.csv", delimiter=",")
    buddy = np.loadtxt(shared / "oracles" / "r4sna_qap" / "buddy.csv", delimiter=",")
    A = nx.from_numpy_array(know, create_using=nx.DiGraph)
    B = nx.from_numpy_array(buddy, create_using=nx.DiGraph)
    A.add_nodes_from(range(len(know)))
    B.add_nodes_from(range(len(know)))
    assert set(np.unique(know)) <= {0, 1} and set(np.unique(buddy)) <= {0, 1}  # binary, as compared
    c = compare_layers(A, B, n_permutations=20)
    assert c.qap_correlation == pytest.approx(oracles["qap_gcor_netlm"]["expected"]["gcor_know_buddy"], abs=1e-7)


def _corr(x, y, n):
    off = ~np.eye(n, dtype=bool)
    return np.corrcoef(x[off], y[off])[0, 1]


@pytest.mark.parametrize("plant", [True, False], ids=["overlap planted", "independent"])
def test_qap_p_value_matches_the_exact_permutation_distribution(plant):
    # 6 people: all 720 relabellings enumerated give the exact two-sided p-value; the Monte
    # Carlo p with 4,000 permutations must lie within 4 standard errors of it.
    rng = np.random.default_rng(5 if plant else 11)
    n = 6
    x = (rng.random((n, n)) < 0.4).astype(float)
    np.fill_diagonal(x, 0)
    y = x.copy() if plant else (rng.random((n, n)) < 0.4).astype(float)
    if plant:
        y[0, 1], y[2, 3] = 1 - y[0, 1], 1 - y[2, 3]
    np.fill_diagonal(y, 0)
    observed = _corr(x, y, n)
    null = [_corr(x, y[np.ix_(p, p)], n) for p in map(list, itertools.permutations(range(n)))]
    exact = np.mean(np.abs(null) >= abs(observed) - 1e-12)
    A = nx.from_numpy_array(x, create_using=nx.DiGraph)
    B = nx.from_numpy_array(y, create_using=nx.DiGraph)
    c = compare_layers(A, B, n_permutations=4000, seed=3, nodes=range(n))
    assert c.qap_correlation == pytest.approx(observed, abs=1e-12)
    se = np.sqrt(exact * (1 - exact) / 4000)
    assert abs(c.qap_p_value - exact) <= 4 * se + 1 / 4001
    if plant:
        assert c.qap_p_value < 0.05
    else:
        assert c.qap_p_value > 0.05


def test_by_group_suppresses_small_groups():
    A = nx.DiGraph([(i, (i + 1) % 12) for i in range(12)])
    B = nx.DiGraph([(i, (i + 1) % 12) for i in range(0, 12, 2)] + [(0, 6)])
    groups = {i: "X" if i < 6 else "Y" for i in range(12)}
    groups[11] = "Z"  # a group of one
    c = compare_layers(A, B, n_permutations=10)
    t = c.by_group(groups)
    assert "Z" not in set(t.index.get_level_values(0)) | set(t.index.get_level_values(1))
    assert "1 group(s)" in t.attrs["privacy"]
    # X -> X ties of A: 0-1 ... 4-5 (5); of B: 0-1, 2-3, 4-5 (3); all of B's are in A
    assert t.loc[("X", "X"), ["ties_a", "ties_b", "common"]].tolist() == [5, 3, 3]


# --------------------------------------------------------------------------- survey roles


def test_energy_roles_follow_the_stated_rule():
    rows = [("r1", "e", 2), ("r2", "e", 1), ("r3", "e", 1), ("r4", "e", 0),  # mean 1.0: energiser
            ("r1", "m", 1), ("r2", "m", 1), ("r3", "m", 0), ("r4", "m", 1),  # mean 0.75: neither
            ("r1", "d", -2), ("r2", "d", 0), ("r3", "d", 0),                 # mean -0.67: de-energiser
            ("r1", "f", 2), ("r2", "f", 2)]                                  # 2 raters: too few
    ties = pd.DataFrame(rows, columns=["source", "target", "weight"]).assign(channel="survey", kind="energy")
    r = energy_roles(ties, energiser_mean=1.0, de_energiser_mean=-0.5)
    assert set(r.index[r["energiser"]]) == {"e"}
    assert set(r.index[r["de_energiser"]]) == {"d"}
    assert r.loc["d", ["raters", "energising", "neutral", "de_energising"]].tolist() == [3, 0, 2, 1]
    default = energy_roles(ties)  # +1.5 / -1: none of these means reaches them
    assert not default["energiser"].any() and not default["de_energiser"].any()
    other = ties.assign(kind="advice")  # another layer is never read as energy
    assert energy_roles(other).empty


def test_layer_overload_counts_distinct_people_and_reverses_requests():
    t = pd.Timestamp("2026-03-02", tz="UTC")
    rows = [("a", "x", "info"), ("b", "x", "info"), ("c", "x", "info"), ("a", "y", "info"),
            ("x", "a", "requests"), ("x", "b", "requests")]  # x says a and b make requests of x
    ties = pd.DataFrame(rows, columns=["source", "target", "kind"]).assign(
        event_id=[str(i) for i in range(6)], timestamp=t, channel="survey", origin="s")
    info = layer_overload(ties, layer="info")
    assert info.loc["x", "demand"] == 3 and info.loc["y", "demand"] == 1
    req = layer_overload(ties, layer="requests")
    assert req.attrs["reversed"] and req.loc["x", "demand"] == 2 and req.loc["a", "demand"] == 0
