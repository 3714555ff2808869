"""Brokers: Burt's measures, Gould-Fernandez roles and bridges against oracles, networkx,
brute force and hand-worked cases."""

from __future__ import annotations

import itertools
import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from ona.analysis.brokers import (
    ROLES,
    bridges,
    brokerage,
    constraint,
    effective_size,
    hierarchy,
    structural_holes,
)
from ona.exceptions import InvalidParameterError
from ona.graph import as_compact

# --------------------------------------------------------------------------- Burt: oracles


def _borgatti() -> nx.Graph:
    G = nx.Graph()
    weights = dict(AB=2, AF=3, AG=5, AE=2, EG=8, FG=3, BG=4, BD=1, DG=3, GC=10)
    for pair, w in weights.items():
        G.add_edge(pair[0], pair[1], weight=w)
    return G


def _check(series, expected, tol):
    for name, value in expected.items():
        if value == "NaN":
            assert math.isnan(series[name]), name
        else:
            assert series[name] == pytest.approx(value, abs=tol), name


def test_borgatti97(oracles):
    rec = oracles["borgatti97_holes"]
    exp, tol = rec["expected"], rec["tol"]
    G = _borgatti()
    _check(constraint(G, weight=None), exp["constraint_unweighted"], tol)
    _check(effective_size(G, weight=None), exp["effsize_unweighted"], tol)
    _check(constraint(G), exp["constraint_weighted"], tol)
    _check(effective_size(G), exp["effsize_weighted"], tol)


def test_directed_holes(oracles):
    rec = oracles["directed_holes"]
    exp, tol = rec["expected"], rec["tol"]
    G = nx.DiGraph()
    G.add_weighted_edges_from([(0, 1, 2), (0, 2, 2), (1, 0, 1), (2, 1, 1)])

    def key(d):
        return {int(k): v for k, v in d.items()}

    _check(constraint(G, weight=None), key(exp["constraint"]), tol)
    _check(constraint(G), key(exp["constraint_weighted"]), tol)
    _check(effective_size(G, weight=None), key(exp["effsize"]), tol)
    _check(effective_size(G), key(exp["effsize_weighted"]), tol)


def test_igraph_constraint_unit(oracles):
    rec = oracles["igraph_constraint_unit"]
    exp, tol = rec["expected"], rec["tol"]
    np.testing.assert_allclose(constraint(nx.path_graph(4), weight=None), exp["P4"], atol=tol)
    np.testing.assert_allclose(constraint(nx.complete_graph(4), weight=None), exp["K4"], atol=tol)
    hole = nx.complete_graph(4)
    hole.add_edges_from([(3, 4), (4, 5)])
    hole.add_edges_from(itertools.combinations([5, 6, 7, 8], 2))
    np.testing.assert_allclose(constraint(hole, weight=None), exp["hole"], atol=tol)


def test_florentine_constraint_with_isolate(oracles):
    rec = oracles["florentine_constraint_16"]
    G = nx.florentine_families_graph()
    G.add_node("Pucci")  # the isolate networkx leaves out
    c = constraint(G, weight=None)
    assert len(c) == 16
    _check(c.rename(str.upper), rec["expected"], rec["tol"])


# --------------------------------------------------------------------------- Burt: networkx


def _random(directed: bool, seed: int) -> nx.Graph:
    G = nx.gnp_random_graph(35, 0.15, seed=seed, directed=directed)
    rng = np.random.default_rng(seed)
    for u, v in G.edges():
        G[u][v]["weight"] = float(rng.integers(1, 9))
    G.add_node(99)  # an isolate
    return G


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("weight", ["weight", None])
def test_equal_to_networkx(directed, weight):
    G = _random(directed, seed=4)
    nodes = list(G)
    ref_es = nx.effective_size(G, nodes=nodes, weight=weight)  # the correct per-node path
    ref_c = nx.constraint(G, weight=weight)
    es = effective_size(G, weight=weight)
    c = constraint(G, weight=weight)
    nmw = nx.algorithms.structuralholes.normalized_mutual_weight
    for v in nodes:
        contacts = set(nx.all_neighbors(G, v)) - {v}
        if math.isnan(ref_es[v]) and contacts:
            # networkx's per-node path calls a person with only incoming ties isolated (it
            # looks at successors); by its own formula, with neighbours = pred ∪ succ:
            ref_es[v] = sum(
                1 - sum(nmw(G, v, w, weight=weight) * nmw(G, u, w, norm=max, weight=weight)
                        for w in contacts)
                for u in contacts
            )  # fmt: skip
        if not contacts:
            assert math.isnan(es[v]) and math.isnan(c[v]) and math.isnan(ref_c[v])
        else:
            assert es[v] == pytest.approx(ref_es[v], abs=1e-9)
            assert c[v] == pytest.approx(ref_c[v], abs=1e-9)


def test_networkx_effective_size_trap(oracles):
    """networkx 3.5-3.6 with nodes=None is wrong on weighted graphs; ona is not."""
    G = _borgatti()
    default = nx.effective_size(G, weight="weight")
    right = oracles["borgatti97_holes"]["expected"]["effsize_weighted"]
    ours = effective_size(G)
    assert ours["A"] == pytest.approx(right["A"], abs=0.01)
    if abs(default["A"] - right["A"]) > 0.01:  # still the buggy release
        assert ours["A"] != pytest.approx(default["A"], abs=0.01)


def _hierarchy_by_loops(G: nx.Graph, weight) -> dict:
    """Burt's hierarchy straight from the definition, with networkx's local constraint."""
    out = {}
    for v in G:
        contacts = set(nx.all_neighbors(G, v)) - {v}
        if len(contacts) < 2:
            out[v] = float("nan")
            continue
        local = [nx.local_constraint(G, v, j, weight=weight) for j in contacts]
        mean = sum(local) / len(contacts)
        n = len(contacts)
        out[v] = sum((c / mean) * math.log(c / mean) for c in local) / (n * math.log(n))
    return out


@pytest.mark.parametrize("directed", [False, True])
def test_hierarchy_against_definition(directed):
    G = _random(directed, seed=8)
    ours = hierarchy(G)
    ref = _hierarchy_by_loops(G, "weight")
    for v, h in ref.items():
        if math.isnan(h):
            assert math.isnan(ours[v])
        else:
            assert ours[v] == pytest.approx(h, abs=1e-9)


def test_hierarchy_hand_worked():
    # ego b with contacts a (weight 1) and c (weight 3), a and c not tied:
    # p = 1/4, 3/4; c_ij = 1/16, 9/16; C = 10/16; r = 1/5, 9/5;
    # H = (0.2 ln 0.2 + 1.8 ln 1.8) / (2 ln 2) = 0.7361284 / 1.3862944 = 0.531004
    hand = (0.2 * math.log(0.2) + 1.8 * math.log(1.8)) / (2 * math.log(2))
    G = nx.Graph()
    G.add_weighted_edges_from([("a", "b", 1), ("b", "c", 3)])
    assert hierarchy(G)["b"] == pytest.approx(hand, abs=1e-12)
    assert round(hand, 6) == 0.531004
    # the same ego in a digraph: mutual weights a: 1, c: 1 + 2 = 3
    D = nx.DiGraph()
    D.add_weighted_edges_from([("b", "a", 1), ("b", "c", 1), ("c", "b", 2)])
    assert hierarchy(D)["b"] == pytest.approx(hand, abs=1e-12)
    # equal contacts: no hierarchy; pendants: undefined
    star = hierarchy(nx.star_graph(4), weight=None)
    assert star[0] == 0.0 and star[1:].isna().all()
    # Borgatti's example, values worked by hand in the shared notes (H(G) 0.0947, H(A) 0.1678)
    h = hierarchy(_borgatti(), weight=None)
    assert h["G"] == pytest.approx(0.0947, abs=1e-4) and h["A"] == pytest.approx(0.1678, abs=1e-4)


def test_structural_holes_table_and_blocks(monkeypatch):
    G = _random(True, seed=2)
    full = structural_holes(G)
    assert list(full.columns) == ["effective_size", "efficiency", "constraint", "hierarchy"]
    deg = pd.Series({v: len(set(nx.all_neighbors(G, v))) for v in G})
    np.testing.assert_allclose(full["efficiency"], full["effective_size"] / deg.reindex(full.index))
    # tiny blocks give the same numbers as one block
    import ona.analysis.brokers as brokers_mod

    monkeypatch.setattr(brokers_mod, "_BLOCK_NNZ", 50)
    pd.testing.assert_frame_equal(structural_holes(G), full)
    pd.testing.assert_frame_equal(structural_holes(as_compact(G)), full)


def test_zero_weight_ties_are_not_contacts():
    G = nx.Graph()
    G.add_weighted_edges_from([(0, 1, 1.0), (0, 2, 1.0), (0, 3, 0.0)])
    assert constraint(G)[0] == pytest.approx(0.5)  # igraph would count node 3 (0.5625 there)
    assert math.isnan(constraint(G)[3])


# --------------------------------------------------------------------------- Gould-Fernandez


def _read_strike(shared):
    names, arcs, mode = {}, [], None
    for line in (shared / "oracles" / "strike" / "Strike.net").read_text().splitlines():
        if line.startswith("*Vertices"):
            mode = "v"
        elif line.startswith(("*Arcs", "*Edges")):
            mode = "a"
        elif line.strip() and mode == "v":
            parts = line.split('"')
            names[int(parts[0])] = parts[1]
        elif line.strip() and mode == "a":
            a, b = line.split()[:2]
            arcs.append((names[int(a)], names[int(b)]))
    groups = pd.read_csv(
        shared / "oracles" / "strike" / "Strikegroups.csv", header=None, skiprows=1, index_col=0
    )[1]
    return nx.DiGraph(arcs), groups.to_dict()


_SNA = {"wI": "coordinator", "wO": "itinerant", "bIO": "representative",
        "bOI": "gatekeeper", "bO": "liaison", "t": "total"}  # fmt: skip


def test_strike_oracle(shared, oracles):
    G, groups = _read_strike(shared)
    t = brokerage(G, groups, null=None)
    for person, cells in oracles["strike_gould_fernandez"]["expected"].items():
        for col, value in cells.items():
            assert t.loc[person, _SNA[col]] == value, (person, col)
    # undirected reading: each unordered pair once; representative = gatekeeper merged
    u = brokerage(G.to_undirected(), groups, null=None)
    assert u.loc["Norm", "coordinator"] == 9 and u.loc["Bob", "liaison"] == 1
    assert u.loc["Bob", "representative_gatekeeper"] == 10
    assert "gatekeeper" not in u.columns


def _brute_force(G: nx.DiGraph, groups: dict) -> pd.DataFrame:
    rows = {}
    for b in G:
        counts = dict.fromkeys(ROLES, 0)
        for a in G.predecessors(b):
            for c in G.successors(b):
                if a == c or G.has_edge(a, c):
                    continue
                ga, gb, gc = groups[a], groups[b], groups[c]
                if ga == gb == gc:
                    counts["coordinator"] += 1
                elif ga == gc:
                    counts["itinerant"] += 1
                elif ga == gb:
                    counts["representative"] += 1
                elif gb == gc:
                    counts["gatekeeper"] += 1
                else:
                    counts["liaison"] += 1
        rows[b] = counts
    return pd.DataFrame.from_dict(rows, orient="index")[list(ROLES)].sort_index()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_brokerage_brute_force(seed, monkeypatch):
    G = nx.gnp_random_graph(30, 0.2, seed=seed, directed=True)
    rng = np.random.default_rng(seed)
    groups = {v: f"g{rng.integers(0, 4)}" for v in G}
    expected = _brute_force(G, groups)
    got = brokerage(G, groups, null=None)
    pd.testing.assert_frame_equal(got[list(ROLES)], expected, check_names=False, check_dtype=False)
    import ona.analysis.brokers as brokers_mod

    monkeypatch.setattr(brokers_mod, "_BLOCK_NNZ", 40)  # many blocks: same answer
    pd.testing.assert_frame_equal(brokerage(G, groups, null=None), got)


def test_gatekeeper_versus_representative_chains():
    """Five directed 3-node chains a→b→c, one per role (the Strike data cannot separate two)."""
    cases = {
        "coordinator": ("X", "X", "X"),
        "itinerant": ("X", "Y", "X"),
        "representative": ("X", "X", "Y"),  # b carries its own group's flow out
        "gatekeeper": ("Y", "X", "X"),  # b lets outside flow into its own group
        "liaison": ("X", "Y", "Z"),
    }
    for role, (ga, gb, gc) in cases.items():
        G = nx.DiGraph([("a", "b"), ("b", "c")])
        t = brokerage(G, {"a": ga, "b": gb, "c": gc}, null=None)
        assert t.loc["b", role] == 1 and t.loc["b", "total"] == 1, role
        assert t.loc[["a", "c"], "total"].sum() == 0
        # reversing the chain swaps representative and gatekeeper, and nothing else
        R = brokerage(G.reverse(), {"a": ga, "b": gb, "c": gc}, null=None)
        swapped = {"representative": "gatekeeper", "gatekeeper": "representative"}.get(role, role)
        assert R.loc["b", swapped] == 1
        # a direct tie a→c closes the path: no brokerage
        G.add_edge("a", "c")
        assert brokerage(G, {"a": ga, "b": gb, "c": gc}, null=None).loc["b", "total"] == 0


def test_expected_columns_add_up(shared):
    G, groups = _read_strike(shared)
    d = brokerage(G, groups)
    u = brokerage(G.to_undirected(), groups)
    assert list(u.columns[:5]) == [
        "coordinator", "itinerant", "representative_gatekeeper", "liaison", "total"
    ]  # fmt: skip
    for t, roles in ((d, ROLES), (u, ["coordinator", "itinerant", "representative_gatekeeper",
                                       "liaison"])):  # fmt: skip
        expected = t[[f"{r}_expected" for r in roles]].sum(axis=1)
        np.testing.assert_allclose(expected, t["total"], atol=1e-9)
    # the undirected reading is the symmetric digraph's with each pair once
    np.testing.assert_allclose(u["coordinator_expected"], d["coordinator_expected"] / 2)
    np.testing.assert_allclose(
        u["representative_gatekeeper_expected"], d["representative_expected"]
    )


def test_people_without_group_take_no_part():
    G = nx.DiGraph([("a", "b"), ("b", "c"), ("x", "b"), ("b", "y")])
    t = brokerage(G, {"a": "X", "b": "X", "c": "Y"}, null=None)
    assert t.loc["b", "representative"] == 1 and t.loc["b", "total"] == 1
    assert t.loc["x", "total"] == 0


def test_assignment_expectation_exhaustive():
    """Expected counts under random assignment = average over every relabelling of the others."""
    G = nx.DiGraph([(0, 1), (1, 2), (2, 1), (1, 3), (4, 1), (3, 4), (1, 5)])
    labels = {0: "A", 1: "A", 2: "B", 3: "B", 4: "C", 5: "A"}
    t = brokerage(G, labels, null="assignment")
    broker = 1
    others = [v for v in G if v != broker]
    pool = [labels[v] for v in others]
    sums = dict.fromkeys(ROLES, 0.0)
    perms = list(itertools.permutations(pool))
    for perm in perms:
        relabel = dict(zip(others, perm, strict=True)) | {broker: labels[broker]}
        row = _brute_force(G, relabel).loc[broker]
        for role in ROLES:
            sums[role] += row[role]
    for role in ROLES:
        assert t.loc[broker, f"{role}_expected"] == pytest.approx(sums[role] / len(perms))


def test_bernoulli_moments_by_simulation():
    """sna's expectations and variances match a simulation of random graphs of that density."""
    n, d, draws = 12, 0.25, 20_000
    group = np.array([v % 3 for v in range(n)])  # broker 0 in group 0, sizes 4/4/4
    rng = np.random.default_rng(5)
    adj = rng.random((draws, n, n)) < d
    adj[:, np.arange(n), np.arange(n)] = False
    a_in, c_out = adj[:, :, 0], adj[:, 0, :]  # a→0 and 0→c
    open_ = a_in[:, :, None] & c_out[:, None, :] & ~adj & ~np.eye(n, dtype=bool)
    ga, gc = group[:, None], group[None, :]
    masks = {
        "coordinator": (ga == 0) & (gc == 0),
        "itinerant": (ga == gc) & (ga != 0),
        "representative": (ga == 0) & (gc != 0),
        "gatekeeper": (ga != 0) & (gc == 0),
        "liaison": (ga != gc) & (ga != 0) & (gc != 0),
    }
    masks = {k: m & (np.arange(n)[:, None] != 0) & (np.arange(n)[None, :] != 0)
             for k, m in masks.items()}  # fmt: skip
    # the closed-form moments for a graph of exactly density d
    m = round(d * n * (n - 1))
    ref = np.zeros(n * (n - 1), dtype=bool)
    ref[:m] = True
    one = np.zeros((n, n), dtype=bool)
    one[~np.eye(n, dtype=bool)] = rng.permutation(ref)
    G = nx.from_numpy_array(one.astype(int), create_using=nx.DiGraph)
    t = brokerage(G, {v: int(group[v]) for v in range(n)}, null="bernoulli")
    for role, mask in masks.items():
        counts = (open_ & mask).sum(axis=(1, 2))
        exp = t.loc[0, f"{role}_expected"]
        sd = (t.loc[0, role] - exp) / t.loc[0, f"{role}_z"]
        assert counts.mean() == pytest.approx(exp, abs=4 * counts.std() / math.sqrt(draws)), role
        assert counts.std() == pytest.approx(sd, rel=0.05), role
    with pytest.raises(InvalidParameterError, match="directed"):
        brokerage(G.to_undirected(), {v: 0 for v in range(n)}, null="bernoulli")


# --------------------------------------------------------------------------- bridges


def test_bridges_barbell_and_cycle():
    t = bridges(nx.barbell_graph(3, 0), weight=None, span=True)
    lb = t[t["local_bridge"]]
    assert lb[["source", "target"]].values.tolist() == [[2, 3]]
    assert lb["bridge"].all() and np.isinf(lb["span"]).all()
    c = bridges(nx.cycle_graph(4), weight=None, span=True)
    assert c["local_bridge"].all() and not c["bridge"].any()
    assert (c["span"] == 3).all()  # networkx's test: every tie of a 4-cycle spans 3


@pytest.mark.parametrize("seed", [0, 1])
def test_bridges_match_networkx(seed):
    G = nx.gnp_random_graph(60, 0.05, seed=seed)
    t = bridges(G, weight=None, span=True)
    ref_local = {frozenset((u, v)): s for u, v, s in nx.local_bridges(G, with_span=True)}
    got_local = {
        frozenset((u, v)): s
        for u, v, s in t.loc[t["local_bridge"], ["source", "target", "span"]].itertuples(
            index=False
        )
    }
    assert got_local.keys() == ref_local.keys()
    for key, span in ref_local.items():
        assert got_local[key] == span
    ref_bridges = {frozenset(e) for e in nx.bridges(G)}
    assert {frozenset(e) for e in t.loc[t["bridge"], ["source", "target"]].values.tolist()} == (
        ref_bridges
    )
    common = {frozenset((u, v)): len(list(nx.common_neighbors(G, u, v))) for u, v in G.edges()}
    for u, v, k in t[["source", "target", "common_contacts"]].itertuples(index=False):
        assert common[frozenset((u, v))] == k


def test_cross_group_ties():
    D = nx.DiGraph()
    D.add_weighted_edges_from(
        [("a", "b", 1), ("b", "a", 2), ("a", "c", 3), ("c", "d", 1), ("d", "e", 5)]
    )
    groups = {"a": "X", "b": "X", "c": "Y", "d": "Y"}  # e has no group
    t = bridges(D, groups)
    assert len(t) == 4  # a-b counted once, weighing 1 + 2
    assert t.set_index(["source", "target"]).loc[("a", "b"), "weight"] == 3.0
    assert t["cross_group"].tolist() == [False, True, False, False]
    summary = t.attrs["cross_group"]
    assert summary["ties"] == 1
    assert summary["share"] == pytest.approx(1 / 3)  # the tie to e has no known group
    assert summary["weight_share"] == pytest.approx(3 / (3 + 3 + 1))


def test_validation():
    G = nx.path_graph(3)
    with pytest.raises(InvalidParameterError, match="'null' parameter of brokerage"):
        brokerage(G, {0: "a"}, null="uniform")
    with pytest.raises(InvalidParameterError, match="'weight' parameter of constraint"):
        constraint(G, weight=3)
