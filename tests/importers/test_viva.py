"""Viva Insights readers: the published sample, attributes on the right people, weights,
legacy names, date formats, snapshots, the group-to-group matrix, broken files."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from ona.exceptions import BadInputError
from ona.graph import build_graph
from ona.importers.csv_interactions import InteractionsCsvReader
from ona.importers.viva import (
    VivaG2GReader,
    VivaP2PReader,
    VivaSnapshotsWarning,
    parse_metric_dates,
    read_viva_g2g,
    read_viva_p2p,
)

BROKEN = Path(__file__).resolve().parents[1] / "data" / "broken" / "viva"
ORGS = ("Finance", "HR", "Product", "Sales")


def _sample(shared: Path) -> Path:
    return shared / "fixtures" / "viva" / "vivainsights_p2p_data.csv"


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def _org_of(person: str) -> str:
    """A made-up but deterministic HR attribute per person (the sample carries none)."""
    return ORGS[int(hashlib.sha256(person.encode()).hexdigest(), 16) % len(ORGS)]


def _with_attributes(shared: Path, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    rows = _rows(_sample(shared))
    out = tmp_path / "p2p_with_hr.csv"
    truth = {}
    with open(out, "w", newline="") as fh:
        names = [*rows[0], "PrimaryCollaborator_Organization", "SecondaryCollaborator_Organization"]
        writer = csv.DictWriter(fh, names)
        writer.writeheader()
        for r in rows:
            a, b = r["PrimaryCollaborator_PersonId"], r["SecondaryCollaborator_PersonId"]
            truth[a], truth[b] = _org_of(a), _org_of(b)
            writer.writerow({**r, "PrimaryCollaborator_Organization": truth[a],
                             "SecondaryCollaborator_Organization": truth[b]})
    return out, truth


def test_published_sample_imports_every_tie(shared):
    path = _sample(shared)
    rows = _rows(path)
    assert VivaP2PReader.detect(path) and not InteractionsCsvReader.detect(path)
    result = read_viva_p2p(path)
    report = result.report.files[0]
    assert report.balanced() and report.read == len(rows) == report.imported
    t = result.interactions
    assert set(t["channel"]) == {"collab"} and set(t["kind"]) == {"collab"}
    assert set(t["time_quality"]) == {"date_only"}
    # "01/04/2023" is the first of April: monthly snapshots are firsts of months.
    assert set(t["timestamp"].astype(str)) == {"2023-04-01 00:00:00+00:00"}
    expected = {(r["PrimaryCollaborator_PersonId"], r["SecondaryCollaborator_PersonId"]):
                float(r["Strong_tie_score"]) for r in rows}
    got = dict(zip(zip(t["source"], t["target"], strict=True), t["weight"], strict=True))
    assert got == pytest.approx(expected)
    ties = result.extras["ties"]
    assert {"Diverse_tie_score", "Diverse_tie_type", "Strong_tie_type"} <= set(ties.columns)
    diverse = read_viva_p2p(path, weight="diverse").interactions
    assert diverse["weight"].sum() == pytest.approx(sum(float(r["Diverse_tie_score"]) for r in rows))


def test_attributes_belong_to_the_right_people(shared, tmp_path):
    path, truth = _with_attributes(shared, tmp_path)
    result = read_viva_p2p(path)
    people = result.people.set_index("person_id")["Organization"]
    assert people.to_dict() == truth
    G = build_graph(result.interactions, result.people, weight="weight")
    assert set(G.nodes) == set(truth)
    assert all(G.nodes[n]["Organization"] == truth[n] for n in G.nodes)
    # The positional assignment of Microsoft's vivainsights (attribute table of Primary then
    # Secondary people, laid onto the graph's vertices in edge-list order) would get many wrong
    # on this very file: this test is able to tell the difference.
    rows = _rows(path)
    vertex_table = list(dict.fromkeys(
        [(r["PrimaryCollaborator_PersonId"], r["PrimaryCollaborator_Organization"]) for r in rows]
        + [(r["SecondaryCollaborator_PersonId"], r["SecondaryCollaborator_Organization"]) for r in rows]))
    vertex_order = list(dict.fromkeys(
        p for r in rows for p in (r["PrimaryCollaborator_PersonId"], r["SecondaryCollaborator_PersonId"])))
    positional = {v: org for v, (_, org) in zip(vertex_order, vertex_table, strict=False)}
    wrong = sum(positional[v] != truth[v] for v in vertex_order)
    assert wrong > len(vertex_order) / 2


def test_weights_change_results_when_asked_for(shared):
    t = read_viva_p2p(_sample(shared)).interactions
    weighted = build_graph(t, weight="weight")
    counted = build_graph(t, weight="count")
    assert set(weighted.edges) == set(counted.edges)
    pr_w = pd.Series(nx.pagerank(weighted, weight="weight"))
    pr_c = pd.Series(nx.pagerank(counted, weight="weight"))
    top_w, top_c = set(pr_w.nlargest(20).index), set(pr_c.nlargest(20).index)
    assert top_w != top_c
    assert (pr_w - pr_c).abs().max() > 1e-4
    unweighted = read_viva_p2p(_sample(shared), weight="none").interactions
    assert (unweighted["weight"] == 1.0).all()


def test_legacy_column_names_read_the_same(shared, tmp_path):
    rows = _rows(_sample(shared))
    legacy = tmp_path / "legacy.csv"
    rename = {"PrimaryCollaborator_PersonId": "TieOrigin_PersonId",
              "SecondaryCollaborator_PersonId": "TieDestination_PersonId",
              "Strong_tie_score": "StrongTieScore", "Diverse_tie_score": "DiverseTieScore",
              "Strong_tie_type": "StrongTieType", "Diverse_tie_type": "DiverseTieType"}
    with open(legacy, "w", newline="") as fh:
        writer = csv.DictWriter(fh, [rename.get(c, c) for c in rows[0]])
        writer.writeheader()
        writer.writerows({rename.get(k, k): v for k, v in r.items()} for r in rows)
    assert VivaP2PReader.detect(legacy)
    a = read_viva_p2p(_sample(shared)).interactions
    b = read_viva_p2p(legacy).interactions
    pd.testing.assert_frame_equal(a.drop(columns="origin"), b.drop(columns="origin"))


@pytest.mark.parametrize(("texts", "expected", "how"), [
    (["2023-04-01", "2023-05-01"], ["2023-04-01", "2023-05-01"], "year-month-day"),
    (["01/04/2023", "01/05/2023"], ["2023-04-01", "2023-05-01"], "first of a month"),
    (["4/1/2023", "5/1/2023"], ["2023-04-01", "2023-05-01"], "first of a month"),
    (["04/15/2023", "04/22/2023"], ["2023-04-15", "2023-04-22"], "comes second"),
    (["15/04/2023", "22/04/2023"], ["2023-04-15", "2023-04-22"], "comes first"),
    (["02/04/2023", "09/04/2023"], ["2023-04-02", "2023-04-09"], "weekday"),
    (["03/04/2023", "03/11/2023"], ["2023-03-04", "2023-03-11"], "ambiguous"),
])  # fmt: skip
def test_both_metric_date_formats(texts, expected, how):
    dates, said = parse_metric_dates(texts)
    assert [dates[t].date().isoformat() for t in texts] == expected
    assert how in said


def _two_snapshots(tmp_path: Path) -> Path:
    path = tmp_path / "two.csv"
    path.write_text(
        "PrimaryCollaborator_PersonId,SecondaryCollaborator_PersonId,MetricDate,Strong_tie_score,"
        "PrimaryCollaborator_Level,SecondaryCollaborator_Level\n"
        "a,b,2023-04-01,0.5,L1,L2\nb,c,2023-04-01,0.2,L2,L3\n"
        "a,b,2023-05-01,0.7,L2,L2\nb,c,2023-05-01,0.1,L2,L4\n")
    return path


def test_snapshots_are_kept_apart_never_stacked_silently(tmp_path):
    path = _two_snapshots(tmp_path)
    with pytest.warns(VivaSnapshotsWarning, match="2 MetricDate snapshots kept apart"):
        result = read_viva_p2p(path)
    t = result.interactions
    assert len(t) == 4 and t["event_id"].is_unique
    assert sorted(set(t["container"])) == ["snapshot 2023-04-01", "snapshot 2023-05-01"]
    assert result.extras["snapshots"]["ties"].tolist() == [2, 2]
    # The latest snapshot's attributes win.
    assert result.people.set_index("person_id")["Level"].to_dict() == {"a": "L2", "b": "L2", "c": "L4"}
    latest = read_viva_p2p(path, snapshot="latest")
    assert latest.interactions["weight"].tolist() == [0.7, 0.1]
    assert latest.report.files[0].rejected == {"other snapshot": 1 * 2}
    assert latest.report.balanced()
    april = read_viva_p2p(path, snapshot="2023-04-01").interactions
    assert april["weight"].tolist() == [0.5, 0.2]
    with pytest.raises(BadInputError, match="no MetricDate snapshot 2023-06-01"):
        read_viva_p2p(path, snapshot="2023-06-01")
    # One graph per snapshot: a window on the MetricDate.
    G = build_graph(t, start="2023-05-01", end="2023-05-02", weight="weight")
    assert G["a"]["b"]["weight"] == 0.7


def test_group_to_group_matrix(shared):
    path = shared / "fixtures" / "viva" / "vivainsights_g2g_data.csv"
    assert VivaG2GReader.detect(path) and not VivaP2PReader.detect(path)
    assert not InteractionsCsvReader.detect(path)
    rows = _rows(path)
    result = read_viva_g2g(path)
    assert result.interactions.empty
    report = result.report.files[0]
    assert report.balanced() and report.read == len(rows)
    matrix = result.extras["group_matrix"]
    assert matrix.attrs["metric"] == "Group_collaboration_time_invested"
    sizes = {}
    checked = 0
    for r in rows:
        sizes[r["PrimaryCollaborator_Organization"]] = int(r["PrimaryCollaborator_GroupSize"])
        sizes[r["SecondaryCollaborator_Organization"]] = int(r["SecondaryCollaborator_GroupSize"])
    for r in rows:
        day, month, year = r["MetricDate"].split("/")
        a = r["PrimaryCollaborator_Organization"]
        b = r["SecondaryCollaborator_Organization"]
        b = a if b == "Within Group" else b
        if sizes[a] < 5 or sizes[b] < 5:
            assert sizes[a] >= 5 or (f"{year}-{month}-{day}", a) not in matrix.index
            assert sizes[b] >= 5 or b not in matrix.columns
            continue
        value = matrix.loc[(f"{year}-{month}-{day}", a), b]
        assert value == pytest.approx(float(r["Group_collaboration_time_invested"]))
        checked += 1
    assert checked > 100
    assert "CEO" in sizes and sizes["CEO"] < 5
    assert "CEO" not in matrix.columns and "CEO" not in matrix.index.get_level_values("group")
    assert "fewer than 5 people suppressed" in matrix.attrs["privacy"]


def test_broken_viva_files():
    with pytest.raises(BadInputError, match="line 1"):
        read_viva_p2p(BROKEN / "missing_columns.csv")
    with pytest.warns(UserWarning):
        result = read_viva_p2p(BROKEN / "bad_rows.csv")
    report = result.report.files[0]
    assert dict(report.rejected) == {"missing person id": 1, "missing or bad MetricDate": 1,
                                     "bad tie score": 2, "self-interaction only": 1}
    assert report.imported == 1 and report.balanced()
    with pytest.raises(BadInputError, match="line 3: missing person id"):
        read_viva_p2p(BROKEN / "bad_rows.csv", on_bad_lines="error")
    with pytest.raises(BadInputError, match="no Diverse_tie_score column"):
        read_viva_p2p(BROKEN / "bad_rows.csv", weight="diverse")


# -- the person query: dated roster snapshots and person-week metrics -------------------------


def _person_query(tmp_path: Path, weeks: int = 35) -> tuple[Path, list[dict[str, str]]]:
    """A person query as Viva Insights exports it: one row per person per week (Sundays),
    HR attributes repeated every week, weekly metrics; one person moves organisation."""
    import random

    rng = random.Random(5)
    people = {f"p{i}": ORGS[i % len(ORGS)] for i in range(6)}
    rows = []
    for w in range(weeks):
        day = (pd.Timestamp("2024-01-07") + pd.Timedelta(weeks=w)).strftime("%m/%d/%Y")
        for pid, org in people.items():
            if pid == "p1" and w >= 20:
                org = "Finance"  # moved in week 20
            rows.append({"PersonId": pid, "MetricDate": day, "Organization": org,
                         "FunctionType": "Engineering", "LevelDesignation": "Senior",
                         "Layer": "3", "Collaboration_hours": f"{rng.uniform(5, 40):.2f}",
                         "After_hours_collaboration_hours": f"{rng.uniform(0, 8):.2f}",
                         "Meeting_hours": f"{rng.uniform(1, 25):.2f}", "Emails_sent": str(rng.randrange(90))})
    broken = [
        dict(rows[3]),  # an identical repeat
        {**rows[4], "Meeting_hours": "99.00"},  # a second, different row for one person-week
        {**rows[5], "PersonId": ""},
        {**rows[6], "MetricDate": "someday"},
    ]
    path = tmp_path / "person_query.csv"
    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows + broken)
    return path, rows + broken


def test_person_query_is_dated_snapshots_and_weekly_metrics(tmp_path):
    from ona.importers import detect_format
    from ona.importers.viva import OVERLOAD_METRICS, read_viva_person

    path, written = _person_query(tmp_path)
    assert detect_format(path) == "viva_person"
    with pytest.warns(UserWarning, match="could not be read"):
        result = read_viva_person(path)
    f = result.report.files[0]
    truth = _rows(path)  # the independent parse
    assert f.read == len(truth) == 35 * 6 + 4 and f.balanced()
    assert f.duplicates == 1
    assert dict(f.rejected) == {"conflicting rows for one person and week": 1,
                                "missing PersonId": 1, "missing or bad MetricDate": 1}
    assert f.imported == 35 * 6
    assert result.interactions.empty
    # people: one period per person, two for the one who moved, with the date of the move
    people = result.people
    assert sorted(people["person_id"].value_counts().items()) == [
        ("p0", 1), ("p1", 2), ("p2", 1), ("p3", 1), ("p4", 1), ("p5", 1)]
    p1 = people[people["person_id"] == "p1"].sort_values("valid_from", na_position="first")
    assert p1["department"].tolist() == ["HR", "Finance"]
    assert p1["valid_from"].iloc[1] == pd.Timestamp("2024-01-07", tz="UTC") + pd.Timedelta(weeks=20)
    assert {"department", "level", "FunctionType", "Layer"} <= set(people.columns)
    assert "Organization" not in people.columns and "Meeting_hours" not in people.columns
    # metrics: a person-week table holding exactly the values of the file's first rows
    weekly = result.extras["person_week"]
    assert len(weekly) == 35 * 6 and set(OVERLOAD_METRICS) <= set(weekly.columns)
    first = {}
    for r in truth[:35 * 6]:
        day = pd.Timestamp(r["MetricDate"]).tz_localize("UTC")
        first[(r["PersonId"], day)] = float(r["Meeting_hours"])
    got = dict(zip(zip(weekly["person_id"], weekly["metric_date"], strict=True),
                   weekly["Meeting_hours"], strict=True))
    assert got == first
    assert weekly["Collaboration_hours"].sum() == pytest.approx(
        sum(float(r["Collaboration_hours"]) for r in truth[:35 * 6]))


def test_p2p_without_metricdate_takes_a_date(shared, tmp_path):
    from ona.importers.viva import VivaUndatedWarning

    rows = _rows(_sample(shared))
    path = tmp_path / "simulated_p2p.csv"  # as vivainsights' p2p_data_sim writes it
    with open(path, "w", newline="") as fh:
        names = [c for c in rows[0] if c != "MetricDate"]
        writer = csv.DictWriter(fh, names, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    dated = read_viva_p2p(path, date="2024-03-31")
    f = dated.report.files[0]
    assert f.read == f.imported == len(rows) and f.balanced()
    assert set(dated.interactions["timestamp"]) == {pd.Timestamp("2024-03-31", tz="UTC")}
    with pytest.warns(VivaUndatedWarning, match="modification date"):
        default = read_viva_p2p(path)
    day = pd.Timestamp(path.stat().st_mtime, unit="s", tz="UTC").normalize()
    assert set(default.interactions["timestamp"]) == {day}
    assert any("no MetricDate column" in k for k in default.report.files[0].notes)


def test_group_to_group_query_is_detected(shared):
    from ona.importers import detect_format

    path = shared / "fixtures" / "viva" / "vivainsights_g2g_data.csv"
    assert detect_format(path) == "viva_g2g"
    result = read_viva_g2g(path)
    f = result.report.files[0]
    assert f.read == len(_rows(path)) and f.balanced()


def test_group_to_group_long_table_has_every_unsuppressed_cell(shared):
    path = shared / "fixtures" / "viva" / "vivainsights_g2g_data.csv"
    result = read_viva_g2g(path, min_group_size=1)
    long = result.extras["group_to_group"]
    rows = _rows(path)
    # independent: each row's metric at (date, group, other), "Within Group" on the diagonal
    truth = {}
    for r in rows:
        a, b = r["PrimaryCollaborator_Organization"], r["SecondaryCollaborator_Organization"]
        b = a if b == "Within Group" else b
        key = (r["MetricDate"], a, b)
        truth[key] = truth.get(key, 0.0) + float(r["Group_collaboration_time_invested"])
    assert len(long) == len(truth) and set(long["metric"]) == {"Group_collaboration_time_invested"}
    got = dict(zip(zip(long["metric_date"], long["group"], long["other"], strict=True),
                   long["value"], strict=True))
    # the sample's dates are firsts of months written day first
    iso = {d: pd.to_datetime(d, format="%d/%m/%Y").strftime("%Y-%m-%d") for d, _, _ in truth}
    assert got == pytest.approx({(iso[d], g, o): v for (d, g, o), v in truth.items()})
    # with the default minimum group size, the small groups' cells are left out
    small = read_viva_g2g(path).extras["group_to_group"]
    assert 0 < len(small) < len(long)
