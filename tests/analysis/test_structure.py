"""Whole-network structure: Anabaptist oracle, dyad-census reciprocity, core–periphery by brute force."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ona.analysis.structure import (
    centralization,
    core_periphery,
    degree_centralization,
    density,
    reciprocity,
    structure,
    transitivity,
)
from ona.graph import as_compact


@pytest.fixture(scope="module")
def anabaptist(shared):
    matrix = pd.read_csv(shared / "oracles" / "anabaptist" / "Anabaptist Leaders.csv", index_col=0)
    return nx.from_numpy_array(matrix.to_numpy())


def test_anabaptist_topography_oracle(anabaptist, oracles):
    rec = oracles["anabaptist_topography"]
    exp, tol = rec["expected"], rec["tol"]
    s = structure(anabaptist, paths=True)
    assert s["ties"] == 183 and s["people"] == 67
    for ours, theirs in [
        ("density", "density"),
        ("transitivity", "transitivity_global"),
        ("mean_clustering", "mean_local_clustering_nan_dropped"),
        ("mean_clustering_zero", "mean_local_clustering_nan_as_0"),
        ("sd_degree", "sd_degree"),
        ("degree_centralization", "degree_centralization"),
        ("avg_path_length", "avg_path_length"),
        ("compactness", "compactness"),
        ("diameter", "diameter"),
        ("betweenness_centralization", "betweenness_centralization"),
        ("closeness_centralization", "closeness_centralization"),
    ]:
        assert s[ours] == pytest.approx(exp[theirs], abs=tol), ours
    assert transitivity(anabaptist) == pytest.approx(exp["transitivity_global"], abs=tol)
    for measure in ("degree", "betweenness", "closeness", "eigenvector"):
        key = "eigenvector_centralization_unscaled" if measure == "eigenvector" else (
            f"{measure}_centralization"
        )
        assert centralization(anabaptist, measure=measure) == pytest.approx(
            exp[key], abs=tol
        ), measure


def _dyad_census(D):
    mutual = sum(1 for u, v in D.edges if D.has_edge(v, u)) / 2
    asym = D.number_of_edges() - 2 * mutual
    n = len(D)
    return mutual, asym, n * (n - 1) / 2 - mutual - asym


@settings(max_examples=30, deadline=None)
@given(st.integers(3, 20), st.floats(0.05, 0.9), st.integers(0, 10_000))
def test_reciprocity_variants_from_dyad_census(n, p, seed):
    D = nx.gnp_random_graph(n, p, seed=seed, directed=True)
    if D.number_of_edges() == 0:
        return
    M, A, N = _dyad_census(D)
    assert reciprocity(D) == pytest.approx(nx.reciprocity(D))
    assert reciprocity(D) == pytest.approx(2 * M / (2 * M + A))
    assert reciprocity(D, method="dyadic_nonnull") == pytest.approx(M / (M + A))
    assert reciprocity(D, method="dyadic") == pytest.approx((M + N) / (M + A + N))
    d = D.number_of_edges() / (n * (n - 1))
    if d < 1:
        r = 2 * M / (2 * M + A)
        assert reciprocity(D, method="garlaschelli") == pytest.approx((r - d) / (1 - d))


def test_density_and_transitivity_match_networkx():
    D = nx.gnp_random_graph(50, 0.1, seed=2, directed=True)
    assert density(D) == pytest.approx(nx.density(D))
    G = nx.gnp_random_graph(50, 0.1, seed=2)
    assert density(G) == pytest.approx(nx.density(G))
    assert transitivity(G) == pytest.approx(nx.transitivity(G))
    assert transitivity(as_compact(D)) == pytest.approx(nx.transitivity(D.to_undirected()))
    W = nx.Graph()
    W.add_edge(0, 1, weight=4.0)
    W.add_node(2)
    assert density(W, weight="weight") == pytest.approx(4.0 / 3)  # 3 pairs, one weighing 4


def test_degree_centralization_stars():
    star = nx.star_graph(6)
    assert degree_centralization(star) == 1.0
    assert degree_centralization(nx.complete_graph(5)) == 0.0
    out_star = nx.DiGraph((0, k) for k in range(1, 7))
    assert degree_centralization(out_star, mode="out") == pytest.approx(1.0)
    # in-degrees: the centre 0, the six others 1, so sum(k_max - k_i) = 1, over (n-1)^2 = 36
    assert degree_centralization(out_star, mode="in") == pytest.approx(1 / 36)
    assert degree_centralization(out_star) == 1.0  # contacts in either direction: a star
    # centralisations are 1 on a star and 0 on a cycle (everyone alike)...
    for measure in ("degree", "betweenness", "closeness", "eigenvector"):
        assert centralization(nx.cycle_graph(7), measure=measure) == pytest.approx(0.0, abs=1e-9)
        if measure != "eigenvector":
            assert centralization(star, measure=measure) == pytest.approx(1.0), measure
    # ...except igraph's unscaled eigenvector bound (n-2)/sqrt(2), which no graph reaches: the
    # star's unit eigenvector is 1/sqrt(2) at the centre and 1/sqrt(2(n-1)) at each leaf, so
    # its spread over the bound is ((n-1) - sqrt(n-1)) / (n-2)
    assert centralization(star, measure="eigenvector") == pytest.approx((6 - np.sqrt(6)) / 5)


# --------------------------------------------------------------------------- core-periphery


def test_core_periphery_hand_values():
    # measures.md 2.7: exhaustive values (no published oracle exists)
    G = nx.complete_graph(3)
    G.add_edges_from((p, c) for p in range(3, 7) for c in range(3))
    cp = core_periphery(G)
    assert sorted(cp[cp].index) == [0, 1, 2] and cp.attrs["fit"] == pytest.approx(1.0)

    F = nx.florentine_families_graph()
    block = core_periphery(F, method="exhaustive")
    assert block.attrs["fit"] == pytest.approx(0.3299, abs=1e-4)
    assert sorted(block[block].index) == ["Guadagni", "Medici", "Strozzi"]
    ignore = core_periphery(F, variant="ignore", method="exhaustive")
    assert ignore.attrs["fit"] == pytest.approx(0.4226, abs=1e-4)
    assert sorted(ignore[ignore].index) == ["Medici", "Ridolfi", "Tornabuoni"]

    kite = core_periphery(nx.krackhardt_kite_graph())
    assert kite.attrs["fit"] == pytest.approx(0.3273, abs=1e-4)
    assert sorted(kite[kite].index) == [0, 3, 5, 6, 8]
    assert kite.attrs["level"] == "person"


def _pearson_fit(G, core, variant):
    """The fit computed the slow way: np.corrcoef over the ordered pairs."""
    nodes = list(G)
    A = nx.to_numpy_array(G, nodelist=nodes, weight=None)
    c = np.array([v in core for v in nodes])
    data, ideal = [], []
    for i, j in itertools.permutations(range(len(nodes)), 2):
        if variant == "ignore" and c[i] != c[j]:
            continue
        data.append(A[i, j])
        ideal.append(1.0 if (c[i] or c[j]) else 0.0)
    return np.corrcoef(data, ideal)[0, 1]


@settings(max_examples=15, deadline=None)
@given(st.integers(5, 11), st.floats(0.15, 0.6), st.integers(0, 10_000), st.booleans())
def test_core_periphery_fit_matches_corrcoef_and_greedy_matches_exhaustive(n, p, seed, block):
    G = nx.gnp_random_graph(n, p, seed=seed)
    variant = "block" if block else "ignore"
    if G.number_of_edges() < 2:
        return
    exact = core_periphery(G, variant=variant, method="exhaustive")
    core = set(exact[exact].index)
    assert exact.attrs["fit"] == pytest.approx(_pearson_fit(G, core, variant), abs=1e-9)
    greedy = core_periphery(G, variant=variant, method="greedy", n_starts=20, seed=seed)
    # a heuristic never beats the exact optimum, and its own fit is computed correctly
    assert greedy.attrs["fit"] <= exact.attrs["fit"] + 1e-9
    assert greedy.attrs["fit"] == pytest.approx(
        _pearson_fit(G, set(greedy[greedy].index), variant), abs=1e-9
    )


def test_core_periphery_planted_core_recovered_at_scale():
    rng = np.random.default_rng(5)
    n, core_n = 600, 40
    A = np.zeros((n, n), dtype=bool)
    core = np.arange(core_n)
    dense = rng.random((core_n, core_n)) < 0.8
    A[:core_n, :core_n] = dense
    A[:core_n, core_n:] = rng.random((core_n, n - core_n)) < 0.25
    A[core_n:, core_n:] = rng.random((n - core_n, n - core_n)) < 0.01
    A = np.triu(A, 1)
    G = nx.from_numpy_array((A | A.T).astype(float))
    cp = core_periphery(G, weight=None, seed=1)
    assert cp.attrs["method"] == "greedy"
    found = set(cp[cp].index)
    assert len(found & set(core)) >= 0.95 * core_n
    assert len(found - set(core)) <= 0.05 * core_n
