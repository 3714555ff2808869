"""Real data: a manufacturing company's e-mail metadata against its reporting tree.

``shared/datasets/radoslaw_manufacturing_email`` (Michalski; read its SOURCES.md): 82,927
internal e-mails among 167 accounts in 2010, the official reporting line of every employee and
the division (top executive's subtree) derived from it. The dataset's curator reports, from
their own computation: 45 % of e-mail volume within divisions, modularity of the division
partition 0.14, Louvain modularity 0.40, NMI(Louvain, division) 0.31, and e-mail contact for
63 % of person–manager pairs against a 22 % random baseline. Each bound below is an interval
around such an independent figure, or a direction with the reason it must hold; none is copied
from this code's output.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ona.analysis.roles import roles
from ona.analysis.silos import (
    assortativity,
    communities,
    compare_partitions,
    ei_index,
    group_matrix,
    modularity,
    silo_scores,
)
from ona.analysis.structure import density
from ona.analysis.teams import team_table
from ona.graph import build_graph


@pytest.fixture(scope="module")
def company(shared):
    folder = shared / "datasets" / "radoslaw_manufacturing_email"
    mail = pd.read_csv(folder / "michalski_communication.csv", sep=";")
    nodes = pd.read_csv(folder / "michalski_nodes.csv")
    events = pd.DataFrame(
        {
            "source": mail["Sender"].astype(str),
            "target": mail["Recipient"].astype(str),
            "timestamp": pd.to_datetime(mail["EventDate"], utc=True),
        }
    )

    def ids(col):
        return nodes[col].astype("Int64").astype("string").astype(object).where(nodes[col].notna(), None)

    people = pd.DataFrame(
        {
            "person_id": nodes["id"].astype(str),
            "manager_id": ids("reports_to"),
            "division": ids("division_head"),
            "management_level": nodes["management_level"],
        }
    )
    G = build_graph(events, people, compact=True)
    return G, people


def test_graph_is_the_published_one(company, shared):
    G, _ = company
    # SOURCES.md: 167 accounts and 82,927 e-mails; e-mails to oneself never make ties
    folder = shared / "datasets" / "radoslaw_manufacturing_email"
    mail = pd.read_csv(folder / "michalski_communication.csv", sep=";", usecols=[0, 1])
    assert len(mail) == 82_927
    assert G.number_of_nodes() == 167
    assert G.adj.sum() == int((mail["Sender"] != mail["Recipient"]).sum())


def test_division_silos(company):
    G, people = company
    division = G.node_attrs["division"].dropna()
    # 45 % of e-mail volume stays within divisions (curator): allow a wide interval
    net = ei_index(G, "division", level="network", weight="weight")
    within = net["internal"] / net["ties"]
    assert 0.35 < within < 0.55
    # ...which is more than if people were spread over divisions at random, since divisions
    # are where the work is organised: E-I below its expectation under random assignment
    assert net["ei"] < net["expected_ei"]
    # modularity of the division partition: 0.14 (curator); Louvain finds 0.40: an optimiser
    # must beat the formal partition by a wide margin
    q_div = modularity(G, "division")
    assert 0.10 < q_div < 0.20
    found = communities(G, seed=0)
    assert found.attrs["modularity"] > q_div + 0.15
    # NMI 0.31 (curator): communities partly follow divisions, far from identical
    agreement = compare_partitions(division, found)
    assert 0.2 < agreement["nmi"] < 0.45 and agreement["ari"] > 0
    # ties (not volume) are also more likely within a division than between
    assert assortativity(G, "division") > 0
    # the largest division (83 people, half the company) keeps to itself more than a
    # degree-preserving random network would
    scores = silo_scores(G, "division", n_null=99, seed=1)
    assert scores.loc["69", "size"] == 83
    assert scores.loc["69", "silo_score"] > 0 and scores.loc["69", "p_value"] < 0.05
    # its row of the group matrix: most of its mail stays inside
    rows = group_matrix(G, "division", value="row_share")
    assert rows.loc["69"].idxmax() == "69"
    assert "fewer than 5" in rows.attrs["privacy"]  # 2- and 4-person divisions merged


def test_managers_against_reporting_tree(company):
    G, people = company
    # 63 % of person-manager pairs e-mail each other against a 22 % random baseline
    # (curator): reporting lines are the strongest formal reason to write
    either = (G.adj + G.adj.T) > 0
    pairs = people.dropna(subset=["manager_id"])
    pairs = pairs[pairs["person_id"] != pairs["manager_id"]]
    i = G.nodes.get_indexer(pairs["person_id"])
    j = G.nodes.get_indexer(pairs["manager_id"])
    share = float(np.asarray(either[i, j]).mean())
    baseline = density(G, weight=None)
    assert share > 0.5 and share > 2 * baseline
    # the same through the team table: a manager reaches most of their direct reports
    teams = team_table(G, "manager_id", manager="manager_id")
    assert teams["manager"].tolist() == teams.index.tolist()  # each team's manager is its key
    assert teams["manager_reach"].median() > 2 * baseline
    # managers (management levels 1-2) coordinate across their units: more contacts and less
    # constraint than regular employees
    r = roles(G, "division")
    level = G.node_attrs["management_level"]
    managers, regular = level.isin([1, 2]), level == 3
    assert r.loc[managers, "contacts"].median() > r.loc[regular, "contacts"].median()
    assert r.loc[managers, "constraint"].median() < r.loc[regular, "constraint"].median()
