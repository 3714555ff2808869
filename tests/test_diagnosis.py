"""ona.diagnose: the population, the evidence checks and the findings, on planted data."""

from __future__ import annotations

import json

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import ona
from ona.diagnosis import (
    THRESHOLDS,
    classify_identities,
    community_stability,
    concentration,
    diagnose,
    population,
    silo_pairs,
)


def _org(root, *, silo: float, seed: int = 0, mass: bool = False, extra_outsiders: bool = True):
    """5 departments x 8 people, 6 months of e-mail; the pair (D0, D1) talks ``silo`` times as
    much as the other pairs (1.0 = no silo), plus outsiders: externals, a list and a bot."""
    rng = np.random.default_rng(seed)
    ppl = pd.DataFrame([{"person_id": f"p{d}{k}@corp.example", "department": f"D{d}",
                         "team": f"T{d}{k // 4}"} for d in range(5) for k in range(8)])
    rows = []
    ids = ppl["person_id"].tolist()
    dept = dict(zip(ppl["person_id"], ppl["department"], strict=True))
    for m in range(6):
        for a in ids:
            for b in ids:
                if a == b:
                    continue
                p = 0.35 if dept[a] == dept[b] else 0.06
                if {dept[a], dept[b]} == {"D0", "D1"}:
                    p *= silo
                if rng.random() < p:
                    rows.append((a, b, m))
    if extra_outsiders:
        for k in range(20):
            rows.append((ids[k], f"guest{k % 4}@partner.example", k % 6))
            rows.append(("noreply@corp.example", ids[k], k % 6))
            rows.append((ids[k], "all-staff@lists.corp.example", k % 6))
    ev = pd.DataFrame(rows, columns=["from", "to", "m"])
    ev["id"] = [f"e{i}" for i in range(len(ev))]
    ev["timestamp"] = [f"2025-{m + 1:02d}-{rng.integers(1, 28):02d}T10:00:00Z" for m in ev["m"]]
    ev["channel"], ev["kind"] = "email", "to"
    root.mkdir(parents=True, exist_ok=True)
    ppl.to_csv(root / "roster.csv", index=False)
    ev.drop(columns="m").to_csv(root / "interactions.csv", index=False)
    ws = ona.open_workspace(root / "ws", create=True)
    ws.import_paths([root / "roster.csv"], format="roster", resolve=False)
    ws.import_paths([root / "interactions.csv"], format="interactions_csv")
    return ws


@pytest.fixture(scope="module")
def silo_ws(tmp_path_factory):
    return _org(tmp_path_factory.mktemp("silo"), silo=0.3)


@pytest.fixture(scope="module")
def silo_diagnosis(silo_ws):
    return diagnose(silo_ws)


def test_population_is_the_roster_and_outsiders_are_counted_apart(silo_diagnosis):
    pop = silo_diagnosis.population
    assert len(pop.internal) == 40
    assert pop.counts["external"] == 4 and pop.counts["bot"] == 1 and pop.counts["list"] == 1
    assert sum(pop.counts.values()) == len(pop.categories)
    assert silo_diagnosis.graph.number_of_nodes() == 40  # outsiders are not in the network
    assert silo_diagnosis["network.structure"].numbers["people"] == 40


def test_classify_identities_without_a_roster():
    ev = pd.DataFrame({"source": ["a@x.org", "jenkins@x.org", "b@x.org"],
                       "target": ["b@x.org", "a@x.org", "dev@lists.x.org"],
                       "mass": [False, False, True], "automated": [False, True, False]})
    cats = classify_identities(ev)
    assert cats.to_dict() == {"a@x.org": "unknown", "b@x.org": "unknown",
                              "dev@lists.x.org": "list", "jenkins@x.org": "bot"}
    pop = population(ev, None)
    assert list(pop.internal) == ["a@x.org", "b@x.org"]
    assert "no roster" in pop.rule and not pop.has_roster


def test_a_moderate_planted_silo_is_named_with_an_interval_below_the_typical_pair(silo_diagnosis):
    f = silo_diagnosis["silos.pairs"]
    top = f.numbers["pairs"].iloc[0]
    assert {top["group_a"], top["group_b"]} == {"D0", "D1"}
    assert top["ci_high"] < f.numbers["median_ratio"]
    assert f.status == "reported"
    assert "D0 and D1" in silo_diagnosis.headlines[0] or any(
        "D0 and D1" in h for h in silo_diagnosis.headlines)


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_no_planted_silo_is_not_claimed(tmp_path, seed):
    d = diagnose(_org(tmp_path, silo=1.0, seed=seed, extra_outsiders=False))
    f = d["silos.pairs"]
    # every pair talks alike: the weakest pair does not stand out from the typical pair
    assert f.status == "qualified" and "weakest pair" in f.reason


def test_a_half_strength_silo_is_reported(tmp_path):
    f = diagnose(_org(tmp_path, silo=0.5, seed=1, extra_outsiders=False))["silos.pairs"]
    top = f.numbers["pairs"].iloc[0]
    assert f.status == "reported" and {top["group_a"], top["group_b"]} == {"D0", "D1"}


def test_silo_pairs_agree_with_the_group_matrix_formula(silo_diagnosis):
    G = silo_diagnosis.graph
    m = ona.group_matrix(G, "department", min_group_size=1, how="drop")
    sym = m + m.T
    total = sym.to_numpy().sum()
    expected = np.outer(sym.sum(axis=1), sym.sum(axis=0)) / total
    ratio = pd.DataFrame(sym.to_numpy() / expected, index=sym.index, columns=sym.columns)
    pairs = silo_pairs(G, "department", n_resamples=0)
    for r in pairs.itertuples():
        assert r.ratio == pytest.approx(ratio.loc[r.group_a, r.group_b], rel=1e-12)
        assert r.observed == pytest.approx(sym.loc[r.group_a, r.group_b])


def test_concentration_is_the_overload_definition_of_the_top_5_percent():
    G = nx.gnp_random_graph(87, 0.08, seed=2, directed=True)
    load = ona.overload(G, weight=None)
    c = concentration(load["demand"])
    assert c["top_people"] == load.attrs["top_people"] == 5  # ceil(0.05 * 87)
    assert c["top_share"] == pytest.approx(load.attrs["top_share"])


def test_community_stability_is_perfect_on_clear_cliques_and_low_on_noise():
    clear = community_stability(nx.connected_caveman_graph(6, 8), n_seeds=5)
    noise = community_stability(nx.gnp_random_graph(120, 0.05, seed=1), n_seeds=5)
    assert clear["seed_ari_min"] == 1.0 and clear["consensus_communities"] == 6
    assert noise["seed_ari_min"] < 0.8


def test_sparse_fragmented_network_withholds_brokerage(tmp_path):
    # 60 pairs who only talk to each other: 60 separate components, one contact each
    rows = [{"from": f"a{i}", "to": f"b{i}", "timestamp": f"2025-0{1 + i % 3}-05T10:00:00Z",
             "channel": "chat", "kind": "dm", "id": f"e{i}"} for i in range(60)]
    pd.DataFrame(rows).to_csv(tmp_path / "ev.csv", index=False)
    ws = ona.open_workspace(tmp_path / "ws", create=True)
    ws.import_paths([tmp_path / "ev.csv"], format="interactions_csv", resolve=False)
    d = diagnose(ws)
    f = d["brokerage.concentration"]
    assert f.status == "withheld"
    assert "largest connected group" in f.reason and "mean distinct contacts" in f.reason
    assert d["data.population"].status == "qualified"  # no roster: the fallback rule
    assert d["silos.pairs"].status == "withheld" and "no roster" in d["silos.pairs"].reason


def test_findings_json_is_the_diagnosis(silo_diagnosis, tmp_path):
    from ona.report import write_report

    path = write_report(None, tmp_path, diagnosis=silo_diagnosis)
    data = json.loads((tmp_path / "findings.json").read_text())
    assert data == json.loads(silo_diagnosis.to_json())
    ids = [f["id"] for f in data["findings"]]
    assert len(ids) == len(set(ids))
    for f in data["findings"]:
        assert f["status"] in ("reported", "qualified", "withheld")
        assert (f["reason"] is None) == (f["status"] == "reported")
        assert {"id", "title", "numbers", "checks_passed"} <= set(f)
    page = path.read_text()
    import html as _html

    text = _html.unescape(page)
    for f in silo_diagnosis.findings:
        assert f.statement in text, f.id
    for name in THRESHOLDS:
        assert THRESHOLDS[name].label in text  # every threshold stated in the report


def test_docs_state_every_check_with_its_lines():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "docs" / "checks.md").read_text()
    for t in THRESHOLDS.values():
        row = next((line for line in text.splitlines() if line.startswith(f"| `{t.name}` |")), None)
        assert row is not None, t.name
        sign = ">" if t.direction == "max" else "<"
        assert f"{sign} {t.qualify:g}" in row.replace("1.0 |", "1 |") or f"{sign} {t.qualify}" in row
        if t.withhold is None:
            assert "| never |" in row
        else:
            assert f"{sign} {t.withhold:g}" in row or f"{sign} {t.withhold}" in row
