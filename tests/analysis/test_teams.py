"""Team table: every column against a direct computation on networkx subgraphs."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ona.analysis.teams import team_table
from ona.graph import as_compact


def _org(directed: bool, seed: int = 1):
    rng = np.random.default_rng(seed)
    G = nx.DiGraph() if directed else nx.Graph()
    teams = {}
    sizes = {"red": 7, "green": 6, "blue": 8, "tiny": 3}
    start = 0
    for team, size in sizes.items():
        members = list(range(start, start + size))
        start += size
        teams |= dict.fromkeys(members, team)
        G.add_nodes_from(members)
        for u in members:
            for v in members:
                if u != v and rng.random() < 0.5:
                    G.add_edge(u, v, weight=float(rng.integers(1, 6)))
    people = list(teams)
    for _ in range(25):
        u, v = rng.choice(people, 2, replace=False)
        if teams[u] != teams[v]:
            G.add_edge(int(u), int(v), weight=float(rng.integers(1, 3)))
    nx.set_node_attributes(G, teams, "team")
    # each team reports to its first member; red's manager sits outside the team (in blue)
    managers = {"red": 13, "green": 7, "blue": 13, "tiny": 21}
    nx.set_node_attributes(G, {v: managers[t] for v, t in teams.items()}, "manager_id")
    return G, teams


@pytest.mark.parametrize("directed", [False, True])
def test_team_columns_against_subgraphs(directed):
    from ona.analysis.brokers import constraint

    G, teams = _org(directed)
    out = team_table(G, "team", manager="manager_id")
    assert list(out.index) == ["blue", "green", "red"]  # "tiny" (3 people) suppressed
    assert "1 group(s) with fewer than 5" in out.attrs["privacy"]
    # the team-by-team graph, built with networkx: one node per team, summed weights
    Q = nx.DiGraph() if directed else nx.Graph()
    for u, v, w in G.edges(data="weight"):
        a, b = teams[u], teams[v]
        if a != b:
            Q.add_edge(a, b, weight=Q.get_edge_data(a, b, {"weight": 0})["weight"] + w)
    team_c = constraint(Q, weight="weight")
    for team, row in out.iterrows():
        members = [v for v in G if teams[v] == team]
        sub = G.subgraph(members)
        s = len(members)
        assert row["size"] == s
        assert row["internal_ties"] == sub.number_of_edges()
        assert row["density"] == pytest.approx(nx.density(sub))
        weights = [w for _, _, w in sub.edges(data="weight")]
        assert row["mean_tie_strength"] == pytest.approx(np.mean(weights))
        external = [(u, v) for u, v in G.edges if (teams[u] == team) != (teams[v] == team)]
        assert row["external_ties"] == len(external)
        reached = {teams[v] if teams[u] == team else teams[u] for u, v in external}
        assert row["external_groups"] == len(reached)
        ei = (len(external) - len(weights)) / (len(external) + len(weights))
        assert row["ei"] == pytest.approx(ei)
        assert row["team_constraint"] == pytest.approx(team_c[team])
        assert row["external_range"] == pytest.approx(1 - team_c[team])
        und = sub.to_undirected() if directed else sub
        k = np.array([d for _, d in und.degree()])
        assert row["degree_centralization"] == pytest.approx(
            (k.max() - k).sum() / ((s - 1) * (s - 2))
        )
        mgr = G.nodes[members[0]]["manager_id"]
        assert row["manager"] == mgr
        und_all = G.to_undirected() if directed else G
        others = [v for v in members if v != mgr]
        reach = sum(1 for v in others if und_all.has_edge(mgr, v)) / len(others)
        assert row["manager_reach"] == pytest.approx(reach)
        degrees = np.array([d for _, d in und_all.degree()])
        assert row["manager_contacts_pct"] == pytest.approx(
            np.mean(degrees <= und_all.degree(mgr))
        )


def test_team_table_mapping_inputs_and_compact_graph():
    G, teams = _org(False, seed=4)
    by_name = team_table(G, "team", weight=None)
    by_map = team_table(as_compact(G), teams, weight=None, manager={"red": 2})
    cols = ["size", "internal_ties", "density", "external_ties", "ei"]
    pd.testing.assert_frame_equal(by_name[cols], by_map[cols])
    assert by_map.loc["red", "manager"] == 2 and pd.isna(by_map.loc["blue", "manager"])
    assert by_name["manager_reach"].isna().all()
    # unweighted: the mean tie strength of 0/1 ties is 1
    assert (by_name["mean_tie_strength"] == 1.0).all()
    small = team_table(G, teams, min_group_size=3)
    assert "tiny" in small.index and small.attrs["level"] == "group"


@settings(max_examples=25, deadline=None)
@given(st.integers(6, 30), st.floats(0.05, 0.5), st.integers(2, 4), st.booleans(), st.integers(0, 9999))
def test_team_table_agrees_with_ei_index(n, p, k, directed, seed):
    from ona.analysis.silos import ei_index

    G = nx.gnp_random_graph(n, p, seed=seed, directed=directed)
    teams = {v: v % k for v in G}
    table = team_table(G, teams, weight=None, min_group_size=1)
    ei = ei_index(G, teams, min_group_size=1)
    np.testing.assert_array_equal(table["internal_ties"], ei["internal"])
    np.testing.assert_array_equal(table["external_ties"], ei["external"])
    np.testing.assert_allclose(table["ei"], ei["ei"], equal_nan=True)
    assert table["size"].sum() == n
    density = table["density"].dropna()  # undefined for one-person teams
    assert ((density >= 0) & (density <= 1)).all()
    assert (table["external_groups"] <= k - 1).all()
