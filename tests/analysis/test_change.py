"""Change over time: windows, deltas, ties and people gained and lost, cross-group share."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from ona.analysis.change import (
    change_tables,
    cross_group_share,
    deltas,
    people_changes,
    tie_changes,
    window_stability,
)
from ona.exceptions import InvalidParameterError


def _events(seed: int = 0, n_people: int = 24, n_events: int = 600) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    people = [f"p{i:02d}" for i in range(n_people)]
    src = rng.integers(0, n_people, n_events)
    tgt = (src + rng.integers(1, n_people, n_events)) % n_people
    ts = pd.Timestamp("2026-01-01", tz="UTC") + pd.to_timedelta(
        np.sort(rng.random(n_events)) * 180, unit="D"
    )
    return pd.DataFrame(
        {
            "timestamp": ts,
            "source": np.array(people)[src],
            "target": np.array(people)[tgt],
            "channel": "email",
            "kind": "to",
        }
    )


def _roster(n_people: int = 24) -> pd.DataFrame:
    ids = [f"p{i:02d}" for i in range(n_people)]
    teams = ["A"] * 8 + ["B"] * 8 + ["C"] * 8
    roster = pd.DataFrame({"person_id": ids, "team": teams[:n_people]})
    # p00 moves from team A to team C on 1 April
    moved = pd.DataFrame(
        {
            "person_id": ["p00", "p00"],
            "team": ["A", "C"],
            "valid_from": pd.to_datetime([None, "2026-04-01"], utc=True),
            "valid_to": pd.to_datetime(["2026-04-01", None], utc=True),
        }
    )
    return pd.concat([roster[roster.person_id != "p00"], moved], ignore_index=True)


def test_change_tables_team_per_quarter_follows_moves():
    events, roster = _events(), _roster()
    tables = change_tables(events, roster, freq="QS", table="team", groups="team")
    periods = tables.index.get_level_values("period").unique()
    assert list(periods) == [pd.Timestamp("2026-01-01", tz="UTC"), pd.Timestamp("2026-04-01", tz="UTC")]
    q1, q2 = tables.loc[periods[0]], tables.loc[periods[1]]
    assert q1.loc["A", "size"] == 8 and q1.loc["C", "size"] == 8
    assert q2.loc["A", "size"] == 7 and q2.loc["C", "size"] == 9  # p00 moved
    # internal ties of team B in Q1, counted directly from the events
    in_q1 = events[events.timestamp < "2026-04-01"]
    team = dict(zip(_roster().person_id, _roster().team, strict=True))
    team["p00"] = "A"
    arcs = {(s, t) for s, t in zip(in_q1.source, in_q1.target, strict=True)
            if team[s] == team[t] == "B"}  # fmt: skip
    assert q1.loc["B", "internal_ties"] == len(arcs)
    with pytest.raises(InvalidParameterError, match="groups"):
        change_tables(events, table="team")


def test_change_tables_person_default_and_custom_measure():
    events = _events(seed=1)
    person = change_tables(events, freq="QS", groups={f"p{i:02d}": i % 3 for i in range(24)})
    assert person.attrs["level"] == "person"
    assert {"ei", "internal", "external"} <= set(person.columns)
    assert person.index.names == ["period", "person"]

    def sent(g):
        return pd.DataFrame({"sent": np.asarray(g.adj.sum(axis=1)).ravel()}, index=g.nodes)

    custom = change_tables(events, freq="MS", measure=sent)
    by_month = events.groupby([events.timestamp.dt.strftime("%Y-%m"), "source"]).size()
    for (period, who), value in custom["sent"].items():
        assert by_month.get((period.strftime("%Y-%m"), who), 0) == value


def test_deltas_columns_and_status():
    before = pd.DataFrame({"x": [1.0, 2.0], "flag": [True, False], "name": ["a", "b"]},
                          index=["ann", "bob"])  # fmt: skip
    after = pd.DataFrame({"x": [4.0, 5.0], "flag": [False, True], "name": ["a", "c"]},
                         index=["bob", "cat"])  # fmt: skip
    before.attrs["level"] = "person"
    out = deltas(before, after)
    assert list(out.columns) == ["x_before", "x_after", "x_change", "status"]
    assert out.loc["bob", "x_change"] == 2.0
    assert out["status"].to_dict() == {"ann": "gone", "bob": "both", "cat": "new"}
    assert out.attrs["level"] == "person"


@pytest.mark.parametrize("directed", [False, True])
def test_tie_and_people_changes_against_sets(directed):
    a = nx.gnp_random_graph(30, 0.1, seed=1, directed=directed)
    b = nx.gnp_random_graph(30, 0.1, seed=2, directed=directed)
    a.remove_nodes_from([0, 1])  # people who are not there before
    b.add_node(99)  # present, but with no tie: not active
    out = tie_changes(a, b, weight=None)

    def key(e):
        return e if directed else tuple(sorted(e))

    ea, eb = {key(e) for e in a.edges}, {key(e) for e in b.edges}
    assert out.attrs["gained"] == len(eb - ea)
    assert out.attrs["lost"] == len(ea - eb)
    assert out.attrs["kept"] == len(ea & eb)
    assert out.attrs["jaccard"] == pytest.approx(len(ea & eb) / len(ea | eb))
    gained = {key(e) for e in out.index[out["status"] == "gained"]}
    assert gained == eb - ea

    people = people_changes(a, b)
    act_a = {v for v in a if a.degree(v) > 0}
    act_b = {v for v in b if b.degree(v) > 0}
    assert set(people.index[people["status"] == "joined"]) == act_b - act_a
    assert set(people.index[people["status"] == "left"]) == act_a - act_b
    assert 99 not in people.index
    assert people.attrs["level"] == "person"


def test_tie_changes_weights_and_direction_mismatch():
    a = nx.Graph()
    a.add_edge("x", "y", weight=2.0)
    b = nx.Graph()
    b.add_edge("x", "y", weight=5.0)
    out = tie_changes(a, b)
    assert out.loc[("x", "y"), "change"] == 3.0 and out.loc[("x", "y"), "status"] == "kept"
    with pytest.raises(InvalidParameterError, match="directed"):
        tie_changes(a, nx.DiGraph([("x", "y")]))


def test_cross_group_share_before_and_after():
    events = _events(seed=3)
    roster = _roster()
    at = "2026-04-01"
    out = cross_group_share(events, "team", people=roster, at=at)
    # direct count: each event counts once, people's team in force at the end of the period
    for name, frame, p00 in [
        ("before", events[events.timestamp < at], "A"),
        ("after", events[events.timestamp >= at], "C"),
    ]:
        team = dict(zip(_roster().person_id, _roster().team, strict=True)) | {"p00": p00}
        cross = np.mean([team[s] != team[t] for s, t in zip(frame.source, frame.target, strict=True)])
        assert out.loc[name, "share"] == pytest.approx(cross)
    assert out.attrs["change"] == pytest.approx(out.loc["after", "share"] - out.loc["before", "share"])

    per = cross_group_share(events, "team", people=roster, at=at, by_group=True)
    assert list(per.index) == ["A", "B", "C"] and "privacy" in per.attrs
    small = {f"p{i:02d}": ("Z" if i < 2 else "Y") for i in range(24)}
    per_small = cross_group_share(events, small, at=at, by_group=True)
    assert list(per_small.index) == ["Y"]  # Z has 2 people


def test_stability_of_consecutive_windows():
    from scipy.stats import spearmanr

    from ona.graph import windows

    events = _events(seed=5, n_events=900)
    graphs = windows(events, freq="MS", directed=False)
    out = window_stability(graphs)
    periods = list(graphs)
    assert out.index.tolist() == periods[1:]
    a, b = graphs[periods[0]], graphs[periods[1]]
    ea = {tuple(sorted(e)) for e in a.edges}
    eb = {tuple(sorted(e)) for e in b.edges}
    assert out.iloc[0]["tie_jaccard"] == pytest.approx(len(ea & eb) / len(ea | eb))
    both = [v for v in a if a.degree(v) and v in b and b.degree(v)]
    rho = spearmanr([a.degree(v) for v in both], [b.degree(v) for v in both]).statistic
    assert out.iloc[0]["contacts_spearman"] == pytest.approx(rho)
    with pytest.raises(InvalidParameterError):
        window_stability({periods[0]: a})
