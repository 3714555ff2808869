"""Silos: published values (karate, Anabaptist, netseg), hand-worked cases and properties."""

from __future__ import annotations

import itertools
import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ona.analysis.silos import (
    assortativity,
    communities,
    compare_partitions,
    ei_index,
    group_matrix,
    modularity,
    resolution_scan,
    segregation,
    silo_scores,
)
from ona.exceptions import InvalidParameterError
from ona.graph import as_compact

# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def karate():
    return nx.karate_club_graph()


@pytest.fixture(scope="module")
def anabaptist(shared):
    folder = shared / "oracles" / "anabaptist"
    matrix = pd.read_csv(folder / "Anabaptist Leaders.csv", index_col=0)
    attrs = pd.read_csv(folder / "Anabaptist Attributes.csv")
    # the SOURCES note: rows align with the matrix by position, not by name
    G = nx.from_numpy_array(matrix.to_numpy())
    return G, dict(enumerate(attrs["Melchiorite"]))


def _netseg(shared, name):
    folder = shared / "oracles" / "netseg"
    return pd.read_csv(folder / f"{name}-edb.csv"), pd.read_csv(folder / f"{name}-vdb.csv")


# --------------------------------------------------------------------------- oracles


def test_karate_modularity_oracle(karate, oracles):
    rec = oracles["karate_modularity"]
    tol, expected = rec["tol"], rec["expected"]
    assert modularity(karate, "club", weight=None) == pytest.approx(
        expected["nx_club_attribute_split"], abs=tol
    )
    # Newman's leading-eigenvector split differs from the club split only in node 8
    # (measures.md trap 3)
    split = {v: karate.nodes[v]["club"] for v in karate}
    split[8] = "Mr. Hi" if split[8] == "Officer" else "Officer"
    assert modularity(karate, split, weight=None) == pytest.approx(
        expected["leading_eigenvector_bisection"], abs=tol
    )
    best = [
        {0, 1, 2, 3, 7, 11, 12, 13, 17, 19, 21},
        {4, 5, 6, 10, 16},
        {8, 9, 14, 15, 18, 20, 22, 26, 29, 30, 32, 33},
        {23, 24, 25, 27, 28, 31},
    ]
    assert modularity(karate, best, weight=None) == pytest.approx(
        expected["max_modularity_4_groups"], abs=tol
    )
    # the weighted value is different (trap 2): the default weight must not be used silently
    assert modularity(karate, "club") == pytest.approx(0.3914, abs=1e-4)


def test_karate_communities_near_known_optimum(karate, oracles):
    optimum = oracles["karate_modularity"]["expected"]["max_modularity_4_groups"]
    tol = oracles["karate_modularity"]["tol"]
    qs = []
    for method in ("louvain", "leiden"):
        for seed in range(5):
            c = communities(karate, method=method, weight=None, seed=seed)
            q = modularity(karate, c, weight=None)
            assert c.attrs["modularity"] == pytest.approx(q, abs=1e-12)
            assert q <= optimum + tol  # nothing beats the proven optimum
            qs.append(q)
    assert max(qs) >= 0.41  # best of ten runs is within 0.01 of the optimum


def test_anabaptist_ei_oracle(anabaptist, oracles):
    G, melchiorite = anabaptist
    rec = oracles["anabaptist_topography"]
    # isnar::ei is the whole-network index over the two Melchiorite classes
    out = ei_index(G, melchiorite, level="network")
    assert out["ei"] == pytest.approx(rec["expected"]["EI_Melchiorite"], abs=rec["tol"])
    assert out["ties"] == 183
    groups = ei_index(G, melchiorite, min_group_size=1)
    assert groups.attrs["overall"] == pytest.approx(out["ei"])
    # every external tie has one end in each of the two groups
    assert groups["external"].tolist() == [out["external"]] * 2
    assert groups["internal"].sum() == out["internal"]


def test_newman_race_mixing_oracle(shared, oracles):
    rec = oracles["newman_mixing_race"]
    table = pd.read_csv(shared / "oracles" / "netseg" / "Catania.csv")
    # Newman's Table I is a directed mixing matrix (male's race -> female's race): one weighted
    # arc per cell between a node of each sex and race reproduces it exactly
    D = nx.DiGraph()
    for row in table.itertuples():
        D.add_node(("m", row.male), race=row.male)
        D.add_node(("f", row.female), race=row.female)
        D.add_edge(("m", row.male), ("f", row.female), weight=row.n)
    assert assortativity(D, "race", weight="weight") == pytest.approx(
        rec["expected"], abs=rec["tol"]
    )


def test_white_kinship_oracle(shared, oracles):
    rec = oracles["white_kinship"]
    edges, nodes = _netseg(shared, "WhiteKinship")
    G = nx.from_pandas_edgelist(edges, "from", "to")
    gender = dict(zip(nodes["name"], nodes["gender"], strict=True))
    assert assortativity(G, gender) == pytest.approx(rec["expected"], abs=rec["tol"])


def test_classroom_segregation_oracle(shared, oracles):
    rec = oracles["classroom_segregation"]
    edges, nodes = _netseg(shared, "classroom")
    G = nx.from_pandas_edgelist(edges, "from", "to", create_using=nx.DiGraph)
    G.add_nodes_from(nodes["id"])  # pupils nobody named still count in the group sizes
    out = segregation(G, dict(zip(nodes["id"], nodes["gender"], strict=True)))
    exp, tol = rec["expected"], rec["tol"]
    assert out.attrs["orwg"] == pytest.approx(exp["orwg"], abs=tol)
    assert out.loc["Boy", "coleman"] == pytest.approx(exp["coleman_Boy"], abs=tol)
    assert out.loc["Girl", "coleman"] == pytest.approx(exp["coleman_Girl"], abs=tol)


# --------------------------------------------------------------------------- hand-worked


def test_rescaled_ei_hand_worked():
    # groups {a, b, c} and {d}; 5 ties, 3 internal. With sizes 3 and 1 there are only
    # I* = 3 possible internal and E* = 3 possible external ties, so 5 ties force at least 2
    # external ones: the observed E-I (-0.2) is the most internal reachable -> rescaled -1.
    G = nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("c", "d"), ("b", "d")])
    out = ei_index(G, {"a": 1, "b": 1, "c": 1, "d": 2}, level="network")
    assert out["ei"] == pytest.approx(-0.2)
    assert out["ei_min"] == pytest.approx((5 - 2 * 3) / 5)
    assert out["ei_max"] == pytest.approx((2 * 3 - 5) / 5)
    assert out["rescaled_ei"] == pytest.approx(-1.0)
    assert out["expected_ei"] == pytest.approx(0.0)  # E* = I* = 3


def test_rescaled_ei_unconstrained_equals_raw():
    # with few ties every E-I in [-1, 1] is reachable, so rescaling changes nothing
    # (two groups of 3: I* = 6 and E* = 9 possible ties, both more than the L = 3 ties)
    G = nx.Graph([(0, 1), (1, 2), (2, 3)])
    G.add_nodes_from([4, 5])
    out = ei_index(G, {v: "x" if v < 3 else "y" for v in G}, level="network")
    assert (out["ei_min"], out["ei_max"]) == (-1.0, 1.0)
    assert out["rescaled_ei"] == pytest.approx(out["ei"]) == pytest.approx(-1 / 3)
    # expected under random assignment: (E* - I*) / (E* + I*) = 3 / 15
    assert out["expected_ei"] == pytest.approx(0.2)


def test_ei_permutation_test():
    # planted: 6 cliques of 8 joined in a ring, teams = cliques
    G = nx.connected_caveman_graph(6, 8)
    teams = {v: v // 8 for v in G}
    out = ei_index(G, teams, level="network", n_permutations=199, seed=3)
    assert out["p_value"] == pytest.approx(1 / 200)  # no shuffle is as internal
    # under random relabelling each tie joins a uniformly random pair of people, so the mean
    # shuffled E-I is the analytic expectation (E* - I*) / (E* + I*)
    assert out["permuted_ei"] == pytest.approx(out["expected_ei"], abs=0.02)
    rng = np.random.default_rng(0)
    random_teams = {v: int(rng.integers(0, 6)) for v in G}
    out = ei_index(G, random_teams, level="network", n_permutations=199, seed=3)
    assert out["p_value"] > 0.01
    assert "p_value" not in ei_index(G, teams, level="network")


def test_ei_directed_arcs_against_symmetrised():
    D = nx.DiGraph([("a", "b"), ("b", "a"), ("a", "c"), ("c", "d")])
    teams = {"a": "x", "b": "x", "c": "y", "d": "y"}
    arcs = ei_index(D, teams, level="network")
    assert (arcs["internal"], arcs["external"]) == (3, 1)  # a<->b are two arcs
    sym = ei_index(D, teams, level="network", symmetrise=True)
    assert (sym["internal"], sym["external"]) == (2, 1)
    # weighted and symmetrised: the a-b pair weighs both directions (1 + 1)
    nx.set_edge_attributes(D, 1.0, "weight")
    wsym = ei_index(D, teams, level="network", symmetrise=True, weight="weight")
    assert (wsym["internal"], wsym["external"]) == (3, 1)
    person = ei_index(D, teams, level="person")
    assert person.attrs["level"] == "person"
    assert person.loc["a", ["internal", "external"]].tolist() == [2, 1]
    assert person.loc["c", "ei"] == pytest.approx(0.0)


def test_ei_weighted_and_unassigned():
    G = nx.Graph()
    G.add_edge("a", "b", weight=3.0)
    G.add_edge("a", "c", weight=1.0)
    G.add_edge("a", "z", weight=10.0)  # z has no group: counted neither way
    teams = {"a": "x", "b": "x", "c": "y"}
    out = ei_index(G, teams, level="network", weight="weight")
    assert out["ei"] == pytest.approx((1 - 3) / 4)
    assert math.isnan(out["rescaled_ei"])
    assert out.attrs["unassigned_people"] == 1


def test_ei_group_privacy():
    G = nx.complete_graph(12)
    teams = {v: ("big" if v < 9 else "small") for v in G}
    out = ei_index(G, teams)
    assert list(out.index) == ["big"]
    assert "fewer than 5" in out.attrs["privacy"]
    # 9 * 3 cross ties, 36 internal ties of the 9
    assert out.loc["big", ["internal", "external"]].tolist() == [36, 27]
    assert out.attrs["overall"] == pytest.approx((27 - 39) / 66)


def test_groups_keyed_by_other_ids_are_refused():
    G = nx.path_graph(4)  # integer person ids
    with pytest.raises(InvalidParameterError, match="person ids"):
        ei_index(G, {"0": "x", "1": "y"})
    with pytest.raises(InvalidParameterError, match="no node attribute"):
        group_matrix(G, "department")
    with pytest.raises(InvalidParameterError, match="level"):
        ei_index(G, {0: "x"}, level="team")


def test_group_matrix_matches_edge_loop():
    rng = np.random.default_rng(3)
    D = nx.gnp_random_graph(40, 0.15, seed=3, directed=True)
    for u, v in D.edges:
        D[u][v]["weight"] = float(rng.integers(1, 5))
    team = {v: f"t{v % 4}" for v in D}
    expected = pd.DataFrame(0.0, index=sorted(set(team.values())), columns=sorted(set(team.values())))
    for u, v, w in D.edges(data="weight"):
        expected.loc[team[u], team[v]] += w
    out = group_matrix(D, team)
    np.testing.assert_allclose(out.to_numpy(), expected.to_numpy())
    assert out.attrs["level"] == "group" and "none suppressed" in out.attrs["privacy"]
    rows = group_matrix(D, team, value="row_share")
    np.testing.assert_allclose(rows.sum(axis=1), 1.0)
    share = group_matrix(D, team, value="share")
    assert share.to_numpy().sum() == pytest.approx(1.0)
    counts = group_matrix(D, team, weight=None)
    assert counts.to_numpy().sum() == D.number_of_edges()


def test_group_matrix_undirected_and_merge():
    G = nx.Graph()
    G.add_edges_from([(0, 1), (1, 2), (2, 10), (10, 11), (3, 20)])
    team = {v: "A" for v in range(6)} | {v: "B" for v in range(10, 15)}
    team |= {20: "C", 21: "D"}  # two groups of one person each
    G.add_nodes_from(team)
    out = group_matrix(G, team, weight=None)
    # C and D (1 person each) merge into a group of 2, still below 5, so they are dropped
    assert list(out.index) == ["A", "B"]
    assert out.loc["A", "A"] == 2 and out.loc["A", "B"] == out.loc["B", "A"] == 1
    assert out.loc["B", "B"] == 1
    team |= {v: "C" for v in range(22, 26)}  # C grows to 5 people
    G.add_nodes_from(team)
    out = group_matrix(G, team, weight=None, min_group_size=5)
    assert "C" in out.index and out.loc["A", "C"] == 1


def test_modularity_matches_networkx_weighted_and_directed():
    G = nx.karate_club_graph()
    blocks = [set(range(0, 12)), set(range(12, 25)), set(range(25, 34))]
    assert modularity(G, blocks) == pytest.approx(nx.community.modularity(G, blocks))
    assert modularity(G, blocks, resolution=2.5) == pytest.approx(
        nx.community.modularity(G, blocks, resolution=2.5)
    )
    D = nx.gnp_random_graph(30, 0.2, seed=5, directed=True)
    blocks = [set(range(0, 15)), set(range(15, 30))]
    assert modularity(D, blocks, weight=None) == pytest.approx(
        nx.community.modularity(D, blocks, weight=None)
    )
    # a CompactGraph gives the same number as the networkx graph
    assert modularity(as_compact(D), blocks) == pytest.approx(modularity(D, blocks))


# --------------------------------------------------------------------------- communities


def test_communities_seeded_and_reproducible(karate):
    a = communities(karate, seed=7)
    b = communities(karate, seed=7)
    pd.testing.assert_series_equal(a, b)
    assert a.attrs["level"] == "person" and a.attrs["seed"] == 7
    counts = a.value_counts()
    assert counts.index[0] == 0 and counts.is_monotonic_decreasing  # 0 = largest


def test_leiden_communities_are_connected():
    G = nx.connected_caveman_graph(12, 6)
    rng = np.random.default_rng(0)
    for u, v in rng.integers(0, 72, size=(30, 2)):
        if u != v:
            G.add_edge(int(u), int(v))
    c = communities(G, method="leiden", seed=3)
    for k in c.unique():
        assert nx.is_connected(G.subgraph(c.index[c == k]))


def test_resolution_splits_planted_departments():
    # 40 departments of 10 people in a ring of cliques: modularity at gamma=1 merges
    # neighbouring cliques (the resolution limit); a higher gamma recovers all 40
    G = nx.ring_of_cliques(40, 10)
    dept = {v: v // 10 for v in G}
    low = communities(G, resolution=1.0, seed=0)
    high = communities(G, resolution=4.0, seed=0)
    assert high.attrs["n_communities"] == 40
    assert compare_partitions(dept, high)["ari"] == pytest.approx(1.0)
    assert low.attrs["n_communities"] <= high.attrs["n_communities"]


def test_resolution_scan_shows_the_resolution_limit():
    # 30 cliques of 4 in a ring: standard modularity (gamma = 1) scores merged pairs of
    # cliques higher than the cliques themselves (Fortunato and Barthelemy 2007), so only a
    # higher resolution recovers the planted groups
    G = nx.ring_of_cliques(30, 4)
    teams = {v: v // 4 for v in G}
    scan = resolution_scan(G, [1, 8, 400], groups=teams)
    assert scan.index.tolist() == [1.0, 8.0, 400.0]
    assert scan.loc[1.0, "communities"] < 30 and scan.loc[1.0, "ari"] < 1
    assert scan.loc[8.0, "communities"] == 30 and scan.loc[8.0, "ari"] == pytest.approx(1.0)
    assert scan.loc[8.0, "modularity_at_1"] == pytest.approx(modularity(G, teams))
    assert scan.loc[1.0, "modularity_at_1"] > scan.loc[8.0, "modularity_at_1"]
    # far too high a resolution shatters the cliques
    assert scan.loc[400.0, "communities"] > 30 and scan.loc[400.0, "ari"] < 1
    # seed stability: the planted resolution gives the same partition for every seed
    stable = resolution_scan(G, [8], n_seeds=4)
    assert stable.loc[8.0, "seed_ari"] == pytest.approx(1.0)
    assert "seed_ari" not in scan.columns


def test_networkx_backend_and_directed_input():
    G = nx.connected_caveman_graph(6, 8)
    truth = {v: v // 8 for v in G}
    nxc = communities(G, backend="networkx", seed=1)
    assert compare_partitions(truth, nxc)["ari"] == pytest.approx(1.0)
    D = G.to_directed()
    skn = communities(D, seed=1)  # read as undirected
    assert compare_partitions(truth, skn)["nmi"] == pytest.approx(1.0)
    with pytest.raises(InvalidParameterError, match="Leiden"):
        communities(G, method="leiden", backend="networkx")
    with pytest.raises(InvalidParameterError, match="resolution"):
        communities(G, resolution=0)


# --------------------------------------------------------------------------- comparison


def _pair_counting_ari(a, b):
    """ARI from counts over all pairs of people (Hubert and Arabie's formula, by pairs)."""
    pairs = list(itertools.combinations(range(len(a)), 2))
    same_a = np.array([a[i] == a[j] for i, j in pairs])
    same_b = np.array([b[i] == b[j] for i, j in pairs])
    n11 = float(np.sum(same_a & same_b))
    total = len(pairs)
    expected = same_a.sum() * same_b.sum() / total
    top = (same_a.sum() + same_b.sum()) / 2
    if top == expected:  # both all singletons: identical, ARI taken as 1 by convention
        return 1.0
    return (n11 - expected) / (top - expected)


def _nmi_by_entropies(a, b):
    def h(x):
        _, counts = np.unique(x, return_counts=True, axis=0)
        p = counts / counts.sum()
        return -(p * np.log(p)).sum()

    joint = np.stack([a, b], axis=1)
    mi = h(a) + h(b) - h(joint)  # I(a; b) = H(a) + H(b) - H(a, b)
    return 2 * mi / (h(a) + h(b))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 4)), min_size=3, max_size=30))
def test_compare_partitions_against_pair_counts(labels):
    a = np.array([x for x, _ in labels])
    b = np.array([y for _, y in labels])
    if len(set(a)) < 2 or len(set(b)) < 2:
        return
    out = compare_partitions(dict(enumerate(a)), dict(enumerate(b)))
    assert out["ari"] == pytest.approx(_pair_counting_ari(a, b), abs=1e-9)
    assert out["nmi"] == pytest.approx(_nmi_by_entropies(a, b), abs=1e-9)
    assert out["people"] == len(a)


def test_compare_partitions_known_values():
    # identical up to relabelling
    out = compare_partitions({1: "a", 2: "a", 3: "b"}, {1: 5, 2: 5, 3: 9})
    assert (out["ari"], out["nmi"]) == (1.0, 1.0)
    # people missing from one side are ignored
    out = compare_partitions({1: "a", 2: "a", 3: "b", 4: "b"}, {1: 0, 2: 0, 3: 1})
    assert out["people"] == 3
    with pytest.raises(InvalidParameterError):
        compare_partitions({1: "a"}, {2: "b"})


# --------------------------------------------------------------------------- assortativity


def test_assortativity_matches_networkx():
    G = nx.gnp_random_graph(60, 0.1, seed=11)
    rng = np.random.default_rng(1)
    colour = {v: str(rng.integers(0, 3)) for v in G}
    age = {v: float(rng.normal(40, 10)) for v in G}
    nx.set_node_attributes(G, colour, "colour")
    nx.set_node_attributes(G, age, "age")
    assert assortativity(G, "colour") == pytest.approx(
        nx.attribute_assortativity_coefficient(G, "colour")
    )
    assert assortativity(G, "age") == pytest.approx(
        nx.numeric_assortativity_coefficient(G, "age")
    )
    D = nx.gnp_random_graph(60, 0.1, seed=12, directed=True)
    nx.set_node_attributes(D, colour, "colour")
    assert assortativity(D, "colour") == pytest.approx(
        nx.attribute_assortativity_coefficient(D, "colour")
    )


# --------------------------------------------------------------------------- silo scores


def test_silo_scores_planted_and_null():
    G = nx.connected_caveman_graph(6, 8)
    teams = {v: v // 8 for v in G}
    out = silo_scores(G, teams, n_null=99, seed=2)
    assert (out["silo_score"] > 0.8).all()
    np.testing.assert_allclose(out["p_value"], 0.01)  # no null draw as internal
    # the configuration model's expected internal share is about vol_g / 2m
    m = G.number_of_edges()
    vol = pd.Series(dict(G.degree())).groupby(teams).sum()
    np.testing.assert_allclose(out["expected_share"], vol / (2 * m), atol=0.03)
    # internal share by direct count
    internal = sum(1 for u, v in G.edges if teams[u] == teams[v] == 0)
    assert out.loc[0, "internal_share"] == pytest.approx(2 * internal / vol[0])


def test_silo_scores_random_labels_are_not_silos():
    G = nx.gnp_random_graph(300, 0.05, seed=4)
    rng = np.random.default_rng(4)
    teams = {v: int(rng.integers(0, 5)) for v in G}
    out = silo_scores(G, teams, n_null=200, seed=9)
    assert (out["silo_score"].abs() < 0.1).all()
    assert (out["p_value"] > 0.001).all()
    again = silo_scores(G, teams, n_null=200, seed=9)
    pd.testing.assert_frame_equal(out, again)


def test_silo_scores_directed_and_privacy():
    D = nx.DiGraph()
    D.add_edges_from((i, j) for i in range(6) for j in range(6) if i != j)
    D.add_edges_from([(0, 10), (10, 11), (11, 12)])
    teams = {v: "big" for v in range(6)} | {10: "tiny", 11: "tiny", 12: "tiny"}
    out = silo_scores(D, teams, n_null=50)
    assert list(out.index) == ["big"] and "fewer than 5" in out.attrs["privacy"]
    assert out.loc["big", "internal_share"] == pytest.approx(60 / 61)


# --------------------------------------------------------------------------- properties


@settings(max_examples=30, deadline=None)
@given(
    st.integers(5, 25),
    st.floats(0.05, 0.6),
    st.integers(2, 4),
    st.booleans(),
    st.integers(0, 10_000),
)
def test_ei_properties(n, p, k, directed, seed):
    G = nx.gnp_random_graph(n, p, seed=seed, directed=directed)
    groups = {v: v % k for v in G}
    net = ei_index(G, groups, level="network")
    if net["ties"] == 0:
        return
    assert -1 <= net["ei"] <= 1
    assert net["ei_min"] - 1e-12 <= net["ei"] <= net["ei_max"] + 1e-12
    assert net["ties"] == G.number_of_edges()
    per = ei_index(G, groups, min_group_size=1)
    # each internal tie belongs to one group, each external tie to two
    assert per["internal"].sum() == net["internal"]
    assert per["external"].sum() == 2 * net["external"]
    gm = group_matrix(G, groups, weight=None, min_group_size=1)
    assert np.trace(gm.to_numpy()) == net["internal"]


# --------------------------------------------------------------------------- planted truth


@pytest.mark.slow
def test_sample_org_planted_silo_departments():
    from ona.datasets import load_sample
    from ona.graph import build_graph

    sample = load_sample()
    G = build_graph(sample.interactions, sample.people, compact=True, internal_only=True)
    a, b = sample.truth.silo_departments
    m = group_matrix(G, "department", weight=None)
    # observed ties between two departments over those expected from their volumes: the
    # planted pair (whose affinity was cut to a few percent) is the least connected pair
    vol = m.sum(axis=1)
    ratio = m / np.outer(vol, vol) * vol.sum()
    pairs = ratio.where(~np.eye(len(ratio), dtype=bool)).stack()
    assert set(pairs.idxmin()) == {a, b}
    assert pairs[(a, b)] < 0.25 * pairs.drop([(a, b), (b, a)]).min()
    # every department keeps to itself more than a degree-preserving null network would
    scores = silo_scores(G, "department", n_null=99)
    assert (scores["silo_score"] > 0).all() and (scores["p_value"] <= 0.01).all()


def test_graph_without_ties():
    G = nx.Graph()
    G.add_nodes_from(range(6))
    groups = {v: v % 2 for v in G}
    found = communities(G)
    assert found.attrs["n_communities"] == 6 and np.isnan(found.attrs["modularity"])
    assert np.isnan(assortativity(G, groups))
    assert np.isnan(assortativity(G, groups, kind="categorical"))
    assert ei_index(G, groups, level="network")["ties"] == 0
