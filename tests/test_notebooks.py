"""Notebooks 01-05 run with papermill on their defaults (the imported sample organisation),
render parts of the same Diagnosis as the report, and agree with ``findings.json`` to the last
digit; their findings are checked against the sample's planted truth.

Real-organisation notebooks (07-09) are in ``tests/test_real_outcomes.py``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

papermill = pytest.importorskip("papermill")

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
LIMIT_SECONDS = 120
SAMPLE_BOOKS = ["01_import_and_quality", "02_who_connects", "03_silos",
                "04_collaboration_and_performance", "05_change_over_time"]

pytestmark = [pytest.mark.notebooks, pytest.mark.slow]


def run(name: str, tmp_path: Path, **parameters) -> dict:
    out = tmp_path / f"out-{name}"
    t0 = time.perf_counter()
    papermill.execute_notebook(
        str(NOTEBOOKS / f"{name}.ipynb"), str(tmp_path / f"{name}.ipynb"),
        parameters={"output_dir": str(out), **parameters}, cwd=str(tmp_path),
        kernel_name="python3", progress_bar=False)
    elapsed = time.perf_counter() - t0
    assert elapsed < LIMIT_SECONDS, f"{name} took {elapsed:.0f} s"
    return json.loads((out / "summary.json").read_text())


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The sample imported once, its report and findings.json, and every notebook run on it."""
    from ona.diagnosis import sample_workspace
    from ona.report import write_report

    root = tmp_path_factory.mktemp("sample")
    ws = sample_workspace(root / "workspace")
    report = write_report(ws, root / "report")
    findings = json.loads((report.parent / "findings.json").read_text())
    summaries = {name: run(name, root, workspace=str(ws.path)) for name in SAMPLE_BOOKS[1:]}
    return {"findings": findings, "summaries": summaries, "report": report}


def test_notebooks_are_stored_without_outputs_and_parameterised():
    import nbformat

    books = sorted(NOTEBOOKS.glob("*.ipynb"))
    assert len(books) >= 5
    for path in books:
        book = nbformat.read(path, as_version=4)
        assert book.metadata["kernelspec"]["name"] == "python3", path.name
        tagged = [c for c in book.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1 and book.cells[0] is tagged[0], path.name
        for cell in book.cells:
            if cell.cell_type == "code":
                assert not cell.outputs and cell.execution_count is None, path.name


def test_sample_notebooks_hold_no_analysis_of_their_own():
    """Thin: they call ona.diagnose and render its findings; no measure is computed in a cell."""
    import nbformat

    forbidden = ["build_graph", "centrality(", "group_matrix(", "ei_index(", "communities(",
                 "relate(", "overload(", "roles(", "change_tables(", ".groupby(", ".rank(",
                 "np.trace", "crosstab", ".corr(", "cross_group_share"]
    for name in SAMPLE_BOOKS:
        book = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
        code = "\n".join(c.source for c in book.cells if c.cell_type == "code")
        assert "ona.diagnose(" in code, name
        for word in forbidden:
            assert word not in code, f"{name} computes {word} by hand"
        def logic(cell):  # lines that are not imports, comments or blank
            return [x for x in cell.source.splitlines() if x.strip() and not x.lstrip().startswith(
                ("import ", "from ", "#"))]

        longest = max(len(logic(c)) for c in book.cells if c.cell_type == "code")
        assert longest <= 15, f"{name} has a {longest}-line cell"


def test_notebooks_agree_with_findings_json_to_the_last_digit(sample):
    in_report = {f["id"]: f for f in sample["findings"]["findings"]}
    seen = set()
    for name, summary in sample["summaries"].items():
        for fid, finding in summary["findings"].items():
            assert finding == in_report[fid], f"{name}: {fid} differs from findings.json"
            seen.add(fid)
    assert {"brokerage.concentration", "overload.concentration", "silos.pairs",
            "silos.communities", "outcomes.teams", "change.cross_share"} <= seen
    # and the report shows the same numbers: each stated finding's sentence is in report.html
    import html as _html
    import re

    text = _html.unescape(re.sub(r"<[^>]+>", " ", sample["report"].read_text()))
    for f in sample["findings"]["findings"]:
        assert f["statement"] in text, f["id"]


def test_01_imports_the_sample_and_counts_the_roster_s_300_people(tmp_path, sample):
    s = run("01_import_and_quality", tmp_path)
    pop = s["findings"]["data.population"]
    assert pop["numbers"]["internal_people"] == 300  # the roster's people, not 326 identities
    assert pop["numbers"]["identities_external"] == 24
    assert pop["numbers"]["identities_list"] == 1 and pop["numbers"]["identities_bot"] == 1
    assert all(e["read"] == e["imported"] + e["duplicates"] + sum(e["rejected"].values())
               for e in s["import_log"])
    assert s["rejected_by_reason"].get("bot", 0) > 0
    assert s["rejected_by_reason"].get("system message", 0) > 0
    # a fresh import gives the same findings as the shared one
    in_report = {f["id"]: f for f in sample["findings"]["findings"]}
    assert s["findings"]["data.coverage"] == in_report["data.coverage"]


def test_02_who_connects_finds_the_planted_brokers_and_overload(sample):
    s = sample["summaries"]["02_who_connects"]
    p = s["planted"]
    assert p["brokers"] >= 3 and p["broker_external_contacts_percentile_mean"] > 0.8
    assert p["broker_betweenness_percentile_mean"] > 0.75
    assert p["overloaded_in_demand_share"] >= 0.8
    load = s["findings"]["overload.concentration"]["numbers"]
    assert 0 < load["top_share"] < 1 and 0 < load["gini"] < 1


def test_03_silos_names_the_planted_silo(sample):
    s = sample["summaries"]["03_silos"]
    f = s["findings"]["silos.pairs"]
    weakest = f["numbers"]["pairs"][0]
    assert {weakest["group_a"], weakest["group_b"]} == {"Engineering", "Sales"}
    assert weakest["ci_high"] < 0.5 * f["numbers"]["median_ratio"]
    assert s["planted"]["lowest_pair_is_planted_silo"]
    assert "Engineering and Sales" in sample["findings"]["headlines"][0]
    assert s["findings"]["silos.communities"]["numbers"]["nmi"] > 0.5


def test_04_collaboration_and_performance_recovers_the_planted_driver(sample):
    s = sample["summaries"]["04_collaboration_and_performance"]
    f = s["findings"]["outcomes.teams"]
    assert f["numbers"]["teams"] >= 30
    assert s["planted"]["driver_vs_external_per_member_spearman"] > 0.8
    rows = f["tables"]["relate"]
    row = next(r for r in rows if r["metric"] == "external_per_member" and r["outcome"] == "delivery")
    assert row["estimate"] > 0 and row["ci_low"] > 0
    assert row["detectable_r"] == pytest.approx(0.43, abs=0.02)  # 40 teams
    for r in rows:
        assert r["ci_low"] <= r["estimate"] <= r["ci_high"]
        assert r["p_adjusted"] >= r["p_value"]
    assert "not causal" in f["statement"]


def test_05_change_over_time_detects_the_intervention(sample):
    s = sample["summaries"]["05_change_over_time"]
    did = s["did"]
    assert did["estimate"] > 0 and did["ci_low"] > 0
    assert did["parallel_trends"] is True
    assert did["n_treated"] >= 5 and did["n_control"] >= 20
