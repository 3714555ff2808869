"""QAP correlation and MRQAP against sna::gcor / sna::netlm (shared oracle qap_gcor_netlm)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ona.exceptions import TableError
from ona.stats import mrqap, qap_correlation


def _load(shared, name):
    return np.loadtxt(shared / "oracles" / "r4sna_qap" / f"{name}.csv", delimiter=",")


@pytest.mark.parametrize(("a", "b"), [("know", "buddy"), ("commun", "collab"),
                                      ("commun", "esteem"), ("collab", "esteem")])
def test_qap_correlation_matches_gcor(shared, oracles, a, b):
    rec = oracles["qap_gcor_netlm"]
    r = qap_correlation(_load(shared, a), _load(shared, b), n_perm=20, seed=0)
    assert r["estimate"] == pytest.approx(rec["expected"][f"gcor_{a}_{b}"], abs=rec["tol"])


def test_mrqap_matches_netlm(shared, oracles):
    rec = oracles["qap_gcor_netlm"]["expected"]
    y = _load(shared, "know") + _load(shared, "buddy") + _load(shared, "friend")
    x = {k: _load(shared, k) for k in ["groupWork", "haveClass", "WorkWith"]}
    fit = mrqap(y, x, n_perm=200, seed=1)
    expected = rec["netlm_friendship(know+buddy+friend)~groupWork+haveClass+WorkWith"]
    assert fit["estimate"].to_numpy() == pytest.approx(expected, abs=1e-7)
    assert fit.attrs["r2"] == pytest.approx(rec["netlm_R2"], abs=5e-5)  # printed to 4 places
    assert fit.attrs["rse"] == pytest.approx(rec["netlm_RSE"], abs=5e-5)
    assert fit.attrs["df"] == rec["netlm_df"]
    # All three predictors are strongly related to the summed tie in the lab's output.
    assert (fit["p_value"].iloc[1:] < 0.05).all()


def test_graph_inputs_are_aligned_by_label():
    rng = np.random.default_rng(0)
    a = (rng.random((9, 9)) < 0.4).astype(float)
    b = np.clip(a + (rng.random((9, 9)) < 0.2), 0, 1)
    np.fill_diagonal(a, 0)
    np.fill_diagonal(b, 0)
    labels = [f"p{i}" for i in range(9)]
    ga = nx.from_numpy_array(a, create_using=nx.DiGraph, nodelist=labels)
    # Build the second graph with its nodes inserted in reverse: alignment must be by label.
    gb = nx.DiGraph()
    gb.add_nodes_from(reversed(labels))
    gb.add_weighted_edges_from((labels[i], labels[j], b[i, j]) for i, j in zip(*np.nonzero(b),
                                                                                strict=True))
    ref = qap_correlation(a, b, n_perm=50, seed=2)
    got = qap_correlation(ga, gb, n_perm=50, seed=2)
    assert got["estimate"] == pytest.approx(ref["estimate"])
    frame = pd.DataFrame(b, index=labels, columns=labels).iloc[::-1, ::-1]
    a_frame = pd.DataFrame(a, index=labels, columns=labels)
    assert qap_correlation(a_frame, frame, n_perm=10)["estimate"] == pytest.approx(ref["estimate"])


def test_qap_is_seeded_and_pvalues_are_calibrated_under_the_null():
    rng = np.random.default_rng(1)
    ps = []
    for _ in range(60):
        a = rng.random((10, 10))
        b = rng.random((10, 10))
        ps.append(qap_correlation(a, b, n_perm=99, seed=3)["p_value"])
    ps = np.array(ps)
    # Under independence p is about uniform: about 5% below .05, about half below .5.
    assert (ps < 0.05).mean() <= 0.15
    assert 0.3 < (ps < 0.5).mean() < 0.7
    a, b = rng.random((8, 8)), rng.random((8, 8))
    assert qap_correlation(a, b, seed=4).equals(qap_correlation(a, b, seed=4))


def test_mrqap_dsp_keeps_a_collinear_irrelevant_predictor_non_significant():
    rng = np.random.default_rng(5)
    n = 20
    x1 = rng.random((n, n))
    x2 = x1 + 0.5 * rng.random((n, n))  # correlated with x1 but no effect of its own
    y = 1.5 * x1 + rng.normal(0, 0.5, (n, n))
    fit = mrqap(y, {"x1": x1, "x2": x2}, n_perm=300, seed=6)
    assert fit.loc["x1", "p_value"] < 0.01
    assert fit.loc["x2", "p_value"] > 0.05
    y_perm = mrqap(y, {"x1": x1, "x2": x2}, n_perm=300, seed=6, null="y")
    assert y_perm["estimate"].to_numpy() == pytest.approx(fit["estimate"].to_numpy())


def test_qap_refuses_mismatched_sizes():
    with pytest.raises(TableError, match="different sizes"):
        qap_correlation(np.zeros((3, 3)), np.zeros((4, 4)))
    with pytest.raises(TableError, match="square"):
        qap_correlation(np.zeros((3, 4)), np.zeros((3, 4)))


@given(st.integers(0, 10_000))
@settings(max_examples=20, deadline=None)
def test_qap_estimates_do_not_depend_on_the_node_order(seed):
    rng = np.random.default_rng(seed)
    n = 9
    y = rng.random((n, n))
    x1 = rng.random((n, n))
    x2 = (rng.random((n, n)) < 0.5).astype(float)
    p = rng.permutation(n)
    relabel = np.ix_(p, p)
    r = qap_correlation(y, x1, n_perm=5)["estimate"]
    assert qap_correlation(y[relabel], x1[relabel], n_perm=5)["estimate"] == pytest.approx(r)
    a = mrqap(y, [x1, x2], n_perm=2)["estimate"].to_numpy()
    b = mrqap(y[relabel], [x1[relabel], x2[relabel]], n_perm=2)["estimate"].to_numpy()
    assert a == pytest.approx(b)


def test_mrqap_p_values_are_calibrated_under_the_null():
    rng = np.random.default_rng(9)
    ps = []
    for _ in range(40):
        x = rng.random((10, 10))
        y = rng.random((10, 10))
        ps.append(mrqap(y, {"x": x}, n_perm=99, seed=1).loc["x", "p_value"])
    assert (np.array(ps) < 0.05).mean() <= 0.15
