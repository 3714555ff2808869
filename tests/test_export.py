"""Network exports (GEXF, GraphML, CSV, Parquet): read back with networkx / pandas and checked
attribute by attribute against counts made here directly from the events."""

from __future__ import annotations

import json
from collections import Counter

import networkx as nx
import pandas as pd
import pytest

from ona.export import export_network, network_tables, to_gexf, to_graphml, write_tables
from ona.privacy import SMALL_GROUPS_LABEL


def _org():
    """Two teams of 6, one team of 2 (below the minimum), one of 3; a few externals."""
    teams = {"T1": 6, "T2": 6, "Tiny": 2, "Trio": 3}
    dept = {"T1": "D1", "T2": "D2", "Tiny": "D1", "Trio": "D2"}
    rows = [{"person_id": f"{t.lower()}{i}@corp.example", "team": t, "department": dept[t],
             "level": "IC1" if i else "Lead", "location": "Oslo"}
            for t, n in teams.items() for i in range(n)]
    people = pd.DataFrame(rows)
    ids = list(people["person_id"])
    events = []
    day = pd.Timestamp("2026-01-01", tz="UTC")
    for k in range(400):
        s, t = ids[(7 * k) % len(ids)], ids[(11 * k + 3) % len(ids)]
        if s == t:
            continue
        events.append({"timestamp": day + pd.Timedelta(days=k % 80), "source": s, "target": t,
                       "channel": "email" if k % 3 else "chat"})
    events.append({"timestamp": day, "source": ids[0], "target": "someone@outside.example",
                   "channel": "email"})
    return pd.DataFrame(events), people


def _expected_ties(events, keep):
    """(source, target) -> Counter of channels, counted here without ona."""
    out: dict[tuple[str, str], Counter] = {}
    for e in events.itertuples():
        if e.source in keep and e.target in keep and e.source != e.target:
            out.setdefault((e.source, e.target), Counter())[e.channel] += 1
    return out


def test_person_level_gexf_and_graphml_read_back_attribute_by_attribute(tmp_path):
    events, people = _org()
    net = network_tables(events, people, pseudonymised=True)
    expected = _expected_ties(events, set(people["person_id"]))
    for path in (to_gexf(net, tmp_path / "n.gexf"), to_graphml(net, tmp_path / "n.graphml")):
        G = nx.read_gexf(path) if path.suffix == ".gexf" else nx.read_graphml(path)
        assert set(G.nodes) == set(people["person_id"])  # externals left out, isolates kept
        assert {(u, v) for u, v in G.edges} == set(expected)
        for (u, v), channels in expected.items():
            d = G.edges[u, v]
            assert d["weight"] == sum(channels.values())
            assert d["weight_email"] == channels["email"] and d["weight_chat"] == channels["chat"]
        for p in people.itertuples():
            node = G.nodes[p.person_id]
            # the two-person team and the trio are below 5: their members never carry the team
            assert node["team"] == (p.team if p.team in ("T1", "T2") else SMALL_GROUPS_LABEL)
            assert node["location"] == "Oslo"
            out_deg = len({t for (s, t) in expected if s == p.person_id})
            assert node["out_degree"] == out_deg
        assert "pseudonyms" in G.graph.get("ona_privacy", "") or "pseudonyms" in path.read_text()


def test_group_level_merges_small_groups_and_counts_between_groups(tmp_path):
    events, people = _org()
    net = network_tables(events, people, level="group")
    team = dict(zip(people["person_id"], people["team"], strict=True))
    group = {p: (t if t in ("T1", "T2") else SMALL_GROUPS_LABEL) for p, t in team.items()}
    expected = Counter()
    for (s, t), ch in _expected_ties(events, set(team)).items():
        if group[s] != group[t]:
            expected[group[s], group[t]] += sum(ch.values())
    G = nx.read_gexf(to_gexf(net, tmp_path / "g.gexf"))
    assert dict(G.nodes(data="people")) == {"T1": 6, "T2": 6, SMALL_GROUPS_LABEL: 5}
    assert {(u, v): d for u, v, d in G.edges(data="weight")} == dict(expected)
    assert "merged" in net.privacy


def test_group_level_drops_a_merged_group_still_below_the_minimum():
    events, people = _org()
    people = people[people["team"] != "Trio"]
    net = network_tables(events, people, level="group")
    assert set(net.nodes.index) == {"T1", "T2"}  # Tiny (2) merged is still 2 < 5: left out
    assert not net.edges[["source", "target"]].isin(["Tiny", SMALL_GROUPS_LABEL]).any().any()
    assert "left out" in net.privacy


def test_dynamic_gexf_carries_the_monthly_volume(tmp_path):
    events, people = _org()
    net = network_tables(events, people, by_month=True, measures=False)
    G = nx.read_gexf(to_gexf(net, tmp_path / "d.gexf", dynamic=True))
    keep = set(people["person_id"])
    monthly = Counter((e.source, e.target, e.timestamp.strftime("%Y-%m-01")) for e in
                      events.itertuples() if e.source in keep and e.target in keep)
    for u, v, d in G.edges(data=True):
        got = {start: value for value, start, _ in d["volume"]}
        want = {m: n for (s, t, m), n in monthly.items() if (s, t) == (u, v)}
        assert got == want
        assert d["start"] == min(want)


def test_raw_workspace_gets_throwaway_labels_unless_names(tmp_path):
    events, people = _org()
    hidden = network_tables(events, people, pseudonymised=False, measures=False)
    assert not set(hidden.nodes.index) & set(people["person_id"])
    assert all(label[0].isalpha() for label in hidden.nodes.index)
    # the same structure, relabelled: degree sequences agree
    shown = network_tables(events, people, pseudonymised=False, names=True, measures=False)
    assert sorted(hidden.edges.groupby("source").size()) == sorted(shown.edges.groupby("source").size())
    assert set(shown.nodes.index) == set(people["person_id"])
    assert "RAW IDENTITIES" in shown.privacy


def test_tables_neutralise_formulas_and_carry_the_statement(tmp_path):
    events, people = _org()
    people.loc[people["team"] == "T1", "team"] = "=HYPERLINK(1)"
    net = network_tables(events, people, measures=False, pseudonymised=True)
    paths = write_tables(net, tmp_path / "csv")
    nodes = pd.read_csv(tmp_path / "csv" / "nodes.csv")
    assert (nodes["team"] == "'=HYPERLINK(1)").sum() == 6
    assert json.loads((tmp_path / "csv" / "metadata.json").read_text())["privacy"] == net.privacy
    write_tables(net, tmp_path / "pq", format="parquet")
    import pyarrow.parquet as pq

    meta = pq.read_schema(tmp_path / "pq" / "edges.parquet").metadata[b"ona"]
    assert json.loads(meta)["level"] == "person"
    assert len(paths) == 3


def test_group_level_without_people_is_refused():
    events, _ = _org()
    with pytest.raises(ValueError, match="People table"):
        network_tables(events, level="group")


def test_export_of_a_pseudonymised_workspace_holds_no_raw_identity(tmp_path):
    from ona.datasets import SAMPLE_DIR
    from ona.workspace import open_workspace

    ws = open_workspace(tmp_path / "ws", create=True)
    ws.import_paths([SAMPLE_DIR], key=b"k" * 32)
    roster = pd.read_csv(SAMPLE_DIR / "roster.csv")
    raw = {v.lower() for v in roster["email"]} | {v.lower() for v in roster["name"]}
    out = tmp_path / "out"
    out.mkdir()
    files = []
    for fmt, level in [("gexf", "person"), ("graphml", "person"), ("csv", "person"),
                       ("parquet", "group"), ("gexf", "group")]:
        target = out / f"{level}.{fmt}" if fmt in ("gexf", "graphml") else out / f"{level}-{fmt}"
        files += export_network(ws, target, format=fmt, level=level).paths
    for path in files:
        text = path.read_bytes().decode("utf-8", "replace").lower()
        leaked = [r for r in raw if r in text]
        assert not leaked, (path.name, leaked[:3])
    G = nx.read_gexf(out / "person.gexf")
    assert G.number_of_nodes() == roster["email"].nunique()  # the population: the roster
