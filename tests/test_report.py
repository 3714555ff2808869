"""The HTML report: self-contained, plain-word findings, privacy threshold applied and stated."""

from __future__ import annotations

import base64
import html
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ona
from ona.report import write_report

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

# Each report runs the whole diagnostic on a 59-person organisation: a few seconds each.
pytestmark = pytest.mark.slow


def _make_workspace(root: Path, *, seed: int = 0, outcomes: bool = True) -> ona.Workspace:
    """8 teams of 7 in 4 departments plus a 3-person department, 4 months of e-mail."""
    rng = np.random.default_rng(seed)
    people = [{"person_id": f"p{t:02d}{k}", "team": f"T{t}", "department": f"D{t // 2}"}
              for t in range(8) for k in range(7)]
    people += [{"person_id": f"q{k}", "team": "TINY", "department": "DTINY"} for k in range(3)]
    ppl = pd.DataFrame(people)
    dens = np.linspace(0.15, 0.7, 8)
    rows = []
    for a in ppl.itertuples():
        for b in ppl.itertuples():
            if a.person_id == b.person_id:
                continue
            p = dens[int(a.team[1:])] if a.team == b.team and a.team != "TINY" else 0.03
            for m in range(4):
                if rng.random() < p:
                    rows.append({"id": f"e{len(rows)}", "from": a.person_id, "to": b.person_id,
                                 "timestamp": f"2026-{m + 1:02d}-{rng.integers(1, 28):02d}T10:00:00Z",
                                 "channel": "email", "kind": "to"})
    root.mkdir(parents=True, exist_ok=True)
    ppl.to_csv(root / "roster.csv", index=False)
    pd.DataFrame(rows).to_csv(root / "interactions.csv", index=False)
    files = [("roster", "roster"), ("interactions", "interactions_csv")]
    if outcomes:
        pd.DataFrame({"team": [f"T{t}" for t in range(8)], "period": "2026",
                      "delivery": dens * 3 + rng.normal(0, 0.2, 8)}).to_csv(
            root / "outcomes.csv", index=False)
        files.append(("outcomes", "outcomes"))
    ws = ona.open_workspace(root / "ws", create=True)
    for name, fmt in files:
        ws.import_paths([root / f"{name}.csv"], format=fmt, resolve=False)
    return ws


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("report")
    ws = _make_workspace(root)
    return write_report(ws, root / "out", title="Test organisation")


def _text(path: Path) -> str:
    page = path.read_text()
    return html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"base64,[^\"']+", "", page)))


def test_report_is_one_self_contained_file_with_embedded_pngs(report):
    page = report.read_text()
    assert report.name == "report.html"
    assert not re.search(r"(src|href)\s*=\s*['\"]?(https?:|//)", page)  # nothing fetched
    assert "<script" not in page and "<link" not in page
    images = re.findall(r'<img[^>]+src="data:image/png;base64,([^"]+)"', page)
    assert len(images) >= 5
    for data in images:
        assert base64.b64decode(data)[:8] == PNG_MAGIC
    pngs = sorted(p.name for p in report.parent.glob("*.png"))
    assert len(pngs) == len(images)
    assert {"network.png", "group_matrix.png", "roles.png"} <= set(pngs)


def test_report_counts_match_the_workspace(report):
    ws = ona.open_workspace(report.parent.parent / "ws")
    events = ws.interactions()
    text = _text(report)
    assert f"{len(events):,} interactions from 1 source(s)" in text
    assert "59 people: internal people are the 59 roster members" in text


def test_report_applies_and_states_the_privacy_threshold(report):
    text = _text(report)
    assert "DTINY" not in text  # the 3-person department appears in no table or finding
    assert "fewer than 5 people" in text
    assert "no individual is named or ranked" in text
    assert not re.search(r"\b[pq]\d{1,3}\b", text)  # no person id anywhere


def test_report_relates_team_metrics_to_outcomes_with_honest_power(report):
    text = _text(report)
    assert "With 8 teams only |r| >= 0.86 can be detected reliably" in text
    assert re.search(r"Across 8 teams, those with higher [\w ()-]+ tend to have (higher|lower) "
                     r"delivery \(Spearman r = [+-]\d\.\d\d, 95% interval", text)
    assert "This is an association, not causal." in text


def test_report_without_outcomes_says_how_to_add_them(tmp_path):
    ws = _make_workspace(tmp_path, outcomes=False, seed=1)
    path = write_report(ws.path, tmp_path / "out", min_group_size=3)
    text = _text(path)
    assert "No outcomes were given" in text
    # With a threshold of 3 the small department is shown.
    assert "DTINY" in text


def test_cli_report_writes_the_report(tmp_path):
    from ona.cli import main

    ws = _make_workspace(tmp_path, outcomes=False, seed=2)
    code = main(["report", "--workspace", str(ws.path), "--out", str(tmp_path / "cli"), "-q"])
    assert code == 0
    assert (tmp_path / "cli" / "report.html").stat().st_size > 10_000


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def test_report_renders_in_headless_chromium(report, tmp_path):
    browser = _chromium()
    if browser is None:
        pytest.skip("Chromium is not installed: the rendering check needs a headless browser")
    flags = [browser, "--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars",
             "--virtual-time-budget=10000"]
    shot = tmp_path / "shot.png"
    subprocess.run([*flags, "--window-size=1200,4000", f"--screenshot={shot}", report.as_uri()],
                   check=True, timeout=120, capture_output=True)
    assert shot.stat().st_size > 50_000  # a page with figures, not a blank one
    from matplotlib.image import imread

    pixels = imread(shot)
    assert pixels.shape[0] >= 1000 and pixels.std() > 0.05
    # No missing image: a copy of the page (the report itself has no script) counts the images
    # that did not decode once loaded, and the DOM dump reports it in the title.
    probe = tmp_path / "probe.html"
    probe.write_text(report.read_text().replace(
        "</body>",
        "<script>window.addEventListener('load', () => { const imgs = [...document.images]; "
        "document.title = 'images:' + imgs.length + ' broken:' + "
        "imgs.filter(i => !i.complete || i.naturalWidth === 0).length; });</script></body>"))
    dom = subprocess.run([*flags, "--dump-dom", probe.as_uri()], check=True, timeout=120,
                         capture_output=True, text=True).stdout
    found = re.search(r"images:(\d+) broken:(\d+)", dom)
    assert found, "the page did not finish loading"
    assert int(found.group(1)) >= 5 and int(found.group(2)) == 0


def test_report_without_a_roster_says_what_it_cannot_do(tmp_path):
    src = tmp_path / "src"
    _make_workspace(src, outcomes=False, seed=3)
    ws = ona.open_workspace(tmp_path / "bare", create=True)
    ws.import_paths([src / "interactions.csv"], format="interactions_csv", resolve=False)
    text = _text(write_report(ws, tmp_path / "out"))
    assert "no roster was imported" in text
    assert "Silos cannot be read against the org chart" in text
    assert "No outcomes were given" in text


# ---------------------------------------------------------------------------------------------
# Thin real exports (../shared/fixtures): the report runs and withholds what the data cannot carry


def _thin_report(shared, tmp_path, paths):
    import json
    import zipfile

    inputs = []
    for p in paths:
        if p.endswith(".zip"):  # a single git repository, unpacked in place under tmp_path
            with zipfile.ZipFile(shared / p) as z:
                z.extractall(tmp_path / "repo")
            inputs.append(next((tmp_path / "repo").iterdir()))
        else:
            inputs.append(shared / p if not Path(p).is_absolute() else Path(p))
    ws = ona.open_workspace(tmp_path / "ws", create=True)
    ws.import_paths(inputs)
    path = write_report(ws, tmp_path / "out")
    findings = json.loads((path.parent / "findings.json").read_text())
    by_id = {f["id"]: f for f in findings["findings"]}
    text = _text(path)
    for f in findings["findings"]:
        if f["status"] != "reported":
            assert f["reason"], f["id"]
            assert f["reason"] in text, f["id"]  # the reason is shown, not only stored
    return by_id, text


def test_viva_person_to_person_withholds_brokerage_and_overload(shared, tmp_path):
    f, text = _thin_report(shared, tmp_path, ["fixtures/viva/vivainsights_p2p_data.csv"])
    for claim in ("brokerage.concentration", "overload.concentration", "brokerage.roles"):
        assert f[claim]["status"] == "withheld"
        assert "mean distinct contacts per person is 1.06" in f[claim]["reason"]
    assert "one-way network" in f["brokerage.concentration"]["reason"]
    assert "separate groups" in f["brokerage.concentration"]["reason"]
    assert f["silos.pairs"]["status"] == "withheld" and "no roster" in f["silos.pairs"]["reason"]
    assert f["data.population"]["status"] == "qualified"
    assert "information flow depends on a few brokers" not in text
    assert "100% of the shortest paths" not in text


def test_mailing_list_archive_withholds_overload_on_mass_mail(shared, tmp_path):
    f, text = _thin_report(shared, tmp_path,
                           ["fixtures/email/mailing_lists/ksummit-discuss.mbox.gz"])
    for claim in ("brokerage.concentration", "overload.concentration"):
        assert f[claim]["status"] == "withheld"
        assert f[claim]["reason"].startswith("share of events that are mass or automated "
                                             "messages is 1, above 0.50")
    assert f["data.population"]["numbers"]["identities_list"] >= 1
    assert "receive" not in f["overload.concentration"]["statement"]


def test_single_git_repository_withholds_claims_on_three_people(shared, tmp_path):
    f, text = _thin_report(shared, tmp_path, ["fixtures/code/git/git2net_test_repo_1.zip"])
    assert f["network.structure"]["numbers"]["people"] == 3
    for claim in ("brokerage.concentration", "overload.concentration"):
        assert f[claim]["status"] == "withheld"
        assert "people in the network is 3, below 20" in f[claim]["reason"]
    # git authors are identities, not a roster
    assert f["data.population"]["status"] == "qualified"
    assert "no roster was imported" in text


def test_roster_plus_mailing_list_runs(shared, tmp_path):
    """Issue 19, item 9: a roster plus a mailing-list mbox crashed the silo section."""
    from ona.datasets import load_sample

    roster = str(load_sample().paths["roster"])
    f, _ = _thin_report(shared, tmp_path,
                        [roster, "fixtures/email/mailing_lists/ksummit-discuss.mbox.gz"])
    assert f["data.population"]["status"] == "reported"
    assert f["silos.pairs"]["status"] == "withheld"
    assert f["overload.concentration"]["status"] == "withheld"
